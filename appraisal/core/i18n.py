"""Language choice: the account's setting, else the session's, else the browser's."""

from flask import current_app, has_request_context, request, session
from flask_babel import LazyString, gettext
from flask_login import current_user

from appraisal.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and scheduler jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) or "en"


def init_i18n(app) -> None:
    babel.init_app(app, locale_selector=select_locale)


class TextLazyString(LazyString):
    """A lazy translation that templates escape like any other text.

    Flask-Babel's LazyString declares ``__html__``, so Jinja would print it unescaped, and
    user data formatted into it (a CSV cell, a department name) would become live HTML.
    """

    def __getattribute__(self, name: str):
        if name == "__html__":
            raise AttributeError(name)
        return super().__getattribute__(name)


def lazy_gettext(string: str, **variables) -> TextLazyString:
    """Like flask_babel.lazy_gettext, but the result is text, never markup."""
    return TextLazyString(gettext, string, **variables)
