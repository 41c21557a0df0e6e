"""axe-core finds no WCAG 2.1 A/AA violations on any main page, for every role, with real
content on the pages (progress, quiz results, hand-ins, notifications, reports).

The screenshots in docs/screenshots/ come from the demo region instead
(tests/browser/test_demo_pages.py).
"""
from __future__ import annotations

import pytest

from lms.extensions import db
from tests.browser import seed
from tests.browser.helpers import axe_violations, login
from tests.builders import user

pytestmark = pytest.mark.browser

GVS = "/cursussen/goed-van-start"
NAMES = {"learner": "Sanne de Vries", "other_learner": "Yusuf Bakker", "mentor": "Karin Jansen",
         "schoolopleider": "Peter Visser", "coordinator": "Anouk Smit", "admin": "Beheer Regio"}


@pytest.fixture(scope="module")
def ids(live_app, world):
    """A learner halfway the induction track, with a failed quiz, a shared reflection, work
    returned once and handed in again, hours, a goal and a competence confirmation asked for;
    others in other tracks. Returns the ids the pages need."""
    with live_app.app_context():
        for who, name in NAMES.items():
            user(who).name = name
        db.session.commit()
        seed.enrol_in_track("learner", "inductie-starters")
        for slug in ["inductiefasen", "werkdruk-herkennen", "energie"]:
            seed.do_lesson("learner", "goed-van-start", slug)
        seed.share_reflections("learner", "goed-van-start", "energie")
        seed.fail_quiz("learner", "goed-van-start", "kennischeck")
        first = seed.hand_in("learner", "goed-van-start", "mijn-werkafspraken", "Mijn plan.")
        seed.review("mentor", first, approve=False, feedback="Maak het weekritme concreter.")
        waiting = seed.hand_in("learner", "goed-van-start", "mijn-werkafspraken",
                               "Mijn plan, met vrije woensdagavond.")
        seed.log_hours_and_goal("learner")
        from lms.mentoring import request_confirmation

        asked = request_confirmation(user("learner"), world.users["mentor"],
                                     "bekwaamheidseisen:pedagogisch",
                                     "Mijn lesbezoek van vorige week laat dit zien.")
        seed.enrol_in_track("other_learner", "zij-instroom")
        seed.enrol_in_track("schoolopleider", "schoolopleider-brlo")
        seed.enrol_in_track("far_learner", "pdg-mbo")
        seed.mentees("mentor", world.school, {
            "daan": ("Daan de Boer", "inductie-starters", ["*"]),
            "fatima": ("Fatima el Amrani", "zij-instroom", ["*"]),
            "lotte": ("Lotte Mulder", "inductie-starters", []),
        })
        db.session.commit()
        return {"submission": waiting.id, "confirmation": asked.id}


def pages_of(role: str, world, ids) -> dict[str, str]:
    """name → address of the main pages a person in this role uses."""
    learner, school, board = world.users["learner"], world.school, world.board
    return {
        "learner": {
            "home": "/", "catalogue": "/catalogus", "track": "/leerroutes/inductie-starters",
            "course": GVS, "lesson": f"{GVS}/inductiefasen",
            "lesson to mark as done": f"{GVS}/plannen-en-grenzen",
            "quiz": f"{GVS}/kennischeck", "reflection": f"{GVS}/energie",
            "assignment": f"{GVS}/mijn-werkafspraken", "leerpad": "/leerpad",
            "log hours": "/leerpad/uren/nieuw", "new goal": "/leerpad/doelen/nieuw",
            "api tokens": "/leerpad/tokens", "path export": "/leerpad/export.html",
            "logbook": "/plugins/reflection/logboek",
            "ask a confirmation": "/begeleiding/bevestiging-aanvragen",
            "my confirmations": "/begeleiding/mijn-bevestigingen",
            "account": "/account", "my data": "/account/gegevens",
        },
        "mentor": {
            "home": "/", "mentor": "/begeleiding", "sign-off queue": "/begeleiding/aftekenen",
            "learner": f"/begeleiding/deelnemer/{learner}", "learner path": f"/leerpad/{learner}",
            "assignment queue": "/plugins/assignment/aftekenen",
            "review": f"/plugins/assignment/inleveringen/{ids['submission']}",
            "confirmation": f"/begeleiding/bevestigingen/{ids['confirmation']}",
            "shared reflections": f"/plugins/reflection/deelnemers/{learner}",
        },
        "schoolopleider": {
            "school": f"/schoolopleider/{school}",
            "school filtered": f"/schoolopleider/{school}?status=active&zonder_mentor=1",
            "coverage": f"/schoolopleider/{school}/dekking",
            "learner": f"/schoolopleider/{school}/deelnemer/{learner}",
            "exemption":
                f"/schoolopleider/{school}/deelnemer/{learner}/vrijstelling/inductie-starters",
            "track of a learner": f"/leerroutes/inductie-starters?learner={learner}",
            "learner path": f"/leerpad/{learner}",
        },
        "coordinator": {"coordinator": f"/coordinatie/{board}", "home": "/",
                        "my downloads": "/coordinatie/downloads"},
        "admin": {
            "admin": "/beheer/", "organisations": "/beheer/organisaties",
            "organisation": f"/beheer/organisaties/{school}", "people": "/beheer/mensen",
            "new person": "/beheer/mensen/nieuw", "person": f"/beheer/mensen/{learner}",
            "people import": "/beheer/mensen/importeren", "privacy": "/beheer/privacy",
            "erase": f"/beheer/privacy/{world.users['far_learner']}/verwijderen",
            "audit": "/beheer/auditlog", "coordination": "/coordinatie",
            "region report": f"/coordinatie/{world.region}", "schools": "/schoolopleider",
        },
        "author": {"home": "/", "catalogue": "/catalogus?role=mentor&sector=vo"},
    }[role]


