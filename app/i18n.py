"""Helpers for the two languages. Our msgids are the Chinese texts themselves."""
from flask import g, has_app_context
from flask_babel import Domain, get_locale


def chinese(label):
    """The Chinese source text of a lazy_gettext label, whatever the reader's language: official
    forms stay Chinese, and menu names double as permission names, which must never change."""
    args = getattr(label, "_args", None)
    if getattr(label, "_func", None) is not None and args and isinstance(args[0], str):
        return args[0]
    return str(label)


def keep_template_translations_per_request(app):
    """Jinja's _() (flask_babel installs it) looks the catalogue up anew for each text: a page has
    some sixty. Here each request looks it up once, and again only if its language changes
    meanwhile (flask_babel.force_locale, refresh): the same texts, fewer lookups."""
    from flask_babel import get_translations

    def translations():
        if not has_app_context():
            return get_translations()
        locale = get_locale()
        kept = g.get("_template_translations")
        if kept is None or kept[0] is not locale:
            kept = g._template_translations = (locale, get_translations())
        return kept[1]

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # the extension's _ is an alias that looks "gettext" up in the context and, needing the
    # context, has Jinja copy all of it for each text inside a block that sets a variable; the same
    # gettext needing only the evaluation context (autoescape) is spared both
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _newstyle_gettext(
        lambda s: translations().ugettext(s))
    bound = {}

    @app.context_processor
    def template_gettext():
        # each render's _() bound to the catalogue of the language the render starts in: Jinja asks
        # the render's context for "_" and "gettext" before the environment's, so a page's sixty
        # texts skip the language lookup above (a template imported without context, or a FAB
        # widget rendered on its own, still uses it)
        if not has_app_context():
            return {}
        catalogue = translations()
        found = bound.get(id(catalogue))
        if found is None or found[0] is not catalogue:
            found = bound[id(catalogue)] = (catalogue, _newstyle_gettext(catalogue.ugettext))
        return {"gettext": found[1], "_": found[1]}


def keep_lazy_texts_per_request(app):
    """A lazy text (lazy_gettext: FAB's labels and ours) finds its catalogue each time it is shown:
    flask_babel 4.0's Domain asks the request's locale, spells its name and looks the catalogue up
    by it, for each of the forty-odd such texts of a list page. The app's default domain is
    RequestDomain instead, which keeps the catalogue it found for the request's locale."""
    babel = app.extensions["babel"].instance
    # Babel.domain_instance (a werkzeug cached_property) is the domain get_domain() hands out
    babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)


class RequestDomain(Domain):
    """flask_babel's Domain, its catalogue kept for the request and the locale it was found for: a
    language forced meanwhile (force_locale) or chosen again (refresh) is a new locale object, and
    finds its own."""

    def get_translations(self):
        context = g.get("_flask_babel") if has_app_context() else None
        kept = getattr(context, "kept_translations", None)
        if kept is not None and kept[0] is getattr(context, "babel_locale", None):
            return kept[1]
        translations = super().get_translations()
        context = g.get("_flask_babel") if has_app_context() else None
        if context is not None:
            context.kept_translations = (get_locale(), translations)
        return translations


def _newstyle_gettext(lookup):
    """Jinja's newstyle gettext (jinja2.ext, newstyle=True) over one catalogue's lookup: the text
    marked safe where the template autoescapes, then its %(name)s filled in (escaped). It needs only
    the evaluation context (autoescape), and so Jinja passes that, not a copy of the render's context."""
    from jinja2 import pass_eval_context
    from markupsafe import Markup

    @pass_eval_context
    def gettext(eval_ctx, string, **variables):
        text = lookup(string)
        if eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext


def kept_per_request(text_of):
    """text_of(code) -> its text in the UI's language, worked out once per request and language for
    each code: a list's twenty rows show a handful of states and business types, each a lookup in
    the catalogue otherwise. Outside a request, text_of itself."""
    from flask import g, has_request_context
    from flask_babel import get_locale

    name = f"_kept_texts_{id(text_of)}"

    def kept(code):
        if not has_request_context():
            return text_of(code)
        locale = get_locale()
        found = g.get(name)
        if found is None or found[0] is not locale:
            found = (locale, {})
            setattr(g, name, found)
        texts = found[1]
        if code not in texts:
            texts[code] = text_of(code)
        return texts[code]

    kept.__wrapped__ = text_of
    kept.per_value = True  # one text per code: a list's rows may ask once per code (list_rows.py)
    return kept
