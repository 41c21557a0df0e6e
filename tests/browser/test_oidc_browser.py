"""Logging in with the school's account in Debian's Chromium: the full redirect flow between
Leerpad (on 127.0.0.1) and a real OpenID Connect provider (on localhost, another site), both
served on loopback. The faster rules are in leerpad_plugins/oidc/tests; these are the few
journeys a person makes."""
from __future__ import annotations

import logging
import shutil

import pytest
from sqlalchemy import select

from lms import create_app
from lms.accounts.invitations import invitation_token
from lms.extensions import db
from lms.models import RoleAssignment, User
from lms.testing import PG_URL, make_world
from lms.testing import truncate_all as _truncate_all

from leerpad_plugins.oidc.models import OidcIdentity, SsoRequirement
from leerpad_plugins.oidc.tests.provider import TestProvider

from .helpers import login

pytestmark = pytest.mark.browser

CLIENT_ID, CLIENT_SECRET = "leerpad-browser", "browser-test-client-secret"
NEW_TEACHER = {"sub": "surf-7001", "email": "nina@noorderlicht.nl", "email_verified": True,
               "name": "Nina Nieuw", "schac_home_organization": "noorderlicht.nl",
               "eduperson_affiliation": ["employee"]}


@pytest.fixture(scope="module")
def oidc_provider():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with TestProvider(host="localhost") as provider:
        yield provider


