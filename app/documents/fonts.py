"""The CJK font our PDFs are drawn with.

xhtml2pdf embeds TrueType fonts (``.ttf``, and the first face of a ``.ttc``). The order tried:

1. ``CJK_FONT_PATH`` from app.config (or the environment when the config lacks it); a missing or
   unusable file is logged as an error and the search goes on;
2. ``DEFAULT_FONT_PATHS``: WenQuanYi Micro Hei shipped with the project (``app/documents/fonts/``,
   Apache-2.0, see its COPYRIGHT file), so that every machine draws the same embedded font with
   nothing to install; then the WenQuanYi and AR PL fonts of Debian's packages, then any
   ``instance/fonts/*.ttf|*.ttc`` of the deployment.

Noto CJK is never used: its ``.ttc`` holds PostScript (CFF) outlines, which ReportLab refuses.
Without any usable file the PDFs fall back to ReportLab's CID font STSong-Light, which is NOT
embedded (viewers without Chinese fonts show empty cells); that is logged once per process.
"""
import glob
import logging
import os
import threading
from dataclasses import dataclass

from flask import current_app, has_app_context

log = logging.getLogger(__name__)

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))

# Tried in this order. "{instance}" is the app's instance folder (the project's instance/).
DEFAULT_FONT_PATHS = [
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "fonts", "wqy-microhei.ttc"),
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "{instance}/fonts/*.ttc",
    "{instance}/fonts/*.ttf",
]

EMBEDDED_FAMILY = "cjk"  # the @font-face name the templates declare for the file
FALLBACK_FAMILY = "STSong-Light"  # ReportLab CID font, registered by xhtml2pdf at import
FALLBACK_WARNING = (
    "no TrueType CJK font found; PDFs use STSong-Light which is not embedded; "
    "install the Debian package fonts-wqy-microhei or set CJK_FONT_PATH"
)

# A path goes into CSS as url("..."); these characters cannot appear there unescaped.
_UNSAFE_IN_CSS = set('"\'<>\\\n\r()')
_TRUETYPE_TAGS = (b"\x00\x01\x00\x00", b"true")


@dataclass(frozen=True)
class CjkFont:
    path: str | None  # the TrueType file, or None for the CID fallback
    family: str  # the CSS font-family to use
    embedded: bool  # False: the PDF relies on the reader having Chinese fonts


_cache: dict = {}
_lock = threading.Lock()
_warned = False


def cjk_font(configured=None):
    """The font for PDFs: `configured` (default: CJK_FONT_PATH) or the first usable default.

    The answer is cached per process for each (configured path, instance folder).
    """
    if configured is None:
        configured = _configured_path()
    instance = current_app.instance_path if has_app_context() else os.path.join(BASE_DIR, "instance")
    key = (configured or None, instance)
    font = _cache.get(key)
    if font is None:
        with _lock:
            font = _cache.get(key)
            if font is None:
                font = _cache[key] = _find(configured or None, instance)
    return font


def clear_cache():
    """Forget found fonts and the fallback warning (tests, or after installing a font)."""
    global _warned
    with _lock:
        _cache.clear()
        _warned = False


def _configured_path():
    if has_app_context() and current_app.config.get("CJK_FONT_PATH"):
        return current_app.config["CJK_FONT_PATH"]
    return os.environ.get("CJK_FONT_PATH") or None


def _find(configured, instance):
    global _warned
    if configured:
        problem = _problem(configured)
        if problem is None:
            return CjkFont(os.path.abspath(configured), EMBEDDED_FAMILY, True)
        log.error("CJK_FONT_PATH %s is not usable (%s); looking for another CJK font", configured, problem)
    for pattern in DEFAULT_FONT_PATHS:
        for path in sorted(glob.glob(pattern.replace("{instance}", glob.escape(instance)))):
            if _problem(path) is None:
                return CjkFont(os.path.abspath(path), EMBEDDED_FAMILY, True)
    if not _warned:
        _warned = True
        log.warning(FALLBACK_WARNING)
    return CjkFont(None, FALLBACK_FAMILY, False)


def _problem(path):
    """Why this file cannot be embedded, or None when it can."""
    if "noto" in os.path.basename(path).lower() or "Noto" in path:
        return "Noto CJK has PostScript outlines, which ReportLab cannot embed"
    if not os.path.isfile(path):
        return "no such file"
    if _UNSAFE_IN_CSS & set(path):
        return "the path contains characters that cannot be put into CSS"
    try:
        with open(path, "rb") as f:
            tag = f.read(4)
            if tag == b"ttcf":  # a collection: check its first face, the one xhtml2pdf uses
                f.seek(12)
                f.seek(int.from_bytes(f.read(4), "big"))
                tag = f.read(4)
    except OSError as e:
        return str(e)
    if tag == b"OTTO":
        return "PostScript (CFF) outlines, which ReportLab cannot embed"
    if tag not in _TRUETYPE_TAGS:
        return "not a TrueType font"
    return None
