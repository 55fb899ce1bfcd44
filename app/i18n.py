"""Helpers for the two languages. Our msgids are the Chinese texts themselves."""
from flask import g, has_request_context
from flask_babel import Domain, get_locale, get_translations
from jinja2 import pass_context


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


class RequestDomain(Domain):
    """flask_babel's message domain, with the translations looked up once per request and locale:
    flask_babel looks them up afresh for every message (the locale's name built, its cache
    searched), some hundreds of times per page. force_locale switches the locale object, and with
    it the translations."""

    def get_translations(self):
        if not g:  # outside an app context, as flask_babel does
            return super().get_translations()
        locale = get_locale()
        memo = g.get("_translations")
        if memo is None or memo[0] is not locale:
            memo = g._translations = (locale, super().get_translations())
        return memo[1]


TEMPLATE_TEXTS_KEPT = 20_000  # the templates' messages, in both languages, with room to spare


def install(app):
    """The request-level domain, and templates' messages without variables translated once per
    process and language: a catalog never changes while the process runs."""
    babel = app.extensions["babel"].instance
    babel.domain_instance = RequestDomain(domain=babel.domain)
    env, texts = app.jinja_env, {}
    translate = env.globals["gettext"]  # jinja's i18n wrapper over flask_babel (_ resolves to it)

    @pass_context
    def gettext(context, string, **variables):
        if variables:
            return translate(context, string, **variables)
        key = (id(get_translations()), string, context.eval_ctx.autoescape)
        text = texts.get(key)
        if text is None:
            text = translate(context, string)
            if len(texts) < TEMPLATE_TEXTS_KEPT:
                texts[key] = text
        return text

    env.globals["gettext"] = gettext
