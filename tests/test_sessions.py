"""Ending sessions: a session cookie that was copied (a shared computer, a stolen laptop, a
proxy log) stops working as soon as its session is ended on the server, by logging out,
deactivation, a password change or an administrator's "log out everywhere"."""
from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts.sessions import MAX_SESSIONS_PER_USER
from lms.extensions import db
from lms.models import AuditEvent, User
from lms.models.accounts import LoginSession
from tests.builders import user as world_user
from lms.testing import PASSWORD, Auth

NEW_PASSWORD = "a much longer secret"


def _logged_in(app, who: str = "learner"):
    client = app.test_client()
    assert Auth(client).login(who).status_code == 302
    return client


def _copy(app, client):
    """Another browser holding a copy of ``client``'s session cookie, as it is now."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _is_logged_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _locale(app, who: str = "learner") -> str:
    with app.app_context():
        return world_user(who).locale


def test_a_cookie_saved_before_logout_no_longer_reads_pages_nor_posts_forms(app, world):
    """After logging out (/uitloggen), a saved copy of the cookie is refused: no page, no form post. The
    person's other device stays logged in (logout ends only this browser's session)."""
    laptop, phone = _logged_in(app), _logged_in(app)
    copy = _copy(app, laptop)
    assert _is_logged_in(copy)  # the copy works while the session lives
    assert laptop.post("/uitloggen").status_code == 302
    assert not _is_logged_in(laptop)
    refused = copy.get("/account")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/inloggen")
    post = copy.post("/account/taal", data={"locale": "en"})
    assert post.status_code == 302 and post.headers["Location"].startswith("/inloggen")
    assert _locale(app) == "nl"  # the form post changed nothing
    assert _is_logged_in(phone)


def test_deactivation_and_reactivation_do_not_bring_old_sessions_back(app, world):
    """An administrator deactivates and reactivates an account: the sessions from before stay
    ended, also a saved copy of a cookie; logging in again works."""
    learner = _logged_in(app)
    copy = _copy(app, learner)
    admin = _logged_in(app, "admin")
    person = world.users["learner"]
    assert admin.post(f"/beheer/mensen/{person}/actief", data={"active": "0"}).status_code == 302
    assert admin.post(f"/beheer/mensen/{person}/actief", data={"active": "1"}).status_code == 302
    with app.app_context():
        assert world_user("learner").active
    assert not _is_logged_in(learner)
    assert not _is_logged_in(copy)
    assert copy.post("/account/taal", data={"locale": "en"}).status_code == 302
    assert _locale(app) == "nl"
    assert Auth(learner).login("learner").status_code == 302
    assert _is_logged_in(learner)


def test_password_change_ends_every_other_session_and_copies_of_this_one(app, world):
    """The browser that changes the password stays logged in with a new session; the other
    device and a copy of the changing browser's cookie from before are logged out."""
    here, elsewhere = _logged_in(app), _logged_in(app)
    copy_of_here = _copy(app, here)
    response = here.post("/account/wachtwoord", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert _is_logged_in(here)
    assert not _is_logged_in(elsewhere)
    assert not _is_logged_in(copy_of_here)
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.user_id == world.users["learner"]))
    assert rows == 1


def test_admin_logs_a_person_out_everywhere(app, world):
    """The button on the person's page ends all their sessions, is audited, and leaves the
    account usable: the person logs in again with their password."""
    laptop, phone = _logged_in(app), _logged_in(app)
    other = _logged_in(app, "other_learner")
    admin = _logged_in(app, "admin")
    person = world.users["learner"]
    page = admin.get(f"/beheer/mensen/{person}").get_data(as_text=True)
    assert f'action="/beheer/mensen/{person}/sessies"' in page
    done = admin.post(f"/beheer/mensen/{person}/sessies", follow_redirects=True)
    assert done.status_code == 200
    assert "Learner" in done.get_data(as_text=True)
    assert not _is_logged_in(laptop) and not _is_logged_in(phone)
    assert _is_logged_in(other) and _is_logged_in(admin)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "account.logout_everywhere")).one()
        assert (event.actor_id, event.subject_id) == (world.users["admin"], person)
        assert event.detail == {"sessions": 2}
    assert Auth(laptop).login("learner").status_code == 302


def test_only_administrators_log_people_out(app, world):
    """A coordinator or the person themselves cannot use the administrator's button."""
    learner = _logged_in(app)
    person = world.users["learner"]
    for who in ("coordinator", "learner"):
        client = learner if who == "learner" else _logged_in(app, who)
        assert client.post(f"/beheer/mensen/{person}/sessies").status_code == 403
    assert _is_logged_in(learner)
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "account.logout_everywhere"))


def test_a_new_invitation_link_ends_the_sessions_of_a_forgotten_password(app, world):
    """Setting a password through a new invitation link (the reset for a forgotten password)
    logs out every device that was still logged in, and logs in the browser that used it."""
    from lms.accounts.invitations import invitation_token

    old_device = _logged_in(app)
    with app.app_context():
        token = invitation_token(world_user("learner"))
    browser = app.test_client()
    done = browser.post(f"/uitnodiging/{token}",
                        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert _is_logged_in(browser)
    assert not _is_logged_in(old_device)


def test_logging_in_on_many_browsers_keeps_only_the_newest_sessions(app, world):
    """Sessions that are never logged out do not pile up: past the limit, the oldest ends."""
    first = _logged_in(app)
    newer = [_logged_in(app) for _ in range(MAX_SESSIONS_PER_USER)]
    assert not _is_logged_in(first)
    assert all(_is_logged_in(client) for client in (newer[0], newer[-1]))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == \
            MAX_SESSIONS_PER_USER


def test_a_deleted_account_ends_its_sessions(app, world):
    """Removing a person from the database removes their sessions with them."""
    learner = _logged_in(app, "far_learner")
    with app.app_context():
        db.session.delete(db.session.get(User, world.users["far_learner"]))
        db.session.commit()
        assert not db.session.scalar(select(func.count()).select_from(LoginSession))
    assert not _is_logged_in(learner)
