"""Uploading and removing an application's attachments while the applicant may still edit it."""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app import rules, storage, workflow
from app.extensions import db
from models import Attachment


def current(application):
    """The attachments in force, by kind (removed and replaced ones are history)."""
    return {a.kind: a for a in application.attachments if a.removed_at is None}


def checklist(application):
    """(kind, label, attachment or None, commitment allowed) for each required attachment."""
    present = current(application)
    return [(kind, rules.ATTACHMENT_KINDS[kind], present.get(kind), kind in rules.COMMITMENT_ALLOWED)
            for kind in rules.required_attachments(application)]


def _check_editable(application, user):
    if not workflow.editable_by(application, user):
        raise storage.Rejected(_l("当前状态为“%(status)s”，不能修改附件；如需修改请先撤回",
                                  status=workflow.STATUS_LABELS[application.status]))


def attach(application, kind, upload, user, commitment=False):
    """Store an upload as this kind's attachment, replacing the one in force. Nothing is stored
    when the file is refused."""
    _check_editable(application, user)
    if kind not in rules.ATTACHMENT_KINDS:
        raise storage.Rejected(_l("未知的附件类型"))
    if commitment and kind not in rules.COMMITMENT_ALLOWED:
        raise storage.Rejected(_l("该附件不能以告知承诺书代替"))
    data, mime = storage.check(upload)
    stored_name, digest = storage.save(data)
    now = datetime.now()
    previous = current(application).get(kind)
    if previous is not None:
        previous.removed_at = now
    db.session.add(Attachment(
        application=application, kind=kind, original_name=upload.filename[-255:], stored_name=stored_name,
        content_type=mime, size=len(data), sha256=digest, commitment=bool(commitment),
        uploaded_by_id=user.id, uploaded_at=now,
    ))
    db.session.commit()


def remove(application, attachment, user):
    _check_editable(application, user)
    if attachment.removed_at is None:
        attachment.removed_at = datetime.now()
        db.session.commit()
