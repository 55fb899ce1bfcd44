"""What each replacement of Flask-AppBuilder internals (views/fab_overrides) saves, on PostgreSQL.

    .venv/bin/python bench/fab_overrides.py --database-url 'postgresql+psycopg2://…/regapp_bench_{size}'

The app and the pages of bench/list_views.py (its database, brought to --size applications). Each
override is switched off and on in turn, a few requests of the six pages at a time, within this one
process, and the CPU time of this process is compared: on a shared machine wall times swing with
the other work, CPU time much less, and both states see the same machine. Figures, not assertions.
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

from bench import list_views  # noqa: E402

# FAB's row loop (appbuilder/general/widgets/list.html), with the same buttons, labels and cells
JINJA_ROWS = (
    "{% for item in rows %}{% set pk = pks[loop.index0] %}<tr>{% if checkbox_label %}<td class=\"row-check\">"
    "<input id=\"{{pk}}\" class=\"action_check\" name=\"rowid\" value=\"{{pk}}\" type=\"checkbox\""
    " aria-label=\"{{ checkbox_label }}\"></td>{% endif %}{% if buttons is not none %}"
    "{% set allowed = row_actions(item.item) if row_actions else none %}<td class=\"row-buttons\"><center>"
    "<div class=\"btn-group btn-group-xs\" style=\"display: flex;\">"
    "{% for name, html in buttons.items() if html and (allowed is none or name == 'show' or name in allowed) %}"
    "{{ html | replace(row_key, pk | string) }}{% endfor %}</div></center></td>{% endif %}"
    "{% for col in columns %}{% set formatter = formatters.get(col) %}<td data-label=\"{{ labels.get(col, '') }}\">"
    "{% if formatter %}{{ formatter(item[col]) }}{% else %}{{ item[col] }}{% endif %}</td>{% endfor %}</tr>"
    "{% endfor %}")


def switches(app):
    """{name: (switch off, switch on)}: each override against what FAB does in its place."""
    from flask_appbuilder import widgets
    from markupsafe import Markup

    from app.security import SecurityManager
    from views.base import ScopedModelView
    from flask_wtf.csrf import generate_csrf

    from views.fab_overrides import navbar

    env, rows = app.jinja_env, app.jinja_env.from_string(JINJA_ROWS)
    ours_rows, ours_search = env.globals["list_rows"], ScopedModelView.search_widget
    statement = SecurityManager.__dict__["_user_statement"]

    def jinja_rows(rows_, pks, columns, formatters, checkbox_label=None, buttons=None, row_key="",
                   row_actions=None, labels=None):
        return Markup(rows.render(rows=list(rows_), pks=pks, columns=columns, formatters=formatters,
                                  checkbox_label=checkbox_label, buttons=buttons, row_key=row_key,
                                  row_actions=row_actions, labels=labels or {}))

    return {
        "list_rows": (lambda: env.globals.update(list_rows=jinja_rows), lambda: env.globals.update(list_rows=ours_rows)),
        "navbar_html": (lambda: env.globals.update(navbar_html=lambda: navbar._render(generate_csrf)),
                        lambda: env.globals.update(navbar_html=navbar.navbar_html)),
        "SearchWidget": (lambda: setattr(ScopedModelView, "search_widget", widgets.SearchWidget),
                         lambda: setattr(ScopedModelView, "search_widget", ours_search)),
        "load_user statement kept": (lambda: setattr(SecurityManager, "_user_statement", property(statement.func)),
                                     lambda: setattr(SecurityManager, "_user_statement", statement)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--size", type=int, default=10000, help="applications")
    parser.add_argument("--rounds", type=int, default=10, help="off/on rounds per override (3 requests each)")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgresql"):
        parser.error("a PostgreSQL database is needed: --database-url or DATABASE_URL")
    app, pages = list_views.build_app(list_views.database_for(args.database_url, args.size))
    list_views.prepare(app, args.size)
    clients, targets = {}, []
    for _label, user, ours, _stock in pages:
        client = clients.get(user) or clients.setdefault(user, list_views.sign_in(app, user))
        targets.append((client, ours))

    def six_pages():
        started = time.process_time()
        for client, url in targets:
            assert client.get(url).status_code == 200, url
        return time.process_time() - started

    print(f"  {'override':<26}{'with ms':>9}{'without':>9}{'saves':>8}  (CPU time of the six pages)")
    for name, (off, on) in switches(app).items():
        times = {off: [], on: []}
        for state in (off, on):
            state()
            six_pages()
        for round_ in range(args.rounds):
            for state in ((off, on) if round_ % 2 else (on, off)):
                state()
                times[state] += [six_pages() for _ in range(3)]
        on()
        with_, without = (statistics.median(times[state]) * 1000 for state in (on, off))
        print(f"  {name:<26}{with_:>9.1f}{without:>9.1f}{(without / with_ - 1) * 100:>7.0f}%", flush=True)


if __name__ == "__main__":
    main()
