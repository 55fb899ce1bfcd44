"""What an approved application does to the registration record, per business type.

Called by workflow.transition() inside its transaction; nothing here commits.
"""
import secrets
from datetime import date, datetime, timedelta

from flask import current_app

from app.business_types import PERSONAL_CHANGE_FIELDS
from app import elicence, signing
from app.dates import add_years
from app.extensions import db
from app.rules import renamed_registrations
from models import Registration


def apply(application, move, today=None):
    # the center's move that reaches "approved": 准予注册 in the single procedure, 公告 in the full one
    # (there 准予 only opens 公示, and a decision takes effect with its announcement)
    if not (move.role == "center" and move.target == "approved"):
        return
    today = today or date.today()
    handler = _HANDLERS[application.business_type]
    handler(application, today)
    if application.registration is not None:
        _documents(application.business_type, application.registration)


# what a change does to the 执业印章 beyond what it shows (it is drawn from the registration at download)
SEAL_REGENERATED_BY = frozenset({"add_specialty", "renewal", "change_unit", "change_enterprise", "change_personal",
                                 "cancel_specialty"})
SEAL_VOIDED_BY = frozenset({"cancel", "forced_cancel", "unit_cancel"})


def _documents(business_type, registration):
    """The certificate's identifier and the practice seal follow the registration: a new one is issued
    at version 1 with reissue code 00; a change reissues the certificate (version + 1) and regenerates
    the seal; 遗失补办 reissues both (the seal's code + 1); a cancellation voids the seal."""
    now = datetime.now()
    if business_type in ("initial", "reregister") or business_type in elicence.REISSUED_BY:
        # nothing half-done: with a signing key that cannot be used the approval is refused whole (the
        # transition rolls back), rather than a certificate issued that cannot be signed
        signing.issuer()
    if business_type in ("initial", "reregister"):
        elicence.issue(registration)
        registration.seal_reissue, registration.seal_status, registration.seal_issued_at = 0, "valid", now
    elif business_type in elicence.REISSUED_BY:
        elicence.reissue(registration)
        if business_type == "lost_certificate":
            registration.seal_reissue = (registration.seal_reissue or 0) + 1
        if registration.seal_status == "valid":
            registration.seal_issued_at = now
    if business_type in SEAL_VOIDED_BY:
        registration.seal_status = "void"


def _years():
    return current_app.config["REGISTRATION_YEARS"]


def term_end(person, start):
    """The end of a validity that runs REGISTRATION_YEARS from `start`: never past the day before
    the holder reaches the age limit (MAX_REGISTRATION_AGE), when the registration lapses anyway."""
    end = add_years(start, _years())
    birth = person.birth_date
    if birth is not None:
        end = min(end, add_years(birth, current_app.config["MAX_REGISTRATION_AGE"]) - timedelta(days=1))
    return end


def _new_registration(application, today):
    until = term_end(application.person, today)
    registration = Registration(
        person=application.person,
        enterprise=application.enterprise,
        valid_from=today,
        valid_until=until,
        status="active",
        verify_token=secrets.token_urlsafe(32),
        enterprise_name=application.enterprise.name,
    )
    for specialty in application.specialties:
        registration.set_specialty_term(specialty, today, until)
    db.session.add(registration)
    db.session.flush()  # the id makes the certificate number unique
    registration.certificate_number = certificate_number(registration, today)
    application.registration = registration
    return registration


def certificate_number(registration, today):
    """Province prefix + level 2 + year + a sequence unique to the registration (domain.md)."""
    prefix = current_app.config["CERT_PROVINCE_PREFIX"]
    return f"{prefix}2{today.year}{registration.id:08d}"


def _add_specialty(application, today):
    """An added specialty runs REGISTRATION_YEARS from its own approval; the others keep theirs."""
    registration = application.registration
    in_force = {s.id for s in registration.specialties}
    for specialty in application.specialties:
        if specialty.id not in in_force:
            registration.set_specialty_term(specialty, today, term_end(application.person, today))


def _renew(application, today):
    """The specialties the holder picked run REGISTRATION_YEARS more from their old expiry; one not
    picked keeps its date and lapses alone (app/lifecycle.expire)."""
    registration = application.registration
    for specialty in application.specialties:
        term = registration.term(specialty)
        if term is not None and term.status == "active":
            registration.set_specialty_term(specialty, term.valid_from,
                                            term_end(application.person, term.valid_until))


def _change_unit(application, today):
    application.registration.enterprise = application.enterprise
    application.registration.enterprise_name = application.enterprise.name


def _change_enterprise(application, today):
    application.registration.enterprise_name = application.registration.enterprise.name


def _rename_unit(application, today):
    """企业名称变更: every registration in force with the unit prints its new name (the old names stay
    in the filing and in the directory's name history)."""
    for registration in renamed_registrations(application.enterprise, today):
        registration.enterprise_name = application.enterprise.name


def _change_personal(application, today):
    for field in PERSONAL_CHANGE_FIELDS:
        setattr(application.person, field, getattr(application, field))


def _cancel(application, today):
    application.registration.status = "cancelled"


def _replace_lost(application, today):
    # the lost copy's QR code stops verifying: the reissued certificate gets a new address
    application.registration.verify_token = secrets.token_urlsafe(32)


def _cancel_specialties(application, today):
    application.registration.drop_specialties(application.specialties)


_HANDLERS = {
    "initial": _new_registration,
    "add_specialty": _add_specialty,
    "renewal": _renew,
    "change_unit": _change_unit,
    "reregister": _new_registration,
    "cancel": _cancel,
    "lost_certificate": _replace_lost,
    "cancel_specialty": _cancel_specialties,
    "change_personal": _change_personal,
    "change_enterprise": _change_enterprise,
    "forced_cancel": _cancel,
    "unit_cancel": _cancel,
    "enterprise_rename": _rename_unit,
}
