"""Jinja filters: how the domain's codes read on a page."""
from app import access, business_types, states
from app.validators import mask_id_number, mask_phone
from models.registrations import REGISTRATION_STATUS

def _datetime(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def register(app):
    app.jinja_env.filters.update(
        business_type=business_types.type_label,
        status_label=states.label,
        status_class=states.colour,
        role_label=lambda r: states.ROLE_LABELS.get(r, r),
        action_label=states.action_label,
        mask_id=mask_id_number,
        mask_phone=mask_phone,
        datetime=_datetime,
        registration_status=lambda s: REGISTRATION_STATUS.get(s, s),
        registration_colour=states.registration_colour,
        supervision_action=states.supervision_label,
        lock_source=lambda s: states.LOCK_SOURCES.get(s, s) if s else "",
    )
    # viewer_is_person(): whether the viewer files as a person (an applicant), without reading the
    # person's row as current_person() does
    app.jinja_env.globals.update(current_person=access.current_person,
                                 viewer_is_person=lambda: access.actor().person_id is not None)
