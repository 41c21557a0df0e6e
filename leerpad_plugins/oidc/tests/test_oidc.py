"""Logging in with the school's account, against a real OpenID Connect provider on loopback
(``provider.py``): Leerpad's redirect, the provider's authorize and token endpoints, and
Leerpad's callback, with the Flask test client standing in for the browser."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select, update

from lms.accounts.invitations import invitation_token
from lms.extensions import db
from lms.models import AuditEvent, RoleAssignment, User
from lms.testing import PASSWORD

from leerpad_plugins.oidc.config import ProviderConfigError, parse_providers
from leerpad_plugins.oidc.models import OidcIdentity, SsoRequirement

from .conftest import AFTER_LOGOUT, CALLBACK, CLIENT_ID, CLIENT_SECRET, SsoClient, \
    provider_entry

NEW_TEACHER = {"sub": "surf-0001", "email": "nieuw@noorderlicht.nl", "email_verified": True,
               "name": "Nina Nieuw", "schac_home_organization": "noorderlicht.nl",
               "eduperson_affiliation": ["employee", "member"]}


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _audits(app, action: str) -> list[dict]:
    with app.app_context():
        return [{"subject": e.subject_id, **(e.detail or {})} for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _home(client) -> str:
    """The home page's greeting, or the login page's heading when logged out."""
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1].strip()


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- configuration --------------------------------------------------------------------------------


def test_configuration_mistakes_stop_start_up_with_one_line(app_factory, provider):
    """A wrong provider entry names the provider and the field; claims never grant admin."""
    with pytest.raises(RuntimeError, match=r"provider 'testconext': client_secret is required"):
        app_factory(OIDC_PROVIDERS=[{**provider_entry(provider), "client_secret": ""}])
    with pytest.raises(ProviderConfigError, match="admin is never granted from claims"):
        parse_providers([provider_entry(provider, jit={
            "organisation_claim": "schac_home_organization", "organisations": {"a.nl": 1},
            "role_claim": "eduperson_affiliation", "roles": {"staff": ["learner", "admin"]}})])
    with pytest.raises(ProviderConfigError, match="issuer must be an https URL"):
        parse_providers([{**provider_entry(provider), "issuer": "http://idp.example.org"}])
    with pytest.raises(ProviderConfigError, match="not valid JSON"):
        parse_providers("[{")
    assert parse_providers(json.dumps([provider_entry(provider)]))[0].scopes == (
        "openid", "email", "profile")


def test_the_secret_is_never_shown(oidc_app, world, provider, tmp_path):
    """`lms plugins --settings` hides OIDC_PROVIDERS; the admin page shows the provider without
    its secret, and the redirect URI to register."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=str(tmp_path / "cli"),
               LMS_OIDC_PROVIDERS=json.dumps([provider_entry(provider)]))
    listing = subprocess.run(
        [sys.executable, "-c", "import sys; from lms.cli import main; sys.exit(main())",
         "plugins", "--settings"], env=env, capture_output=True, text=True, timeout=120)
    assert "oidc: LMS_OIDC_PROVIDERS (str, default '') = set (hidden)" in listing.stdout
    assert CLIENT_SECRET not in listing.stdout + listing.stderr
    client = oidc_app.test_client()
    client.post("/inloggen", data={"email": "admin@example.org", "password": PASSWORD})
    page = _text(client.get("/plugins/oidc/beheer"))
    assert provider.issuer in page and "leerpad-test" in page
    assert "http://localhost/plugins/oidc/callback" in page
    assert CLIENT_SECRET not in page


def test_without_providers_the_login_page_is_as_before(app, client):
    """No OIDC_PROVIDERS: no school-account button, and the plugin's links lead nowhere."""
    assert "/plugins/oidc/login" not in _text(client.get("/inloggen"))
    response = client.get("/plugins/oidc/login?provider=testconext")
    assert response.status_code == 302 and response.location.endswith("/inloggen")


def _english(app):
    client = app.test_client()
    client.post("/taal", data={"lang": "en"})
    return client


def test_login_page_offers_each_provider(oidc_app):
    """The login page shows the provider's button, passing `next` on."""
    page = _text(_english(oidc_app).get("/inloggen?next=/leerpad"))
    assert "Log in with your school account" in page
    assert "Log in with Testconext" in page
    assert "/plugins/oidc/login?provider=testconext&amp;next=/leerpad" in page


