"""Security promises a visitor's browser relies on: CSRF, headers, cookies, sessions."""
from __future__ import annotations

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.models import User
from tests.builders import user as world_user
from lms.testing import PASSWORD, Auth

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = TOKEN.search(page)
    assert found, page
    return found[1]


def test_post_without_csrf_token_is_refused(app_factory):
    """With CSRF protection on (as in production), a form posted without its token gets 400."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from lms.testing import make_world
        make_world()
    client = app.test_client()
    refused = client.post("/inloggen", data={"email": "admin@example.org", "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/beheer/").status_code == 302  # not logged in
    token = _token(client, "/inloggen")
    accepted = client.post("/inloggen", data={"csrf_token": token, "email": "admin@example.org",
                                           "password": PASSWORD})
    assert accepted.status_code == 302
    for url, data in [("/beheer/mensen/nieuw", {"name": "X", "email": "x@example.org"}),
                      ("/account/wachtwoord", {"current": PASSWORD, "password": "x" * 12,
                                             "confirm": "x" * 12}),
                      ("/uitloggen", {})]:
        assert client.post(url, data=data).status_code == 400, url
    assert client.get("/beheer/").status_code == 200  # still logged in, nothing changed


def test_security_headers_on_every_page(client, world, auth):
    """Pages forbid framing, MIME sniffing and foreign scripts (CSP default-src 'self')."""
    auth.login("admin")
    for url in ["/inloggen", "/account", "/beheer/mensen", "/no-such-page"]:
        response = client.get(url)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite_lax(client, world):
    """The login cookie cannot be read by scripts nor sent along by other sites' forms."""
    response = client.post("/inloggen", data={"email": "learner@example.org", "password": PASSWORD})
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    flags = {part.strip().lower() for part in cookies[0].split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_secure_cookie_behind_https(app_factory):
    """With SESSION_COOKIE_SECURE (behind HTTPS) the cookie is only sent over HTTPS."""
    app = app_factory(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        from lms.testing import make_world
        make_world()
    response = Auth(app.test_client()).login("learner")
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


def test_deactivation_ends_a_running_session(app, client, world, auth):
    """A deactivated person is logged out at their next click."""
    auth.login("learner")
    assert client.get("/account").status_code == 200
    with app.app_context():
        world_user("learner").active = False
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_invitation_page_is_not_cached_nor_leaked(app, client, world):
    """The set-password page, which has the token in its address, is neither cached nor sent
    as a referrer to other pages."""
    from lms.accounts.invitations import invitation_token

    with app.app_context():
        token = invitation_token(world_user("far_learner"))
    response = client.get(f"/uitnodiging/{token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_input_with_a_nul_character_is_refused_before_anything_is_written(app, client, world,
                                                                          auth):
    """U+0000 in a form, a query, a path or a JSON body gets a clear 400, never a 500; the
    database (PostgreSQL cannot store it) is left as it was."""
    auth.login("admin")
    before = _people(app)
    refused = client.post("/beheer/mensen/nieuw", data={"name": "Kees\x00", "email": "k@example.org"})
    assert refused.status_code == 400
    assert "U+0000" in refused.get_data(as_text=True)
    assert _people(app) == before
    assert client.get("/beheer/mensen?q=a%00b").status_code == 400
    assert client.get("/cursussen/a%00b").status_code == 400
    api = client.post("/api/v1/progress", json={"object": "a\u0000", "verb": "completed"})
    assert api.status_code == 400 and "U+0000" in api.get_json()["message"]
    assert client.get("/beheer/mensen?q=kees").status_code == 200


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))
