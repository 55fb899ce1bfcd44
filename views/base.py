"""The model view every scoped list builds on.

FAB applies base_filters to list, show, edit and delete, but not to `action`, `action_post`,
related `list/<pk>` or `download/<filename>`. This base re-reads every row those routes touch
through app/access.py, so no FAB route reaches a row its user may not see.
"""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access, widgets
from flask_appbuilder.charts.views import BaseChartView
from flask_appbuilder.urltools import get_filter_args, get_order_args, get_page_args, get_page_size_args
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app import states
from models import Application


class SearchWidget(widgets.SearchWidget):
    """FAB's 更多筛选条件 widget. The labels, the empty search fields and the filter names of a
    view's own columns are the same on every page in one language, so they are worked out once per
    view and language, and so is the whole widget while no filter is active (most page views);
    only the active filters are read per request. (A relation's field lists rows of another table,
    which change: a view searching one is worked out per request, as FAB does.)"""

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
                "form_fields": {column: form[column]() for column in columns},
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


class LazyForm:
    """A form made when a field is first read from it."""

    def __init__(self, make):
        self._make, self._form = make, None

    def __getitem__(self, name):
        if self._form is None:
            self._form = self._make()
        return self._form[name]


class ScopedModelView(ModelView):
    """A ModelView whose rows come from `fetch(pk)`: an app/access.py getter that 404s."""

    fetch = None  # staticmethod(access.get_xxx)
    search_widget = SearchWidget
    # row_actions(row) -> which of "edit" and "delete" the row allows (its list shows no other);
    # None: every row shows the buttons the user's permissions give
    row_actions = None
    handled_rows_leave = False  # a work queue: a row handled by someone else leaves it (get_row says so)
    max_page_size = 100

    def _get_list_widget(self, filters, actions=None, order_column="", order_direction="", page=None,
                         page_size=None, widgets=None, **kwargs):
        # FAB passes the URL's sort column and page size through unchecked: an unknown column is a
        # 500 and a huge page size loads the whole table. Only offered columns, bounded pages.
        if order_column not in self.order_columns or order_direction not in ("asc", "desc"):
            order_column, order_direction = "", ""
        if page_size is not None:
            page_size = max(1, min(int(page_size), self.max_page_size))
        if page is not None:
            page = max(0, int(page))
        return super()._get_list_widget(filters, actions, order_column, order_direction, page, page_size,
                                        widgets, row_actions=self.row_actions, **kwargs)

    def _list(self, **kwargs):
        # FAB's, with the search form made only when the search widget reads it: while no filter is
        # active the widget is the one worked out before (SearchWidget), and the form is what costs
        order = get_order_args().get(self.__class__.__name__)
        order_column, order_direction = order if order else ("", "")
        get_filter_args(self._filters)
        widgets = self._get_list_widget(filters=self._filters, order_column=order_column,
                                        order_direction=order_direction,
                                        page=get_page_args().get(self.__class__.__name__),
                                        page_size=get_page_size_args().get(self.__class__.__name__), **kwargs)
        self.update_redirect()
        return self._get_search_widget(form=LazyForm(self.search_form.refresh), widgets=widgets)

    def get_row(self, pk):
        """The row if it is in this view *and* the user may see it; 404 otherwise."""
        row = type(self).fetch(pk)
        if self.datamodel.get(row.id, self._base_filters) is None:
            if self.handled_rows_leave and isinstance(row, Application):
                # the user may see it, it has only left this queue (another reviewer moved it): say so
                flash(_l("%(number)s 已不在“%(list)s”中（当前状态：%(status)s），可能已由他人办理",
                         number=row.number, list=self.list_title, status=states.label(row.status)), "warning")
                abort(redirect(url_for(f"{self.endpoint}.list")))
            abort(404)
        return row

    def rows_in_scope(self, items):
        """Rows of a list action, each re-read through app/access.py (404 if one is not the user's).
        A row that has left this list since it was shown (someone else moved it) stays in: the
        action then reports it with its reason instead of failing the whole batch."""
        items = items if isinstance(items, list) else [items]
        return [type(self).fetch(getattr(item, "id", None)) for item in items]

    @expose("/delete/<pk>", methods=["GET", "POST"])
    @has_access
    def delete(self, pk):
        self.get_row(pk)
        return super().delete(pk)

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        self.get_row(pk)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        for pk in request.form.getlist("rowid"):
            type(self).fetch(pk)  # 404 before FAB loads anything the user may not see
        return super().action_post()

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        abort(404)  # files are served by their owners' views through app/access.py, never from here


LARGEST_PAGE = 2**31 - 1  # page × page size stays within the databases' 64-bit OFFSET


def guard_fab_routes(app):
    """Requests that FAB itself would answer with a 500 are answered 404 before they run:
    an action name the view does not declare (`action/<name>/<pk>`, `action_post`, on every model
    view, FAB's own user and role views included); a page or page size that is not a number, or
    one so large that the database refuses the OFFSET; FAB's `download/<filename>` (it reads an
    UPLOAD_FOLDER this app does not have: files are served through app/access.py); and a chart
    grouping that the chart view does not offer (`chart/<group_by>`)."""

    @app.before_request
    def _reject_what_fab_cannot_handle():
        for arg, value in request.args.items():
            if arg.startswith(("page_", "psize_")) and not (
                    value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= LARGEST_PAGE):
                abort(404)
        endpoint = request.endpoint or ""
        view_function = app.view_functions.get(endpoint)
        owner = getattr(view_function, "__self__", None)
        if getattr(view_function, "__func__", None) is ModelView.download:
            abort(404)
        if isinstance(owner, BaseChartView) and not _offers_grouping(owner, (request.view_args or {}).get("group_by")):
            abort(404)
        if endpoint.endswith(".action"):
            name = (request.view_args or {}).get("name")
        elif endpoint.endswith(".action_post"):
            name = request.form.get("action")
        else:
            return
        if owner is None or name not in getattr(owner, "actions", {}):
            abort(404)


def _offers_grouping(chart_view, group_by):
    """FAB's chart views take `group_by` as an index into `definitions` (GroupByChartView) or as a
    column name from `group_by_columns` (the others); absent, they use their first."""
    if group_by is None:
        return True
    definitions = getattr(chart_view, "definitions", None)
    if definitions is not None:
        return group_by.isascii() and group_by.isdigit() and len(group_by) <= 6 and int(group_by) < len(definitions)
    return group_by in (getattr(chart_view, "group_by_columns", None) or ())
