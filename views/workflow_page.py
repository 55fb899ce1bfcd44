"""办理流程: the workflow drawn from its table, for the center's staff."""
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app import states, workflow_chart


class CenterWorkflowView(BaseView):
    route_base = "/workflow"
    default_view = "chart"
    base_permissions = ["can_chart"]

    @expose("/")
    @has_access
    def chart(self):
        return self.render_template("workflow/chart.html", title=_l("办理流程"), chart=Markup(workflow_chart.svg()),
                                    moves=states.moves(), statuses=states.labels(),
                                    roles=states.ROLE_LABELS)
