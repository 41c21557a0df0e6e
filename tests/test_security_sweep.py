"""Security sweep over the whole URL map: no route crashes for anyone, every response carries
the security headers and safe cookie flags, every POST needs its CSRF token, every page renders
in Dutch and in English. (bandit runs as its own CI step in .ci/run, not in this suite.)

Routes come from ``tests/route_walk.py``, which fails when a new route has an argument it cannot
fill in, so new pages join the sweep by themselves.
"""
from __future__ import annotations

import re

import pytest

from tests.route_walk import get_routes, post_routes, seed, walk, write_walk_plugin
from lms.testing import PASSWORD, make_world
from lms.web.old_urls import is_old_path
from tests.test_access_matrix import ALLOWED

HTTPS = "https://localhost"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
# Authenticated by a Bearer token, which a browser never sends on its own; a session-cookie
# request to it is CSRF-checked inside the view (lms/web/api.py authenticate()), so an anonymous
# POST without a token gets 401 (no credentials) rather than 400.
TOKEN_ENDPOINTS = {"api.post_progress"}


@pytest.fixture
def sweep_app(app_factory, tmp_path):
    """The production-like app: CSRF on, cookies Secure (behind HTTPS), a plugin with static/."""
    plugins = write_walk_plugin(tmp_path / "walk_plugins")
    return app_factory(WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=True,
                       PLUGINS_DIRS=str(plugins))


@pytest.fixture
def routes(sweep_app):
    """Every rule of the URL map with a URL into seeded data."""
    with sweep_app.app_context():
        world = make_world()
    return walk(sweep_app, seed(sweep_app, world))


class Browser:
    """A test client that talks HTTPS and posts forms with the CSRF token of a page."""

    def __init__(self, app):
        self.client = app.test_client()
        self.problems: list[str] = []  # header and cookie problems of every response so far
        self.cookies_seen = 0

    def _check(self, what: str, response):
        response.get_data()  # buffer the body, then close files (static, send_file)
        response.close()
        self.problems += header_problems(what, response)
        self.cookies_seen += len(response.headers.getlist("Set-Cookie"))
        return response

    def get(self, url: str, **kwargs):
        return self._check(f"GET {url}", self.client.get(url, base_url=HTTPS, **kwargs))

    def post(self, url: str, data: dict, token_from: str | None = None):
        """Post a form as a browser would from the page ``token_from`` (or from the home page,
        without a token); over HTTPS the browser sends the same-origin Referer."""
        if token_from:
            page = self.get(token_from).get_data(as_text=True)
            found = TOKEN.search(page)
            assert found, f"no CSRF token on {token_from}"
            data = {**data, "csrf_token": found[1]}
        referrer = HTTPS + (token_from or "/")
        return self._check(f"POST {url}", self.client.post(url, data=data, base_url=HTTPS,
                                                           headers={"Referer": referrer}))

    def login(self, who: str) -> None:
        response = self.post("/inloggen", {"email": f"{who}@example.org", "password": PASSWORD},
                             token_from="/inloggen")
        assert response.status_code == 302, who

    def choose_language(self, lang: str) -> None:
        assert self.post("/taal", {"lang": lang}, token_from="/account").status_code == 302