def test_configured_button_text_in_both_languages(make_oidc_app):
    """A configured button text is shown in the reader's language."""
    app = make_oidc_app(button={"nl": "Inloggen met je instellingsaccount",
                                "en": "Log in with your institution account"})
    client = app.test_client()
    assert "Inloggen met je instellingsaccount" in _text(client.get("/inloggen"))
    client.post("/taal", data={"lang": "en"})
    assert "Log in with your institution account" in _text(client.get("/inloggen"))


# --- logging in -----------------------------------------------------------------------------------


def test_an_invited_person_links_the_school_account_on_first_login(oidc_app, world, provider):
    """The invitation page offers the school account; logging in there links it to the invited
    account (whatever e-mail the provider has), uses up the invitation, and the next login
    needs no invitation."""
    with oidc_app.app_context():
        invitee = User(email="genodigd@example.org", name="Gina Genodigd", locale="en")
        db.session.add(invitee)
        db.session.add(RoleAssignment(user=invitee, organisation_id=world.school,
                                      role="learner"))
        db.session.commit()
        token = invitation_token(invitee)
    sso = SsoClient(oidc_app.test_client(), provider)
    page = _text(sso.client.get(f"/uitnodiging/{token}"))
    assert f"invitation={token}" in page
    provider.person = {"sub": "gina-at-school", "email": "g.genodigd@school.example",
                       "email_verified": False}
    response = sso.login(invitation=token)
    assert response.status_code == 302 and response.location == "/"
    assert _home(sso.client) == "Welcome, Gina Genodigd"
    assert _count(oidc_app, OidcIdentity, OidcIdentity.subject == "gina-at-school") == 1
    assert sso.client.get(f"/uitnodiging/{token}").status_code == 410  # used up
    assert [a["how"] for a in _audits(oidc_app, "oidc.link")] == ["invitation"]

    again = SsoClient(oidc_app.test_client(), provider)
    assert again.login().status_code == 302
    assert _home(again.client) == "Welcome, Gina Genodigd"
    assert [a["how"] for a in _audits(oidc_app, "oidc.login")] == ["invitation", "identity"]


def test_a_verified_email_links_an_existing_account(oidc_app, world, sso, provider):
    """The provider vouches for the learner's address: their account is linked and used."""
    provider.person = {"sub": "learner-sub", "email": "Learner@example.org",
                       "email_verified": True}
    assert sso.login().status_code == 302
    assert _home(sso.client) == "Welcome, Learner"
    with oidc_app.app_context():
        identity = db.session.scalar(select(OidcIdentity))
        assert identity.user_id == world.users["learner"]
        assert (identity.issuer, identity.subject) == (provider.issuer, "learner-sub")


def test_an_unverified_email_neither_links_nor_creates(oidc_app, world, sso, provider):
    """Without email_verified, the same address is not enough: refused, nothing made."""
    provider.person = {"sub": "who-knows", "email": "learner@example.org",
                       "email_verified": False, "schac_home_organization": "noorderlicht.nl",
                       "eduperson_affiliation": "employee"}
    response = sso.login()
    assert response.status_code == 403
    assert "There already is a Leerpad account with your e-mail address" in _text(response)
    assert _count(oidc_app, OidcIdentity) == 0
    assert _count(oidc_app, User, User.email == "learner@example.org") == 1
    assert _home(sso.client) == "Log in"


def test_an_admin_account_is_never_linked_by_email(oidc_app, world, sso, provider):
    """Administrators link on their account page: a verified address does not link them."""
    provider.person = {"sub": "admin-sub", "email": "admin@example.org", "email_verified": True}
    assert sso.login().status_code == 403
    assert _count(oidc_app, OidcIdentity) == 0
    assert _audits(oidc_app, "oidc.login")[-1]["success"] is False


