"""Conditional GET for learner pages: an ETag naming everything a page shows, so a revisit
whose copy is still right costs a validation (``304 Not Modified``) instead of a page.

The tag covers the person (id, name, password version, roles), the language, the navigation
as the plugins give it now (sign-off counts included), this login's CSRF secret and a window
of half the CSRF time limit (so a confirmed copy's forms still post), the day (anything
"today" shows), the release and plugin set, and the database versions the page depends on
(``lms.readmodels.versions``). A pending
flash message always gets a fresh page. Pages are ``private, no-cache``: the browser keeps
them but asks every time.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import time

from flask import Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user

from lms.clock import today
from lms.plugins import get_pm

CACHE_CONTROL = "private, no-cache"


def navigation() -> list:
    """The main navigation for this request, asked of the plugins once per request."""
    if "lms_nav_items" not in g:
        from lms.plugins import collect

        items = collect(get_pm().hook.lms_nav_items(user=current_user))
        g.lms_nav_items = sorted(items, key=lambda item: (item.order, str(item.label)))
    return g.lms_nav_items


def _release() -> str:
    """Leerpad's version and the loaded plugins' versions (templates change with them)."""
    app = current_app
    if "lms.release" not in app.extensions:
        plugins = sorted((name, info.version) for name, info in get_pm(app).lms_plugins.items())
        app.extensions["lms.release"] = repr((importlib.metadata.version("leerpad"), plugins))
    return app.extensions["lms.release"]


def _csrf_window() -> int:
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    return int(time.time() // (limit / 2)) if limit else 0


def page_etag(page: str, versions: tuple, *keys: object) -> str | None:
    """The ETag of ``page`` for the current user; None when pages must not be confirmed
    (debug mode reloads templates)."""
    if current_app.debug or not current_user.is_authenticated:
        return None
    user = current_user
    nav = [(item.endpoint, str(item.label), item.count) for item in navigation()]
    named = (page, keys, _release(), user.id, user.auth_version, user.name,
             sorted(user.role_names()), str(get_locale()), nav,
             session.get("csrf_token"), _csrf_window(), today().isoformat(), versions)
    return hashlib.sha256(repr(named).encode()).hexdigest()[:40]


def confirms(etag: str | None) -> bool:
    """Whether the browser's copy (If-None-Match) is this page and may be confirmed."""
    return bool(etag) and etag in request.if_none_match and "_flashes" not in session


def not_modified(etag: str) -> Response:
    response = current_app.response_class(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def tag(response: Response, etag: str | None) -> Response:
    """Give a freshly built page its ETag (none: the page is built every time)."""
    if etag:
        response.set_etag(etag)
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response
