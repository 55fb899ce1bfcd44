"""Who hears about a workflow move, and what they are told: in-app messages (站内消息) and SMS.

workflow.transition() calls after_move() once the move has committed: it only queues a job
(app/jobs.py), so the request never waits for a message or an SMS gateway. The job ("notify.move")
writes the messages and, in the same commit, queues one more ("notify.sms") that sends their SMS,
one commit per message: run again after a worker died, neither writes a message twice nor sends an
SMS already sent. An SMS that failed stays queued on its message (Message.sms_status == "queued")
and its job is retried with backoff; what is still queued an hour later is swept by the periodic
"notify.retry" job (or `flask notify retry`). A failure never undoes the move.

Every text lives in TEMPLATES below; RECIPIENTS says who gets which one after which move. The
renewal reminders (app/reminders.py) and 催办 (app/urging.py) write their messages through write().
"""
import logging
from collections import namedtuple
from datetime import datetime, timedelta

from flask import current_app, g
from flask_appbuilder.security.sqla.models import Role, User
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select, update

from app import jobs, roles, sms
from app.business_types import UNIT_LEVEL, type_label
from app.extensions import db
from models import Application, CampaignTarget, EnterpriseAccount, Message, Person, Registration, Review

log = logging.getLogger(__name__)

# kind: (title, body, also by SMS). Bodies after a move take number, type, name and opinion; the
# renewal reminders take certificate, specialties, valid_until, days, closes and deadline (app/reminders.py);
# an urge takes step and days besides the filing's (app/urging.py).
TEMPLATES = {
    "todo": (_l("新的待审核申请"),
             _l("%(name)s的%(type)s申请（%(number)s）已提交，等待贵单位审核，请在“待办业务”中办理。"), True),
    "release_todo": (_l("待确认的变更注册"),
                     _l("%(name)s申请将注册单位由贵单位变更为其他单位（%(number)s），请在“待办业务”中确认是否同意解聘。"),
                     True),
    "released_todo": (_l("新的待审核申请"),
                      _l("%(name)s的%(type)s申请（%(number)s）已经原聘用单位同意解聘，等待贵单位审核，请在“待办业务”中办理。"),
                      True),
    "released": (_l("原聘用单位已同意解聘"),
                 _l("您的%(type)s申请（%(number)s）已经原聘用单位同意解聘，已转新聘用单位审核。"), False),
    "returned_by_old_enterprise": (_l("原聘用单位不同意解聘"),
                                   _l("您的%(type)s申请（%(number)s）原聘用单位不同意解聘，意见：%(opinion)s。"
                                      "请与原单位协商后修改并重新提交。"), True),
    "center_todo": (_l("新的待审核申请"),
                    _l("%(name)s的%(type)s申请（%(number)s）已通过聘用单位审核，等待注册中心审核。"), False),
    "center_direct_todo": (_l("新的待审核申请"),
                           _l("%(name)s的%(type)s申请（%(number)s）已直接提交注册中心，等待审核。"), False),
    "forwarded": (_l("申请已通过单位审核"),
                  _l("您的%(type)s申请（%(number)s）已通过聘用单位审核，已转注册中心审核。"), False),
    "returned_by_enterprise": (_l("申请被聘用单位退回"),
                               _l("您的%(type)s申请（%(number)s）被聘用单位退回，意见：%(opinion)s。请修改后重新提交。"),
                               True),
    "returned_by_center": (_l("申请被注册中心退回"),
                           _l("您的%(type)s申请（%(number)s）被注册中心退回，意见：%(opinion)s。请修改后重新提交。"),
                           True),
    "rejected_by_center": (_l("申请被注册中心驳回"),
                           _l("您的%(type)s申请（%(number)s）未被注册中心受理（驳回），意见：%(opinion)s。请修改后重新提交。"),
                           True),
    # 企业名称变更 approved: each person registered with the unit (number: the unit's filing)
    "unit_renamed": (_l("注册证书单位名称已更新"),
                     _l("您的注册单位已办理企业名称变更（%(number)s），注册证书（%(certificate)s）上的单位名称已更新为"
                        "“%(unit)s”，请在“我的注册证书”中查看或下载。"), True),
    # a unit-level filing (企业名称变更) returned, not accepted or refused: its unit's accounts, who filed it
    "unit_filing_approved": (_l("本单位申请已准予"),
                             _l("贵单位的%(type)s申请（%(number)s）已准予，本单位在册人员的注册证书已改印新名称，"
                                "人员已各自收到通知。"), True),
    "unit_filing_returned": (_l("本单位申请被注册中心退回"),
                             _l("贵单位的%(type)s申请（%(number)s）被注册中心退回，意见：%(opinion)s。"
                                "请在“企业业务 → %(type)s”中按意见修改后重新提交。"), True),
    "unit_filing_rejected": (_l("本单位申请被注册中心驳回"),
                             _l("贵单位的%(type)s申请（%(number)s）未被注册中心受理（驳回），意见：%(opinion)s。"
                                "请在“企业业务 → %(type)s”中按意见修改后重新提交。"), True),
    "unit_filing_refused": (_l("本单位申请不予办理"),
                            _l("贵单位的%(type)s申请（%(number)s）注册中心决定不予办理，意见：%(opinion)s。"
                               "本单位人员注册证书上的单位名称不变；按意见备齐材料后，可在“企业业务 → %(type)s”中重新申请。"),
                            True),
    "approved": (_l("申请已准予注册"),
                 _l("您的%(type)s申请（%(number)s）已准予注册，请在“我的注册证书”中查看。"), True),
    "refused": (_l("申请不予注册"),
                _l("您的%(type)s申请（%(number)s）不予注册，意见：%(opinion)s。"), True),
    "unit_cancel_filed": (_l("聘用单位申请注销您的注册"),
                          _l("聘用单位已向注册中心申请强制注销您的注册（%(number)s），原因：%(reason)s。"
                             "可在“强制注销（单位申请）”中查看；如有异议，请向注册中心反映。"), True),
    # the full procedure (CENTER_PROCEDURE="full"): 受理, 决定 in 公示, 重新审核
    "accepted": (_l("申请已受理"),
                 _l("您的%(type)s申请（%(number)s）已由注册中心受理，进入审核。"), False),
    "granted_notice": (_l("准予决定公示中"),
                       _l("您的%(type)s申请（%(number)s）注册中心拟准予，现予公示；公示期满并公告后生效。"), False),
    "denied_notice": (_l("不予决定公示中"),
                      _l("您的%(type)s申请（%(number)s）注册中心拟不予注册，意见：%(opinion)s。"
                         "公示期内可在申请详情页提出申诉。"), True),
    "reopened": (_l("申请重新审核"),
                 _l("您的%(type)s申请（%(number)s）经申诉或异议核查，注册中心决定重新审核，意见：%(opinion)s。"), False),
    "notice_filing": (_l("新的申诉或异议"),
                      _l("%(name)s的%(type)s申请（%(number)s）在公示期内收到%(filing)s，请在“待审核申请”中处理。"), False),
    # renewal reminders: the person by SMS and in-app, the unit's accounts in-app
    "renewal_due": (_l("注册即将到期，请申请延续注册"),
                    _l("您的注册证书（%(certificate)s）%(specialties)s专业将于%(valid_until)s到期，还有%(days)s天。"
                       "请在有效期届满%(closes)s天前申请延续注册，最迟于%(deadline)s提交。"), True),
    "renewal_closed": (_l("注册即将到期，已不能延续注册"),
                       _l("您的注册证书（%(certificate)s）%(specialties)s专业将于%(valid_until)s到期，距到期已不足%(closes)s天，"
                          "不能再申请延续注册。现在只能办理注销；有效期届满后，请办理重新注册。"), True),
    "unit_renewal_due": (_l("本单位人员注册即将到期"),
                         _l("本单位%(name)s的注册证书（%(certificate)s）%(specialties)s专业将于%(valid_until)s到期，"
                            "请提醒其在有效期届满%(closes)s天前申请延续注册（最迟%(deadline)s）。"), False),
    # ... and when the registration is held by the center (locked, suspended): renewal only after the hold
    # is lifted; hold, lift and contact besides (app/reminders.py HOLDS)
    "renewal_held": (_l("注册即将到期，注册处于%(hold)s状态"),
                     _l("您的注册证书（%(certificate)s）%(specialties)s专业将于%(valid_until)s到期，还有%(days)s天。"
                        "该注册目前处于%(hold)s状态，%(hold)s期间不能申请延续注册，须待%(lift)s后方可申请"
                        "（延续注册最迟于%(deadline)s提交）。请联系%(contact)s。"), True),
    "unit_renewal_held": (_l("本单位人员注册即将到期（注册处于%(hold)s状态）"),
                          _l("本单位%(name)s的注册证书（%(certificate)s）%(specialties)s专业将于%(valid_until)s到期。"
                             "该注册目前处于%(hold)s状态，须待%(lift)s后方可申请延续注册（最迟%(deadline)s），"
                             "请联系%(contact)s。"), False),
    "unit_renewal_closed": (_l("本单位人员注册即将到期"),
                            _l("本单位%(name)s的注册证书（%(certificate)s）%(specialties)s专业将于%(valid_until)s到期，已不能延续注册；"
                               "如需继续执业，请其办理注销，有效期届满后办理重新注册。"), False),
    # the center's supervision of a registration (app/supervision.py): the holder and the unit
    "registration_locked": (_l("注册已被锁定"),
                            _l("您的注册证书（%(certificate)s）已被注册中心锁定，来源：%(source)s，原因：%(reason)s，"
                               "%(period)s。锁定期间只能办理注销；如有异议，可在“我的注册证书”中申请解锁，"
                               "或联系%(contact)s。"), True),
    "registration_unlocked": (_l("注册已解锁"),
                              _l("您的注册证书（%(certificate)s）已解除锁定（%(reason)s），可以正常办理业务。"), True),
    "registration_suspended": (_l("注册已暂停执业"),
                               _l("您的注册证书（%(certificate)s）已被注册中心暂停执业，决定文号：%(decision)s，"
                                  "原因：%(reason)s，%(period)s。暂停期间只能办理注销；如有疑问请联系%(contact)s。"), True),
    "registration_resumed": (_l("注册已恢复执业"),
                             _l("您的注册证书（%(certificate)s）已恢复执业（%(reason)s）。"), True),
    "registration_revoked": (_l("注册已被撤销"),
                             _l("您的注册证书（%(certificate)s）已被注册中心撤销注册，决定文号：%(decision)s，"
                                "原因：%(reason)s。注册证书自即日起作废；如有疑问请联系%(contact)s。"), True),
    "unit_registration_held": (_l("本单位人员注册状态变更"),
                               _l("本单位%(name)s的注册证书（%(certificate)s）已%(what)s（%(reason)s）%(period_note)s。"), True),
    "unlock_request_filed": (_l("新的解锁申请"),
                             _l("%(name)s的注册证书（%(certificate)s）申请解锁，请在“解锁申请”中处理。"), False),
    "unlock_request_rejected": (_l("解锁申请不予同意"),
                                _l("您的注册证书（%(certificate)s）的解锁申请未获同意，意见：%(opinion)s。"), True),
    # 专项整治 (app/campaigns.py): campaign, name, deadline, issue, opinion, days
    "campaign_flagged": (_l("专项整治核查通知"),
                         _l("您被列入专项整治“%(campaign)s”的核查名单（%(issue)s）。请于%(deadline)s前在“个人业务 → 专项整治”中"
                            "提交整改说明和证明材料，或办理注销后选择“已申请注销”。逾期未答复的，注册将被锁定。"), True),
    "campaign_unit_flagged": (_l("本单位人员被列入专项整治核查名单"),
                              _l("本单位%(name)s被列入专项整治“%(campaign)s”的核查名单，答复截止%(deadline)s。"
                                 "其整改答复须先经贵单位审核，请在“企业业务 → 专项整治核查”中查看。"), False),
    "campaign_unit_todo": (_l("专项整治答复待审核"),
                           _l("%(name)s已提交专项整治“%(campaign)s”的整改答复，请在%(days)s个工作日内"
                              "在“企业业务 → 专项整治核查”中审核。"), False),
    "campaign_unit_answered": (_l("专项整治答复：已申请注销"),
                               _l("%(name)s在专项整治“%(campaign)s”中答复已申请注销。"), False),
    "campaign_returned": (_l("专项整治答复被退回"),
                          _l("您在专项整治“%(campaign)s”中的答复被退回，意见：%(opinion)s。请于%(deadline)s前重新答复，"
                             "逾期未答复的，注册将被锁定。"), True),
    "campaign_rectified": (_l("专项整治整改已确认"),
                           _l("您在专项整治“%(campaign)s”中的整改已经注册中心确认。"), False),
    "campaign_locked": (_l("专项整治逾期未答复，注册已锁定"),
                        _l("您未在%(deadline)s前答复专项整治“%(campaign)s”的核查，注册已被锁定，锁定期间只能办理注销。"
                           "请联系注册中心说明情况。"), True),
    "campaign_unit_locked": (_l("本单位人员专项整治逾期未答复"),
                             _l("本单位%(name)s未在%(deadline)s前答复专项整治“%(campaign)s”的核查，注册已被锁定。"), False),
    # 催办: the applicant urges an overdue step
    "urge": (_l("催办"),
             _l("%(name)s的%(type)s申请（%(number)s）在“%(step)s”环节已超过办理时限%(days)s个工作日，"
                "申请人催办，请尽快办理。"), False),
}

