"""Old public URLs keep working: each path a page had before the Dutch URLs (issue 17) is a
rule in the URL map that answers 308 Permanent Redirect to the page's new path.

308 keeps the method and body, so a form posted to an old address (a page cached before an
upgrade) still arrives; the query string is kept too. E-mails already sent, bookmarks and
lesson HTML stored before the change go on working. One table here for the core; a plugin
registers its own old paths with ``redirect_old_paths(app, {...})`` from its
``lms_register_blueprints`` hook.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask
from werkzeug.routing import MapAdapter, Rule

ENDPOINT = "old_urls.redirect"

# old path → new path; an argument is written the same way on both sides (``<id:user_id>``).
CORE: dict[str, str] = {
    "/lang": "/taal",
    "/courses/<course_slug>": "/cursussen/<course_slug>",
    "/courses/<course_slug>/<lesson_slug>": "/cursussen/<course_slug>/<lesson_slug>",
    "/courses/<course_slug>/<lesson_slug>/done": "/cursussen/<course_slug>/<lesson_slug>/afgerond",
    "/courses/<course_slug>/enrol": "/cursussen/<course_slug>/inschrijven",
    "/tracks/<slug>": "/leerroutes/<slug>",
    "/tracks/<slug>/enrol": "/leerroutes/<slug>/inschrijven",
    "/tracks/<slug>/exemptions": "/leerroutes/<slug>/vrijstellingen",
    "/login": "/inloggen",
    "/logout": "/uitloggen",
    "/invitation/<token>": "/uitnodiging/<token>",
    "/account/password": "/account/wachtwoord",
    "/account/language": "/account/taal",
    # the administration
    "/admin/": "/beheer/",
    "/admin/organisations": "/beheer/organisaties",
    "/admin/organisations/<id:org_id>": "/beheer/organisaties/<id:org_id>",
    "/admin/organisations/<id:org_id>/move":
        "/beheer/organisaties/<id:org_id>/verplaatsen",
    "/admin/people": "/beheer/mensen",
    "/admin/people/new": "/beheer/mensen/nieuw",
    "/admin/people/import": "/beheer/mensen/importeren",
    "/admin/people/<id:user_id>": "/beheer/mensen/<id:user_id>",
    "/admin/people/<id:user_id>/active": "/beheer/mensen/<id:user_id>/actief",
    "/admin/people/<id:user_id>/sessions": "/beheer/mensen/<id:user_id>/sessies",
    "/admin/people/<id:user_id>/invitation": "/beheer/mensen/<id:user_id>/uitnodiging",
    "/admin/people/<id:user_id>/roles": "/beheer/mensen/<id:user_id>/rollen",
    "/admin/people/<id:user_id>/roles/<id:role_id>/delete":
        "/beheer/mensen/<id:user_id>/rollen/<id:role_id>/verwijderen",
    "/admin/people/<id:user_id>/mentors": "/beheer/mensen/<id:user_id>/begeleiders",
    "/admin/people/<id:user_id>/mentors/<id:pair_id>/delete":
        "/beheer/mensen/<id:user_id>/begeleiders/<id:pair_id>/verwijderen",
    "/admin/privacy": "/beheer/privacy",
    "/admin/privacy/<id:user_id>/verwijderen": "/beheer/privacy/<id:user_id>/verwijderen",
    "/admin/privacy/<id:user_id>/bewaren": "/beheer/privacy/<id:user_id>/bewaren",
    "/admin/audit": "/beheer/auditlog",
    "/admin/taken/": "/beheer/taken/",
    "/admin/taken/opnieuw": "/beheer/taken/opnieuw",
}

_CONVERTER = re.compile(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>")


def redirect_old_paths(app: Flask, old_to_new: dict[str, str]) -> None:
    """Add a 308 redirect rule for each old path; an old path that is still a page is an error."""
    live = {rule.rule for rule in app.url_map.iter_rules()}
    for old, new in old_to_new.items():
        if old in live:
            raise ValueError(f"old path {old!r} is still a page; it cannot also redirect")
        app.url_map.add(Rule(old, endpoint=ENDPOINT, redirect_to=_target(new)))
        app.extensions.setdefault("old_urls", {})[old] = new


def _target(new: str):
    """The new path with the matched arguments filled in, and the request's query string."""
    def redirect_to(adapter: MapAdapter, **values) -> str:
        path = _CONVERTER.sub(lambda m: quote(str(values[m.group(1)]), safe=""), new)
        query = adapter.query_args
        return f"{path}?{query}" if isinstance(query, str) and query else path
    return redirect_to


def is_old_path(rule: Rule) -> bool:
    """True for a rule added here (tests that walk the URL map skip these)."""
    return rule.endpoint == ENDPOINT
