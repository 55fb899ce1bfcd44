"""The home page: each portal's own (个人版 / 企业版 / 注册中心), chosen by the user's role."""
from datetime import date

from flask_appbuilder import IndexView, expose

from app import access, business_types, elicence_push, lifecycle, rules, states, workflow
from models import CampaignTarget, Job, UnlockRequest


class PortalIndexView(IndexView):
    route_base = ""
    index_template = "portal/index.html"

    @expose("/")
    def index(self):
        who = access.actor()
        context = {"who": who, "workflow": workflow, "rules": rules, "today": date.today()}
        if who.kind == "applicant" and who.person_id:
            known = who.standing  # the open filing and the registration in force, read with the person
            person = who.person
            codes = [item.baseview.business_type for category in self.appbuilder.menu.get_list()
                     for item in category.childs if getattr(item.baseview, "business_type", None)
                     and item.baseview.business_type not in business_types.FILED_BY_UNIT]
            from views.applicant import TYPE_VIEWS

            context.update(
                type_views={view.business_type: view.__name__ for view in TYPE_VIEWS},  # each item links
                person=person,
                **_availability(rules.availability(person, codes, known=known)),
                registration=known["registration"],
                open_application=known["pending"],
                recent=access.applications().order_by(access.Application.id.desc()).limit(5).all(),
            )
        elif who.kind == "enterprise" and who.enterprise_id:
            scoped = access.applications()
            context.update(
                enterprise=access.current_enterprise(),
                pending=scoped.filter(access.Application.status.in_(access.UNIT_TODO)).count(),
                registered=access.registrations().filter(states.in_force(access.Registration.status)).count(),
            )
        elif who.kind == "center":
            from views.center import queue_states

            _waiting, push_failing = elicence_push.backlog()
            context.update(
                pending=access.applications().filter(access.Application.status.in_(queue_states())).count(),
                registered=access.registrations().filter(states.in_force(access.Registration.status)).count(),
                expiring=access.registrations().filter(lifecycle.expiring_condition()).count(),
                # the center's other work: unlock requests and campaign answers waiting for it
                unlock_pending=access.unlock_requests().filter(UnlockRequest.status == "pending").count(),
                campaign_review=access.campaign_targets().filter(CampaignTarget.status == "center_review").count(),
                # what went wrong out of sight, shown only while there is some
                push_failing=push_failing,
                jobs_failed=access.jobs().filter(Job.state == "failed").count(),
            )
        return self.render_template(self.index_template, appbuilder=self.appbuilder, **context)


def _availability(rows):
    """The home page's list of business types: a reason that stops every type (an open filing) is
    said once above the list, each row keeps only its own reasons."""
    reasons = [[str(problem) for problem in problems] for _, problems in rows]
    common = [r for r in reasons[0] if all(r in others for others in reasons)] if rows and all(reasons) else []
    return {"availability_common": common,
            "availability": [(kind, [r for r in own if r not in common]) for (kind, _), own in zip(rows, reasons)]}
