"""电子证照推送 (注册中心): the certificate events the provincial e-licence library has not taken yet,
those that failed first, with 立即重试. The sending itself is app/elicence_push.py's."""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import access
from app import elicence_push as elicence
from app.extensions import db
from models import ElicenceEvent, Person, Registration

SHOWN = 100  # rows on the page; the counts above the table cover them all


class CenterElicenceView(BaseView):
    route_base = "/elicence"
    default_view = "list"
    base_permissions = ["can_list", "can_retry"]

    @expose("/list/")
    @has_access
    def list(self):
        rows = db.session.execute(
            access.elicence_events(g.user, select(ElicenceEvent, Registration.certificate_number, Person.name)
                                   .join(ElicenceEvent.registration).join(Registration.person))
            .where(ElicenceEvent.status == "pending")
            .order_by((ElicenceEvent.attempts > 0).desc(), ElicenceEvent.id).limit(SHOWN)
        ).all()
        waiting, failed = elicence.backlog()
        return self.render_template("elicence/list.html", title=_l("电子证照推送"), rows=rows, waiting=waiting,
                                    failed=failed, shown=SHOWN, kinds=elicence.KIND_LABELS,
                                    target=elicence.library().name)

    @expose("/retry", methods=["POST"])
    @has_access
    @permission_name("retry")
    def retry(self):
        try:
            ids = [int(i) for i in request.form.getlist("ids")]
        except ValueError:
            ids = []
        if request.form.get("all_failed"):
            ids = db.session.scalars(access.elicence_events(g.user, select(ElicenceEvent.id)).where(
                ElicenceEvent.status == "pending", ElicenceEvent.attempts > 0).limit(1000)).all()
        if not ids:
            flash(_l("请选择要重试的推送"), "warning")
            return redirect(url_for(".list"))
        sent, failed = elicence.retry_now(ids, g.user)
        if failed:
            flash(_l("已推送 %(sent)s 条，仍有 %(failed)s 条未被电子证照库接收，系统将按间隔自动重试",
                     sent=sent, failed=failed), "warning")
        else:
            flash(_l("已推送 %(sent)s 条", sent=sent), "success")
        return redirect(url_for(".list"))
