"""公众查询: anyone may check a registered constructor, masked, without signing in."""
from datetime import date, timedelta

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import deadlines, procedure, signing, states, supervision
from app.documents import offline
from app.extensions import db, limiter
from app.refusals import Refused
from app.validators import mask_id_number, mask_name
from models import Announcement, Application, Person, Registration
from models.registrations import ENDED_STATUSES
from views.forms import FORM_EXPIRED, ObjectionForm
from views.signin import too_many


def _limit():
    """Against scraping: the lookups one address may make (a setting)."""
    return current_app.config["PUBLIC_QUERY_RATE_LIMIT"]


def _filing_limit():
    """异议 posts one address may make: a public form that writes rows."""
    return current_app.config["NOTICE_FILING_RATE_LIMIT"]


def public_row(application):
    """A decision as the public sees it (公示, 公告): the person masked like 公众查询."""
    return dict(id=application.id, name=mask_name(application.name), id_number=mask_id_number(application.id_number),
                unit=application.enterprise.name if application.enterprise else "",
                business_type=application.business_type, status=application.status,
                ends=deadlines.notice_ends(application),
                objectable=procedure.objectable(application))


def history(registration):
    """Each approved change of this registration: business type and date."""
    return db.session.scalars(
        select(Application).where(Application.registration_id == registration.id, Application.status == "approved")
        .order_by(Application.decided_at)
    ).all()


def public_status(registration, today=None):
    """The status as the public sees it today: a registration in force (held too) past its validity
    has lapsed, whether or not the daily expiry run has marked it yet."""
    today = today or date.today()
    if registration.status in states.IN_FORCE and registration.valid_until < today:
        return "expired"
    return registration.status


def ended_on(registration, today=None):
    """The day the certificate ended (废止: cancelled, expired, any status of ENDED_STATUSES), or None
    while it is in force; one in force past its validity ended the day after."""
    today = today or date.today()
    if registration.status in ENDED_STATUSES:
        stamp = registration.ended_at or registration.updated_at
        return stamp.date() if stamp else None
    if registration.status in states.IN_FORCE and registration.valid_until < today:
        return registration.valid_until + timedelta(days=1)
    return None


def _offline(text, name=None, id_number=None):
    try:
        key = signing.issuer().public_key
    except Refused as refusal:
        return offline.Verdict(ok=False, problem=refusal.message)
    return offline.verify(text, key, name=name, id_number=id_number)


class PublicQueryView(BaseView):
    route_base = "/public"
    default_view = "query"

    def _render(self, registration, **extra):
        return self.render_template(
            "public/query.html",
            registration=registration,
            status=public_status(registration) if registration else None,
            ended=registration is not None and (registration.status in ENDED_STATUSES
                                                or public_status(registration) in ENDED_STATUSES),
            ended_on=ended_on(registration) if registration else None,
            history=history(registration) if registration else [],
            # the center's measures as the public sees them: the move and its date, no reason
            measures=supervision.history(registration) if registration else [],
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
        scanned = request.args.get(offline.PARAMETER)
        return self._render(registration, verifying=True, name="", number="", message=None,
                            offline=_offline(scanned[:3000]) if scanned else None)

    @expose("/verify-offline")
    @limiter.limit(_limit, on_breach=too_many)
    def verify_offline(self):
        """离线核验: the QR code's signed payload checked with the issuer's public key alone (no database)."""
        text = (request.args.get("text") or "")[:3000]
        name = (request.args.get("name") or "").strip()[:64]
        id_number = (request.args.get("id_number") or "").strip()[:18]
        verdict = _offline(text, name, id_number) if text.strip() else None
        return self.render_template("public/verify_offline.html", title=_l("二维码离线核验"), text=text,
                                    name=name, id_number=id_number, verdict=verdict)

    @expose("/issuer.pem")
    def issuer_certificate(self):
        """The issuer's certificate (its public key): what an offline verifier needs."""
        try:
            body = signing.issuer().public_pem()
        except Refused:
            abort(404)
        return Response(body, mimetype="application/x-pem-file",
                        headers={"Content-Disposition": "attachment; filename=issuer.pem"})

    @expose("/notice", methods=["GET", "POST"])
    @limiter.limit(_limit, on_breach=too_many)
    @limiter.limit(_filing_limit, on_breach=too_many, methods=["POST"])
    def notice(self):
        """公示: decisions in their notice period; anyone may object to a 准予 decision."""
        form = ObjectionForm()
        problems, objected = [], None
        if request.method == "POST":
            if not form.validate():
                problems = [FORM_EXPIRED]
            else:
                try:
                    pk = int(form.application_id.data or "")
                except ValueError:
                    pk = None
                target = db.session.get(Application, pk) if pk else None
                problems = procedure.file_objection(target, form.name.data, form.phone.data, form.reason.data)
                if not problems:
                    flash(_l("已收到您的异议，注册中心将核查处理"), "success")
                    return redirect(url_for(".notice"))
                objected = pk
        rows = [public_row(a) for a in procedure.notice_rows()]
        return self.render_template("public/notice.html", rows=rows, form=form, problems=problems, objected=objected,
                                    title=_l("注册审批结果公示"))

    @expose("/announcements")
    @limiter.limit(_limit, on_breach=too_many)
    def announcements(self):
        """公告: each announcement and the decisions it published."""
        found = db.session.scalars(
            select(Announcement).options(selectinload(Announcement.applications).joinedload(Application.enterprise))
            .order_by(Announcement.created_at.desc(), Announcement.id.desc()).limit(50)
        ).all()
        listed = [(a, [public_row(x) for x in a.applications]) for a in found]
        return self.render_template("public/announcements.html", announcements=listed, title=_l("注册审批结果公告"))
