"""The model view every scoped list builds on.

FAB applies base_filters to list, show, edit and delete, but not to `action`, `action_post`,
related `list/<pk>` or `download/<filename>`. This base re-reads every row those routes touch
through app/access.py, so no FAB route reaches a row its user may not see.
"""
import copy
import enum
from functools import cached_property
from operator import attrgetter

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access, widgets
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.urltools import get_filter_args, get_order_args, get_page_args, get_page_size_args
from flask_appbuilder.utils.base import get_column_root_relation, is_column_dotted
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from models import Application
from views import list_counts


class ListFilters(Filters):
    """FAB's Filters, without converting every column of the model to its filters each time one
    is made (FAB makes several per page): that table is built only when a filter is added by its
    index (the search form's arguments), and joining a view's base filters copies."""

    def __init__(self, filter_converter, datamodel, search_columns=None, search_filters=None):
        self.search_columns = search_columns or []
        self.filter_converter = filter_converter
        self.datamodel = datamodel
        self.clear_filters()
        if self.search_columns:
            self._search_filters = self._get_filters(self.search_columns)
        if search_filters:
            for column, added in search_filters.items():
                self._search_filters[column] += added

    @cached_property
    def _all_filters(self):
        return self._get_filters(self.datamodel.get_columns_list())

    def get_joined_filters(self, filters):
        joined = copy.copy(self)  # shares the converted filters, which are only read
        joined.filters = self.filters + filters.filters
        joined.values = self.values + filters.values
        return joined


class ListInterface(SQLAInterface):
    """FAB's interface, with list queries that load what the list shows in a fixed number of
    statements: many-to-one rows joined, collections in one extra SELECT (no per-row queries).

    The total is counted exactly up to LIST_COUNT_ESTIMATE_THRESHOLD rows and estimated past it
    (PostgreSQL only, views/list_counts.py)."""

    def __init__(self, obj, joined=(), collections=(), session=None, collection_texts=None):
        super().__init__(obj, session)
        self.load_options = [joinedload(getattr(obj, name)) for name in joined] + [
            selectinload(getattr(obj, name)) for name in collections
        ]
        # on PostgreSQL, a collection a list page shows only as text, {name: (attribute, its SQL)}:
        # the page reads the text with its rows and sets the (plain, unmapped) attribute
        self.collection_texts = collection_texts or {}
        self._page_options = [option for name, option in zip(list(joined) + list(collections), self.load_options)
                              if name not in self.collection_texts]

    def get_filters(self, search_columns=None, search_filters=None):
        return ListFilters(self.filter_converter_class, self, search_columns, search_filters)

    def get_inner_filters(self, filters):
        # FAB's, with ListFilters: the filters of the inner query (own columns, to-one relations)
        inner, kept = ListFilters(self.filter_converter_class, self), []
        for flt, value in zip(filters.filters, filters.values) if filters else ():
            root = get_column_root_relation(flt.column_name)
            if not is_column_dotted(flt.column_name) or self.is_relation_many_to_one(root) \
                    or self.is_relation_one_to_one(root):
                kept.append((flt.column_name, flt.__class__, value))
        inner.add_filter_list(kept)
        return inner

    def get_values(self, lst, list_columns):
        """FAB's row dicts for the list template, with each column's way to its value found once
        per page, not once per cell (FAB tries each dotted column as an attribute first, and reads
        a property twice to see whether it is a method)."""
        readers = [(column, _reader(column)) for column in list_columns]
        for item in lst:
            yield {column: read(item) for column, read in readers}

    def apply_all(self, query, *args, **kwargs):
        return super().apply_all(query, *args, **kwargs).options(*self.load_options)

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        """FAB's query, with the rows read first and the view's filters applied once, for the rows
        and for the count: a first page that is not full is the whole list, and its length is the
        total, so the short lists most users see cost no count at all."""
        if select_columns:  # the API's column selection, which may join to-many relations: FAB's way
            query = self.session.query(self.obj)
            rows = self.apply_all(query, filters, order_column, order_direction, page, page_size, select_columns,
                                  outer_default_load).all()
            if rows and hasattr(rows[0], self.obj.__name__):  # rows of selected columns, as FAB unpacks them
                rows = [getattr(row, self.obj.__name__) for row in rows]
            scope = None
        else:  # FAB's _apply_inner_all, its steps for a query without column selection
            scope = self.apply_filters(self.session.query(self.obj), self.get_inner_filters(filters))
            ordered = self.apply_order_by(scope, order_column, order_direction, aliases_mapping={},
                                          bypass_many_to_many=True, add_pk=True)
            rows, counted = self._page(self.apply_pagination(ordered, page, page_size), scope, page_size)
            if counted is not None and rows and not (not page and len(rows) < page_size):
                return counted, rows
        if page_size is None or (not page and len(rows) < page_size):
            return len(rows), rows
        if scope is None:
            return self.query_count(self.session.query(self.obj), filters, select_columns), rows
        return self.count(scope), rows

    def _page(self, page_query, scope, page_size):
        """The page's rows, and on PostgreSQL in the same statement what else the page shows: the
        text of the collections in collection_texts, and the total of a scope seen before whose
        total is counted (the database counts once, whatever the number of rows). (rows, total or None)"""
        if self.session.get_bind().dialect.name != "postgresql":
            return page_query.options(*self.load_options).all(), None
        texts = [(name, sql()) for name, sql in self.collection_texts.values()]
        threshold = current_app.config.get("LIST_COUNT_ESTIMATE_THRESHOLD") or 0
        planned = list_counts.kept_plan(self._keys(scope)) if page_size and threshold > 0 else None
        counting = planned is not None and planned <= list_counts.TRUSTED_ESTIMATE * threshold
        extra = [sql for _, sql in texts]
        if counting:
            extra.append(list_counts.bounded_count(self._keys(scope), threshold).scalar_subquery())
        page_query = page_query.options(*self._page_options)
        if not extra:
            return page_query.all(), None
        read = page_query.add_columns(*extra).all()
        for row in read:
            for (name, _), value in zip(texts, row[1:]):
                setattr(row[0], name, value)
        rows = [row[0] for row in read]
        return rows, (list_counts.reading(read[0][-1], planned, threshold) if counting and read else None)

    def _keys(self, scope):
        # the rows in scope, as their keys only: the count can then come from an index alone
        return scope.order_by(None).with_entities(*self.obj.__mapper__.primary_key)

    def query_count(self, query, filters=None, select_columns=None):
        return self.count(self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={}))

    def count(self, scope):
        """The rows of `scope` (a query with the view's filters), counted or estimated (PostgreSQL)."""
        threshold = current_app.config.get("LIST_COUNT_ESTIMATE_THRESHOLD") or 0
        if threshold <= 0 or self.session.get_bind().dialect.name != "postgresql":
            return scope.order_by(None).count()
        return list_counts.total(self.session, self._keys(scope), threshold)