# What the SMS of each kind says. An SMS carries no free text (an opinion, a reason, a name as
# filed): a reviewer's opinion could hold an address or a lure, and an SMS that appears to come from
# the platform lends it weight. It names the filing and says where to read the rest; the in-app
# message (TEMPLATES) carries the full text. The renewal reminders' bodies hold only the record's
# certificate number, dates and day counts: their SMS is the body itself (SMS_IS_BODY).
SMS_TEXTS = {
    "todo": _l("有一件%(type)s申请（%(number)s）等待贵单位审核，请%(where)s“待办业务”中办理。"),
    "release_todo": _l("有一件%(type)s申请（%(number)s）等待贵单位确认是否同意解聘，请%(where)s“待办业务”中办理。"),
    "released_todo": _l("有一件%(type)s申请（%(number)s）已经原聘用单位同意解聘，等待贵单位审核，"
                        "请%(where)s“待办业务”中办理。"),
    "returned_by_old_enterprise": _l("您的%(type)s申请（%(number)s）原聘用单位不同意解聘，意见请%(where)s“站内消息”中查看。"),
    "returned_by_enterprise": _l("您的%(type)s申请（%(number)s）被聘用单位退回，意见请%(where)s“站内消息”中查看，"
                                 "修改后重新提交。"),
    "returned_by_center": _l("您的%(type)s申请（%(number)s）被注册中心退回，意见请%(where)s“站内消息”中查看，"
                             "修改后重新提交。"),
    "rejected_by_center": _l("您的%(type)s申请（%(number)s）未被注册中心受理（驳回），意见请%(where)s“站内消息”中查看。"),
    "approved": _l("您的%(type)s申请（%(number)s）已准予注册，请%(where)s“我的注册证书”中查看。"),
    "refused": _l("您的%(type)s申请（%(number)s）不予注册，意见请%(where)s“站内消息”中查看。"),
    "unit_filing_approved": _l("贵单位的%(type)s申请（%(number)s）已准予，详情请%(where)s“站内消息”中查看。"),
    "unit_filing_returned": _l("贵单位的%(type)s申请（%(number)s）被注册中心退回，意见请%(where)s“站内消息”中查看，"
                               "修改后重新提交。"),
    "unit_filing_rejected": _l("贵单位的%(type)s申请（%(number)s）未被注册中心受理（驳回），意见请%(where)s“站内消息”中查看。"),
    "unit_filing_refused": _l("贵单位的%(type)s申请（%(number)s）注册中心决定不予办理，意见请%(where)s“站内消息”中查看。"),
    "unit_cancel_filed": _l("聘用单位已向注册中心申请强制注销您的注册（%(number)s），原因请%(where)s"
                            "“强制注销（单位申请）”中查看；如有异议，请向注册中心反映。"),
    "denied_notice": _l("您的%(type)s申请（%(number)s）注册中心拟不予注册，意见请%(where)s“站内消息”中查看；"
                        "公示期内可在申请详情页提出申诉。"),
    # 专项整治: the deadline is the target's, the rest fixed (the campaign's name is the center's free text)
    "campaign_flagged": _l("您被列入专项整治核查名单，请于%(deadline)s前%(where)s“专项整治”中答复；逾期未答复的，注册将被锁定。"),
    "campaign_returned": _l("您的专项整治答复被退回，意见请%(where)s“站内消息”中查看，请于%(deadline)s前重新答复。"),
    "campaign_locked": _l("您未在%(deadline)s前答复专项整治核查，注册已被锁定，详情请%(where)s“站内消息”中查看。"),
}
SMS_IS_BODY = frozenset({"renewal_due", "renewal_closed", "renewal_held"})
# the SMS of a message about a registration (the center's supervision): its certificate number only
REGISTRATION_SMS_TEXTS = {
    "registration_locked": _l("您的注册证书（%(certificate)s）已被注册中心锁定，%(period)s，期间只能办理注销，"
                              "详情请%(where)s“站内消息”中查看。"),
    "registration_unlocked": _l("您的注册证书（%(certificate)s）已解除锁定，详情请%(where)s“站内消息”中查看。"),
    "registration_suspended": _l("您的注册证书（%(certificate)s）已被注册中心暂停执业，%(period)s，"
                                 "详情请%(where)s“站内消息”中查看。"),
    "registration_resumed": _l("您的注册证书（%(certificate)s）已恢复执业，详情请%(where)s“站内消息”中查看。"),
    "registration_revoked": _l("您的注册证书（%(certificate)s）已被注册中心撤销注册，详情请%(where)s“站内消息”中查看。"),
    "unit_registration_held": _l("本单位人员的注册证书（%(certificate)s）状态已变更，详情请%(where)s“站内消息”中查看。"),
    "unit_renamed": _l("您的注册证书（%(certificate)s）上的单位名称已按企业名称变更更新，详情请%(where)s“站内消息”中查看。"),
    "unlock_request_rejected": _l("您的注册证书（%(certificate)s）的解锁申请未获同意，意见请%(where)s“站内消息”中查看。"),
}
SMS_TEXTS.update(REGISTRATION_SMS_TEXTS)
# the holder's message after each supervision move, and what the unit's message says was done
SUPERVISION_KINDS = {"lock": "registration_locked", "unlock": "registration_unlocked",
                     "suspend": "registration_suspended", "resume": "registration_resumed",
                     "revoke": "registration_revoked"}