def test_the_identity_is_the_key_not_the_email(oidc_app, world, sso, provider):
    """Once linked, the provider's sub decides: a changed address at the provider still logs
    in the same person, and another sub with the linked address does not."""
    provider.person = {"sub": "learner-sub", "email": "learner@example.org",
                       "email_verified": True}
    sso.login()
    provider.person = {"sub": "learner-sub", "email": "renamed@elsewhere.example",
                       "email_verified": True}
    second = SsoClient(sso.client.application.test_client(), provider)
    second.login()
    assert _home(second.client) == "Welcome, Learner"
    provider.person = {"sub": "an-impostor", "email": "learner@example.org",
                       "email_verified": True}
    third = SsoClient(sso.client.application.test_client(), provider)
    assert third.login().status_code == 403  # the learner has this provider linked already
    assert _home(third.client) == "Log in"


def test_a_mapped_school_gets_accounts_just_in_time(oidc_app, world, sso, provider):
    """A teacher of a mapped school gets an account at that school, as learner only, with
    audit rows; their second login uses the same account."""
    provider.person = NEW_TEACHER
    response = sso.login(next="/leerpad")
    assert response.status_code == 302 and response.location == "/leerpad"
    assert _home(sso.client) == "Welcome, Nina Nieuw"
    user = _user(oidc_app, "nieuw@noorderlicht.nl")
    assert user.password_hash is None
    with oidc_app.app_context():
        roles = {(r.role, r.organisation_id) for r in db.session.scalars(
            select(RoleAssignment).where(RoleAssignment.user_id == user.id))}
    assert roles == {("learner", world.school)}
    assert [a["how"] for a in _audits(oidc_app, "oidc.login")] == ["jit"]
    assert _audits(oidc_app, "account.create")[-1]["subject"] == user.id

    again = SsoClient(oidc_app.test_client(), provider)
    again.login()
    assert _count(oidc_app, User, User.email == "nieuw@noorderlicht.nl") == 1
    assert _home(again.client) == "Welcome, Nina Nieuw"


def test_an_unmapped_organisation_is_refused_with_a_clear_page(oidc_app, world, sso,
                                                                  provider):
    """Someone from an organisation the admin did not map gets a page saying so; no account,
    no identity, a failed-login audit row naming the reason."""
    provider.person = {**NEW_TEACHER, "schac_home_organization": "elders.nl"}
    before = _count(oidc_app, User)
    response = sso.login()
    assert response.status_code == 403
    assert "does not use Leerpad through Testconext yet" in _text(response)
    assert _count(oidc_app, User) == before and _count(oidc_app, OidcIdentity) == 0
    assert _audits(oidc_app, "oidc.login") == [
        {"subject": None, "provider": "testconext", "success": False,
         "reason": "organisation not mapped"}]
    assert _home(sso.client) == "Log in"


def test_an_unmapped_affiliation_is_refused(oidc_app, world, sso, provider):
    """A mapped school, but an affiliation without roles (e.g. only 'affiliate'): refused."""
    provider.person = {**NEW_TEACHER, "eduperson_affiliation": ["affiliate"]}
    response = sso.login()
    assert response.status_code == 403 and "Het Noorderlicht" in _text(response)
    assert _count(oidc_app, User, User.email == NEW_TEACHER["email"]) == 0


def test_roles_beyond_learner_only_when_the_admin_maps_them(make_oidc_app, world, provider):
    """Claims give the learner role by default; 'staff' gives mentor only where mapped."""
    provider.person = {**NEW_TEACHER, "eduperson_affiliation": ["staff"]}
    app = make_oidc_app(jit={"organisation_claim": "schac_home_organization",
                             "organisations": {"noorderlicht.nl": world.school},
                             "role_claim": "eduperson_affiliation",
                             "roles": {"staff": ["learner", "mentor"]}})
    SsoClient(app.test_client(), provider).login()
    user = _user(app, NEW_TEACHER["email"])
    with app.app_context():
        roles = sorted(r.role for r in db.session.scalars(
            select(RoleAssignment).where(RoleAssignment.user_id == user.id)))
    assert roles == ["learner", "mentor"]


def test_jit_is_off_unless_configured(make_oidc_app, world, provider):
    """A provider without `jit` makes no accounts, whatever the claims say."""
    app = make_oidc_app(jit=None)
    provider.person = NEW_TEACHER
    response = SsoClient(app.test_client(), provider).login()
    assert response.status_code == 403
    assert _count(app, User, User.email == NEW_TEACHER["email"]) == 0


