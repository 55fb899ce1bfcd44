"""The REST API under /api/v1 (FAB BaseApi views), its Swagger UI page, and everything only it uses:
sign-in and tokens (signin.py, tokens.py), JSON errors (errors.py), request checks (payload.py,
schemas.py), answers (serialize.py) and the OpenAPI description (spec.py).

Like the pages, its routes call app/access.py, app/workflow.py, app/rules.py and app/attachments.py,
so a rule fixed once holds for both. Nothing under app/ imports it; the app factory registers its
error handlers (errors.register) after the pages' own.
"""


def register(appbuilder):
    from views.api.applications import ApplicationsApi
    from views.api.signin import AuthApi
    from views.api.docs import OpenApiSpec, SwaggerUiView
    from views.api.records import EnterprisesApi, PersonsApi, RegistrationsApi, SpecialtiesApi, UnitsApi
    from views.api.credit import CreditRecordsApi
    from views.api.supervision import APIS as SUPERVISION_APIS
    from views.api.campaigns import CampaignsApi, CampaignTargetsApi

    for api in (AuthApi, ApplicationsApi, RegistrationsApi, EnterprisesApi, PersonsApi, CreditRecordsApi,
                CampaignsApi, CampaignTargetsApi, SpecialtiesApi, UnitsApi, *SUPERVISION_APIS, OpenApiSpec):
        appbuilder.add_api(api)
    appbuilder.add_view_no_menu(SwaggerUiView)
