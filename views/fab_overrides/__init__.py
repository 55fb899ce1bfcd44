"""What replaces Flask-AppBuilder internals on the list pages and the navbar, and why.

Pinned to Flask-AppBuilder 5.3.0 (its list and search widgets, their templates, SQLAInterface),
SQLAlchemy 2.1 and Jinja2 3.1: on an upgrade, check each replaced method below against the new
release and measure again: bench/fab_overrides.py switches each kept override off and on in turn
within one process and compares its CPU time over the six pages of bench/list_views.py (the
machine may be shared: wall times swing, CPU time much less). The figures below are from 2026-12,
10,000 applications on PostgreSQL, two runs each; the statement counts are those
tests/test_queries.py and bench/list_views.py count. An override is kept while it saves 5% or more.

list_rows.py      list_rows() replaces the row loop of appbuilder/general/widgets/list.html and its
                  lib.btn_crud call per row: 18-19% of the list pages' CPU time. A formatter marked
                  per_value (app/i18n.py kept_per_request) is asked once per value on the page.
navbar.py         navbar_html() keeps the whole navbar (FAB's menu with it) per reader: language,
                  user, name, roles, unread count; the sign-out form's CSRF token is put in per
                  page: 17% against rendering the navbar and its menu on every page, about 5%
                  beyond keeping the menu alone per role set (menu_html(), which it replaced).
search_widget.py  SearchWidget.__call__ replaces flask_appbuilder.widgets.SearchWidget.__call__:
                  7-8%.
list_interface.py ListInterface replaces SQLAInterface.query (rows first, the view's filters applied
                  once, no count for a short first page, the count read with the rows) and
                  apply_all (many-to-one rows joined, collections in one extra SELECT): 2-3
                  statements per list page against stock FAB's 13-58 at 10,000 applications.
                  get_filters and get_inner_filters (ListFilters.get_joined_filters and
                  ActiveFilters replace Filters.get_joined_filters and Filters.__init__ for a
                  request's active filters: FAB's works out every column's filters each time,
                  ~1,600 calls, 5-6% of a list or record page's calls, 2026-12 counted) and
                  read_value in get_values (BaseInterface._get_attr_value, the same answers in a
                  third of the calls: ~4% of a list page's calls).
                  get_order_columns_list (no sort link on a Python property, which answered 500)
                  and get_values (each row's values keep their row, for a view's row_actions)
                  are there for correctness, not speed.
list_counts.py    the total counted up to LIST_COUNT_ESTIMATE_THRESHOLD and estimated past it, the
                  planner's estimate kept per scope (one statement fewer per page), keyed by
                  SQLAlchemy's Select._generate_cache_key(), a private API of SQLAlchemy 2.x.

Removed, each saving under 5% once the others were gone (the URLs 3.5%, the filter table 4.1%, the
rest 2.3% or less): a Flask subclass keeping built URLs (Flask.url_for), flask_babel's translations
looked up once per request (Domain.get_translations), template texts translated once per process
(Jinja's gettext), label texts kept per request, the paging and sorting links built in Python
(FAB's TemplateFilters.link_*), a lazier filter table (Filters.__init__), column readers
(get_values), a search form made only when read (ModelView._list), role answers kept per process
(SecurityManager._has_access_builtin_roles). Together they were 17-20% of the pages' CPU time,
about 1 ms a page, each with its own copy of framework internals to keep in step.

Not a replacement but near one: app/i18n.py installs Jinja's gettext callables (Jinja's public
install_gettext_callables, as flask_babel does) with the catalogue kept per request and language;
3% of the list and record pages' CPU time in-process (2026-12, 1M applications, 10 alternating
rounds). The layout's stylesheet and script tags are the project's own templates, kept per process
(views/page_parts.py); no framework method is replaced for them.

Elsewhere, for the statement count: app/security.py SecurityManager.load_user (FAB's reads the
user, then roles and groups lazily) reads the user with roles, groups, unread count, person and
unit in one statement, built once per process (building it per request costs 5-7%); the roles come
as a column of ids and names, their Role rows kept per process and merged unloaded.
"""


def register(app):
    from views.fab_overrides.list_rows import list_rows
    from views.fab_overrides.navbar import navbar_html

    app.add_template_global(list_rows)
    app.add_template_global(navbar_html)