# how long a measure lasts, as its texts say it: to its end date, or, without one, until the center lifts it
PERIODS = {"lock": (_l("锁定至%(until)s"), _l("未定截止日期，至注册中心解除锁定时止")),
           "suspend": (_l("暂停执业至%(until)s"), _l("未定截止日期，至注册中心决定恢复执业时止"))}
# the SMS about a measure reads its record for the dates (by the message's kind)
PERIOD_KINDS = {"registration_locked": "lock", "registration_suspended": "suspend"}


def period(action, until):
    """The phrase of a lock's or suspension's end (暂停执业至YYYY-MM-DD); "" for any other move."""
    if action not in PERIODS:
        return ""
    dated, open_ended = PERIODS[action]
    return str(dated % {"until": until.isoformat()}) if until else str(open_ended)


UNIT_WHAT = {"lock": _l("被注册中心锁定"), "unlock": _l("解除锁定"), "suspend": _l("被注册中心暂停执业"),
             "resume": _l("恢复执业"), "revoke": _l("被注册中心撤销注册")}

# Who is told after which move: (action, role of the mover) -> [(audience, kind)], or, where the
# target status decides, (action, role, target). Moves not listed tell nobody.
RECIPIENTS = {
    ("submit", "applicant"): [("reviewers", "todo")],
    # a change of unit reaches the old unit first: it releases the person, then the new unit reviews
    ("submit", "applicant", "pending_release"): [("old_reviewers", "release_todo")],
    ("release", "old_enterprise"): [("reviewers", "released_todo"), ("applicant", "released")],
    ("return", "old_enterprise"): [("applicant", "returned_by_old_enterprise")],
    # business types filed straight with the center
    ("submit", "applicant", "pending_center"): [("center", "center_direct_todo")],
    ("submit", "enterprise", "pending_center"): [("center", "center_direct_todo"), ("applicant", "unit_cancel_filed")],
    ("approve", "enterprise"): [("applicant", "forwarded"), ("center", "center_todo")],
    ("return", "enterprise"): [("applicant", "returned_by_enterprise")],
    ("approve", "center"): [("applicant", "approved")],
    ("return", "center"): [("applicant", "returned_by_center")],
    ("refuse", "center"): [("applicant", "refused")],
    # the full procedure
    ("accept", "center"): [("applicant", "accepted")],
    ("reject", "center"): [("applicant", "rejected_by_center")],
    ("grant", "center"): [("applicant", "granted_notice")],
    ("deny", "center"): [("applicant", "denied_notice")],
    ("reopen", "center"): [("applicant", "reopened")],
    ("announce", "center", "approved"): [("applicant", "approved")],
    ("announce", "center", "refused"): [("applicant", "refused")],
}


