"""Language choice: the account's setting, else the session's, else the browser's."""

from flask import current_app, request, session
from flask_login import current_user

from appraisal.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) or "en"


def init_i18n(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
