"""Fixtures for the OIDC plugin's tests: the real test provider (one per session, reset for each
test) and an app configured to use it."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import update

from lms.extensions import db
from lms.models import User

from .provider import TestProvider

CLIENT_ID = "leerpad-test"
CLIENT_SECRET = "test-client-secret-not-for-production"
CALLBACK = "http://localhost/plugins/oidc/callback"  # the Flask test client's host
AFTER_LOGOUT = "http://localhost/inloggen"


def provider_entry(provider: TestProvider, **extra) -> dict:
    """One entry of OIDC_PROVIDERS for the test provider."""
    return {"name": "testconext", "title": "Testconext", "issuer": provider.issuer,
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **extra}


@pytest.fixture(scope="session")
def oidc_provider_server():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with TestProvider() as provider:
        provider.register_client(CLIENT_ID, CLIENT_SECRET, CALLBACK, AFTER_LOGOUT)
        yield provider


@pytest.fixture
def provider(oidc_provider_server):
    """The running provider, with nobody logged in there and no tampering."""
    oidc_provider_server.reset()
    yield oidc_provider_server
    oidc_provider_server.reset()


@pytest.fixture
def oidc_app(app_factory, provider, world):
    """An app using the test provider; just-in-time accounts for ``noorderlicht.nl`` (the
    world's school). Build others with ``make_oidc_app(**entry_fields)``."""
    return make_app(app_factory, provider, world)


@pytest.fixture
def make_oidc_app(app_factory, provider, world):
    def build(**extra):
        return make_app(app_factory, provider, world, **extra)

    return build


def make_app(app_factory, provider, world, **extra):
    """An app whose provider entry is the test provider's, with ``extra`` fields; the world's
    people read English (the source messages), like the other bundled plugins' tests."""
    entry = provider_entry(provider, jit={
        "organisation_claim": "schac_home_organization",
        "organisations": {"noorderlicht.nl": world.school},
        "role_claim": "eduperson_affiliation"})
    entry.update(extra)
    app = app_factory(OIDC_PROVIDERS=[entry])
    with app.app_context():
        db.session.execute(update(User).values(locale="en"))
        db.session.commit()
    return app


class SsoClient:
    """A Flask test client that goes through the provider as a browser would: Leerpad's
    redirect to the provider, the provider's redirect back, Leerpad's callback."""

    def __init__(self, client, provider: TestProvider, lang: str = "en"):
        self.client = client
        self.provider = provider
        client.post("/taal", data={"lang": lang})  # pages before logging in, new accounts

    def go(self, start: str, **query):
        """Follow ``start`` → provider → callback; returns Leerpad's callback response."""
        response = self.client.get(start, query_string=query)
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.location.startswith(self.provider.issuer + "/authorize?")
        at_provider = requests.get(response.location, allow_redirects=False, timeout=10)
        assert at_provider.status_code == 302, at_provider.text
        back = urlsplit(at_provider.headers["Location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
        self.last_callback = f"{back.path}?{back.query}"
        return self.client.get(self.last_callback)

    def login(self, provider: str = "testconext", **query):
        return self.go("/plugins/oidc/login", provider=provider, **query)

    def link(self, provider: str = "testconext"):
        return self.go("/plugins/oidc/koppelen", provider=provider)


@pytest.fixture
def sso(oidc_app, provider):
    """Log in through the provider with a test client of ``oidc_app``."""
    return SsoClient(oidc_app.test_client(), provider)
