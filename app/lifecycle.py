"""The registration lifecycle: validity runs out (失效) and the expiring ones are listed."""
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from models import Registration


def expire(today=None):
    """Mark every active registration past its validity as expired; returns how many."""
    today = today or date.today()
    result = db.session.execute(
        update(Registration).where(Registration.status == "active", Registration.valid_until < today)
        .values(status="expired")
    )
    db.session.commit()
    return result.rowcount


def expiring_condition(today=None, days=None):
    """Active registrations that run out within the renewal window's opening (90 days by default)."""
    today = today or date.today()
    days = current_app.config["RENEWAL_WINDOW_OPENS_DAYS"] if days is None else days
    return (Registration.status == "active") & Registration.valid_until.between(today, today + timedelta(days=days))
