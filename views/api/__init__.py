"""The REST API under /api/v1 (FAB BaseApi views) and its Swagger UI page."""


def register(appbuilder):
    from views.api.applications import ApplicationsApi
    from views.api.auth import AuthApi
    from views.api.docs import OpenApiSpec, SwaggerUiView
    from views.api.records import EnterprisesApi, PersonsApi, RegistrationsApi, SpecialtiesApi, UnitsApi

    for api in (AuthApi, ApplicationsApi, RegistrationsApi, EnterprisesApi, PersonsApi, SpecialtiesApi, UnitsApi,
                OpenApiSpec):
        appbuilder.add_api(api)
    appbuilder.add_view_no_menu(SwaggerUiView)