def plan_for(move):
    """The [(audience, kind)] a move calls for: its target's own row first, then the move's."""
    return RECIPIENTS.get((move.action, move.role, move.target), RECIPIENTS.get((move.action, move.role), []))


MoveDone = namedtuple("MoveDone", "action role target")  # what the job needs of a move


def queue_sms(messages):
    """Queue the job that sends the SMS of the messages just written (those that have one)."""
    db.session.flush()
    queued = [m.id for m in messages if m.sms_status == "queued"]
    if queued:
        jobs.enqueue("notify.sms", {"message_ids": queued}, defer=True)


def enqueue_quietly(kind, params, *failure):
    """Queue a notice job for a move already committed: a queue that cannot take it must not undo
    the move, so the failure is logged (`failure`: log.exception's message and arguments), not raised."""
    try:
        return jobs.enqueue(kind, params)
    except Exception:
        jobs.rollback()
        log.exception(*failure)
        return None


def after_move(application, move):
    """Queue the job that tells everyone this move concerns (in-app, then by SMS). Never raises."""
    if not plan_for(move):
        return None
    review = db.session.scalar(select(Review.id).where(Review.application_id == application.id)
                               .order_by(Review.id.desc()).limit(1))
    return enqueue_quietly("notify.move", {
        "application_id": application.id, "action": move.action, "role": move.role, "target": move.target,
        "review_id": review, "at": (application.step_started_at or datetime.now()).isoformat(),
    }, "the notices of application %s after %s were not queued", application.id, move.action)