def test_a_deactivated_account_is_refused(oidc_app, world, sso, provider):
    """A linked but deactivated account does not log in."""
    provider.person = {"sub": "learner-sub", "email": "learner@example.org",
                       "email_verified": True}
    sso.login()
    with oidc_app.app_context():
        db.session.get(User, world.users["learner"]).active = False
        db.session.commit()
    again = SsoClient(oidc_app.test_client(), provider)
    assert again.login().status_code == 403
    assert _home(again.client) == "Log in"


# --- the provider's answer is checked ----------------------------------------------------------


@pytest.mark.parametrize("tamper", ["signature", "foreign_key", "expired", "nonce", "audience",
                                    "issuer"])
def test_a_bad_id_token_is_refused(oidc_app, world, sso, provider, tamper):
    """A tampered payload, a signature by another key, an expired token, a wrong nonce, another
    audience or issuer: not logged in, nothing created, a failed-login audit row."""
    provider.person = NEW_TEACHER
    provider.tamper = tamper
    response = sso.login()
    assert response.status_code == 400
    assert "could not be verified" in _text(response)
    assert _count(oidc_app, User, User.email == NEW_TEACHER["email"]) == 0
    failure = _audits(oidc_app, "oidc.login")[-1]
    assert failure["success"] is False and failure["reason"].startswith("id_token")
    assert _home(sso.client) == "Log in"


def test_a_callback_is_used_once_and_only_in_its_own_browser(oidc_app, world, sso, provider):
    """Replaying the callback, or bringing it to another browser (a forged login), logs nobody
    in: the state belongs to the session that started the login."""
    provider.person = NEW_TEACHER
    sso.login()
    replay = sso.client.get(sso.last_callback)
    assert replay.status_code == 302 and replay.location.endswith("/inloggen")

    victim = _english(oidc_app)
    attacker = SsoClient(oidc_app.test_client(), provider)
    start = attacker.client.get("/plugins/oidc/login?provider=testconext")
    back = requests.get(start.location, allow_redirects=False, timeout=10).headers["Location"]
    parts = urlsplit(back)
    forged = victim.get(f"{parts.path}?{parts.query}")
    assert forged.status_code == 302 and forged.location.endswith("/inloggen")
    assert _home(victim) == "Log in"


