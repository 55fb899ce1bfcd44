"""Jinja filters: how the domain's codes read on a page."""
from app import access, rules, workflow
from app.validators import mask_id_number, mask_phone
from models.registrations import REGISTRATION_STATUS

STATUS_CLASSES = {
    "draft": "default",
    "pending_release": "info",
    "pending_enterprise": "info",
    "pending_center": "primary",
    "returned_by_enterprise": "warning",
    "returned_by_center": "warning",
    "rejected_by_center": "warning",
    "approved": "success",
    "refused": "danger",
}


def _datetime(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def register(app):
    app.jinja_env.filters.update(
        business_type=rules.type_label,
        status_label=lambda s: workflow.STATUS_LABELS.get(s, s),
        status_class=lambda s: STATUS_CLASSES.get(s, "default"),
        role_label=lambda r: workflow.ROLE_LABELS.get(r, r),
        action_label=workflow.action_label,
        mask_id=mask_id_number,
        mask_phone=mask_phone,
        datetime=_datetime,
        registration_status=lambda s: REGISTRATION_STATUS.get(s, s),
    )
    app.jinja_env.globals.update(current_person=access.current_person)
