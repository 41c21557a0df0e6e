"""Dutch first, English second: the locale is the user's choice, remembered."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel, get_locale
from flask_login import current_user

LANG_COOKIE = "lms_lang"


def select_locale() -> str:
    return choose_locale(current_user.locale if getattr(current_user, "is_authenticated", False)
                         else None)


def choose_locale(user_locale: str | None) -> str:
    """The logged-in person's language if it is offered, else the browser's choice (cookie),
    else the default (also used where a page is checked without loading the person)."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if user_locale in languages:
        return user_locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
