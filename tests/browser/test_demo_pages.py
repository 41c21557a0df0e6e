"""The demo region in Chromium: every printed login reaches its main pages, full of the
region's data, with no WCAG 2.1 A/AA violation (axe-core).

This module also makes the screenshots the README and docs/index.md show (1280x800):

    LMS_SCREENSHOTS=1 pytest tests/browser/test_demo_pages.py
"""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from lms import create_app
from lms.content import SHIPPED_COURSES
from lms.extensions import db
from lms.testing import PG_URL, truncate_all
from tests.browser.helpers import axe_violations, screenshot

pytestmark = pytest.mark.browser

GVS = "/cursussen/goed-van-start"


@pytest.fixture(scope="module")
def live_app(db_template, tmp_path_factory):
    """The app with the shipped courses and the demo region (``lms demo``); the printed
    logins by key in ``app.extensions["tests.logins"]``."""
    from lms.content.importer import import_directory
    from lms.demo import create_demo_data

    base = tmp_path_factory.mktemp("demo")
    if PG_URL:
        url = PG_URL
    else:
        shutil.copy(db_template, base / "demo.sqlite")
        url = f"sqlite:///{base / 'demo.sqlite'}"
    app = create_app({
        "INSTANCE_PATH": base / "instance", "DATABASE_URL": url, "TESTING": True,
        "SECRET_KEY": "browser-test-key", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        import_directory(SHIPPED_COURSES)
        app.extensions["tests.logins"] = {x.key: x for x in create_demo_data()}
        db.session.remove()
    yield app
    if PG_URL:
        truncate_all(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def ids(live_app):
    """The region, the demo schoolopleider's school and the demo learner's waiting hand-in."""
    from lms.models import Organisation, User

    logins = live_app.extensions["tests.logins"]
    with live_app.app_context():
        def person(key):
            return db.session.scalar(select(User).where(User.email == logins[key].email))

        learner = person("deelnemer")
        waiting = db.session.execute(db.text(
            "SELECT id FROM assignment_submission WHERE user_id = :u AND status = 'submitted'"),
            {"u": learner.id}).scalar()
        return {"region": db.session.scalar(select(Organisation.id).where(
                    Organisation.name == "Regio Progressus")),
                "school": person("schoolopleider").orgs_with_role("schoolopleider")[0].id,
                "learner": learner.id, "submission": waiting}


def log_in(page, login) -> None:
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(login.email)
    page.get_by_label("Wachtwoord").fill(login.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/inloggen" not in page.url, f"{login.email} could not log in"


def pages_of(key: str, ids: dict) -> list[tuple[str, str, str | None]]:
    """(page, address, screenshot name or None) a demo person opens."""
    return {
        "deelnemer": [("home", "/", "home"), ("catalogue", "/catalogus", "catalogue"),
                      ("lesson", f"{GVS}/inductiefasen", "lesson"),
                      ("quiz", f"{GVS}/kennischeck", "quiz"), ("leerpad", "/leerpad", "leerpad"),
                      ("logbook", "/plugins/reflection/logboek", None),
                      ("calendar", "/agenda", None)],
        "werkplekbegeleider": [("home", "/", "home-mentor"),
                               ("mentor", "/begeleiding", "mentor"),
                               ("sign-off queue", "/begeleiding/aftekenen", "sign-off-queue"),
                               ("review", f"/plugins/assignment/inleveringen/{ids['submission']}",
                                "review"),
                               ("learner", f"/begeleiding/deelnemer/{ids['learner']}", None)],
        "schoolopleider": [("home", "/", "home-schoolopleider"),
                           ("school", f"/schoolopleider/{ids['school']}", None),
                           ("coverage", f"/schoolopleider/{ids['school']}/dekking", None)],
        "coordinator": [("home", "/", "home-coordinator"),
                        ("report", f"/coordinatie/{ids['region']}", "coordinator")],
        "pdg": [("leerpad", "/leerpad", None)],
        "zij-instromer": [("home", "/", None)],
        "beheerder": [("people", "/beheer/mensen", None), ("audit", "/beheer/auditlog", None)],
    }[key]


@pytest.mark.parametrize("key", ["deelnemer", "werkplekbegeleider", "schoolopleider",
                                 "coordinator", "pdg", "zij-instromer", "beheerder"])
def test_demo_pages_answer_and_pass_axe(page, axe_source, live_app, ids, key):
    """Each page answers 200 with the region's data on it, and axe-core reports nothing."""
    log_in(page, live_app.extensions["tests.logins"][key])
    found = {}
    for name, url, shot in pages_of(key, ids):
        response = page.goto(url)
        assert response.ok, (name, url, response.status)
        if violations := axe_violations(page, axe_source):
            found[f"{name} ({url})"] = violations
        if name == "quiz":
            page.evaluate("document.getElementById('quiz').scrollIntoView(); scrollBy(0, -16)")
        if name == "report":  # past the talent counts, to the learners per route
            page.get_by_role("heading", name="Deelnemers per opleiding").scroll_into_view_if_needed()
            page.evaluate("scrollBy(0, 300)")
        if shot:
            screenshot(page, shot)
    assert found == {}


def test_demo_homes_show_what_needs_each_person(new_page, live_app, ids):
    """The mentor sees mentees and work waiting, the schoolopleider learners behind schedule,
    the coordinator the region's numbers, in the words on the page."""
    logins = live_app.extensions["tests.logins"]
    mentor = new_page()
    log_in(mentor, logins["werkplekbegeleider"])
    text = mentor.locator("main").inner_text()
    assert "Sanne de Vries" in text and "Praktijkopdracht: mijn werkafspraken" in text
    school = new_page()
    log_in(school, logins["schoolopleider"])
    assert "achter" in school.locator("main").inner_text().lower()
    coordinator = new_page()
    log_in(coordinator, logins["coordinator"])
    numbers = coordinator.locator("main").inner_text()
    assert any(len(word) >= 3 and word.isdigit() for word in numbers.split())


def test_login_page_screenshot(page):
    """The login page as a new visitor sees it."""
    page.goto("/inloggen")
    screenshot(page, "login")
    assert page.get_by_label("E-mailadres").is_visible()
