"""The home page and the language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user, login_required

from lms.extensions import db
from lms.web.i18n import LANG_COOKIE
from lms.web.safety import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    """What needs this person today: one part per role they hold (``lms.homes``)."""
    from lms.clock import today
    from lms.homes import home_for
    from lms.web.viewlog import render_audited

    home = home_for(current_user, today())
    return render_audited("main/home.html", home.people_shown(), "home", home=home)


@bp.get("/favicon.ico")
def favicon():
    """For programs that ask for /favicon.ico whatever the page links to."""
    return current_app.send_static_file("favicon.ico")


@bp.post("/taal")
def set_language():
    """Remember the chosen language: on the account, and in a cookie for anonymous visitors."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next")) or url_for("main.home")
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
