"""A failed login costs the same whether or not the account exists.

What makes a login slow is the password hash (scrypt in production). These tests count how
often the real hash function runs during one login request, by watching the interpreter's
calls into ``hashlib`` (nothing is replaced): once for every attempt, also for an unknown
address, a deactivated account and an account that has no password yet.
"""
from __future__ import annotations

import hashlib
import sys
from contextlib import contextmanager

import pytest

from lms.extensions import db
from lms.testing import PASSWORD, make_world
from tests.builders import user as world_user


@contextmanager
def hash_calls(function):
    """Count the calls of the C function ``function`` (e.g. hashlib.scrypt) in this thread."""
    calls = []

    def profile(frame, event, arg):
        if event == "c_call" and arg is function:
            calls.append(1)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(previous)


def _login(client, email: str, password: str):
    return client.post("/inloggen", data={"email": email, "password": password})


def test_every_failed_login_runs_the_password_hash_once(app, world):
    """Wrong password, unknown address, deactivated account, account without a password: each
    runs the hash exactly once, like a right password does, and gets the same answer."""
    with app.app_context():
        world_user("other_learner").active = False
        world_user("far_learner").password_hash = None  # invited, no password chosen yet
        db.session.commit()
    client = app.test_client()
    cases = [("learner@example.org", "not the password", 200),
             ("nobody@example.org", PASSWORD, 200),
             ("other_learner@example.org", PASSWORD, 200),
             ("far_learner@example.org", PASSWORD, 200),
             ("mentor@example.org", PASSWORD, 302)]
    for email, password, status in cases:
        with hash_calls(hashlib.pbkdf2_hmac) as calls:  # the tests' PASSWORD_HASH_METHOD
            response = _login(client, email, password)
        assert response.status_code == status, email
        assert len(calls) == 1, email
        client.post("/uitloggen")


@pytest.mark.parametrize("method, function", [("scrypt", hashlib.scrypt),
                                              ("pbkdf2:sha256:1000", hashlib.pbkdf2_hmac)])
def test_an_unknown_address_is_checked_with_the_configured_hash_method(app_factory, method,
                                                                       function):
    """The dummy check uses PASSWORD_HASH_METHOD, so it costs what a real account's check
    costs (scrypt in production)."""
    app = app_factory(PASSWORD_HASH_METHOD=method)
    with app.app_context():
        make_world()
    client = app.test_client()
    with hash_calls(function) as calls:
        assert _login(client, "nobody@example.org", "whatever it is").status_code == 200
    assert len(calls) == 1
