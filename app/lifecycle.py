"""The registration lifecycle: validity runs out (失效) and the expiring ones are listed."""
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app import elicence_push as elicence
from app.dates import add_years
from app.extensions import db
from app import states
from app.states import in_force
from models import Enterprise, Person, Registration, RegistrationSpecialty


def expire(today=None):
    """Mark as expired (失效) every specialty past its own validity, and every registration in force (held by the center too) that lapsed (domain.md): past its validity,
    its holder past the age limit (MAX_REGISTRATION_AGE), or its unit no longer 存续 in the
    government directory (注销, 吊销). Returns how many."""
    from app.govnet.directory import ACTIVE

    today = today or date.today()
    # a specialty whose own validity ran out lapses alone; the registration's valid_until is its
    # latest specialty's, so it lapses below when none remains in force
    # the states read from SUPERVISION_TABLE's system rows, the one place that says what expires into what
    db.session.execute(
        update(RegistrationSpecialty)
        .where(RegistrationSpecialty.status.in_(states.sources_of("specialty", "lapse")),
               RegistrationSpecialty.valid_until < today)
        .values(status=states.target_of("specialty", "lapse"))
    )
    reached_age = add_years(today, -current_app.config["MAX_REGISTRATION_AGE"])  # born on or before
    lapsed = or_(
        Registration.valid_until < today,
        Registration.person_id.in_(select(Person.id).where(Person.birth_date <= reached_age)),
        Registration.enterprise_id.in_(select(Enterprise.id).where(Enterprise.govnet_status != ACTIVE)),
    )
    now = datetime.now()
    ending = Registration.status.in_(states.sources_of("registration", "expire")) & lapsed
    elicence.queue_ended(ending, now)  # 废止: the e-licence library is told, in this transaction
    result = db.session.execute(
        update(Registration).where(ending)
        .values(status=states.target_of("registration", "expire"), ended_at=now, updated_at=now)
    )
    db.session.commit()
    return result.rowcount


def expiring_condition(today=None, days=None):
    """Registrations in force (held by the center too) that run out within the renewal window's
    opening (90 days by default)."""
    today = today or date.today()
    days = current_app.config["RENEWAL_WINDOW_OPENS_DAYS"] if days is None else days
    return in_force(Registration.status) & Registration.valid_until.between(today, today + timedelta(days=days))