@pytest.fixture(scope="module")
def live_app(db_template, tmp_path_factory, oidc_provider):
    """The app with CSRF on and the test world, using the test provider; just-in-time accounts
    for the world's school (``noorderlicht.nl``)."""
    base = tmp_path_factory.mktemp("live-oidc")
    if PG_URL:
        url = PG_URL
    else:
        shutil.copy(db_template, base / "live.sqlite")
        url = f"sqlite:///{base / 'live.sqlite'}"
    config = {"INSTANCE_PATH": base / "instance", "DATABASE_URL": url, "TESTING": True,
              "SECRET_KEY": "browser-test-key", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
              "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False}
    seeding = create_app(config)
    with seeding.app_context():
        world = make_world()
        db.session.remove()
        db.engine.dispose()
    app = create_app({**config, "OIDC_PROVIDERS": [{
        "name": "testconext", "title": "Testconext", "issuer": oidc_provider.issuer,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "jit": {"organisation_claim": "schac_home_organization",
                "organisations": {"noorderlicht.nl": world.school},
                "role_claim": "eduperson_affiliation"}}]})
    app.extensions["tests.world"] = world
    yield app
    if PG_URL:
        _truncate_all(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module", autouse=True)
def registered(live_server, oidc_provider):
    """Leerpad registered at the provider with its live redirect URIs."""
    oidc_provider.register_client(CLIENT_ID, CLIENT_SECRET,
                                  f"{live_server.url}/plugins/oidc/callback",
                                  f"{live_server.url}/inloggen")


@pytest.fixture
def provider(oidc_provider):
    oidc_provider.reset()
    yield oidc_provider
    oidc_provider.reset()


def _sso_button(page):
    return page.get_by_role("link", name="Inloggen met Testconext")


def _heading(page) -> str:
    return page.locator("h1").inner_text()


def test_an_invited_teacher_logs_in_with_the_school_account_and_out_again(
        page, live_app, world, provider):
    """The invitation page offers the school account; one click through the provider logs the
    teacher in. Logging out ends the Leerpad session and offers the provider's logout, which
    brings them back to the login page."""
    with live_app.app_context():
        invitee = User(email="gina@example.org", name="Gina Genodigd")
        db.session.add(invitee)
        db.session.add(RoleAssignment(user=invitee, organisation_id=world.school,
                                      role="learner"))
        db.session.commit()
        token = invitation_token(invitee)
        db.session.remove()
    provider.person = {"sub": "gina-bij-school", "email": "g.genodigd@school.example"}
    page.goto(f"/uitnodiging/{token}")
    with page.expect_navigation(url="**/"):
        _sso_button(page).click()
    assert _heading(page) == "Welkom, Gina Genodigd"
    assert "Je Testconext-account is nu gekoppeld" in page.locator(".flashes").inner_text()

    with page.expect_navigation(url="**/plugins/oidc/logged-out"):
        page.get_by_role("button", name="Uitloggen").click()
    assert _heading(page) == "Je bent uitgelogd bij Leerpad"
    with page.expect_navigation(url="**/inloggen*"):
        page.get_by_role("link", name="Ook uitloggen bij Testconext").click()
    assert provider.ended_sessions[-1]["sub"] == "gina-bij-school"
    page.goto("/")
    assert _heading(page) == "Inloggen"  # the Leerpad session has ended


def test_a_mapped_school_gets_an_account_and_an_unmapped_one_a_clear_refusal(
        new_page, live_app, provider):
    """A teacher of the mapped school gets an account just in time; someone from another
    organisation gets a page saying why, and no account."""
    page = new_page()
    provider.person = NEW_TEACHER
    page.goto("/inloggen")
    with page.expect_navigation(url="**/"):
        _sso_button(page).click()
    assert _heading(page) == "Welkom, Nina Nieuw"

    stranger = new_page()
    provider.person = {**NEW_TEACHER, "sub": "elders-1", "email": "ed@elders.nl",
                       "schac_home_organization": "elders.nl"}
    stranger.goto("/inloggen")
    with stranger.expect_navigation(url="**/plugins/oidc/callback*"):
        _sso_button(stranger).click()
    assert "gebruikt Leerpad nog niet via Testconext" in stranger.get_by_role("alert").inner_text()
    stranger.goto("/")
    assert _heading(stranger) == "Inloggen"
    with live_app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ed@elders.nl")) is None
        db.session.remove()


@pytest.mark.parametrize("tamper", ["signature", "expired", "nonce"])
def test_a_tampered_expired_or_replayed_id_token_is_refused(page, live_app, provider, tamper):
    """An ID token whose payload was changed, that has expired, or that carries another nonce
    is refused: the person sees why and is not logged in."""
    provider.person = {**NEW_TEACHER, "sub": f"tamper-{tamper}", "email": f"{tamper}@noorderlicht.nl"}
    provider.tamper = tamper
    page.goto("/inloggen")
    with page.expect_navigation(url="**/plugins/oidc/callback*"):
        _sso_button(page).click()
    assert "kon niet worden gecontroleerd" in page.get_by_role("alert").inner_text()
    page.goto("/")
    assert _heading(page) == "Inloggen"


def test_linking_and_unlinking_on_the_account_page(page, live_app, world, provider):
    """A learner logged in with a password links the school account on "Mijn account", logs in
    with it, and unlinks it again."""
    login(page, "other_learner")
    page.goto("/account")
    provider.person = {"sub": "other-learner-bij-school", "email": "ol@school.example"}
    with page.expect_navigation(url="**/account"):
        page.get_by_role("link", name="Testconext koppelen").click()
    assert "Je Testconext-account is gekoppeld" in page.locator(".flashes").inner_text()
    unlink = page.get_by_role("button", name="Testconext ontkoppelen")
    assert unlink.is_visible()
    with page.expect_navigation(url="**/account"):
        unlink.click()
    assert "niet meer gekoppeld" in page.locator(".flashes").inner_text()
    assert page.get_by_role("link", name="Testconext koppelen").is_visible()
    with live_app.app_context():
        assert db.session.scalar(select(OidcIdentity).where(
            OidcIdentity.subject == "other-learner-bij-school")) is None
        db.session.remove()


def test_an_sso_only_school_refuses_the_password_and_points_at_the_button(
        page, live_app, world, provider):
    """With the school account required for the school, the password is refused with a message
    pointing at the button, and the button logs the learner in."""
    with live_app.app_context():
        db.session.add(SsoRequirement(organisation_id=world.school))
        db.session.commit()
        db.session.remove()
    try:
        page.goto("/inloggen")
        page.get_by_label("E-mailadres").fill("mentor@example.org")
        page.get_by_label("Wachtwoord").fill("correct horse battery")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "Het Noorderlicht heeft gekozen" in page.locator(".flashes").inner_text()
        assert _heading(page) == "Inloggen"
        provider.person = {"sub": "mentor-bij-school", "email": "mentor@example.org",
                           "email_verified": True}
        with page.expect_navigation(url="**/"):
            _sso_button(page).click()
        assert _heading(page) == "Welkom, Mentor"
    finally:
        with live_app.app_context():
            db.session.delete(db.session.get(SsoRequirement, world.school))
            db.session.commit()
            db.session.remove()
