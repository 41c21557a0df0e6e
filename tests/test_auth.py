"""Logging in, invitations and the account page, as the person using them sees it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.invitations import invitation_token
from lms.extensions import db
from lms.models import AuditEvent, User
from lms.models.base import utcnow
from tests.builders import user as world_user
from lms.testing import PASSWORD, Auth

NEW_PASSWORD = "a much longer secret"
CSRF = re.compile(r'name="csrf_token"[^>]*>')
LINK = re.compile(r'class="invitation-link">https?://[^/]+(/uitnodiging/[^<]+)<')


def _page(response) -> str:
    return response.get_data(as_text=True)


# --- logging in ----------------------------------------------------------------------------


def test_login_with_the_right_password_reaches_home(client, world, auth):
    """The right e-mail address (any case) and password take a person to the home page."""
    response = client.post("/inloggen", data={"email": " Learner@Example.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_failed_login_does_not_reveal_whether_the_account_exists(client, world, app):
    """Unknown address, wrong password and deactivated account all get the very same page."""
    with app.app_context():
        world_user("other_learner").active = False
        db.session.commit()
    pages = []
    for email, password in [("nobody@example.org", PASSWORD), ("learner@example.org", "wrong one!"),
                            ("other_learner@example.org", PASSWORD)]:
        response = client.post("/inloggen", data={"email": email, "password": password})
        assert response.status_code == 200
        pages.append(CSRF.sub("", _page(response).replace(email, "EMAIL")))
    assert "E-mailadres of wachtwoord is onjuist." in pages[0]
    assert pages[0] == pages[1] == pages[2]
    assert client.get("/").status_code == 302  # still not logged in


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_next_pointing_elsewhere_is_ignored(client, world, target):
    """After logging in, a next= that leaves the site sends the person home instead."""
    response = client.post("/inloggen", query_string={"next": target},
                           data={"email": "learner@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_relative_next_is_followed(client, world):
    """A next= path on this site is where the person lands after logging in."""
    response = client.post("/inloggen?next=/account", data={"email": "learner@example.org",
                                                         "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_logout_ends_the_session(client, world, auth):
    """After logging out, pages ask for a login again."""
    auth.login("learner")
    assert client.get("/account").status_code == 200
    auth.logout()
    assert client.get("/account").status_code == 302


def _bad_login(client, email: str, address: str):
    return client.post("/inloggen", data={"email": email, "password": "not the password"},
                       environ_base={"REMOTE_ADDR": address})


def test_unreachable_throttle_store_neither_fails_logins_nor_stops_throttling(app_factory):
    """With Redis down, logins still work and each process throttles on its own."""
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE="redis://127.0.0.1:9/0")
    with app.app_context():
        from lms.testing import make_world
        make_world()
    client = app.test_client()
    response = client.post("/inloggen", data={"email": "learner@example.org", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/uitloggen")
    for attempt in range(5):
        assert _bad_login(client, "mentor@example.org", "10.0.2.1").status_code == 200
    assert _bad_login(client, "mentor@example.org", "10.0.2.1").status_code == 429


def test_successful_logins_do_not_count_towards_the_throttle(app_factory):
    """A person who logs in and out often is never throttled."""
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        from lms.testing import make_world
        make_world()
    client = app.test_client()
    auth = Auth(client)
    for _ in range(7):
        assert auth.login("learner").status_code == 302
        auth.logout()


# --- the account page ----------------------------------------------------------------------


def test_account_page_shows_own_roles(client, world, auth):
    """A schoolopleider sees both their roles and where they hold them."""
    auth.login("schoolopleider")
    client.post("/account/taal", data={"locale": "en"})
    page = _page(client.get("/account"))
    assert "Schoolopleider — Het Noorderlicht" in page
    assert "Learner — Het Noorderlicht" in page  # role names capitalised


def test_language_choice_is_stored_on_the_account(client, world, auth, app):
    """Choosing English on the account page shows the site in English, also after a new login."""
    auth.login("learner")
    response = client.post("/account/taal", data={"locale": "en"}, follow_redirects=True)
    assert '<html lang="en">' in _page(response)
    with app.app_context():
        assert world_user("learner").locale == "en"
    assert client.post("/account/taal", data={"locale": "fr"}).status_code == 400


def test_password_change_ends_other_sessions_but_keeps_this_one(app, world):
    """Changing the password logs the person out on every other device, not on this one."""
    here, elsewhere = app.test_client(), app.test_client()
    Auth(here).login("learner")
    Auth(elsewhere).login("learner")
    assert elsewhere.get("/account").status_code == 200
    response = here.post("/account/wachtwoord", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert here.get("/account").status_code == 200
    gone = elsewhere.get("/account")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/inloggen")
    fresh = app.test_client()
    assert Auth(fresh).login("learner").status_code == 200  # the old password no longer works
    assert Auth(fresh).login("learner", NEW_PASSWORD).status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.password_change" in actions


@pytest.mark.parametrize("current, new, confirm, field", [
    ("wrong password!", NEW_PASSWORD, NEW_PASSWORD, "current"),
    (PASSWORD, "short", "short", "password"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm"),
])
def test_refused_password_change_changes_nothing(app, client, world, auth, current, new, confirm,
                                                 field):
    """A wrong current password, a short new one or a mismatch is shown at its field."""
    auth.login("learner")
    response = client.post("/account/wachtwoord",
                           data={"current": current, "password": new, "confirm": confirm})
    assert response.status_code == 200
    page = _page(response)
    assert f'id="{field}-error"' in page
    assert f'aria-describedby="{field}-error"' in page or f'{field}-error"' in page
    assert client.get("/account").status_code == 200
    with app.app_context():
        assert world_user("learner").check_password(PASSWORD)


# --- invitations ---------------------------------------------------------------------------


def _invite(client, auth, email="new.teacher@example.org", school=None, who="admin"):
    auth.login(who)
    response = client.post("/beheer/mensen/nieuw", data={
        "name": "New Teacher", "email": email, "organisation": school, "role": "learner"})
    assert response.status_code == 200, _page(response)
    auth.logout()
    match = LINK.search(_page(response))
    assert match, _page(response)
    return match[1]


def test_invitee_sets_a_password_and_is_logged_in(app, client, world, auth):
    """Following the invitation link, a new person chooses a password and lands logged in."""
    link = _invite(client, auth, school=world.school)
    form = client.get(link)
    assert form.status_code == 200
    assert "new.teacher@example.org" in _page(form)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert "New Teacher" in _page(client.get("/"))
    auth.logout()
    assert client.post("/inloggen", data={"email": "new.teacher@example.org",
                                       "password": NEW_PASSWORD}).status_code == 302


def test_invitation_cannot_be_used_twice(client, world, auth):
    """Once the password is set, the same link is refused with a clear message."""
    link = _invite(client, auth, school=world.school)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    auth.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "Deze uitnodiging is al gebruikt." in _page(again)
    post = client.post(link, data={"password": "another long one", "confirm": "another long one"})
    assert post.status_code == 410
    assert Auth(client).login("x", "y").status_code == 200
    assert client.post("/inloggen", data={"email": "new.teacher@example.org",
                                       "password": "another long one"}).status_code == 200


def test_invitation_expires_after_seven_days(app, client, world):
    """A link older than INVITATION_MAX_AGE is refused; a younger one still works."""
    with app.app_context():
        person = world_user("far_learner")
        old = invitation_token(person, issued_at=utcnow() - timedelta(days=7, minutes=1))
        young = invitation_token(person, issued_at=utcnow() - timedelta(days=6, hours=23))
    expired = client.get(f"/uitnodiging/{old}")
    assert expired.status_code == 410
    assert "Deze uitnodiging is verlopen." in _page(expired)
    assert client.post(f"/uitnodiging/{old}", data={
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 410
    assert client.get(f"/uitnodiging/{young}").status_code == 200


def test_tampered_invitation_is_refused(app, client, world):
    """A link with a changed or foreign signature is refused, never a server error."""
    with app.app_context():
        token = invitation_token(world_user("far_learner"))
    payload, stamp, signature = token.split(".")
    forged = ".".join([payload.replace(payload[2], "A" if payload[2] != "A" else "B"), stamp,
                       signature])
    for bad in [forged, token[:-2], "nonsense", token + "x"]:
        response = client.get(f"/uitnodiging/{bad}")
        assert response.status_code == 400, bad
        assert "Deze uitnodigingslink is niet geldig." in _page(response)


def test_invitation_password_rules(client, world, auth):
    """The invitee's password needs ten characters and the same value twice."""
    link = _invite(client, auth, school=world.school)
    short = client.post(link, data={"password": "123456789", "confirm": "123456789"})
    assert short.status_code == 200 and 'id="password-error"' in _page(short)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": "something else"})
    assert mismatch.status_code == 200 and 'id="confirm-error"' in _page(mismatch)
    assert client.get("/").status_code == 302  # not logged in
    assert client.get(link).status_code == 200  # the link still works


