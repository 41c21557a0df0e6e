"""Public URLs are Dutch (issue 17); every old English path answers 308 to its new one, and no
page route takes an English word from the old paths again."""
from __future__ import annotations

import re
import uuid

import pytest

from lms.web.old_urls import CORE, is_old_path

SAMPLE = {"id": "7", "uuid": str(uuid.UUID(int=1)), "path": "a/b.css"}
ARGUMENT = re.compile(r"<(?:([a-z_]+)(?:\([^)]*\))?:)?([a-z_]+)>")

# Paths machines hold (API clients, signed credentials, identity providers, calendar apps,
# browsers' caches): they stay as they are, English or not.
MACHINE_FACING = ("/api/", "/assets/", "/.well-known/", "/did.json", "/openbadges/",
                  "/plugins/oidc/login", "/plugins/oidc/callback", "/plugins/oidc/logged-out",
                  "/static/", "/favicon.ico")
MACHINE_FACING_RE = re.compile(r"^/agenda/<[^>]+>\.ics$|^/plugins/[a-z_]+/static/")

# The English words of the old page paths; a page path segment may not be one of them.
ENGLISH = {"courses", "done", "enrol", "tracks", "exemptions", "admin", "organisations",
           "people", "new", "import", "roles", "mentors", "delete", "active", "invitation",
           "sessions", "move", "audit", "login", "logout", "language", "password", "lang",
           "credentials", "submissions", "decision", "file", "lessons", "attempts", "entries",
           "share", "learners", "prompts", "public", "renew", "revoke", "link", "unlink",
           "queue"}  # "download", "account", "privacy" are Dutch words too


def _filled(path: str) -> str:
    return ARGUMENT.sub(lambda m: SAMPLE.get(m.group(1) or "", "voorbeeld"), path)


def test_the_core_table_is_the_one_in_the_url_map(app):
    """Every entry of the core table is a redirect rule of the app."""
    assert CORE.items() <= app.extensions["old_urls"].items()
    assert {r.rule for r in app.url_map.iter_rules() if is_old_path(r)} == set(
        app.extensions["old_urls"])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_old_path_answers_308_to_its_new_page(app, client, method):
    """Old → new for each redirect (core and bundled plugins), GET and POST alike, the query
    string kept, and the new path is a page of the app."""
    adapter = app.url_map.bind("localhost")
    table = app.extensions["old_urls"]
    assert table
    for old, new in table.items():
        response = client.open(_filled(old) + "?volgende=1", method=method)
        assert response.status_code == 308, old
        assert response.headers["Location"] == f"http://localhost{_filled(new)}?volgende=1", old
        assert _page_at(adapter, _filled(new)), new


def _page_at(adapter, path: str) -> str | None:
    """The endpoint of the page at ``path`` (GET or POST), not a redirect."""
    from werkzeug.exceptions import MethodNotAllowed

    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except MethodNotAllowed:
            continue
        return None if endpoint.startswith("old_urls") else endpoint
    return None


def test_a_language_switch_posted_to_the_old_address_still_switches(client):
    """308 keeps the method and the form, so an old form still works."""
    response = client.post("/lang", data={"lang": "en"}, follow_redirects=True)
    assert response.status_code == 200
    assert 'lang="en"' in response.get_data(as_text=True)


def test_no_page_route_has_an_english_word_again(app):
    """Page paths outside the machine-facing list use no English word of the old paths."""
    offending = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if is_old_path(rule) or path.startswith(MACHINE_FACING) or MACHINE_FACING_RE.match(path):
            continue
        segments = [s for s in path.split("/") if s and not s.startswith("<")]
        if ENGLISH & set(segments):
            offending.append(f"{path} ({rule.endpoint})")
    assert offending == []
