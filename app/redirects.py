"""Where a request may send the browser next: only to a page of this site.

Every redirect to an address that came with the request (a `next` parameter or form field, the
Referer) goes through `safe_target`. Browsers read a Location header generously: they drop tabs
and newlines anywhere in it, take a backslash for a slash, and send `//host/…` to another site.
So a target with any control or invisible formatting character, or any backslash, is refused
outright rather than cleaned up; what is left must be one slash followed by a path, or an http(s)
address on this very host (FAB's login links carry `next=<the full URL>`), which becomes its path.
"""
import unicodedata
from urllib.parse import urlsplit

from flask import request
from werkzeug.urls import iri_to_uri


def safe_target(target, fallback):
    """`target` as a path on this site (non-ASCII percent-encoded for the header), or `fallback`."""
    if not isinstance(target, str) or "\\" in target or has_hidden_characters(target):
        return fallback
    if not target.startswith("/"):
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return fallback
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    return iri_to_uri(target)


def back(fallback):
    """The page this request came from (the Referer) if it is one of this site's, else `fallback`."""
    return safe_target(request.referrer, fallback)


def has_hidden_characters(text):
    return any(unicodedata.category(ch)[0] == "C" for ch in text)
