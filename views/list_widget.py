"""What the list widget's template calls, written in Python: its rows, and its paging and
sorting links.

FAB's list widget writes each cell through Jinja, a few template calls per cell and some hundreds
per page, and builds each of the page's twenty-odd paging and sorting links with a full url_for.
The HTML and the links here are the same as FAB's (app/templates/appbuilder/general/widgets/list.html
for the rows, flask_appbuilder/filters.py for the links), cells escaped the same way.
"""
from urllib.parse import urlencode

from flask import g, request, url_for
from markupsafe import Markup, escape


def list_rows(rows, pks, columns, formatters, checkbox_label=None, buttons="", row_key=""):
    """<tr> for each row: the bulk-action checkbox (when the list has actions), the row's buttons
    (`buttons` with `row_key` standing for the row's key), then each column, through its formatter."""
    cells = [(column, formatters.get(column)) for column in columns]
    label = escape(checkbox_label) if checkbox_label else None
    html = []
    for row, pk in zip(rows, pks):
        pk = escape(str(pk))
        html.append("<tr>")
        if label is not None:
            html.append(f'<td><input id="{pk}" class="action_check" name="rowid" value="{pk}" type="checkbox"'
                        f' aria-label="{label}"></td>')
        if buttons:
            html.append(buttons.replace(row_key, pk))
        for column, formatter in cells:
            value = row[column]
            html.append(f"<td>{escape(formatter(value) if formatter else value)}</td>")
        html.append("</tr>")
    return Markup("".join(html))


def _this_page_with(**changed):
    """This page's URL with some query arguments changed: what FAB's links build with
    url_for(request.endpoint, **view_args, **args). The path and the arguments that stay are
    encoded once per request; a changed argument keeps its place, a new one comes last."""
    parts = g.get("_list_link_parts")
    if parts is None:
        parts = g._list_link_parts = {}
    names = tuple(changed)
    if names not in parts:
        args = request.args.to_dict()
        slots = [(name, None) if name in changed else (name, _encode([(name, value)])) for name, value in args.items()]
        slots += [(name, None) for name in names if name not in args]
        path = url_for(request.endpoint, **request.view_args)
        parts[names] = (path, slots)
    path, slots = parts[names]
    pieces = (encoded if encoded is not None else _encode([(name, changed[name])]) for name, encoded in slots)
    return path + "?" + "&".join(piece for piece in pieces if piece)


def _encode(pairs):
    # werkzeug's own encoding of a URL's query arguments (werkzeug.urls._urlencode)
    return urlencode([(k, v) for k, v in pairs if v is not None], safe="!$'()*,/:;?@")


def link_order(column, modelview_name):
    """FAB's link_order: sort by `column`, ascending first, then toggling."""
    order, direction = "_oc_" + modelview_name, "_od_" + modelview_name
    if order in request.args:
        return _this_page_with(**{order: column, direction: "desc" if request.args.get(direction) == "asc" else "asc"})
    return _this_page_with(**{order: column, direction: "asc"})


def link_page(page, modelview_name):
    return _this_page_with(**{"page_" + modelview_name: page})


def link_page_size(page_size, modelview_name):
    return _this_page_with(**{"psize_" + modelview_name: page_size})


def register(app):
    app.add_template_global(list_rows)
    app.jinja_env.filters.update(link_order=link_order, link_page=link_page, link_page_size=link_page_size)
