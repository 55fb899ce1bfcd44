"""What a filing held at a move, so a reviewer sees what changed since they returned it.

Each review record keeps a snapshot of the filing's fields and attachments in force at that move;
diff() compares the snapshot of the last return with the filing as it stands now.
"""
from datetime import date
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l

from app.business_types import ATTACHMENT_KINDS, PERSONAL_CHANGE_FIELDS, REASON_REQUIRED

FIELDS = {
    "enterprise": _l("聘用单位"),
    "specialties": _l("注册专业"),
    "name": _l("姓名"),  # only a 个人信息变更 changes it
    "ethnicity": _l("民族"),
    "education": _l("学历"),
    "major": _l("所学专业"),
    "school": _l("毕业院校"),
    "title": _l("职称"),
    "phone": _l("手机号码"),
    "email": _l("电子邮箱"),
    "reason": _l("说明"),  # labelled per business type as its form labels it (REASON_REQUIRED)
}


def take(application):
    """A JSON-able picture of the filing: field values and the attachments in force."""
    values = {name: getattr(application, name) or "" for name in FIELDS if name not in ("enterprise", "specialties")}
    values["enterprise"] = application.enterprise.name if application.enterprise else ""
    values["specialties"] = application.specialty_names
    files = {a.kind: {"id": a.id, "name": a.original_name, "sha256": a.sha256}
             for a in application.attachments if a.removed_at is None}
    registration = application.registration
    person = application.person
    return {"fields": values, "attachments": files,
            # what the filing's own approval may change: the 申请表 of a decided filing shows it as filed
            "registration": None if registration is None else {
                "certificate_number": registration.certificate_number or "",
                "valid_from": registration.valid_from.isoformat(),
                "valid_until": registration.valid_until.isoformat(),
                "specialty_names": registration.specialty_names,
                "enterprise_name": registration.printed_enterprise_name,
                "enterprise_credit_code": registration.enterprise.credit_code,
            },
            "person": {name: getattr(person, name) or "" for name in PERSONAL_CHANGE_FIELDS} if person else {}}


def attachment_ids(application):
    """The ids of every attachment some review record's snapshot names: their files are kept, also
    once replaced or removed (app/attachments.py)."""
    return {entry["id"] for review in application.reviews if review.snapshot
            for entry in (review.snapshot.get("attachments") or {}).values()}


def as_filed(application):
    """The submit snapshot of a filing its approval has since changed the record of, or None: before
    approval (or for records from before snapshots held this) the record as it stands is the filed one."""
    if application.status != "approved":
        return None
    return next((r.snapshot for r in reversed(application.reviews)
                 if r.action == "submit" and r.snapshot and "registration" in r.snapshot), None)


def filed_registration(application):
    """The registration as the 申请表 shows it: as it stood when the filing was submitted."""
    filed = as_filed(application)
    if filed is None:
        return application.registration
    found = filed["registration"]
    if found is None:
        return None
    return SimpleNamespace(
        certificate_number=found["certificate_number"], valid_from=date.fromisoformat(found["valid_from"]),
        valid_until=date.fromisoformat(found["valid_until"]), specialty_names=found["specialty_names"],
        printed_enterprise_name=found["enterprise_name"],
        enterprise=SimpleNamespace(name=found["enterprise_name"], credit_code=found["enterprise_credit_code"]))


def filed_person(application):
    """The person's profile fields as they stood at submission (None: as they stand now)."""
    filed = as_filed(application)
    return filed.get("person") if filed else None


def last_return(application):
    """The review record of the latest return (by the unit or the center; 驳回 too), or None."""
    return next((r for r in reversed(application.reviews) if r.action in ("return", "reject") and r.snapshot),
                None)


def awaits_answer(application):
    """The filing's latest move is a return (or 驳回): its filer has the reason to answer before
    anything else on the page."""
    returned = last_return(application)
    return returned is not None and application.reviews[-1] is returned


def diff(application):
    """(the return it compares with, changed fields, changed attachments) since the last return."""
    returned = last_return(application)
    if returned is None:
        return None, [], []
    then, now = returned.snapshot, take(application)
    labels = {**FIELDS, "reason": REASON_REQUIRED.get(application.business_type, FIELDS["reason"])}
    fields = [(labels[name], then["fields"].get(name, ""), value)
              for name, value in now["fields"].items() if then["fields"].get(name, "") != value]
    attachments = []
    for kind in ATTACHMENT_KINDS:
        old, new = then["attachments"].get(kind), now["attachments"].get(kind)
        if old == new:
            continue
        label = ATTACHMENT_KINDS[kind]
        if old is None:
            attachments.append((label, None, new["name"], _l("新增")))
        elif new is None:
            attachments.append((label, old["name"], None, _l("删除")))
        else:
            attachments.append((label, old["name"], new["name"], _l("已替换")))
    return returned, fields, attachments
