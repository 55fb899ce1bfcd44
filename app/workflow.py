"""The application workflow: transition(), the one door through which a filing changes state.

The states and the table of allowed moves are app/states.py's; transition() applies one move of
the table with its checks, its review record and its effect, in one transaction. It is the only
code that assigns Application.status (models/applications.py refuses any other writer). Views, the
API, CLI commands, seeds and tests all move applications through it; filings are started and
changed through app/filings.py, beside it.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import access, audit, effects, notify, refusals, rules, snapshots, states
from app.business_types import filer
from app.extensions import db
from app.standing import standing
from models import Review
from models.applications import OPEN_FILING_INDEXES, status_writer


class Refused(refusals.Refused):
    """A move, or a change of a filing, that is not allowed; `problems` lists the reasons."""

    def __init__(self, message, problems=()):
        super().__init__(message, list(problems))


def moves_for(application, user=None):
    """The moves this user may make on this application now: they drive the buttons."""
    role = access.role_on(application, user)
    return [m for m in states.moves() if m.source == application.status and m.role == role
            and states.applies(m, application.business_type)]


def editable_by(application, user=None):
    """The filer may change what they filed (fields, attachments) only while it is with them."""
    return (application.status in states.editable()
            and access.role_on(application, user) == filer(application.business_type))


def deletable(application):
    """A filing its filer may delete: a draft that never reached anyone. Every move writes a review
    record and 提交 stamps submitted_at, so a draft never submitted has no record to lose."""
    return application.status == "draft" and application.submitted_at is None


def transition(application, action, user, opinion="", expected_version=None, now=None, announcement=None):
    """Perform one move: checks, status change, review record and effect, in one transaction.
    The 公告 move takes the Announcement it is published under."""
    opinion = (opinion or "").strip()
    role = access.role_on(application, user)
    if role is None:
        raise Refused(_l("您无权处理该申请"))
    if expected_version not in (None, "") and str(expected_version) != str(application.version):
        raise Refused(_l("该申请已被他人处理，请刷新后查看最新状态"))
    move = states.find_move(action, application.status, role, application.business_type)
    if move is None:
        raise Refused(
            _l("当前状态为“%(status)s”，不能执行“%(action)s”",
               status=states.label(application.status),
               action=states.action_label(action, role))
        )
    if move.opinion == "required" and not opinion:
        raise Refused(_l("请填写审核意见"))
    if move.action == "submit":
        problems = rules.submit_problems(application)
        if problems:
            raise Refused(_l("申请尚不完整，不能提交"), problems)
    if move.action == "approve" and move.role == "enterprise":
        problems = rules.forward_problems(application)
        if problems:
            raise Refused(problems[0], problems)
    if move.role == "center" and move.target in ("approved", "pending_decision", "notice_granted"):
        # the center has since locked or suspended the registration this filing concerns
        problems = rules.hold_problems(application)
        if problems:
            raise Refused(problems[0], problems)
    now = now or datetime.now()
    if move.action == "announce":
        problems = rules.announce_problems(application, announcement, now.date())
        if problems:
            raise Refused(problems[0], problems)
        application.announcement = announcement
    elif move.action == "recall" and move.source in states.NOTICE_STATES:
        # a decision is not taken back under an appeal or objection: that one is answered first
        problems = rules.open_filing_problems(application, move)
        if problems:
            raise Refused(problems[0], problems)

    try:
        # everything the move writes, flushes included (a new registration's number is made from
        # its id), sits inside this try: a second, concurrent move of the same filing is refused
        # the same way whichever write first meets the version check
        db.session.add(Review(
            application=application,
            actor_id=user.id,
            actor_name=display_name(user),
            role=role,
            action=move.action,
            from_status=move.source,
            to_status=move.target,
            opinion=opinion or None,
            snapshot=snapshots.take(application),
            created_at=now,
        ))
        token = status_writer.set(True)
        try:
            application.status = move.target
        finally:
            status_writer.reset(token)
        if move.action == "submit":
            application.submitted_at = now
        if move.target in states.FINAL:
            application.decided_at = now
        application.step_started_at = now  # the next step's time limit counts from this move
        db.session.flush()  # the version check, before any effect reads or writes other rows
        effects.apply(application, move, now.date())
        audit.record("workflow.move", user=user, target=f"application:{application.id}", detail={
            "number": application.number, "action": move.action, "role": role, "from": move.source,
            "to": move.target})
        db.session.commit()  # version_id_col: a concurrent second move raises StaleDataError
    except StaleDataError:
        db.session.rollback()
        raise Refused(_l("该申请已被他人处理，请刷新后查看最新状态"))
    except refusals.Refused as refusal:  # an effect that cannot be carried out (the signing key …): nothing done
        db.session.rollback()
        if isinstance(refusal, Refused):
            raise
        raise Refused(refusal.message, refusal.problems) from refusal
    except IntegrityError as error:
        db.session.rollback()
        # 提交 at the same moment as another filing about the same person: the database's
        # one-open-filing index refused the second; say why as the rules would have
        raise open_filing_refusal(error, application) from None
    except Exception:
        db.session.rollback()
        raise
    notify.after_move(application, move)  # after the commit: a failed notice never undoes the move
    return move


def open_filing_refusal(error, application):
    """The Refused for a write the one-open-filing indexes stopped (models/applications.py); any
    other integrity error is raised again as it is."""
    if not any(name in str(error.orig) for name in OPEN_FILING_INDEXES) and not _sqlite_open_filing(error):
        raise error
    code = application.business_type
    pending = standing(application.person, exclude_id=application.id, filer=filer(code))["pending"]
    if pending is None:  # the other one is gone again already
        return Refused(_l("已有一件未办结的申请，请刷新后查看"))
    problem = rules.pending_problem(pending, code)
    return Refused(problem, [problem])


def _sqlite_open_filing(error):
    # SQLite names the columns, not the index: "UNIQUE constraint failed: application.person_id"
    return "UNIQUE constraint failed: application.person_id" in str(error.orig)


def record(application, action, user, opinion, now=None):
    """A review record that moves nothing (申诉/异议 resolved as not founded); the caller commits."""
    db.session.add(Review(
        application=application, actor_id=user.id, actor_name=display_name(user),
        role=access.role_on(application, user), action=action, from_status=application.status,
        to_status=application.status, opinion=opinion, snapshot=None, created_at=now or datetime.now(),
    ))


def display_name(user):
    full = f"{user.last_name or ''}{user.first_name or ''}".strip()
    return full or user.username