def test_pkce_and_nonce_are_sent(oidc_app, sso, provider):
    """The authorization request carries S256 PKCE, a state and a nonce."""
    start = sso.client.get("/plugins/oidc/login?provider=testconext")
    query = parse_qs(urlsplit(start.location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"] and query["scope"] == ["openid email profile"]


def test_cancelling_at_the_provider(oidc_app, world, sso, provider):
    """Refusing at the provider (access_denied) shows a page, not an error."""
    provider.person = None
    response = sso.login()
    assert response.status_code == 403 and "was cancelled" in _text(response)


def test_an_unreachable_provider_is_a_clear_page(make_oidc_app, world):
    """Discovery that cannot connect: a 503 page that says so, never a 500."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = make_oidc_app(issuer=f"http://127.0.0.1:{port}")
    response = _english(app).get("/plugins/oidc/login?provider=testconext")
    assert response.status_code == 503 and "cannot be reached right now" in _text(response)


# --- linking and unlinking on the account page --------------------------------------------------


def _password_client(app, who="learner"):
    client = app.test_client()
    assert client.post("/inloggen", data={"email": f"{who}@example.org",
                                       "password": PASSWORD}).status_code == 302
    return client


def test_link_and_unlink_on_the_account_page(oidc_app, world, provider):
    """A person logged in with their password links their school account, then logs in with
    it; unlinking removes it, both audited."""
    sso = SsoClient(_password_client(oidc_app), provider)
    page = _text(sso.client.get("/account"))
    assert "School accounts" in page and "/plugins/oidc/koppelen?provider=testconext" in page
    provider.person = {"sub": "learner-at-school", "email": "x@school.example"}
    response = sso.link()
    assert response.status_code == 302 and response.location == "/account"
    page = _text(sso.client.get("/account"))
    assert "Unlink Testconext" in page
    with oidc_app.app_context():
        identity = db.session.scalar(select(OidcIdentity))
        assert identity.user_id == world.users["learner"]

    elsewhere = SsoClient(oidc_app.test_client(), provider)
    elsewhere.login()
    assert _home(elsewhere.client) == "Welcome, Learner"

    response = sso.client.post("/plugins/oidc/ontkoppelen", data={"identity": identity.id})
    assert response.status_code == 302
    assert _count(oidc_app, OidcIdentity) == 0
    assert [a["provider"] for a in _audits(oidc_app, "oidc.unlink")] == ["testconext"]
    assert [a["how"] for a in _audits(oidc_app, "oidc.link")] == ["account page"]


def test_an_identity_linked_to_someone_else_is_not_taken_over(oidc_app, world, provider):
    """Linking a school account that belongs to another Leerpad account is refused."""
    provider.person = {"sub": "shared-sub", "email": "x@school.example"}
    SsoClient(_password_client(oidc_app, "mentor"), provider).link()
    other = SsoClient(_password_client(oidc_app, "learner"), provider)
    other.link()
    page = _text(other.client.get("/account"))
    assert "is linked to another Leerpad account" in page
    with oidc_app.app_context():
        assert db.session.scalar(select(OidcIdentity.user_id)) == world.users["mentor"]


def test_nobody_unlinks_another_persons_identity(oidc_app, world, provider):
    """The unlink form only works on one's own linked accounts."""
    provider.person = {"sub": "mentor-sub"}
    SsoClient(_password_client(oidc_app, "mentor"), provider).link()
    with oidc_app.app_context():
        identity_id = db.session.scalar(select(OidcIdentity.id))
    learner = _password_client(oidc_app, "learner")
    learner.post("/plugins/oidc/ontkoppelen", data={"identity": identity_id})
    assert _count(oidc_app, OidcIdentity) == 1
    assert learner.post("/plugins/oidc/ontkoppelen", data={"identity": "x"}).status_code == 400


def test_the_last_way_to_log_in_cannot_be_unlinked(oidc_app, world, sso, provider):
    """A just-in-time account has no password: its only school account stays linked."""
    provider.person = NEW_TEACHER
    sso.login()
    with oidc_app.app_context():
        identity_id = db.session.scalar(select(OidcIdentity.id))
    response = sso.client.post("/plugins/oidc/ontkoppelen", data={"identity": identity_id},
                               follow_redirects=True)
    assert "the only way you can log in" in _text(response)
    assert _count(oidc_app, OidcIdentity) == 1


# --- schools that require the school account --------------------------------------------------


def _require(app, org_id):
    with app.app_context():
        db.session.add(SsoRequirement(organisation_id=org_id))
        db.session.commit()


def test_an_sso_only_school_refuses_password_login(oidc_app, world):
    """The school's people are refused with a message pointing at the button; other schools'
    people still log in with their password."""
    _require(oidc_app, world.school)
    client = _english(oidc_app)
    response = client.post("/inloggen", data={"email": "learner@example.org", "password": PASSWORD})
    assert response.status_code == 403
    page = _text(response)
    assert "Het Noorderlicht has chosen" in page and "Log in with Testconext" in page
    assert _home(client) == "Log in"
    wrong = client.post("/inloggen", data={"email": "learner@example.org", "password": "wrong!"})
    assert "has chosen" not in _text(wrong)  # a wrong password learns nothing
    assert _password_client(oidc_app, "far_learner")  # De Zuiderzon does not require it


def test_a_board_requirement_covers_its_schools(oidc_app, world):
    """Requiring it for a board covers the people of the schools below it."""
    _require(oidc_app, world.board)
    response = oidc_app.test_client().post(
        "/inloggen", data={"email": "mentor@example.org", "password": PASSWORD})
    assert response.status_code == 403


def test_without_providers_a_requirement_locks_nobody_out(app, world, auth):
    """With no provider configured, the requirement has no effect."""
    _require(app, world.school)
    assert auth.login("learner").status_code == 302


def test_an_invited_person_of_an_sso_only_school_gets_no_password_form(oidc_app, world):
    """The invitation page shows the school-account button instead of the password form."""
    _require(oidc_app, world.school)
    with oidc_app.app_context():
        invitee = User(email="nieuw@example.org", name="Nieuw")
        db.session.add(invitee)
        db.session.add(RoleAssignment(user=invitee, organisation_id=world.school,
                                      role="learner"))
        db.session.commit()
        token = invitation_token(invitee)
    client = _english(oidc_app)
    page = _text(client.get(f"/uitnodiging/{token}"))
    assert 'name="password"' not in page and "Log in with Testconext" in page
    client.post(f"/uitnodiging/{token}", data={"password": "een lang wachtwoord 123",
                                             "confirm": "een lang wachtwoord 123"})
    assert _user(oidc_app, "nieuw@example.org").password_hash is None


def test_admins_set_the_requirement(oidc_app, world):
    """Only administrators see the page and change the requirement, audited."""
    learner = _password_client(oidc_app, "learner")
    assert learner.get("/plugins/oidc/beheer").status_code == 403
    assert learner.post("/plugins/oidc/beheer/vereiste",
                        data={"organisation": world.school, "required": "1"}).status_code == 403
    admin = _password_client(oidc_app, "admin")
    assert admin.post("/plugins/oidc/beheer/vereiste",
                      data={"organisation": world.school, "required": "1"}).status_code == 302
    assert _count(oidc_app, SsoRequirement) == 1
    assert "Allow passwords for Het Noorderlicht" in _text(admin.get("/plugins/oidc/beheer"))
    admin.post("/plugins/oidc/beheer/vereiste",
               data={"organisation": world.school, "required": "0"})
    assert _count(oidc_app, SsoRequirement) == 0
    assert len(_audits(oidc_app, "oidc.require")) == 1
    assert len(_audits(oidc_app, "oidc.unrequire")) == 1


# --- logging out -----------------------------------------------------------------------------------


def test_logout_ends_the_session_and_offers_the_providers_logout(oidc_app, world, sso,
                                                                 provider):
    """After an SSO login, logging out ends the Leerpad session and offers the provider's
    end_session_endpoint (with id_token_hint and the way back), which the provider accepts."""
    provider.person = NEW_TEACHER
    sso.login()
    response = sso.client.post("/uitloggen")
    assert response.status_code == 302 and response.location == "/plugins/oidc/logged-out"
    page = _text(sso.client.get("/plugins/oidc/logged-out"))
    assert _home(sso.client) == "Log in"
    link = re.search(r'href="(http://localhost:\d+/logout\?[^"]+)"', page)[1].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/inloggen"]
    assert query["client_id"] == ["leerpad-test"] and query["id_token_hint"]
    at_provider = requests.get(link, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    assert at_provider.headers["Location"].startswith("http://localhost/inloggen")
    assert provider.ended_sessions[-1]["sub"] == NEW_TEACHER["sub"]


def test_a_password_session_logs_out_as_before(oidc_app, world):
    """Logging out of a password session goes straight to the login page."""
    client = _password_client(oidc_app)
    response = client.post("/uitloggen")
    assert response.location == "/inloggen"


# --- personal data ---------------------------------------------------------------------------------


def test_linked_accounts_are_in_the_export_and_erased(oidc_app, world, sso, provider):
    """"Download my data" lists the linked school accounts; erasing the person removes them."""
    from lms.plugins import get_pm

    provider.person = NEW_TEACHER
    sso.login()
    user = _user(oidc_app, NEW_TEACHER["email"])
    with oidc_app.app_context():
        person = db.session.get(User, user.id)
        exported = next(r for r in get_pm().hook.lms_personal_data(user=person)
                        if r and "linked school accounts" in r)["linked school accounts"]
        assert [{k: v for k, v in row.items() if not k.endswith("_at")} for row in exported] == [
            {"provider": "testconext", "issuer": provider.issuer, "subject": "surf-0001"}]
        assert exported[0]["linked_at"] and exported[0]["last_login_at"]
        get_pm().hook.lms_erase_personal_data(user=person)
        db.session.commit()
    assert _count(oidc_app, OidcIdentity) == 0


def test_two_tabs_of_a_new_person_make_one_account(oidc_app, world, provider):
    """Two logins of the same new teacher started side by side (two tabs) end in one account."""
    provider.person = NEW_TEACHER
    browser = SsoClient(oidc_app.test_client(), provider)
    first = browser.client.get("/plugins/oidc/login?provider=testconext")
    second = browser.client.get("/plugins/oidc/login?provider=testconext")
    backs = [urlsplit(requests.get(r.location, allow_redirects=False, timeout=10)
                      .headers["Location"]) for r in (first, second)]
    for back in backs:
        assert browser.client.get(f"{back.path}?{back.query}").status_code == 302
    assert _count(oidc_app, User, User.email == NEW_TEACHER["email"]) == 1
    assert _count(oidc_app, OidcIdentity) == 1
    assert [a["how"] for a in _audits(oidc_app, "oidc.login")] == ["jit", "identity"]


def test_a_subject_with_control_characters_is_refused(oidc_app, world, sso, provider):
    """A sub that could not be stored as text (a NUL) is refused, not a server error."""
    provider.person = {**NEW_TEACHER, "sub": "bad\x00sub"}
    assert sso.login().status_code == 400
    assert _count(oidc_app, OidcIdentity) == 0


def test_logging_in_as_someone_else_ends_the_previous_session(oidc_app, world, provider):
    """An invitee who opens their link in a browser where someone else is logged in: that
    person's session ends on the server, the invitee is logged in."""
    from lms.models.accounts import LoginSession

    browser = SsoClient(_password_client(oidc_app, "learner"), provider)
    learner_sessions = (LoginSession.user_id == world.users["learner"],)
    assert _count(oidc_app, LoginSession, *learner_sessions) == 1
    with oidc_app.app_context():
        invitee = User(email="tweede@example.org", name="Tweede Persoon", locale="en")
        db.session.add(invitee)
        db.session.commit()
        token = invitation_token(invitee)
    provider.person = {"sub": "tweede-sub"}
    assert browser.login(invitation=token).status_code == 302
    assert _home(browser.client) == "Welcome, Tweede Persoon"
    assert _count(oidc_app, LoginSession, *learner_sessions) == 0


def test_two_providers_side_by_side(app_factory, world, provider):
    """Two providers configured at once (say SURFconext and Entree): the login page offers
    both, each answer is checked against its own provider (a code from one is no good at the
    other), and one account links one identity at each, keyed on (issuer, sub)."""
    from .provider import TestProvider

    with TestProvider() as second:
        second.register_client(CLIENT_ID, CLIENT_SECRET, CALLBACK, AFTER_LOGOUT)
        app = app_factory(OIDC_PROVIDERS=[
            provider_entry(provider),
            {**provider_entry(second), "name": "entreetest", "title": "Entreetest"}])
        with app.app_context():
            db.session.execute(update(User).values(locale="en"))
            db.session.commit()
        page = _text(_english(app).get("/inloggen"))
        assert "Log in with Testconext" in page and "Log in with Entreetest" in page

        provider.person = {"sub": "learner-at-surf", "email": "learner@example.org",
                           "email_verified": True}
        first = SsoClient(app.test_client(), provider)
        assert first.login("testconext").status_code == 302
        assert _home(first.client) == "Welcome, Learner"
        second.person = {"sub": "learner-at-entree"}
        assert SsoClient(first.client, second).link("entreetest").status_code == 302

        # Entree's callback brought to a login started with Testconext: refused.
        crossed = SsoClient(app.test_client(), second)
        at_second = requests.get(crossed.client.get(
            "/plugins/oidc/login?provider=entreetest").location, allow_redirects=False, timeout=10)
        code = parse_qs(urlsplit(at_second.headers["Location"]).query)["code"][0]
        started = crossed.client.get("/plugins/oidc/login?provider=testconext").location
        state = parse_qs(urlsplit(started).query)["state"][0]
        assert crossed.client.get(f"/plugins/oidc/callback?code={code}&state={state}") \
            .status_code == 400
        assert _audits(app, "oidc.login")[-1]["reason"] == "token: invalid_grant"
        assert _home(crossed.client) == "Log in"

        again = SsoClient(app.test_client(), second)
        assert again.login("entreetest").status_code == 302
        assert _home(again.client) == "Welcome, Learner"
    with app.app_context():
        pairs = sorted((i.provider, i.issuer, i.subject, i.user_id)
                       for i in db.session.scalars(select(OidcIdentity)))
    assert pairs == [("entreetest", second.issuer, "learner-at-entree", world.users["learner"]),
                     ("testconext", provider.issuer, "learner-at-surf", world.users["learner"])]
