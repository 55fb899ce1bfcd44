"""The list widget's rows written in Python (replaces the row loop of FAB's
appbuilder/general/widgets/list.html and its lib.btn_crud call per row).

FAB's template writes each cell through Jinja and renders the row buttons once per row; here the
buttons are rendered once per page by the template (with a stand-in key each row's key replaces)
and the rows are joined in Python. The HTML is FAB's, cells escaped the same way, with a label
on each checkbox and on each cell (the phone's cards).
"""
from markupsafe import Markup, escape


def list_rows(rows, pks, columns, formatters, checkbox_label=None, buttons=None, row_key="", row_actions=None,
              labels=None):
    """<tr> for each row: the bulk-action checkbox (when the list has actions), the row's buttons,
    then each column, through its formatter. `buttons` is {"show"/"edit"/"delete": its HTML} with
    `row_key` standing for the row's key; `row_actions(row)` (a view's) names which of edit and
    delete the row allows, where the rules allow them on some rows only. Each cell carries its
    column's label (`labels`), which a phone shows beside the value when the rows become cards."""
    labels = labels or {}
    # a formatter that gives one text per value (app/i18n.py kept_per_request: a state's, a business
    # type's) is asked once per value on the page, not once per row
    cells = [(column, formatters.get(column), {} if getattr(formatters.get(column), "per_value", False) else None,
              f' data-label="{escape(labels.get(column, ""))}"' if column in labels else "") for column in columns]
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
        for column, formatter, texts, data_label in cells:
            value = row[column]
            if texts is not None:
                text = texts.get(value)
                if text is None:
                    text = texts[value] = escape(formatter(value))
            else:
                text = escape(formatter(value) if formatter else value)
            html.append(f"<td{data_label}>{text}</td>")
        html.append("</tr>")
    return Markup("".join(html))