def test_deactivated_person_cannot_use_an_invitation(app, client, world):
    """Deactivating an account also stops its invitation link."""
    with app.app_context():
        person = world_user("far_learner")
        token = invitation_token(person)
        person.active = False
        db.session.commit()
    assert client.get(f"/uitnodiging/{token}").status_code == 400


def test_coordinator_invites_within_their_subtree_only(app, client, world, auth):
    """A coordinator creates accounts in their own schools, never elsewhere or as admin."""
    link = _invite(client, auth, email="coordinated@example.org", school=world.school,
                   who="coordinator")
    assert link.startswith("/uitnodiging/")
    auth.login("coordinator")
    page = _page(client.get("/beheer/mensen/nieuw"))
    assert "Het Noorderlicht" in page and "De Zuiderzon" not in page
    assert 'value="admin"' not in page
    far = client.post("/beheer/mensen/nieuw", data={"name": "X", "email": "far@example.org",
                                                 "organisation": world.other_school,
                                                 "role": "learner"})
    as_admin = client.post("/beheer/mensen/nieuw", data={"name": "Y", "email": "boss@example.org",
                                                      "organisation": world.school,
                                                      "role": "admin"})
    assert far.status_code == 200 and as_admin.status_code == 200
    with app.app_context():
        emails = set(db.session.scalars(select(User.email)))
    assert "coordinated@example.org" in emails
    assert not {"far@example.org", "boss@example.org"} & emails
    assert client.get("/beheer/mensen").status_code == 403


def test_the_throttle_page_says_how_long_to_wait(app_factory):
    """A refused login tells the person how many minutes remain, in their language."""
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        from lms.testing import make_world
        make_world()
    client = app.test_client()
    client.set_cookie("lms_lang", "en")
    for _ in range(5):
        _bad_login(client, "mentor@example.org", "10.0.3.1")
    refused = _bad_login(client, "mentor@example.org", "10.0.3.1")
    assert refused.status_code == 429
    waited = re.search(r"Please wait (\d+) minutes? and try again\.", refused.get_data(as_text=True))
    assert waited and 1 <= int(waited[1]) <= 10  # the window that refused, rounded up
