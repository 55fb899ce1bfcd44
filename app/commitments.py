"""告知承诺核查: the audits of filings the center approved on a signed commitment (告知承诺书)
instead of a proof.

The center states a share; draw() picks that share of the eligible filings at random with a seed
it generates and records, together with the eligible filings (by id, ascending) as they stood:
random.Random(seed).sample over that list gives the same sample to anyone who runs it again
(reproduce()). Each sampled filing gets a check: 属实, or 不属实, which revokes the registration
the filing concerns through the supervision table's 撤销注册 (app/supervision.py).
"""
import math
import random
import secrets
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.orm.exc import StaleDataError

from app import audit, refusals, states, supervision
from app.extensions import db
from models import Application, Attachment, CommitmentCheck, CommitmentDraw

MAX_SHARE = 100


class Refused(refusals.Refused):
    """A draw or a check that is not allowed; says why and what next."""


class NotAllowed(Refused):
    """Refused by the check's state (already checked, by someone else perhaps)."""


def committed():
    """The condition of a filing accepted on a commitment, either way the platform takes one:
    - it carries, in force, a signed commitment letter in place of a proof (Attachment.commitment);
    - or it went on past a 社保比对 that found no record at the unit, on the labour contract and the
      signed 社保比对告知承诺书 (Application.accepted_on_commitment). That flag is cleared at 提交
      when the register matched (app/govnet/registers.py), so a filing still flagged when approved
      was accepted on the person's word about their employment: exactly what the audit samples."""
    letter = exists().where(Attachment.application_id == Application.id, Attachment.commitment.is_(True),
                            Attachment.removed_at.is_(None))
    return or_(Application.accepted_on_commitment.is_(True), letter)


def eligible_ids(decided_from=None, decided_until=None):
    """The approved filings accepted on a commitment, decided within the period, by id ascending."""
    query = select(Application.id).where(Application.status == "approved", committed())
    if decided_from is not None:
        query = query.where(Application.decided_at >= datetime.combine(decided_from, time.min))
    if decided_until is not None:
        query = query.where(Application.decided_at < datetime.combine(decided_until + timedelta(days=1), time.min))
    return list(db.session.scalars(query.order_by(Application.id)))


def sample_size(count, share):
    """The share of `count`, rounded up: a stated share of a small set still samples one."""
    return min(count, math.ceil(count * share / 100)) if count else 0


def sample(ids, share, seed):
    """The draw itself: the same ids, share and seed give the same sample, anywhere."""
    ordered = sorted(ids)
    return sorted(random.Random(seed).sample(ordered, sample_size(len(ordered), share)))


def draw(share, user, decided_from=None, decided_until=None, seed=None, now=None):
    """A new draw: refused (with why) without a share of 1 to 100 %, with a period that ends before
    it begins, or when no filing is eligible. Returns the draw with a pending check per sampled filing."""
    problems = []
    if not isinstance(share, int) or not 1 <= share <= MAX_SHARE:
        problems.append(_l("抽查比例须为1至100之间的整数（百分比）"))
    if decided_from and decided_until and decided_from > decided_until:
        problems.append(_l("办结日期的起点不能晚于终点"))
    if problems:
        raise Refused(problems[0], problems)
    ids = eligible_ids(decided_from, decided_until)
    if not ids:
        raise Refused(_l("所选期间没有以告知承诺方式办结的申请，无需抽查；可调整办结日期范围"))
    seed = seed or secrets.token_hex(16)
    chosen = sample(ids, share, seed)
    now = now or datetime.now()
    found = CommitmentDraw(share=share, seed=seed, decided_from=decided_from, decided_until=decided_until,
                           eligible_ids=ids, sampled_ids=chosen, actor_id=getattr(user, "id", None),
                           actor_name=supervision.display_name(user), created_at=now)
    db.session.add(found)
    for application_id in chosen:
        db.session.add(CommitmentCheck(draw=found, application_id=application_id, status="pending"))
    db.session.flush()
    audit.record("workflow.commitment_draw", user=user, target=f"commitment_draw:{found.id}",
                 detail={"count": len(chosen)})
    db.session.commit()
    return found


def reproduce(found):
    """Run the recorded draw again: (the same sample from the recorded seed and eligible list,
    the eligible list the same as the filings that meet the criteria today)."""
    same_sample = sample(found.eligible_ids, found.share, found.seed) == list(found.sampled_ids)
    same_eligible = eligible_ids(found.decided_from, found.decided_until) == list(found.eligible_ids)
    return same_sample, same_eligible


def decide(check, action, user, note="", decision_number=None, now=None):
    """核查属实, or 核查不属实 with the finding and the decision number: the registration the filing
    concerns is revoked by the same move, in the same transaction."""
    found = states.find_supervision_move("commitment_check", action, check.status)
    if found is None:
        raise NotAllowed(_l("该核查当前状态为“%(status)s”，不能%(action)s",
                         status=states.CHECK_STATES.get(check.status, check.status),
                         action=states.supervision_label(action)))
    note = (note or "").strip()
    decision_number = (decision_number or "").strip() or None
    if "reason" in found.needs and not note:
        raise Refused(_l("请填写核查情况"))
    if "decision_number" in found.needs and not decision_number:
        raise Refused(_l("请填写撤销注册的决定文号"))
    now = now or datetime.now()
    check.status, check.note, check.decision_number = found.target, note or None, decision_number
    check.checked_by, check.checked_at = supervision.display_name(user), now
    audit.record("workflow.commitment_check", user=user, target=f"application:{check.application_id}",
                 detail={"number": check.application.number, "action": found.action, "role": "center"})
    registration = check.application.registration
    try:
        if found.target == "false" and registration is not None and registration.status in states.IN_FORCE:
            # the 撤销注册 move commits the check with it
            supervision.move(registration, "revoke", user, now=now, decision_number=decision_number,
                             reason=str(_l("告知承诺核查不属实（%(number)s）：%(note)s",
                                           number=check.application.number, note=note)))
        else:
            db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise NotAllowed(_l("该核查已被他人处理，请刷新后查看")) from None
    except Exception:
        db.session.rollback()
        raise
    return check


def parse_day(value):
    """A date typed as YYYY-MM-DD, or None when empty; Refused when it is no date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refused(_l("日期格式应为YYYY-MM-DD，如2026-12-31")) from None
