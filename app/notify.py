"""Who hears about a workflow move, and what they are told: in-app messages (站内消息) and SMS.

workflow.transition() calls after_move() once the move has committed. Everything here runs in
its own commits and never raises: a message that cannot be written or an SMS that cannot be sent
is logged, and the move stands. An SMS that failed stays queued on its message
(Message.sms_status == "queued") for `flask notify retry`.

Every text lives in TEMPLATES below; RECIPIENTS says who gets which one after which move.
"""
import logging
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup
from flask_appbuilder.security.sqla.models import Role, User
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app import roles, sms
from app.extensions import db
from models import EnterpriseAccount, Message, Person

log = logging.getLogger(__name__)

# kind: (title, body, also by SMS). Bodies take number, type, name and opinion.
TEMPLATES = {
    "todo": (_l("新的待审核申请"),
             _l("%(name)s的%(type)s申请（%(number)s）已提交，等待贵单位审核，请在“待办业务”中办理。"), True),
    "center_todo": (_l("新的待审核申请"),
                    _l("%(name)s的%(type)s申请（%(number)s）已通过聘用单位审核，等待注册中心审核。"), False),
    "forwarded": (_l("申请已通过单位审核"),
                  _l("您的%(type)s申请（%(number)s）已通过聘用单位审核，已转注册中心审核。"), False),
    "returned_by_enterprise": (_l("申请被聘用单位退回"),
                               _l("您的%(type)s申请（%(number)s）被聘用单位退回，意见：%(opinion)s。请修改后重新提交。"),
                               True),
    "returned_by_center": (_l("申请被注册中心退回"),
                           _l("您的%(type)s申请（%(number)s）被注册中心退回，意见：%(opinion)s。请修改后重新提交。"),
                           True),
    "approved": (_l("申请已准予注册"),
                 _l("您的%(type)s申请（%(number)s）已准予注册，请在“我的注册证书”中查看。"), True),
    "refused": (_l("申请不予注册"),
                _l("您的%(type)s申请（%(number)s）不予注册，意见：%(opinion)s。"), True),
}

# (action, role of the mover) -> [(audience, kind)]. Moves not listed tell nobody.
RECIPIENTS = {
    ("submit", "applicant"): [("reviewers", "todo")],
    ("approve", "enterprise"): [("applicant", "forwarded"), ("center", "center_todo")],
    ("return", "enterprise"): [("applicant", "returned_by_enterprise")],
    ("approve", "center"): [("applicant", "approved")],
    ("return", "center"): [("applicant", "returned_by_center")],
    ("refuse", "center"): [("applicant", "refused")],
}


def after_move(application, move):
    """Write the messages this move calls for, then send their SMS. Never raises."""
    try:
        messages = _write(application, move)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("messages for application %s after %s were not written", application.id, move.action)
        return []
    deliver([m for m in messages if m.sms_status == "queued"])
    return messages


def _write(application, move):
    plan = RECIPIENTS.get((move.action, move.role), [])
    if not plan:
        return []
    from app import rules

    review = application.reviews[-1] if application.reviews else None
    params = dict(number=application.number, name=application.name, type=rules.type_label(application.business_type),
                  opinion=(review.opinion.rstrip("。.；; ") if review and review.opinion else ""))
    messages = []
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the recipients read Chinese
        for audience, kind in plan:
            title, body, by_sms = TEMPLATES[kind]
            if kind in ("returned_by_enterprise", "returned_by_center", "refused") and not params["opinion"]:
                params["opinion"] = str(_l("无"))
            for user_id in _audience(audience, application):
                message = Message(user_id=user_id, kind=kind, title=str(title), body=str(body) % params,
                                  application_id=application.id,
                                  created_at=application.step_started_at or datetime.now(),
                                  sms_status="queued" if by_sms else None, sms_tries=0)
                db.session.add(message)
                messages.append(message)
    return messages


def _audience(audience, application):
    """The user ids an audience stands for on this application."""
    if audience == "applicant":
        return [uid for uid in [db.session.scalar(select(Person.user_id).where(Person.id == application.person_id))]
                if uid]
    if audience == "reviewers":
        return list(db.session.scalars(select(EnterpriseAccount.user_id)
                                       .where(EnterpriseAccount.enterprise_id == application.enterprise_id)
                                       .order_by(EnterpriseAccount.user_id)))
    if audience == "center":
        return list(db.session.scalars(select(User.id).join(User.roles).where(Role.name == roles.CENTER,
                                                                              User.active.is_(True))
                                       .order_by(User.id)))
    raise ValueError(audience)


def _phone(user_id):
    """The verified phone of a person or of an enterprise account; None when there is none."""
    return (db.session.scalar(select(Person.phone).where(Person.user_id == user_id))
            or db.session.scalar(select(EnterpriseAccount.phone).where(EnterpriseAccount.user_id == user_id)))


def deliver(messages):
    """Send each queued message's SMS, one commit per message. Returns how many were accepted."""
    sent = 0
    for message in messages:
        try:
            sent += _send(message)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("the SMS state of message %s could not be saved", message.id)
    return sent


def _send(message):
    phone = _phone(message.user_id)
    if not phone:
        message.sms_status, message.sms_error = "no_phone", None
        return 0
    message.sms_tries += 1
    text = str(_l("【二级建造师注册】%(title)s：%(body)s", title=message.title, body=message.body))
    try:
        sms.send(sms.Sms(phone=phone, text=text, purpose="notice", user_id=message.user_id,
                         params={"kind": message.kind, "text": text}, redacted=text))
    except Exception as problem:  # any sender, any failure: keep it queued, never undo the move
        log.error("SMS for message %s failed (try %s): %s", message.id, message.sms_tries, problem)
        message.sms_error = f"{type(problem).__name__}: {problem}"[:255]
        if message.sms_tries >= current_app.config["NOTIFY_SMS_MAX_TRIES"]:
            message.sms_status = "failed"
        return 0
    message.sms_status, message.sms_error = "sent", None
    return 1


def retry(limit=None):
    """Send again every SMS still queued, oldest first."""
    query = select(Message).where(Message.sms_status == "queued").order_by(Message.id)
    if limit:
        query = query.limit(limit)
    queued = list(db.session.scalars(query))
    return len(queued), deliver(queued)


# --- the message centre's reads and writes (rows come through app/access.py) ---------------------

def unread_count(user_id):
    return db.session.scalar(select(func.count(Message.id)).where(Message.user_id == user_id,
                                                                  Message.read_at.is_(None)))


def mark_read(message):
    if message.read_at is None:
        message.read_at = datetime.now()
        db.session.commit()


def mark_all_read(user_id):
    db.session.execute(update(Message).where(Message.user_id == user_id, Message.read_at.is_(None))
                       .values(read_at=datetime.now()))
    db.session.commit()


cli = AppGroup("notify", help="通知：重发未成功的短信")


@cli.command("retry")
@click.option("--limit", default=None, type=int, help="最多处理条数")
def retry_command(limit):
    """Send again the SMS of every message still queued (run it every few minutes)."""
    queued, sent = retry(limit)
    click.echo(f"待发短信 {queued} 条，本次发出 {sent} 条")
