"""站内消息: each user's own messages, newest first; mark one or all as read.

Rows come only through app/access.py (messages / get_message). The routes take the message id in
the form, not the URL, so that no route hands out a row by its number.
"""
from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app import access, notify
from app.redirects import safe_target
from models import Application, Message

PAGE_SIZE = 20


def link_for(who, message, business_type):
    """(address, button label) of what a message is about, as this reader opens it; (None, None) if nothing."""
    if message.application_id:
        url = application_url(who, message.application_id, business_type)
        return (url, _l("查看申请")) if url else (None, None)
    if message.campaign_target_id:  # 专项整治
        views = {"applicant": "ApplicantCampaignView", "enterprise": "EnterpriseCampaignView",
                 "center": "CenterCampaignTargetView"}
        if who.kind in views:
            return url_for(f"{views[who.kind]}.show", pk=message.campaign_target_id), _l("查看核查")
    if message.registration_id:  # a renewal reminder
        if who.kind == "applicant":
            return url_for("ApplicantRegistrationView.show", pk=message.registration_id), _l("查看注册证书")
        if who.kind == "enterprise":
            return url_for("EnterprisePersonnelView.show", pk=message.registration_id), _l("查看人员")
    return None, None


def application_url(who, application_id, business_type):
    """Where a message's application opens for this reader: their own view of it."""
    if not application_id:
        return None
    if who.kind == "applicant":
        from views.applicant import TYPE_VIEWS

        view = next((v for v in TYPE_VIEWS if v.business_type == business_type), None)
        return f"/{view.__name__.lower()}/show/{application_id}" if view else None
    if who.kind == "enterprise":
        if business_type == "enterprise_rename":  # the unit's own filing: where it edits and resubmits it
            return url_for("EnterpriseRenameView.show", pk=application_id)
        return url_for("EnterpriseApplicationView.show", pk=application_id)
    if who.kind == "center":
        return url_for("CenterApplicationView.show", pk=application_id)
    return None


class MessageView(BaseView):
    route_base = "/messages"
    default_view = "list"
    base_permissions = ["can_list", "can_read"]

    @expose("/")
    @has_access
    def list(self):
        try:
            page = max(0, int(request.args.get("page", 0)))
        except ValueError:
            page = 0
        who = access.actor()
        scoped = access.messages().order_by(Message.created_at.desc(), Message.id.desc())
        total = scoped.count()
        rows = (scoped.outerjoin(Application, Application.id == Message.application_id)
                .with_entities(Message, Application.business_type)
                .offset(page * PAGE_SIZE).limit(PAGE_SIZE).all())
        items = [(m, *link_for(who, m, business_type)) for m, business_type in rows]
        return self.render_template("messages/list.html", title=_l("站内消息"), items=items, page=page,
                                    pages=(total + PAGE_SIZE - 1) // PAGE_SIZE, total=total,
                                    unread=notify.unread_count(who.user.id))

    @expose("/read", methods=["POST"])
    @has_access
    @permission_name("read")
    def read(self):
        message = access.get_message(request.form.get("id"))
        notify.mark_read(message)
        return redirect(safe_target(request.form.get("next"), url_for("MessageView.list")))

    @expose("/read_all", methods=["POST"])
    @has_access
    @permission_name("read")
    def read_all(self):
        notify.mark_all_read(access.actor().user.id)
        flash(_l("已全部标为已读"), "success")
        return redirect(url_for("MessageView.list"))