@jobs.task("notify.move", _l("业务通知（站内消息）"))
def move_job(job, application_id, action, role, target, review_id=None, at=None):
    """Write the messages a move calls for and queue their SMS; committed with the job's end."""
    application = db.session.get(Application, application_id)
    if application is None:
        return
    review = db.session.get(Review, review_id) if review_id else None
    messages = _write(application, MoveDone(action, role, target), review,
                      datetime.fromisoformat(at) if at else None)
    queue_sms(messages)


@jobs.task("notify.sms", _l("业务通知短信"))
def sms_job(job, message_ids):
    """Send the SMS of these messages not sent yet; the job fails (and is retried with backoff) while
    any is left. A message given up after NOTIFY_SMS_MAX_TRIES fails the job for good, until the
    center runs it again (后台任务 → 重新执行): that run gives its messages a fresh count of tries."""
    waiting = list(db.session.scalars(select(Message).where(
        Message.id.in_(message_ids), Message.sms_status.in_(("queued", "failed"))).order_by(Message.id)))
    for message in waiting:
        if message.sms_status == "failed" and job.attempts == 1:  # the first run after 重新执行
            message.sms_status, message.sms_tries = "queued", 0
    deliver([m for m in waiting if m.sms_status == "queued"])
    left = [m.id for m in waiting if m.sms_status != "sent"]
    if left:
        raise jobs.JobFailed(f"SMS unsent for messages {left}: {waiting[0].sms_error or ''}", reason="sms")


