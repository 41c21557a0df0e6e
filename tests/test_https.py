"""Served over HTTPS, the login cookies are only ever sent over HTTPS and the browser is told
to use HTTPS from then on (HSTS): with HTTPS configured (LMS_HTTPS=1), when the request came
in over HTTPS, or when a trusted proxy (PROXY_FIX) says it did. A forwarded scheme from an
untrusted client changes nothing."""
from __future__ import annotations

import pytest

from lms.testing import PASSWORD, make_world
from lms.web.security import KNOWN_BROWSER_COOKIE

HSTS = "Strict-Transport-Security"


def _app(app_factory, **config):
    app = app_factory(**config)
    with app.app_context():
        make_world()
    return app


def _login(client, **kwargs):
    return client.post("/inloggen", data={"email": "learner@example.org", "password": PASSWORD},
                       **kwargs)


def _flags(response, name: str) -> set[str]:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert cookies, (name, response.headers.getlist("Set-Cookie"))
    return {part.strip().lower() for part in cookies[0].split(";")}


@pytest.mark.parametrize("config, request_kwargs", [
    ({"HTTPS": True}, {}),  # TLS ends before the app; the app is told by configuration
    ({}, {"base_url": "https://leerpad.example"}),  # the request itself is HTTPS
    ({"PROXY_FIX": 1}, {"headers": {"X-Forwarded-Proto": "https"}}),  # a trusted nginx says so
])
def test_over_https_cookies_are_secure_and_hsts_is_sent(app_factory, config, request_kwargs):
    app = _app(app_factory, **config)
    client = app.test_client()
    page = client.get("/inloggen", **request_kwargs)
    assert page.headers[HSTS] == "max-age=31536000"
    response = _login(client, **request_kwargs)
    assert response.status_code == 302
    assert response.headers[HSTS] == "max-age=31536000"
    for name in ("session", KNOWN_BROWSER_COOKIE):
        flags = _flags(response, name)
        assert {"secure", "httponly", "samesite=lax"} <= flags, name


@pytest.mark.parametrize("config, request_kwargs", [
    ({}, {}),  # plain HTTP, e.g. a developer's own machine
    ({}, {"headers": {"X-Forwarded-Proto": "https"}}),  # no PROXY_FIX: the header is ignored
])
def test_over_plain_http_nothing_claims_https(app_factory, config, request_kwargs):
    app = _app(app_factory, **config)
    response = _login(app.test_client(), **request_kwargs)
    assert response.status_code == 302
    assert HSTS not in response.headers
    assert "secure" not in _flags(response, "session")


def test_lms_https_from_the_environment(app_factory, monkeypatch):
    """LMS_HTTPS=1 switches it on, LMS_HTTPS=0 leaves it off (a switch, not a string)."""
    monkeypatch.setenv("LMS_HTTPS", "0")
    assert app_factory().config["HTTPS"] is False
    monkeypatch.setenv("LMS_HTTPS", "1")
    app = app_factory()
    assert app.config["HTTPS"] is True and app.config["SESSION_COOKIE_SECURE"] is True
    with app.test_request_context():
        from flask import url_for

        assert url_for("auth.login", _external=True).startswith("https://")