@pytest.mark.parametrize("role", ["learner", "mentor", "schoolopleider", "coordinator", "admin",
                                  "author"])
def test_every_main_page_passes_axe(page, axe_source, world, ids, role):
    """Each page answers 200 and axe-core reports no violations on it."""
    login(page, role)
    found = {}
    for name, url in pages_of(role, world, ids).items():
        response = page.goto(url)
        assert response.ok, (name, url, response.status)
        if violations := axe_violations(page, axe_source):
            found[f"{name} ({url})"] = violations
    assert found == {}


def test_anonymous_pages_pass_axe(page, axe_source):
    """The login page (empty and with an error) and the 404 page."""
    found = {}
    page.goto("/inloggen")
    found["login"] = axe_violations(page, axe_source)
    page.get_by_label("E-mailadres").fill("learner@example.org")
    page.get_by_label("Wachtwoord").fill("wrong password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    found["login with an error"] = axe_violations(page, axe_source)
    assert page.goto("/bestaat-niet").status == 404
    found["404"] = axe_violations(page, axe_source)
    assert {k: v for k, v in found.items() if v} == {}


def test_pages_after_an_action_pass_axe(new_page, axe_source):
    """A form with errors, a flash message, an invitation and the invitee's password form."""
    learner = new_page()
    login(learner, "other_learner")
    learner.goto("/leerpad/uren/nieuw")
    with learner.expect_navigation():
        learner.get_by_role("button", name="Opslaan").click()  # an empty form: errors
    assert learner.locator(".form-errors").is_visible()
    found = {"hours form with errors": axe_violations(learner, axe_source)}
    learner.goto(f"{GVS}/inductiefasen")
    with learner.expect_navigation():
        learner.get_by_role("button", name="Markeer als afgerond").click()
    assert learner.locator(".flashes").is_visible()
    found["lesson after mark as done"] = axe_violations(learner, axe_source)

    admin = new_page()
    login(admin, "admin")
    admin.goto("/beheer/mensen/nieuw")
    admin.get_by_label("Naam").fill("Noor Hendriks")
    admin.get_by_label("E-mailadres").fill("noor@example.org")
    school = admin.locator("#organisation option", has_text="Het Noorderlicht")
    admin.get_by_label("Organisatie").select_option(school.get_attribute("value"))
    with admin.expect_navigation():
        admin.get_by_role("button", name="Account aanmaken en uitnodigen").click()
    found["invitation made"] = axe_violations(admin, axe_source)
    link = admin.locator(".invitation-link").first.inner_text()

    invitee = new_page()
    invitee.goto(link)
    assert "noor@example.org" in invitee.locator("main").inner_text()
    found["invitation"] = axe_violations(invitee, axe_source)
    invitee.goto("/uitnodiging/not-a-token")
    found["broken invitation"] = axe_violations(invitee, axe_source)
    assert {k: v for k, v in found.items() if v} == {}
