"""The data side of a list page: FAB's SQLAInterface, reading what a list shows in a fixed number
of statements whatever its length, and its total counted or estimated (list_counts.py)."""
import enum
import inspect
from functools import cached_property, reduce

from flask import current_app
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.utils.base import is_column_dotted
from sqlalchemy.orm import joinedload, selectinload

from views.fab_overrides import list_counts


class ListInterface(SQLAInterface):
    """FAB's interface, with list queries that load what the list shows in a fixed number of
    statements: many-to-one rows joined, collections in one extra SELECT (no per-row queries).

    The total is counted exactly up to LIST_COUNT_ESTIMATE_THRESHOLD rows and estimated past it
    (PostgreSQL only, list_counts.py)."""

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

    def get_order_columns_list(self, list_columns=None):
        """FAB's, without the columns that are plain Python properties (a status label, the
        specialty names): FAB offers a sort link for any attribute that is not a method, and the
        database cannot order by what it does not hold, so such a link answered 500."""
        return [column for column in super().get_order_columns_list(list_columns)
                if not isinstance(inspect.getattr_static(self.obj, column, None), property)]

    def get_values(self, lst, list_columns):
        """FAB's row dicts for the list template, each with its row (`item`): a view's row_actions
        reads it to decide which buttons the row shows (views/fab_overrides/list_rows.py). Each
        value read as FAB's _get_attr_value reads it (see read_value), in a third of its calls."""
        for item in lst:
            yield RowValues({column: read_value(item, column) for column in list_columns}, item)

    def get_filters(self, search_columns=None, search_filters=None):
        """FAB's, as ListFilters: the view's search filters and base filters (FAB makes both with
        this method) join into ActiveFilters, without a table of every column's filters."""
        return ListFilters(self.filter_converter_class, self, search_columns or [], search_filters)

    def get_inner_filters(self, filters):
        """FAB's, without building a filter table (every column's filters, each time) when every
        filter is an inner one already (no dotted column): the same filters, as ActiveFilters."""
        if filters is None:
            return ActiveFilters(self.filter_converter_class, self)
        if not any(is_column_dotted(f.column_name) for f in filters.filters):
            return ActiveFilters(self.filter_converter_class, self, filters.filters, filters.values)
        return super().get_inner_filters(filters)

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
            scope, known = None, None
        else:  # FAB's _apply_inner_all, its steps for a query without column selection
            scope = self.apply_filters(self.session.query(self.obj), self.get_inner_filters(filters))
            ordered = self.apply_order_by(scope, order_column, order_direction, aliases_mapping={},
                                          bypass_many_to_many=True, add_pk=True)
            rows, known = self._page(self.apply_pagination(ordered, page, page_size), scope, page_size)
        if page_size is None or (not page and len(rows) < page_size):
            return len(rows), rows
        if known is not None:
            return known, rows
        if scope is None:
            return self.query_count(self.session.query(self.obj), filters, select_columns), rows
        return self.count(scope), rows

    def _page(self, page_query, scope, page_size):
        """The page's rows, and what PostgreSQL reads with them in the same statement: the text of
        the collections in collection_texts, and the total of a scope seen before (its kept estimate
        far past the threshold, or else its bounded count, the database counting once whatever the
        number of rows). (rows, the total or None)"""
        if not self._postgresql():
            return page_query.options(*self.load_options).all(), None
        threshold = _threshold()
        keys = self._keys(scope) if page_size and threshold > 0 else None
        planned = list_counts.kept_plan(keys) if keys is not None else None
        known = list_counts.far_past(planned, threshold) if planned is not None else None
        counting = planned is not None and known is None
        texts = self._texts
        extra = [sql for _, sql in texts] + ([list_counts.bounded_count(keys, threshold).scalar_subquery()]
                                             if counting else [])
        page_query = page_query.options(*self._page_options)
        if not extra:
            return page_query.all(), known
        read = page_query.add_columns(*extra).all()
        for row in read:
            self._set_texts(row)
        if counting and read:
            known = list_counts.reading(read[0][-1], planned, threshold)
        return [row[0] for row in read], known

    def read_row(self, query, filters):
        """apply_all(query, filters).one_or_none(), on PostgreSQL with the collection_texts read in
        the same statement instead of their collections' own: a record page shows them as its list
        does."""
        if not self.collection_texts or not self._postgresql():
            return self.apply_all(query, filters).one_or_none()
        query = super().apply_all(query, filters).options(*self._page_options)
        row = query.add_columns(*[sql for _, sql in self._texts]).one_or_none()
        return self._set_texts(row) if row is not None else None

    def _set_texts(self, row):
        """The row's object, given the collection texts read after it (row[1:]) as its attributes."""
        for (attribute, _), value in zip(self._texts, row[1:]):
            setattr(row[0], attribute, value)
        return row[0]

    @cached_property
    def _texts(self):
        """[(attribute, its SQL)] of collection_texts, built once: the same expressions every page."""
        return [(attribute, sql()) for attribute, sql in self.collection_texts.values()]

    def _keys(self, scope):
        # the rows in scope, as their keys only: the count can then come from an index alone
        return scope.order_by(None).with_entities(*self.obj.__mapper__.primary_key)

    def _postgresql(self):
        return self.session.get_bind().dialect.name == "postgresql"

    def query_count(self, query, filters=None, select_columns=None):
        return self.count(self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={}))

    def count(self, scope):
        """The rows of `scope` (a query with the view's filters), counted or estimated (PostgreSQL)."""
        threshold = _threshold()
        if threshold <= 0 or not self._postgresql():
            return scope.order_by(None).count()
        return list_counts.total(self.session, self._keys(scope), threshold)


def _threshold():
    return current_app.config.get("LIST_COUNT_ESTIMATE_THRESHOLD") or 0


class RowValues(dict):
    """A row's values for the list template (FAB's dict), with the row itself (`item`)."""

    __slots__ = ("item",)

    def __init__(self, values, item):
        super().__init__(values)
        self.item = item



_MISSING = object()


def read_value(item, column):
    """FAB 5.3's BaseInterface._get_attr_value (a list cell's value), the same answers: a dotted
    column read through its relations ("" when one is missing), a method called, an Enum's value."""
    value = getattr(item, column, _MISSING)
    if value is _MISSING:
        try:
            return reduce(getattr, column.split("."), item)
        except Exception:
            return ""
    if callable(value):
        return value()
    if isinstance(value, enum.Enum):
        return value.value
    return value


class ListFilters(Filters):
    """FAB 5.3's Filters (a view's search filters and base filters, made once per view), whose join
    for a request (get_joined_filters: the active search filters and the base filters, which FAB's
    list and our exports run) is ActiveFilters instead of a new Filters."""

    def get_joined_filters(self, filters):
        return ActiveFilters(self.filter_converter, self.datamodel, self.filters + filters.filters,
                             self.values + filters.values)


class ActiveFilters(Filters):
    """FAB 5.3's Filters holding a request's active filters only. FAB's __init__ also works out
    every column's possible filters (_all_filters, about 1,600 calls for an application), which
    only adding a filter by its index reads: here it is worked out only when read."""

    def __init__(self, filter_converter, datamodel, filters=(), values=()):  # noqa: super() not called: see above
        self.search_columns = []
        self.filter_converter = filter_converter
        self.datamodel = datamodel
        self.filters, self.values = list(filters), list(values)
        self._search_filters = {}

    @property
    def _all_filters(self):
        table = self.__dict__.get("_all_filters_table")
        if table is None:
            table = self.__dict__["_all_filters_table"] = self._get_filters(self.datamodel.get_columns_list())
        return table
