"""The API's description (/api/v1/_openapi) and Swagger UI drawing it (/swagger/v1), both served
from the project: Swagger UI is vendored under static/vendor/swagger-ui, nothing comes from a CDN.
Neither needs a sign-in: they describe the API, they open no data."""
from flask import current_app, render_template, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import expose as api_expose
from flask_babel import get_locale

from views.api import spec
from views.api.base import ScopedApi


class OpenApiSpec(ScopedApi):
    route_base = "/api/v1"

    @api_expose("/_openapi", methods=["GET"])
    def openapi(self):
        return self.answer(spec.document())


class SwaggerUiView(BaseView):
    route_base = "/swagger"
    default_view = "ui"

    @expose("/v1")
    def ui(self):
        return render_template("api/swagger.html", spec_url=url_for("OpenApiSpec.openapi"),
                               app_name=current_app.appbuilder.app_name, locale=str(get_locale() or ""))
