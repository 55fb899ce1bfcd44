"""Helpers for the two languages. Our msgids are the Chinese texts themselves."""
from flask import g, has_request_context


def chinese(label):
    """The Chinese source text of a lazy_gettext label, whatever the reader's language: official
    forms stay Chinese, and menu names double as permission names, which must never change."""
    args = getattr(label, "_args", None)
    if getattr(label, "_func", None) is not None and args and isinstance(args[0], str):
        return args[0]
    return str(label)


def text(label):
    """A label (lazy_gettext) as text in the request's language, translated once per request: a
    list translates the same few status and type labels in every row."""
    if not has_request_context():
        return str(label)
    memo = g.setdefault("_label_texts", {})
    key = id(label)
    if key not in memo:
        memo[key] = (label, str(label))  # the label is kept, so its id is not reused in this request
    return memo[key][1]
