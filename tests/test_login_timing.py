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


def test_scrypt_end_to_end_and_a_stored_scrypt_hash_keeps_verifying(app_factory):
    """Production's default method is scrypt: a password set under it is stored as a scrypt
    hash and logs in through the form; after the method changes (as the tests' cheap one
    does), that stored hash still verifies and logs in, and is left as it was."""
    from sqlalchemy import select

    from lms.config import DEFAULTS
    from lms.models import Organisation, User
    from lms.testing import add_user

    assert DEFAULTS["PASSWORD_HASH_METHOD"] == "scrypt"
    app = app_factory(PASSWORD_HASH_METHOD=DEFAULTS["PASSWORD_HASH_METHOD"])
    with app.app_context():
        school = Organisation(kind="school", name="Scryptschool", sector="po")
        db.session.add(school)
        add_user("scrypter", [("learner", school)])
        db.session.commit()
        stored = db.session.scalar(select(User.password_hash)
                                   .where(User.email == "scrypter@example.org"))
    assert stored.startswith("scrypt:")
    with hash_calls(hashlib.scrypt) as calls:
        assert _login(app.test_client(), "scrypter@example.org", PASSWORD).status_code == 302
    assert len(calls) == 1

    cheap = app_factory(PASSWORD_HASH_METHOD="pbkdf2:sha256:1")
    client = cheap.test_client()
    assert _login(client, "scrypter@example.org", "wrong password").status_code == 200
    with hash_calls(hashlib.scrypt) as calls:
        assert _login(client, "scrypter@example.org", PASSWORD).status_code == 302
    assert len(calls) == 1
    assert client.get("/").status_code == 200
    with cheap.app_context():
        assert db.session.scalar(select(User.password_hash)
                                 .where(User.email == "scrypter@example.org")) == stored
