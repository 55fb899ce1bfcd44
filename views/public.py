"""公众查询: anyone may check a registered constructor, masked, without signing in."""
from datetime import date

from flask import abort, current_app, request
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db, limiter
from app.validators import mask_id_number, mask_name
from models import Application, Person, Registration
from views.signin import too_many


def _limit():
    """Against scraping: the lookups one address may make (a setting)."""
    return current_app.config["PUBLIC_QUERY_RATE_LIMIT"]


def history(registration):
    """Each approved change of this registration: business type and date."""
    return db.session.scalars(
        select(Application).where(Application.registration_id == registration.id, Application.status == "approved")
        .order_by(Application.decided_at)
    ).all()


def public_status(registration, today=None):
    """The status as the public sees it today: an active registration past its validity has lapsed."""
    today = today or date.today()
    if registration.status == "active" and registration.valid_until < today:
        return "expired"
    return registration.status


class PublicQueryView(BaseView):
    route_base = "/public"
    default_view = "query"

    def _render(self, registration, **extra):
        return self.render_template(
            "public/query.html",
            registration=registration,
            status=public_status(registration) if registration else None,
            history=history(registration) if registration else [],
            masked_name=mask_name(registration.person.name) if registration else "",
            masked_id=mask_id_number(registration.person.id_number) if registration else "",
            **extra,
        )

    @expose("/query")
    @limiter.limit(_limit, on_breach=too_many)
    def query(self):
        name = (request.args.get("name") or "").strip()[:64]
        number = (request.args.get("number") or "").strip()[:32]
        registration = None
        message = None
        if name or number:
            if not (name and number):
                message = _l("请同时填写姓名和注册证书编号")
            else:
                registration = db.session.scalars(
                    select(Registration).join(Registration.person)
                    .where(Registration.certificate_number == number, Person.name == name)
                ).first()
                if registration is None:
                    message = _l("未查到姓名与注册证书编号相符的注册信息，请核对后再查")
        return self._render(registration, name=name, number=number, message=message, verifying=False)

    @expose("/verify/<token>")
    @limiter.limit(_limit, on_breach=too_many)
    def verify(self, token):
        registration = db.session.scalars(
            select(Registration).where(Registration.verify_token == token[:64])
        ).first()
        if registration is None:
            abort(404)
        return self._render(registration, verifying=True, name="", number="", message=None)