def _write(application, move, review=None, created_at=None):
    plan = plan_for(move)
    if not plan:
        return []
    params = application_params(application)
    params["opinion"] = (review.opinion.rstrip("。.；; ") if review and review.opinion else "") or _l("无")
    params["reason"] = (application.reason or "").strip().rstrip("。.；; ") or _l("无")
    messages = []
    for audience, kind in plan:
        if audience == "applicant" and application.business_type in UNIT_LEVEL:
            # a unit's filing about itself has no applicant: the persons registered with the unit are
            # told what it did to their certificates, in the unit-level type's own words
            if kind in UNIT_LEVEL_KINDS:
                messages += _tell_registered(application, UNIT_LEVEL_KINDS[kind], params,
                                             created_at or application.step_started_at)
            if kind in UNIT_FILER_KINDS:  # the unit filed it: it is told the decision (and why, what next)
                messages += write(UNIT_FILER_KINDS[kind], audience_ids("reviewers", application), params,
                                  application_id=application.id,
                                  created_at=created_at or application.step_started_at)
            continue
        messages += write(kind, audience_ids(audience, application), params, application_id=application.id,
                          created_at=created_at or application.step_started_at)
    return messages


# what a unit-level filing's move tells each person registered with the unit, by the kind it would
# have told an applicant
UNIT_LEVEL_KINDS = {"approved": "unit_renamed"}
# ... and what it tells the unit that filed it: every decision the applicant would hear of
UNIT_FILER_KINDS = {"approved": "unit_filing_approved", "returned_by_center": "unit_filing_returned",
                    "rejected_by_center": "unit_filing_rejected", "refused": "unit_filing_refused"}


def _tell_registered(application, kind, params, created_at=None):
    """One message to each person registered in force with the filing's unit (held by the center too),
    about their own registration: it links to their certificate, and its SMS names the certificate."""
    from app.states import in_force

    rows = db.session.execute(
        select(Registration.id, Registration.certificate_number, Person.user_id)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.enterprise_id == application.enterprise_id, in_force(Registration.status),
               Person.user_id.is_not(None))
        .order_by(Registration.id)).all()
    unit = application.enterprise.name if application.enterprise else ""
    messages = []
    for registration_id, certificate, user_id in rows:
        messages += write(kind, [user_id], {**params, "certificate": certificate, "unit": unit},
                          registration_id=registration_id, created_at=created_at)
    return messages


def application_params(application):
    """What the texts about a filing say of it."""
    return dict(number=application.number, name=application.name, type=type_label(application.business_type))


def write(kind, user_ids, params, application_id=None, registration_id=None, created_at=None, campaign_target_id=None):
    """Add one message of this kind to each user (not committed); its SMS queued if the kind calls for one.
    The texts are written in the default language: that is what the recipients read."""
    title, body, by_sms = TEMPLATES[kind]
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        values = {k: str(v) for k, v in params.items()}
        title, body = str(title) % values, str(body) % values  # a title may name what the body does
    messages = []
    for user_id in user_ids:
        message = Message(user_id=user_id, kind=kind, title=title, body=body, application_id=application_id,
                          registration_id=registration_id, campaign_target_id=campaign_target_id,
                          created_at=created_at or datetime.now(),
                          sms_status="queued" if by_sms else None, sms_tries=0)
        db.session.add(message)
        messages.append(message)
    return messages


