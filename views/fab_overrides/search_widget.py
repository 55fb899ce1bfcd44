"""FAB's 更多筛选条件 widget, worked out once per view and language (replaces
flask_appbuilder.widgets.SearchWidget.__call__)."""
from flask import current_app
from flask_appbuilder import widgets
from flask_babel import get_locale


class SearchWidget(widgets.SearchWidget):
    """The labels, the empty search fields and the filter names of a view's own columns are the
    same on every page in one language, so they are worked out once per view and language, and so
    is the whole widget while no filter is active (most page views); only the active filters are
    read per request. (A relation's field lists rows of another table, which change: a view
    searching one is worked out per request, as FAB does.)"""

    def __call__(self, **kwargs):
        columns, datamodel = self.template_args["include_cols"], self.filters.datamodel
        if any(datamodel.is_relation(column) for column in columns):
            return super().__call__(**kwargs)
        cache = current_app.extensions.setdefault("search_widget", {})
        key = (self.template_args["route_base"], str(get_locale()))
        if key not in cache:
            form, by_column = self.template_args["form"], self.filters.get_search_filters()
            cache[key] = {
                "label_columns": {column: str(form[column].label.text) for column in columns},
                # a time column's field starts empty: its default would be the moment the process
                # first drew the widget, to the microsecond
                "form_fields": {column: (empty(form[column]) if datamodel.is_datetime(column) else form[column])()
                                for column in columns},
                "search_filters": {column: [str(f.name) for f in by_column[column]] for column in columns},
            }
        active = self.filters.get_filters_values_tojson()
        if active or kwargs or "csp_nonce" in current_app.jinja_env.globals:
            return self._render(cache[key], active, kwargs)
        if "html" not in cache[key]:
            cache[key]["html"] = self._render(cache[key], active, kwargs)
        return cache[key]["html"]

    def _render(self, parts, active, kwargs):
        kwargs.update({name: value for name, value in parts.items() if name != "html"}, active_filters=active)
        return widgets.RenderTemplateWidget.__call__(self, **kwargs)


def empty(field):
    field.data = field.raw_data = None
    return field