def _reader(column):
    """What FAB's _get_attr_value does for one column: a dotted column follows the relations (empty
    when one is missing), a method is called, an Enum shows its value."""
    if "." in column:
        follow = attrgetter(column)

        def read(item):
            try:
                return follow(item)
            except AttributeError:
                return ""
        return read

    def read(item):
        value = getattr(item, column)
        if callable(value):
            return value()
        return value.value if isinstance(value, enum.Enum) else value
    return read


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
                                        widgets, **kwargs)

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
                from app.workflow import status_label

                flash(_l("%(number)s 已不在“%(list)s”中（当前状态：%(status)s），可能已由他人办理",
                         number=row.number, list=self.list_title, status=status_label(row.status)), "warning")
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


def guard_fab_routes(app):
    """Requests that FAB itself would answer with a 500 are answered 404 before they run:
    an action name the view does not declare (`action/<name>/<pk>`, `action_post`, on every model
    view, FAB's own user and role views included), and a page or page size that is not a number."""

    @app.before_request
    def _reject_what_fab_cannot_handle():
        for arg, value in request.args.items():
            if arg.startswith(("page_", "psize_")) and not (value.isascii() and value.isdigit()):
                abort(404)
        endpoint = request.endpoint or ""
        if endpoint.endswith(".action"):
            name = (request.view_args or {}).get("name")
        elif endpoint.endswith(".action_post"):
            name = request.form.get("action")
        else:
            return
        owner = getattr(app.view_functions[endpoint], "__self__", None)
        if owner is None or name not in getattr(owner, "actions", {}):
            abort(404)
