"""What the list widget's template calls, written in Python: its rows, and its paging and
sorting links.

FAB's list widget writes each cell through Jinja, a few template calls per cell and some hundreds
per page, and builds each of the page's twenty-odd paging and sorting links with a full url_for.
The HTML and the links here are the same as FAB's (app/templates/appbuilder/general/widgets/list.html
for the rows, flask_appbuilder/filters.py for the links), cells escaped the same way.
"""
from urllib.parse import urlencode

from flask import request, url_for
from markupsafe import Markup, escape


def list_rows(rows, pks, columns, formatters, checkbox_label=None, buttons=None, row_key="", row_actions=None,
              labels=None):
    """<tr> for each row: the bulk-action checkbox (when the list has actions), the row's buttons,
    then each column, through its formatter. `buttons` is {"show"/"edit"/"delete": its HTML} with
    `row_key` standing for the row's key; `row_actions(row)` (a view's) names which of edit and
    delete the row allows, where the rules allow them on some rows only. Each cell carries its
    column's label (`labels`), which a phone shows beside the value when the rows become cards."""
    labels = labels or {}
    cells = [(column, formatters.get(column), f' data-label="{escape(labels.get(column, ""))}"' if column in labels
              else "") for column in columns]
    label = escape(checkbox_label) if checkbox_label else None
    shows_buttons = buttons is not None  # the header has a column for them
    buttons = {name: html for name, html in (buttons or {}).items() if html}
    html = []
    for row, pk in zip(rows, pks):
        pk = escape(str(pk))
        html.append("<tr>")
        if label is not None:
            html.append(f'<td class="row-check"><input id="{pk}" class="action_check" name="rowid" value="{pk}"'
                        f' type="checkbox" aria-label="{label}"></td>')
        if shows_buttons:
            allowed = row_actions(row.item) if row_actions else None
            shown = "".join(button for name, button in buttons.items()
                            if allowed is None or name == "show" or name in allowed)
            html.append('<td class="row-buttons"><center><div class="btn-group btn-group-xs" style="display: flex;">'
                        + shown.replace(row_key, pk) + "</div></center></td>")
        for column, formatter, data_label in cells:
            value = row[column]
            html.append(f"<td{data_label}>{escape(formatter(value) if formatter else value)}</td>")
        html.append("</tr>")
    return Markup("".join(html))


LINKS_KEPT = 20_000  # distinct links (page, its query string, the change); past this the memo starts over
_links = {}


def _this_page_with(**changed):
    """This page's URL with some query arguments changed: what FAB's links build with
    url_for(request.endpoint, **view_args, **args), a changed argument keeping its place and a new
    one coming last. A page's links are the same for every request of it, so each is kept."""
    key = (request.script_root, request.endpoint, tuple(request.view_args.items()), request.query_string,
           tuple(changed.items()))
    url = _links.get(key)
    if url is None:
        args = request.args.to_dict()
        args.update(changed)
        # werkzeug's own encoding of a URL's query arguments (werkzeug.urls._urlencode)
        query = urlencode([(k, v) for k, v in args.items() if v is not None], safe="!$'()*,/:;?@")
        url = url_for(request.endpoint, **request.view_args) + "?" + query
        if len(_links) >= LINKS_KEPT:
            _links.clear()
        _links[key] = url
    return url


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
