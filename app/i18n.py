"""Helpers for the two languages. Our msgids are the Chinese texts themselves."""


def chinese(label):
    """The Chinese source text of a lazy_gettext label, whatever the reader's language: official
    forms stay Chinese, and menu names double as permission names, which must never change."""
    args = getattr(label, "_args", None)
    if getattr(label, "_func", None) is not None and args and isinstance(args[0], str):
        return args[0]
    return str(label)
