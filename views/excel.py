"""导出Excel for list views: the same rows as the list on screen, as .xlsx.

The export reads the request's query string as the list does (search `q`, FAB filters, sort), and
queries through the view's own datamodel with its base filters, so row access (app/access.py
scopes in base_filters) and filters are the list's own. Views that mix this in add
"can_export_xlsx" to base_permissions.
"""
from datetime import datetime

from flask import g, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.urltools import get_filter_args, get_order_args

from app import audit, excel


class ExcelExport:
    export_columns = None  # default: the list's columns

    @expose("/export.xlsx")
    @has_access
    @permission_name("export_xlsx")
    def export_xlsx(self):
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        if order_column not in self.order_columns or order_direction not in ("asc", "desc"):
            order_column, order_direction = self.base_order or ("", "")
        get_filter_args(self._filters)
        joined = self._filters.get_joined_filters(self._base_filters)
        query = self.datamodel.apply_all(self.datamodel.session.query(self.datamodel.obj), joined,
                                         order_column, order_direction)
        columns = self.export_columns or self.list_columns
        headers = [self.label_columns.get(c, c) for c in columns]
        title = str(self.list_title or self.__class__.__name__)
        filename = f"{title}-{datetime.now():%Y%m%d%H%M}.xlsx"
        audit.record("export", user=g.user, target=self.__class__.__name__,
                     detail={"format": "xlsx", "filters": self._filters.get_filters_values_tojson()})
        return excel.response(headers, self._export_rows(query, columns), filename, title)

    def _export_rows(self, query, columns):
        formatters = self.formatters_columns
        for item in query.yield_per(excel.BATCH):
            values = []
            for column in columns:
                value = self.datamodel._get_attr_value(item, column)
                if column in formatters:
                    value = formatters[column](value)
                values.append(value)
            yield values


def export_url():
    """The current list's export link with the same query string, if the list offers one (a template global)."""
    from flask import current_app, request

    endpoint = (request.endpoint or "").rsplit(".", 1)
    if len(endpoint) != 2 or endpoint[1] != "list":
        return None
    view_name = endpoint[0]
    if f"{view_name}.export_xlsx" not in current_app.view_functions:
        return None
    if not current_app.appbuilder.sm.has_access("can_export_xlsx", view_name):
        return None
    url = url_for(f"{view_name}.export_xlsx")
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url
