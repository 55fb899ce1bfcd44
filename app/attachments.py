"""Uploading and removing an application's attachments while the applicant may still edit it."""
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import object_session

from app import business_types, rules, snapshots, states, storage, workflow
from app.extensions import db
from models import Application, Attachment


def current(application):
    """The attachments in force, by kind (removed and replaced ones are history)."""
    return {a.kind: a for a in application.attachments if a.removed_at is None}


def checklist(application):
    """(kind, label, attachment or None, commitment allowed) for each required attachment."""
    present = current(application)
    return [(kind, business_types.ATTACHMENT_KINDS[kind], present.get(kind), kind in business_types.COMMITMENT_ALLOWED)
            for kind in rules.required_attachments(application)]


def _check_editable(application, user):
    if not workflow.editable_by(application, user):
        raise storage.Rejected(_l("当前状态为“%(status)s”，不能修改附件；如需修改请先撤回",
                                  status=states.label(application.status)))


def attach(application, kind, upload, user, commitment=False):
    """Store an upload as this kind's attachment, replacing the one in force. Nothing is stored
    when the file is refused."""
    _check_editable(application, user)
    if kind not in business_types.ATTACHMENT_KINDS:
        raise storage.Rejected(_l("未知的附件类型"))
    if commitment and kind not in business_types.COMMITMENT_ALLOWED:
        raise storage.Rejected(_l("该附件不能以告知承诺书代替"))
    data, mime = storage.check(upload)
    previous = current(application).get(kind)
    named = snapshots.attachment_ids(application)
    _check_quota(application, previous, named, len(data))
    stored_name, digest = storage.save(data)
    now = datetime.now()
    if previous is not None:
        _let_go(previous, now, named)
    db.session.add(Attachment(
        application=application, kind=kind, original_name=upload.filename[-255:], stored_name=stored_name,
        content_type=mime, size=len(data), sha256=digest, commitment=bool(commitment),
        uploaded_by_id=user.id, uploaded_at=now,
    ))
    db.session.commit()


def remove(application, attachment, user):
    _check_editable(application, user)
    if attachment.removed_at is None:
        _let_go(attachment, datetime.now(), snapshots.attachment_ids(application))
        db.session.commit()


def _let_go(attachment, now, named):
    """Mark a replaced or removed attachment; its row stays as history, its file only while a review
    record names it (what a reviewer compared), else it is deleted with the commit."""
    attachment.removed_at = now
    if attachment.id not in named:
        storage.discard(attachment.stored_name)


def kept(application, named=None):
    """The attachments whose files the storage keeps for this filing: those in force, and replaced
    ones a review record names."""
    named = snapshots.attachment_ids(application) if named is None else named
    return [a for a in application.attachments if a.removed_at is None or a.id in named]


def _check_quota(application, replaced, named, size):
    """A filing keeps at most FILING_MAX_FILES files of FILING_MAX_MB in all, this upload included
    (a replaced file nothing names no longer counts): replacing a file over and over fills nothing."""
    cfg = current_app.config
    files = [a for a in kept(application, named) if a is not replaced or a.id in named]
    if len(files) + 1 > cfg["FILING_MAX_FILES"] or \
            sum(a.size for a in files) + size > cfg["FILING_MAX_MB"] * 1024 * 1024:
        raise storage.Rejected(_l("该申请保存的附件已达上限（最多%(files)s个文件，合计%(mb)sMB），"
                                  "请删除不需要的附件后再上传", files=cfg["FILING_MAX_FILES"], mb=cfg["FILING_MAX_MB"]))


@event.listens_for(Application, "before_delete")
def _files_of_a_deleted_filing(_mapper, connection, application):
    # a deleted draft's attachment rows go with it (ON DELETE CASCADE): their files go at the commit
    names = connection.execute(select(Attachment.stored_name).where(Attachment.application_id == application.id))
    for name in names.scalars():
        storage.discard(name, object_session(application))
