"""What replaces Flask-AppBuilder internals on the list pages and the navbar, and why.

Pinned to Flask-AppBuilder 5.3.0 (its templates, widgets and SQLAInterface), Flask 3.1,
SQLAlchemy 2.1 and Jinja2 3.1: on an upgrade, check each replaced method below against the new
release, and measure again (bench/list_views.py for the pages; each override toggled off and on
in turn within one process, CPU time of the six benchmarked list pages at 10,000 applications).
Only what saved at least a tenth of a page's time, or a SQL statement, is kept; what did not pay
was removed (a Flask subclass keeping built URLs, translations looked up once per request and
template texts once per process, label texts per request, the paging and sorting links built in
Python, a lazier filter table, column readers, a lazily made search form, role answers kept per
process: each under 5%, several nothing or less).

list_rows.py      list_rows() replaces the row loop of appbuilder/general/widgets/list.html and its
                  lib.btn_crud call per row: 18-24% of the list pages' CPU time.
menu.py           menu_html() replaces rendering the navbar menu (appbuilder/navbar_menu.html) on
                  every page: 12-20%.
search_widget.py  SearchWidget.__call__ replaces flask_appbuilder.widgets.SearchWidget.__call__:
                  15-18%.
list_interface.py ListInterface replaces SQLAInterface.query (rows first, the view's filters applied
                  once, no count for a short first page, the count read with the rows),
                  apply_all (many-to-one rows joined, collections in one extra SELECT): a fixed
                  1-3 statements per list page against FAB's 13-58 at 10,000 rows
                  (tests/test_queries.py caps them); get_order_columns_list (no sort link on a
                  Python property, which answered 500) and get_values (each row's values keep
                  their row, for a view's row_actions) are not for speed.
list_counts.py    the total counted up to LIST_COUNT_ESTIMATE_THRESHOLD and estimated past it, the
                  planner's estimate kept per scope: keyed by SQLAlchemy's
                  Select._generate_cache_key() (a private API of SQLAlchemy 2.x).

Elsewhere, for the same reason: app/security.py SecurityManager.load_user (FAB's get_user_by_id
with lazy roles) reads the user with roles, groups, unread count, person and unit in one
statement, built once per process (building it per request cost 9% of a list page's CPU time).
"""


def register(app):
    from views.fab_overrides.list_rows import list_rows
    from views.fab_overrides.menu import menu_html

    app.add_template_global(list_rows)
    app.add_template_global(menu_html)
