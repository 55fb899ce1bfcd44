"""The model view every scoped list builds on.

FAB applies base_filters to list, show, edit and delete, but not to `action`, `action_post`,
related `list/<pk>` or `download/<filename>`. This base re-reads every row those routes touch
through app/access.py, so no FAB route reaches a row its user may not see.
"""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.charts.views import BaseChartView
from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED
from flask_babel import lazy_gettext as _l

from app import states
from models import Application
from views.fab_overrides.search_widget import SearchWidget


def time_to_the_second(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


class ScopedModelView(ModelView):
    """A ModelView whose rows come from `fetch(pk)`: an app/access.py getter that 404s."""

    fetch = None  # staticmethod(access.get_xxx)
    search_widget = SearchWidget  # worked out once per view and language (views/fab_overrides)
    # row_actions(row) -> which of "edit" and "delete" the row allows (its list shows no other);
    # None: every row shows the buttons the user's permissions give
    row_actions = None
    handled_rows_leave = False  # a work queue: a row handled by someone else leaves it (get_row says so)
    max_page_size = 100
    # loader options of a record page's read (get_row): the related rows its page shows, joined
    # to the row's own statement instead of read one statement each when the template reaches them
    row_options = ()

    def _init_properties(self):
        super()._init_properties()
        # a time column with no formatter of the view's would print its microseconds
        # ("2026-12-06 21:01:59.691960"): to the second, as every other time on the pages
        shown = set(self.list_columns) | set(self.show_columns)
        plain = {column: time_to_the_second for column in shown
                 if column not in self.formatters_columns and self.datamodel.is_datetime(column)}
        if plain:
            self.formatters_columns = {**self.formatters_columns, **plain}

    def render_template(self, template, **kwargs):
        kwargs.setdefault("view", self)  # the project's templates ask the view (its search box, its title)
        return super().render_template(template, **kwargs)

    @property
    def quick_search(self):
        """Whether the list's one search box (?q=) filters anything: only then is the box shown."""
        return any(getattr(f[1], "arg_name", None) == "q" for f in self.base_filters)

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

    def get_row(self, pk):
        """The row if it is in this view *and* the user may see it; 404 otherwise."""
        if self._filters_read_by_fetch_rule() and _plain_key(pk):
            # the view's filters include the very rule fetch() reads by (app/access.py): a row they
            # give is one the user may see, so one read answers both questions
            row = self._read_in_view(int(pk))
            if row is not None:
                return row
        row = type(self).fetch(pk)
        if self.datamodel.get(row.id, self._base_filters) is None:
            if self.handled_rows_leave and isinstance(row, Application):
                # the user may see it, it has only left this queue (another reviewer moved it): say so
                flash(_l("%(number)s 已不在“%(list)s”中（当前状态：%(status)s），可能已由他人办理",
                         number=row.number, list=self.list_title, status=states.label(row.status)), "warning")
                abort(redirect(url_for(f"{self.endpoint}.list")))
            abort(404)
        return row

    def _read_in_view(self, pk):
        """datamodel.get(pk, base_filters) with row_options: FAB's steps, through its public methods
        (the key as a plain condition: no copy of the filter table to add it to)."""
        model = self.datamodel.obj
        query = (self.datamodel.session.query(model).options(*self.row_options)
                 .filter(getattr(model, self.datamodel.get_pk_name()) == pk))
        if hasattr(self.datamodel, "read_row"):  # a ListInterface: its collection_texts with the row
            return self.datamodel.read_row(query, self._base_filters)
        return self.datamodel.apply_all(query, self._base_filters).one_or_none()

    def _filters_read_by_fetch_rule(self):
        """Whether base_filters include the scope filter of the rule fetch() reads by."""
        known = self.__dict__.get("_fetch_rule_in_filters")
        if known is None:
            rule = getattr(type(self).fetch, "rule", None)
            known = rule is not None and any(getattr(entry[1], "rule", None) is rule for entry in self.base_filters)
            self._fetch_rule_in_filters = known
        return known

    def rows_in_scope(self, items):
        """Rows of a list action, each read through app/access.py (404 if one is not the user's):
        those action_post() read are taken as they are. A row that has left this list since it was
        shown (someone else moved it) stays in: the action then reports it with its reason instead
        of failing the whole batch."""
        items = items if isinstance(items, list) else [items]
        read = g.get("action_rows") or []
        if len(items) == len(read) and all(item is row for item, row in zip(items, read)):
            return items
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
        # FAB's, with each selected row read once, through app/access.py (404 before anything is done
        # with a row the user may not see), instead of a check, FAB's read and the action's own
        g.action_rows = [type(self).fetch(pk) for pk in request.form.getlist("rowid")]
        name = request.form.get("action")
        if name not in self.actions:
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name), self.class_permission_name):
            flash(as_unicode(FLAMSG_ERR_SEC_ACCESS_DENIED), "danger")
            return redirect(".")
        return self.actions[name].func(g.action_rows)

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        abort(404)  # files are served by their owners' views through app/access.py, never from here


def _plain_key(pk):
    """A key the database reads as an integer as it is (anything else takes fetch()'s way to its 404)."""
    text = str(pk)
    return text.isascii() and text.isdigit() and len(text) <= 18


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
