"""New passwords: long enough is not enough, common and easily guessed ones are refused with a
clear message at the field, wherever a password is chosen (invitation link, account page,
command line). Pages are asked for in English (the `lms_lang` cookie / the account's language).
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.accounts.invitations import invitation_token
from lms.commands.users import users_group
from lms.extensions import db
from lms.models import User
from lms.testing import PASSWORD
from tests.builders import user as world_user

TOO_EASY = "This password is too easy to guess"
# Ten characters or more, and each one among the first guesses of an attacker.
GUESSABLE = ["aaaaaaaaaa", "1234567890", "qwertyuiop", "password123", "iloveyou12",
             "wachtwoord123", "leerpad2024", "Welkom2024!"]
GOOD = ["correct horse battery", "mijn fiets staat bij de bakker", "Zomervakantie2024"]


def _invitation(app, client, who: str = "far_learner") -> str:
    with app.app_context():
        person = world_user(who)
        person.password_hash = None
        db.session.commit()
        token = invitation_token(person)
    client.set_cookie("lms_lang", "en")
    return f"/uitnodiging/{token}"


@pytest.mark.parametrize("password", GUESSABLE)
def test_an_invitee_cannot_choose_a_guessable_password(app, client, world, password):
    """"aaaaaaaaaa" and its kind are long enough, and refused at the password field; the
    link keeps working and nothing is stored."""
    link = _invitation(app, client)
    response = client.post(link, data={"password": password, "confirm": password})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="password-error"' in page and TOO_EASY in page
    assert client.get("/account").status_code == 302  # not logged in
    assert client.get(link).status_code == 200
    with app.app_context():
        assert world_user("far_learner").password_hash is None


@pytest.mark.parametrize("password", GOOD)
def test_a_passphrase_is_accepted(app, client, world, password):
    link = _invitation(app, client)
    assert client.post(link, data={"password": password, "confirm": password}).status_code == 302
    client.post("/uitloggen")
    assert client.post("/inloggen", data={"email": "far_learner@example.org",
                                       "password": password}).status_code == 302


def test_the_persons_own_name_and_address_do_not_make_a_password(app, client, world):
    """A password built from the person's name or e-mail address is refused for them."""
    link = _invitation(app, client, "schoolopleider")
    for password in ["schoolopleider", "Schoolopleider2024", "schoolopleider@example.org"]:
        page = client.post(link, data={"password": password, "confirm": password}) \
            .get_data(as_text=True)
        assert TOO_EASY in page, password


def test_changing_to_a_guessable_password_is_refused(app, client, world, auth):
    """On the account page the same rule applies, and the old password stays."""
    auth.login("learner")
    client.post("/account/taal", data={"locale": "en"})
    response = client.post("/account/wachtwoord", data={
        "current": PASSWORD, "password": "Welkom2024!", "confirm": "Welkom2024!"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="password-error"' in page and TOO_EASY in page
    with app.app_context():
        assert world_user("learner").check_password(PASSWORD)


def test_a_very_long_password_is_checked_without_an_error(app, client, world):
    """zxcvbn reads at most 72 characters; a longer password is judged on those and stored."""
    link = _invitation(app, client)
    weak_tail = "correct horse battery staple " * 3 + "a" * 5000
    assert client.post(link, data={"password": weak_tail, "confirm": weak_tail}).status_code == 302
    client.post("/uitloggen")
    assert client.post("/inloggen", data={"email": "far_learner@example.org",
                                       "password": weak_tail}).status_code == 302
    repeated = "a" * 5000
    again = _invitation(app, app.test_client(), "other_learner")
    other = app.test_client()
    other.set_cookie("lms_lang", "en")
    page = other.post(again, data={"password": repeated, "confirm": repeated})
    assert page.status_code == 200 and TOO_EASY in page.get_data(as_text=True)


def test_the_command_line_refuses_a_guessable_password(app, runner, world):
    """`lms users create` says why and creates nobody."""
    result = runner.invoke(users_group, ["create", "--email", "new@example.org", "--name", "N",
                                         "--role", "learner", "--org", "Het Noorderlicht",
                                         "--password", "password123"])
    assert result.exit_code != 0 and TOO_EASY in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None