def header_problems(what: str, response) -> list[str]:
    """What is missing from one response's security headers and cookie flags."""
    found = []
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    if "default-src 'self'" not in csp:
        found.append(f"{what}: CSP without default-src 'self': {csp!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        found.append(f"{what}: X-Content-Type-Options is {headers.get('X-Content-Type-Options')!r}")
    if headers.get("X-Frame-Options") != "DENY" and "frame-ancestors 'none'" not in csp:
        found.append(f"{what}: may be framed")
    if not headers.get("Referrer-Policy"):
        found.append(f"{what}: no Referrer-Policy")
    for cookie in headers.getlist("Set-Cookie"):
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        for flag in ("httponly", "samesite=lax", "secure"):
            if flag not in flags:
                found.append(f"{what}: cookie {cookie.split('=', 1)[0]} without {flag}")
    return found


def test_the_walk_covers_every_rule(sweep_app, routes):
    """Every rule of the URL map (core and plugins) gets a URL into real data."""
    assert {r.rule for r in routes} == {r.rule for r in sweep_app.url_map.iter_rules()
                                        if not is_old_path(r)}
    walked = {r.endpoint for r in routes}
    assert {"static", "plugin_static", "assets.asset", "quiz.attempt"} <= walked


@pytest.mark.parametrize("who", ["admin", "learner", None])
def test_no_route_fails_and_every_response_is_protected(sweep_app, routes, who):
    """Walking every GET route as admin, as a learner and anonymously: never a 500, and every
    response (pages, redirects, errors, static files, assets) carries the security headers and
    only HttpOnly, SameSite=Lax, Secure cookies."""
    browser = Browser(sweep_app)
    if who:
        browser.login(who)
    failures = []
    for route in get_routes(routes):
        response = browser.get(route.url)
        if response.status_code >= 500:
            failures.append(f"GET {route.url}: {response.status_code}")
    assert failures + browser.problems == []
    assert browser.cookies_seen  # cookie flags were checked on some responses


def test_error_pages_carry_the_headers(app_factory):
    """404, 405 and 500 pages are as protected as normal pages."""
    app = app_factory(PROPAGATE_EXCEPTIONS=False, SESSION_COOKIE_SECURE=True)

    def broken():
        raise RuntimeError("a bug in a view")

    app.add_url_rule("/_broken", "broken", broken)
    client = app.test_client()
    failures = []
    for url, method, status in [("/no-such-page", "GET", 404), ("/uitloggen", "GET", 405),
                                ("/inloggen", "DELETE", 405), ("/_broken", "GET", 500)]:
        response = client.open(url, method=method)
        assert response.status_code == status, url
        failures += header_problems(f"{method} {url}", response)
    assert failures == []


@pytest.mark.parametrize("who", ["admin", None])
def test_every_post_needs_its_csrf_token(sweep_app, routes, who):
    """Every POST rule refuses a form without a CSRF token, logged in or not, and nothing
    happens: the admin is still logged in afterwards (the logout POST was refused too)."""
    browser = Browser(sweep_app)
    if who:
        browser.login(who)
    wrong = []
    for route in post_routes(routes):
        response = browser.post(route.url, data={"name": "x", "lang": "en"})
        allowed = {400} | ({401} if route.endpoint in TOKEN_ENDPOINTS and not who else set())
        if response.status_code not in allowed:
            wrong.append(f"POST {route.url} ({route.endpoint}): {response.status_code}")
    assert wrong + browser.problems == []
    if who:
        assert browser.get("/beheer/").status_code == 200


def _nav_texts(page: str) -> set[str]:
    """The words of the main navigation and the log-out button."""
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page, re.S)
    logout = re.search(r'action="/uitloggen".*?<button[^>]*>([^<]+)</button>', page, re.S)
    texts = set(re.findall(r">([^<>]+)</a>", nav[1])) if nav else set()
    if logout:
        texts.add(logout[1])
    return {t.strip() for t in texts if t.strip()}


def _render_all(browser, routes) -> dict[str, tuple[int, str, str]]:
    pages = {}
    for route in get_routes(routes):
        response = browser.get(route.url, follow_redirects=True)
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        pages[route.endpoint] = (response.status_code, response.mimetype, body)
    return pages


# Pages about one learner that only the learner or their own mentor may see (see
# tests/test_access_matrix.py); the admin gets 403/404 there, itself an HTML page.
NOT_FOR_ADMIN = {endpoint for endpoint, who in ALLOWED.items() if "admin" not in who}
# Capability URLs: only an id nobody can guess opens them (a credential's public page), so
# the walk's value answers 404, for the admin too.
UNGUESSABLE = {"openbadges.public_page"}


def test_every_page_renders_in_dutch_and_in_english(sweep_app, routes):
    """As admin, every HTML page of the walk answers 200 in both languages with the right
    ``<html lang>`` (pages about one learner that are not the admin's business: their error
    page), and the English pages contain no Dutch navigation text."""
    browser = Browser(sweep_app)
    browser.login("admin")
    browser.choose_language("nl")
    dutch = _render_all(browser, routes)
    browser.choose_language("en")
    english = _render_all(browser, routes)
    dutch_nav = _nav_texts(dutch["main.home"][2]) - _nav_texts(english["main.home"][2])
    assert "Uitloggen" in dutch_nav
    wrong = []
    for endpoint, (status, mimetype, page) in sorted(dutch.items()):
        en_status, en_mimetype, en_page = english[endpoint]
        expected = (403, 404) if endpoint in NOT_FOR_ADMIN | UNGUESSABLE else (200,)
        if status not in expected or en_status not in expected:
            wrong.append(f"{endpoint}: {status} in Dutch, {en_status} in English")
        if mimetype != "text/html":
            continue
        if '<html lang="nl">' not in page:
            wrong.append(f'{endpoint}: no <html lang="nl">')
        if '<html lang="en">' not in en_page:
            wrong.append(f'{endpoint}: no <html lang="en">')
        wrong += [f"{endpoint}: Dutch '{text}' in English" for text in dutch_nav
                  if re.search(rf">\s*{re.escape(text)}\s*<", en_page)]
    assert wrong == []
    assert sum(m == "text/html" for _, m, _ in dutch.values()) > 40  # the walk saw the pages
