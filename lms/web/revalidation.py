"""Conditional GET for learner pages: an ETag naming everything a page shows, so a revisit
whose copy is still right costs a validation (``304 Not Modified``) instead of a page.

The tag covers the person (id, name, password version, roles), the language, the navigation
as the plugins give it now (sign-off counts included), this login's CSRF secret and a window
of half the CSRF time limit (so a confirmed copy's forms still post), the day (anything
"today" shows), the release and plugin set, and the database versions the page depends on
(``lms.readmodels.versions``). A pending
flash message always gets a fresh page. Pages are ``private, no-cache``: the browser keeps
them but asks every time.

The worker keeps the page it last gave each person too (``lms.web.pagecache``): a lesson page
asked again is checked with one query (``lms.readmodels.versions.lesson_check``: the login,
the person's name, language and roles, and the versions) and the navigation kept per set of
roles, without loading the person; the same ETag gives the kept page (or 304), any other the
page built again. A navigation with a count (sign-off) is per person, so pages of people
whose navigation has one are always built.
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
    """The main navigation for this request, asked of the plugins once per request; remembered
    per set of roles and language when no item has a count (``role_navigation``)."""
    if "lms_nav_items" not in g:
        from lms.plugins import collect

        items = collect(get_pm().hook.lms_nav_items(user=current_user))
        g.lms_nav_items = sorted(items, key=lambda item: (item.order, str(item.label)))
        if current_user.is_authenticated:
            _by_roles()[(tuple(sorted(current_user.role_names())), str(get_locale()))] = (
                None if any(item.count is not None for item in g.lms_nav_items)
                else _nav_signature(g.lms_nav_items))
    return g.lms_nav_items


def role_navigation(roles: tuple[str, ...], locale: str) -> list | None:
    """The navigation's part of the ETag for people with these roles, as built for one of them
    before (``lms_nav_items`` items follow from the roles: docs/plugins.md); None when it has
    not been built yet or has a count (then it is per person)."""
    return _by_roles().get((roles, locale))


def _by_roles() -> dict:
    return current_app.extensions.setdefault("lms.nav_by_roles", {})


def _nav_signature(items: list) -> list:
    return [(item.endpoint, str(item.label), item.count) for item in items]


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
    return _etag(page, keys, user.id, user.auth_version, user.name,
                 tuple(sorted(user.role_names())), str(get_locale()),
                 _nav_signature(navigation()), versions)


def _etag(page: str, keys: tuple, user_id: int, auth_version: int, name: str,
          roles: tuple[str, ...], locale: str, nav: list, versions: tuple) -> str:
    named = (page, keys, _release(), user_id, auth_version, name, list(roles), locale, nav,
             session.get("csrf_token"), _csrf_window(), today().isoformat(), versions)
    return hashlib.sha256(repr(named).encode()).hexdigest()[:40]


def kept_lesson(course_slug: str, lesson_slug: str, revalidates) -> Response | None:
    """A lesson page asked again, from one query or none: 304 when the browser's copy is
    current, the kept page when the worker's is; None when the page must be built (nothing
    kept, anything changed, not logged in by a session, a message waiting, a query string, a
    lesson type whose page is not the same while the versions are: ``revalidates(type)``
    says). The check's answer is remembered with the kept page while the database's change
    signal vouches for it (``lms.changes``): then no query at all."""
    from lms import changes
    from lms.models.accounts import LoginSession
    from lms.readmodels.versions import lesson_check
    from lms.web.i18n import choose_locale
    from lms.web.pagecache import page_cache
    from lms.web.security import SESSION_SECRET

    cache = page_cache()
    if cache is None or request.query_string or "_flashes" in session:
        return None
    user_id, _, version = (session.get("_user_id") or "").partition(".")
    secret = session.get(SESSION_SECRET)
    if not (user_id.isdigit() and version.isdigit() and secret) or int(user_id) > 2**31 - 1:
        return None
    key = ("lesson", int(user_id), course_slug, lesson_slug)
    kept = cache.get(key)
    if kept is None and not request.if_none_match:
        return None  # a first visit: the page is built, with no query spent on a check
    signal = changes.signal()
    stamp = signal.stamp(int(user_id)) if signal is not None else None
    token = (LoginSession.hash_secret(secret), changes.writes())
    check = _remembered(kept, stamp, token)
    asked = check is None
    if asked:
        check = lesson_check(int(user_id), token[0], course_slug, lesson_slug)
    g.lesson_checked = True  # the browser's copy was compared here: no second versions query
    if check is None or check.auth_version != int(version) or not revalidates(check.type):
        return None
    locale = choose_locale(check.locale)
    nav = role_navigation(check.roles, locale)
    if nav is None:
        return None
    etag = _etag("lesson", (course_slug, lesson_slug), int(user_id), check.auth_version,
                 check.name, check.roles, locale, nav, check.versions)
    if asked and stamp is not None:
        g.lesson_memo = etag, (stamp, token, check)  # for keep_lesson, if the page is built
        cache.remember(key, etag, (stamp, token, check))
    if etag in request.if_none_match:
        return not_modified(etag)
    if kept is None or kept[0] != etag:
        return None
    return tag(current_app.response_class(kept[1], mimetype="text/html"), etag)


def _remembered(kept: tuple | None, stamp: object, token: tuple):
    """The check remembered with the kept page, if the change signal still vouches for it and
    it was asked for this login with as many writes counted."""
    if kept is None or kept[2] is None or stamp is None:
        return None
    was_stamp, was_token, check = kept[2]
    return check if was_stamp == stamp and was_token == token else None


def keep_lesson(course_slug: str, lesson_slug: str, response: Response) -> Response:
    """Keep a freshly built lesson page with its ETag for ``kept_lesson`` (and the check asked
    before it was built, when the page came out as that check expected)."""
    from lms.web.pagecache import page_cache

    cache = page_cache()
    etag = response.get_etag()[0]
    if cache is not None and etag and response.status_code == 200:
        memo = g.get("lesson_memo")
        cache.put(("lesson", current_user.id, course_slug, lesson_slug), etag,
                  response.get_data(), memo[1] if memo and memo[0] == etag else None)
    return response


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