def notice_filed(application, kind):
    """An appeal (申诉) or objection (异议) reached the center during 公示: its users are told in-app.
    Called after the filing is committed; never raises."""
    try:
        params = {**application_params(application), "filing": _l("申诉") if kind == "appeal" else _l("异议")}
        write("notice_filing", audience_ids("center", application), params, application_id=application.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("the center was not told of the %s against application %s", kind, application.id)


def enterprise_accounts(enterprise_id):
    return list(db.session.scalars(select(EnterpriseAccount.user_id)
                                   .where(EnterpriseAccount.enterprise_id == enterprise_id)
                                   .order_by(EnterpriseAccount.user_id)))


def audience_ids(audience, application):
    """The user ids an audience stands for on this application."""
    if audience == "applicant":
        return [uid for uid in [db.session.scalar(select(Person.user_id).where(Person.id == application.person_id))]
                if uid]
    if audience == "reviewers":
        return enterprise_accounts(application.enterprise_id)
    if audience == "old_reviewers":  # the unit of the registration in force: a change of unit's old unit
        registration = application.registration
        return enterprise_accounts(registration.enterprise_id) if registration else []
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
    text = sms_text(message)
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


def sms_text(message):
    """The SMS of a message: its kind's fixed text about the filing (SMS_TEXTS), never its body's
    free text; in the default language, as the message itself."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        site = current_app.config.get("PUBLIC_BASE_URL") or ""
        where = _l("登录 %(site)s 在", site=site) if site else _l("登录二级建造师注册管理平台在")
        if message.kind in SMS_IS_BODY:
            body = message.body
        elif message.campaign_target_id and message.kind in SMS_TEXTS:
            target = db.session.get(CampaignTarget, message.campaign_target_id)
            if target is None:
                raise ValueError(f"no campaign target for message {message.id}")  # kept queued, logged
            body = str(SMS_TEXTS[message.kind] % {"deadline": target.answer_by.isoformat(), "where": str(where)})
        else:
            site = current_app.config.get("PUBLIC_BASE_URL") or ""
            where = _l("登录 %(site)s 在", site=site) if site else _l("登录二级建造师注册管理平台在")
            if message.kind in REGISTRATION_SMS_TEXTS and message.registration_id:
                registration = db.session.get(Registration, message.registration_id)
                body = str(REGISTRATION_SMS_TEXTS[message.kind] % {
                    "certificate": registration.certificate_number, "where": str(where),
                    "period": _measure_period(message)})
                return str(_l("【二级建造师注册】%(title)s：%(body)s", title=message.title, body=body))
            application = db.session.get(Application, message.application_id) if message.application_id else None
            if application is None or message.kind not in SMS_TEXTS:
                raise ValueError(f"no SMS text for a {message.kind} message")  # kept queued, logged
            body = str(SMS_TEXTS[message.kind] % {"number": application.number, "where": str(where),
                                                  "type": str(type_label(application.business_type))})
        return str(_l("【二级建造师注册】%(title)s：%(body)s", title=message.title, body=body))


def _measure_period(message):
    """The end of the lock or suspension a message tells of, from its record (written at the record's
    time, notify.supervision): the registration may have moved on by the time its SMS goes."""
    action = PERIOD_KINDS.get(message.kind)
    if action is None:
        return ""
    from models import SupervisionRecord

    until = db.session.execute(select(SupervisionRecord.until).where(
        SupervisionRecord.registration_id == message.registration_id, SupervisionRecord.action == action,
        SupervisionRecord.created_at <= message.created_at)
        .order_by(SupervisionRecord.created_at.desc(), SupervisionRecord.id.desc()).limit(1)).scalar_one_or_none()
    return period(action, until)


def retry(limit=None, older_than_minutes=None):
    """Send again every SMS still queued (written more than older_than_minutes ago: younger ones
    still have their own job's retries), oldest first."""
    query = select(Message).where(Message.sms_status == "queued").order_by(Message.id)
    if older_than_minutes:
        query = query.where(Message.created_at < datetime.now() - timedelta(minutes=older_than_minutes))
    if limit:
        query = query.limit(limit)
    queued = list(db.session.scalars(query))
    return len(queued), deliver(queued)


# --- the center's supervision of registrations (app/supervision.py) -------------------------------

def _registration_params(registration, **more):
    from app import states

    params = dict(certificate=registration.certificate_number, name=registration.person.name,
                  contact=current_app.config["SUPERVISION_CONTACT"],
                  source=states.LOCK_SOURCES.get(registration.hold_source, _l("无")),
                  reason=(registration.hold_reason or "").rstrip("。.；; ") or _l("无"),
                  until=registration.hold_until.isoformat() if registration.hold_until else _l("无"),
                  decision=registration.decision_number or _l("无"))
    params.update(more)
    return params


def _person_user(person_id):
    return [uid for uid in [db.session.scalar(select(Person.user_id).where(Person.id == person_id))] if uid]


def after_supervision(registration, record):
    """A supervision move committed: queue the job that tells the holder (in-app and SMS) and the
    unit's accounts, as after a filing's move: the request does not wait for the SMS gateway, and a
    gateway that fails is retried by the queue. Never raises; returns the job, or None."""
    return enqueue_quietly("notify.supervision", {"registration_id": registration.id, "record_id": record.id},
                           "the notices of registration %s after %s were not queued", registration.id, record.action)


@jobs.task("notify.supervision", _l("监管措施通知（站内消息）"))
def supervision_job(job, registration_id, record_id):
    """Write the holder's and the unit's messages about one supervision record and queue their SMS;
    committed with the job's end. The texts read the record (its reason, source, end date, decision
    number), not the registration as it stands when the worker gets to it: a later move may already
    have changed that."""
    from models import SupervisionRecord

    registration = db.session.get(Registration, registration_id)
    record = db.session.get(SupervisionRecord, record_id)
    if registration is None or record is None:
        return
    from app import states

    params = _registration_params(
        registration, reason=(record.reason or "").rstrip("。.；; ") or _l("无"),
        source=states.LOCK_SOURCES.get(record.source, _l("无")),
        until=record.until.isoformat() if record.until else _l("无"), decision=record.decision_number or _l("无"),
        period=period(record.action, record.until))
    params["period_note"] = f"，{params['period']}" if params["period"] else ""
    messages = write(SUPERVISION_KINDS[record.action], _person_user(registration.person_id), params,
                     registration_id=registration.id, created_at=record.created_at)
    messages += write("unit_registration_held", enterprise_accounts(registration.enterprise_id),
                      {**params, "what": UNIT_WHAT[record.action]}, registration_id=registration.id,
                      created_at=record.created_at)
    queue_sms(messages)


def unlock_request_filed(request):
    """An unlock request reached the center: queue the job that tells its users in-app (one message
    per center account: the holder's request does not wait for them). Never raises."""
    return enqueue_quietly("notify.unlock_filed", {"request_id": request.id},
                           "the center was not told of unlock request %s", request.id)


@jobs.task("notify.unlock_filed", _l("解锁申请待办通知（站内消息）"))
def unlock_filed_job(job, request_id):
    from models import UnlockRequest

    request = db.session.get(UnlockRequest, request_id)
    if request is None:
        return
    write("unlock_request_filed", audience_ids("center", None), _registration_params(request.registration),
          registration_id=request.registration_id, created_at=request.created_at)


def unlock_request_rejected(request):
    """The center refused an unlock request: queue the job that tells the holder (the opinion in-app,
    an SMS). Never raises."""
    return enqueue_quietly("notify.unlock_rejected", {"request_id": request.id},
                           "the holder was not told of the decision on unlock request %s", request.id)


@jobs.task("notify.unlock_rejected", _l("解锁申请结果通知（站内消息）"))
def unlock_rejected_job(job, request_id):
    from models import UnlockRequest

    request = db.session.get(UnlockRequest, request_id)
    if request is None:
        return
    params = _registration_params(request.registration, opinion=(request.opinion or "").rstrip("。.；; ") or _l("无"))
    messages = write("unlock_request_rejected", _person_user(request.person_id), params,
                     registration_id=request.registration_id, created_at=request.decided_at)
    queue_sms(messages)


# --- 专项整治 (app/campaigns.py) ----------------------------------------------------------------

# targets per notice job: an imported list of thousands is written in jobs of this size, so a job
# that fails runs again over its own share only
CAMPAIGN_BATCH = 500


def after_campaign(target_ids, plan, review=None, deadline=None):
    """Flagged persons were listed, or a campaign move committed: queue the jobs that write the
    persons' and their units' messages (`plan`: [(audience, kind)]) and then send their SMS. The
    request (an import of thousands, a review) does not wait for them. `review` is the move's record
    (its opinion goes into the text); `deadline` the answer date as the move set it. Never raises."""
    if not plan or not target_ids:
        return []
    try:
        queued = [jobs.enqueue("notify.campaign", {
            "target_ids": list(target_ids[start:start + CAMPAIGN_BATCH]), "plan": [list(p) for p in plan],
            "review_id": getattr(review, "id", None), "deadline": deadline.isoformat() if deadline else None,
        }, defer=True) for start in range(0, len(target_ids), CAMPAIGN_BATCH)]
        jobs.commit()
        return queued
    except Exception:
        jobs.rollback()
        log.exception("the notices of campaign targets %s were not queued", list(target_ids)[:10])
        return []


@jobs.task("notify.campaign", _l("专项整治通知（站内消息）"))
def campaign_job(job, target_ids, plan, review_id=None, deadline=None):
    """Write the messages of these campaign targets and queue their SMS; committed with the job's
    end. The opinion is the move's record's, the deadline the one the move set (a later move that
    sets another one tells of it itself)."""
    from sqlalchemy.orm import joinedload

    from models import CampaignReview

    review = db.session.get(CampaignReview, review_id) if review_id else None
    opinion = (review.opinion or "") if review is not None and review.role != "applicant" else ""
    targets = db.session.scalars(select(CampaignTarget).where(CampaignTarget.id.in_(target_ids))
                                 .options(joinedload(CampaignTarget.campaign), joinedload(CampaignTarget.person))
                                 .order_by(CampaignTarget.id)).all()
    units, messages = {}, []
    for target in targets:
        params = {"campaign": target.campaign.name, "name": target.person.name,
                  "deadline": deadline or target.answer_by.isoformat(), "issue": target.issue or _l("无"),
                  "opinion": opinion.rstrip("。.；; ") or _l("无"),
                  "days": current_app.config["CAMPAIGN_UNIT_REVIEW_DAYS"]}
        created_at = review.created_at if review is not None else target.created_at
        for audience, kind in plan:
            if audience == "person":
                users = [target.person.user_id] if target.person.user_id else []
            elif target.enterprise_id:
                if target.enterprise_id not in units:
                    units[target.enterprise_id] = enterprise_accounts(target.enterprise_id)
                users = units[target.enterprise_id]
            else:
                users = []
            messages += write(kind, users, params, campaign_target_id=target.id, created_at=created_at)
    queue_sms(messages)


# --- the message centre's reads and writes (rows come through app/access.py) ---------------------

def unread_count(user_id):
    return db.session.scalar(select(func.count(Message.id)).where(Message.user_id == user_id,
                                                                  Message.read_at.is_(None)))


def unread_messages():
    """The signed-in user's unread count, which the navbar shows: read with the user in load_user's
    one statement (app/security.py), else one COUNT over the (user_id, read_at) index."""
    if not getattr(current_user, "is_authenticated", False):
        return 0
    if "unread_messages" in g:
        return g.unread_messages
    return unread_count(current_user.id)


def mark_read(message):
    if message.read_at is None:
        message.read_at = datetime.now()
        db.session.commit()


def mark_all_read(user_id):
    db.session.execute(update(Message).where(Message.user_id == user_id, Message.read_at.is_(None))
                       .values(read_at=datetime.now()))
    db.session.commit()

