"""The login throttle stops guessing without locking the real person out.

Failed logins are counted per account and address (LOGIN_LIMIT), per address (
LOGIN_ADDRESS_LIMIT) and per account (LOGIN_ACCOUNT_LIMIT); a browser the account logged in
from before has its own count and is exempt from the other two. The counters are in the
default store: a SQLite file in the test's instance folder. Addresses vary via REMOTE_ADDR.
"""
from __future__ import annotations

import pytest
from limits import parse_many

from lms.testing import PASSWORD, make_world
from lms.web.security import KNOWN_BROWSER_COOKIE

WRONG = "not the password"


@pytest.fixture
def throttled(app_factory):
    """An app with the throttle on (as in production) and the world's people in it."""
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        make_world()
    return app


def _amount(app, key: str) -> int:
    return min(item.amount for item in parse_many(app.config[key]))


def _login(client, who: str, password: str, address: str):
    return client.post("/inloggen", data={"email": f"{who}@example.org", "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _known_browser(app, who: str, address: str):
    """A browser in which ``who`` logged in (and out) before."""
    browser = app.test_client()
    assert _login(browser, who, PASSWORD, address).status_code == 302
    assert browser.get_cookie(KNOWN_BROWSER_COOKIE, path="/inloggen") is not None
    browser.post("/uitloggen")
    return browser


def test_guessing_one_account_from_one_address_stops_there(throttled):
    """After LOGIN_LIMIT wrong passwords for one account from one address, that account from
    that address gets 429, even with the right password (else the attacker could keep
    guessing). The same person from another address logs in, and so does another account
    from the same address."""
    limit = _amount(throttled, "LOGIN_LIMIT")
    attacker = throttled.test_client()
    for _ in range(limit):
        assert _login(attacker, "learner", WRONG, "10.0.0.1").status_code == 200
    refused = _login(attacker, "learner", WRONG, "10.0.0.1")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert _login(throttled.test_client(), "learner", PASSWORD, "10.0.0.1").status_code == 429
    elsewhere = throttled.test_client()
    assert _login(elsewhere, "learner", PASSWORD, "10.0.0.2").status_code == 302
    colleague = throttled.test_client()  # same school, same address, another account
    assert _login(colleague, "mentor", WRONG, "10.0.0.1").status_code == 200
    assert _login(colleague, "mentor", PASSWORD, "10.0.0.1").status_code == 302


def test_ten_wrong_passwords_do_not_lock_the_owner_out_of_their_own_browser(throttled):
    """Someone else at the same address (a school network) guesses the learner's password:
    the learner's own browser, where they logged in before, still logs in."""
    own_browser = _known_browser(throttled, "learner", "10.0.0.1")
    attacker = throttled.test_client()
    answers = [_login(attacker, "learner", WRONG, "10.0.0.1").status_code for _ in range(10)]
    assert answers.count(429) >= 10 - _amount(throttled, "LOGIN_LIMIT")
    assert _login(own_browser, "learner", PASSWORD, "10.0.0.1").status_code == 302


def test_the_known_browser_has_its_own_limit_too(throttled):
    """Wrong passwords typed in a known browser are throttled as well, on their own count."""
    limit = _amount(throttled, "LOGIN_LIMIT")
    browser = _known_browser(throttled, "learner", "10.0.0.1")
    for _ in range(limit):
        assert _login(browser, "learner", WRONG, "10.0.0.1").status_code == 200
    assert _login(browser, "learner", PASSWORD, "10.0.0.1").status_code == 429
    assert _login(throttled.test_client(), "learner", PASSWORD, "10.0.0.1").status_code == 302


def test_guessing_one_account_from_many_addresses_stops_at_the_account_limit(throttled):
    """Past LOGIN_ACCOUNT_LIMIT wrong passwords from any addresses, browsers new to the
    account get 429; the browser the person logged in from before still gets in."""
    own_browser = _known_browser(throttled, "mentor", "192.0.2.1")
    limit = _amount(throttled, "LOGIN_ACCOUNT_LIMIT")
    for n in range(limit):
        assert _login(throttled.test_client(), "mentor", WRONG, f"10.1.{n // 250}.{n % 250}") \
            .status_code == 200, n
    assert _login(throttled.test_client(), "mentor", WRONG, "10.2.0.1").status_code == 429
    assert _login(throttled.test_client(), "mentor", PASSWORD, "10.2.0.2").status_code == 429
    assert _login(own_browser, "mentor", PASSWORD, "198.51.100.9").status_code == 302
    assert _login(throttled.test_client(), "learner", PASSWORD, "10.2.0.3").status_code == 302


def test_trying_many_accounts_from_one_address_stops_at_the_address_limit(throttled):
    """Past LOGIN_ADDRESS_LIMIT wrong passwords from one address (any accounts), new browsers
    there get 429; a known browser at that address and other addresses are not affected."""
    own_browser = _known_browser(throttled, "coordinator", "10.0.0.7")
    limit = _amount(throttled, "LOGIN_ADDRESS_LIMIT")
    for n in range(limit):
        assert _login(throttled.test_client(), f"guess{n}", WRONG, "10.0.0.7").status_code == 200
    assert _login(throttled.test_client(), "learner", PASSWORD, "10.0.0.7").status_code == 429
    assert _login(own_browser, "coordinator", PASSWORD, "10.0.0.7").status_code == 302
    assert _login(throttled.test_client(), "learner", PASSWORD, "10.0.0.8").status_code == 302


def test_only_wrong_passwords_count(throttled):
    """Successful logins and forms sent without a password are not failed attempts."""
    limit = _amount(throttled, "LOGIN_LIMIT")
    client = throttled.test_client()
    for _ in range(limit + 2):
        assert _login(client, "learner", PASSWORD, "10.0.0.1").status_code == 302
        client.post("/uitloggen")
        assert client.post("/inloggen", data={"email": "learner@example.org"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert _login(client, "learner", WRONG, "10.0.0.1").status_code == 200


def test_a_forged_known_browser_cookie_counts_as_a_new_browser(throttled):
    """A made-up or altered cookie is ignored: no exemption, and no error."""
    limit = _amount(throttled, "LOGIN_LIMIT")
    attacker = throttled.test_client()
    for _ in range(limit):
        _login(attacker, "learner", WRONG, "10.0.0.1")
    real = _known_browser(throttled, "learner", "10.0.0.2").get_cookie(
        KNOWN_BROWSER_COOKIE, path="/inloggen").value
    for forged in ["nonsense", real[:-3] + "abc", "x" * 4000]:
        attacker.set_cookie(KNOWN_BROWSER_COOKIE, forged, path="/inloggen")
        assert _login(attacker, "learner", PASSWORD, "10.0.0.1").status_code == 429, forged


def test_wrong_current_passwords_on_the_account_page_are_throttled(throttled):
    """Someone with a logged-in session (a computer left open) cannot guess the current
    password on /account/password: after LOGIN_LIMIT wrong tries the friendly 429 page, even
    for the right one; another person's account page is not affected."""
    limit = _amount(throttled, "LOGIN_LIMIT")
    client = throttled.test_client()
    assert _login(client, "learner", PASSWORD, "10.0.0.1").status_code == 302
    new = {"password": "a much longer secret", "confirm": "a much longer secret"}
    for _ in range(limit):
        wrong = client.post("/account/wachtwoord", data={"current": "wrong guess!", **new})
        assert wrong.status_code == 200
        assert 'id="current-error"' in wrong.get_data(as_text=True)
    refused = client.post("/account/wachtwoord", data={"current": PASSWORD, **new})
    assert refused.status_code == 429
    assert "Te veel pogingen" in refused.get_data(as_text=True)
    assert client.get("/account").status_code == 200  # still logged in, nothing changed
    other = throttled.test_client()
    assert _login(other, "mentor", PASSWORD, "10.0.0.1").status_code == 302
    assert other.post("/account/wachtwoord", data={"current": PASSWORD, **new}).status_code == 302
