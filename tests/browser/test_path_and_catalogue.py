"""Daily use in the browser: searching the catalogue (with filters that are remembered),
numbers written the reader's way in Dutch and English, Mijn leerpad's hours rule, and a
locked course that is locked on its own page too."""
from __future__ import annotations

import re

import pytest

from tests.browser.helpers import axe_violations, login

pytestmark = pytest.mark.browser


def _english(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()


def test_search_the_catalogue_and_find_it_again(page, axe_source):
    """A teacher searches for 'werkdruk', sees which lesson matched, opens a course, comes
    back to the same search, and clears it."""
    login(page, "learner")
    page.get_by_role("link", name="Aanbod").first.click()
    page.get_by_role("searchbox", name="Zoeken").fill("werkdruk")
    with page.expect_navigation():
        page.get_by_role("button", name="Zoeken").click()
    status = page.get_by_role("status").filter(has_text="voor “werkdruk”")
    assert re.search(r"\d+ resultaten? voor “werkdruk”", status.inner_text())
    card = page.locator("li.card", has_text="Goed van start").first
    assert "Gevonden in:" in card.inner_text()
    assert axe_violations(page, axe_source) == []

    card.get_by_role("link").first.click()
    page.get_by_role("link", name="Aanbod").first.click()
    assert page.get_by_role("searchbox", name="Zoeken").input_value() == "werkdruk"
    assert "Je filters van de vorige keer." in page.locator("form.filters").inner_text()
    page.get_by_role("link", name="Zoekopdracht en filters wissen").click()
    assert page.get_by_role("searchbox", name="Zoeken").input_value() == ""
    assert page.get_by_role("status").filter(has_text="voor “").count() == 0


def test_numbers_read_the_dutch_way_and_the_english_way(page):
    """The PDG track's study load is 1.680 uur in Dutch and 1,680 hours in English; never
    1680.0; the catalogue puts the reader's own audience first."""
    login(page, "learner")
    page.goto("/catalogus?wis=1")
    pdg = page.locator("li.card", has_text="Leerroute PDG mbo")
    assert "Studielast: 1.680 uur" in pdg.inner_text() and "24 maanden" in pdg.inner_text()
    assert "Voor jou" in page.locator("section[aria-labelledby=tracks-heading]").inner_text()
    body = page.locator("main").inner_text()
    assert "1680.0" not in body and not re.search(r"\b\d+\.0 uur", body)

    _english(page)
    pdg = page.locator("li.card", has_text="Leerroute PDG mbo")
    assert "Study load: 1,680 hours" in pdg.inner_text() and "24 months" in pdg.inner_text()
    page.goto("/leerroutes/pdg-mbo")
    facts = page.locator("ul.card-facts").inner_text()
    assert "Study load: 1,680 hours" in facts
    assert "Hours target" not in page.locator("main").inner_text()


def test_mijn_leerpad_names_the_hours_rule_and_the_nlqf_levels(page, axe_source):
    """A vo teacher sees the cao vo rule with 83 hours, what counts, and can set their NLQF
    levels from the page; in English the same page reads '0 of 83 hours'."""
    login(page, "other_learner")
    page.get_by_role("link", name="Mijn leerpad").click()
    hours = page.locator("#hours")
    assert "Cao vo: 83 klokuren professionalisering" in hours.inner_text()
    assert "0 van 83 uur." in hours.inner_text()
    assert "Losse lessen tellen niet mee." in hours.inner_text()
    assert "niet ingevuld" in page.locator("#nlqf").inner_text()
    assert axe_violations(page, axe_source) == []

    page.get_by_role("link", name="Je NLQF-niveaus wijzigen").click()
    page.get_by_label("Niveau van je hoogste diploma").select_option("5")
    page.get_by_label("Niveau waar je naartoe werkt").select_option("6")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    routes = page.locator("#nlqf").inner_text()
    assert "Routes naar je streefniveau" in routes and "pabo" in routes

    _english(page)
    assert "0 of 83 hours." in page.locator("#hours").inner_text()


def test_a_locked_course_is_locked_on_its_own_page(page, live_app):
    """Enrolled in the schoolopleider track, the BRLO course waits for the basic training:
    its page says so and links the lessons nowhere."""
    from tests.browser import seed

    with live_app.app_context():
        seed.enrol_in_track("schoolopleider", "schoolopleider-brlo")
    login(page, "schoolopleider")
    page.goto("/cursussen/schoolopleider-brlo")
    notice = page.locator(".lock-notice")
    assert "deze cursus gaat open als je hebt afgerond:" in notice.inner_text()
    assert notice.get_by_role("link", name="Basistraining werkplekbegeleider").is_visible()
    assert page.locator("ol.lesson-list a").count() == 0
    page.goto("/cursussen/schoolopleider-brlo/" + _first_lesson(live_app, "schoolopleider-brlo"))
    assert page.locator(".lock-notice").is_visible()
    assert page.get_by_role("button", name="Markeer als afgerond").count() == 0


def _first_lesson(app, course_slug: str) -> str:
    from sqlalchemy import select

    from lms.extensions import db
    from lms.models import Course, Lesson

    with app.app_context():
        return db.session.scalar(select(Lesson.slug).join(Course).where(
            Course.slug == course_slug).order_by(Lesson.position).limit(1))
