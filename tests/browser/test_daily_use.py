"""Daily use in Chromium: each role's home says what needs them today, the one sign-off queue
with its count in the navigation, the review page with the criteria checklist, the inbox and
the calendar page, the menu button on a 390-pixel phone, and no 404 for the icon; axe-core
finds no WCAG 2.1 A/AA violation on any of these pages."""
from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from lms.content import SHIPPED_COURSES
from lms.extensions import db
from lms.models.base import utcnow
from tests.browser import seed
from tests.browser.helpers import axe_violations, login
from tests.builders import user

pytestmark = pytest.mark.browser

ASSIGNMENT = "Praktijkopdracht: mijn werkafspraken"
CRITERIA = ["Het plan is concreet", "Er staat een vrije avond in", "Samen besproken"]
NAMES = {"learner": "Sanne de Vries", "mentor": "Karin Jansen",
         "schoolopleider": "Peter Visser", "coordinator": "Anouk Smit"}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def courses_dir(tmp_path_factory):
    """The shipped courses, the practical assignment with criteria for its reviewer."""
    root = tmp_path_factory.mktemp("courses") / "courses"
    shutil.copytree(SHIPPED_COURSES, root)
    lesson = root / "goed-van-start" / "06-mijn-werkafspraken.md"
    text = lesson.read_text(encoding="utf-8")
    criteria = "criteria:\n" + "".join(f"  - {c}\n" for c in CRITERIA)
    lesson.write_text(text.replace("sign_off: mentor\n", f"sign_off: mentor\n{criteria}", 1),
                      encoding="utf-8")
    return root


@pytest.fixture(scope="module", autouse=True)
def ids(live_app, world):
    """The learner halfway the induction track with work waiting for her mentor, who is also
    asked to confirm a competence; more mentees; a learner without a mentor and one far behind
    at the school; the schoolopleider is a learner herself."""
    from lms.mentoring import request_confirmation
    from lms.models import Organisation
    from lms.testing import add_user
    from lms.tracking.tracks import enrol

    with live_app.app_context():
        for who, name in NAMES.items():
            user(who).name = name
        db.session.commit()
        seed.enrol_in_track("learner", "inductie-starters")
        for slug in ["inductiefasen", "werkdruk-herkennen"]:
            seed.do_lesson("learner", "goed-van-start", slug)
        waiting = seed.hand_in("learner", "goed-van-start", "mijn-werkafspraken",
                               "Vrij: woensdagavond en zondag. Mail om 8.00.")
        db.session.commit()
        seed.log_hours_and_goal("learner")
        request_confirmation(user("learner"), world.users["mentor"],
                             "bekwaamheidseisen:pedagogisch", "Mijn lesbezoek laat dit zien.")
        seed.mentees("mentor", world.school, {
            "daan": ("Daan de Boer", "inductie-starters", []),
        })
        school = db.session.get(Organisation, world.school)
        alone = add_user("noor", [("learner", school)])
        alone.name = "Noor Hendriks"
        db.session.commit()
        from sqlalchemy import select

        from lms.models import Track

        track = db.session.scalars(select(Track).where(Track.slug == "zij-instroom")).one()
        enrol(alone, track=track, at=utcnow() - timedelta(days=800))
        seed.enrol_in_track("schoolopleider", "schoolopleider-brlo")
        db.session.commit()
        return {"submission": waiting.id}


def _no_violations(page, axe_source, found: dict, name: str) -> None:
    if violations := axe_violations(page, axe_source):
        found[name] = violations


def test_learner_home_says_what_to_do_today(page, axe_source):
    """Where to continue, the next deadline and this year's hours; the button opens the
    lesson."""
    login(page, "learner")
    main = page.locator("main")
    today = page.locator("section.today")
    expect(today.locator("h2")).to_have_text(re.compile("Ga verder|Begin aan je volgende les"))
    assert "Volgende deadline" in today.inner_text()
    assert "Inductieprogramma starters" in today.inner_text()
    assert re.search(r"Uren in \d{4}\s+2,5 ", today.inner_text()), today.inner_text()
    assert "Wacht op jouw aftekening" not in main.inner_text()
    assert page.locator(".nav-count").count() == 0
    found = {}
    _no_violations(page, axe_source, found, "learner home")
    lesson = today.locator("a.button").inner_text()
    today.locator("a.button").click()
    expect(page.locator("h1")).to_have_text(lesson)
    assert found == {}


def test_mentor_signs_off_from_the_one_queue_with_the_checklist(page, axe_source, ids):
    """The mentor's home counts what waits; the navigation's Aftekenen leads to the queue;
    the review page shows the work first, the task folded, criteria and a wide feedback box;
    after the decision the count drops."""
    found = {}
    login(page, "mentor")
    nav_count = page.locator("nav.main-nav a", has_text="Aftekenen").locator(".nav-count")
    expect(nav_count).to_have_text(re.compile(r"^2\s*wachtend$"))
    waiting = page.locator("section[aria-labelledby=waiting-heading]")
    expect(waiting.get_by_role("link", name="Open de aftekenlijst (2 items)")).to_be_visible()
    mentees = page.locator("section[aria-labelledby=mentees-heading]")
    row = mentees.locator("tr", has_text="Sanne de Vries")
    assert row.locator("td").last.inner_text().startswith("2")
    assert "Daan de Boer" in mentees.inner_text()
    _no_violations(page, axe_source, found, "mentor home")

    page.locator("nav.main-nav").get_by_role("link", name=re.compile("^Aftekenen")).click()
    expect(page.locator("h1")).to_have_text("Af te tekenen")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    assert "Sanne de Vries" in rows.first.inner_text()  # oldest first: both hers
    page.get_by_label("Soort").select_option(label="Opdracht")
    page.get_by_role("button", name="Tonen").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    _no_violations(page, axe_source, found, "queue")
    page.locator("tbody tr").get_by_role("link", name=re.compile("^Beoordelen")).click()

    expect(page.locator("h1")).to_have_text(ASSIGNMENT)
    # A click waits for the new page to start, not for its stylesheet: measure after "load",
    # or the layout is the browser's unstyled one (main as wide as the window).
    page.wait_for_load_state("load")
    work = page.locator("section[aria-labelledby=work-heading]")
    folded = page.locator("details.assignment-text")
    assert work.bounding_box()["y"] < folded.bounding_box()["y"]
    assert "woensdagavond en zondag" in work.inner_text()
    expect(folded.locator("article")).to_be_hidden()
    box = page.get_by_label("Feedback (verplicht")
    assert box.bounding_box()["width"] >= page.locator("main").bounding_box()["width"] * 0.9
    _no_violations(page, axe_source, found, "review page")
    folded.locator("summary").click()
    expect(folded.locator("article")).to_be_visible()
    for criterion in CRITERIA[::2]:
        page.get_by_label(criterion).check()
    box.fill("Concreet plan, maak de vrije avond nog vaster.")
    page.get_by_role("button", name="Goedkeuren").click()
    assert "Goedgekeurd." in page.locator(".flashes").inner_text()
    expect(page.locator("nav.main-nav .nav-count")).to_have_text(re.compile(r"^1\s*wachtend$"))

    page.goto(f"/plugins/assignment/inleveringen/{ids['submission']}")
    decided = page.locator("section[aria-labelledby=decision-heading]").inner_text()
    assert "Voldaan: Het plan is concreet" in decided
    assert "Niet voldaan: Er staat een vrije avond in" in decided
    assert found == {}


def test_schoolopleider_home_shows_her_school_not_herself(page, axe_source):
    """Behind schedule and without a mentor at her school; her own row is in neither list;
    her own learning is on the same home."""
    login(page, "schoolopleider")
    school = page.locator("section", has=page.locator("h2", has_text="School: Het Noorderlicht"))
    text = school.inner_text()
    assert "Noor Hendriks" in text and "zonder begeleider" in text and "achter" in text
    assert "Peter Visser" not in text
    assert page.locator("section.today").count() == 1  # she is a learner too
    assert page.locator("section[aria-labelledby=waiting-heading]").count() == 1
    found = {}
    _no_violations(page, axe_source, found, "schoolopleider home")
    school.get_by_role("link", name="Alle deelnemers van Het Noorderlicht").click()
    assert "Peter Visser" not in page.locator("main table").inner_text()
    assert found == {}


def test_coordinator_home_shows_key_numbers_with_their_change(page, axe_source):
    """Counts of the board's subtree and how they changed since last month, no names."""
    login(page, "coordinator")
    part = page.locator("section", has=page.locator("h2", has_text="Kerncijfers: Bestuur Noord"))
    text = part.inner_text()
    assert "Deelnemers" in text and "Over hun deadline" in text and "sinds" in text
    assert "Noor Hendriks" not in page.locator("main").inner_text()
    found = {}
    _no_violations(page, axe_source, found, "coordinator home")
    assert found == {}


def test_inbox_and_calendar_pages(new_page, axe_source):
    """The inbox marks everything read; the calendar page shows a new address once, and the
    learner's feed reads back as a calendar with her deadline."""
    found = {}
    page = new_page()
    login(page, "mentor")
    page.locator(".header-tools").get_by_role("link", name="Meldingen").click()
    expect(page.locator("h1")).to_have_text("Meldingen")
    assert page.locator(".inbox li.unread").count() >= 1
    _no_violations(page, axe_source, found, "inbox")
    page.get_by_role("button", name="Markeer alles als gelezen").click()
    assert "Alle meldingen zijn als gelezen gemarkeerd." in page.locator(".flashes").inner_text()
    assert page.locator(".inbox li.unread").count() == 0
    page.goto("/account")
    page.get_by_role("link", name="Voeg toe aan je agenda").click()
    page.get_by_role("button", name="Maak mijn agenda-adres").click()
    address = page.get_by_label("Adres", exact=True).input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/agenda/[A-Za-z0-9_-]{40,}\.ics", address)
    _no_violations(page, axe_source, found, "calendar address")
    feed = page.request.get(address)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    page.goto("/account")
    page.get_by_label("Eén e-mail per week met alles (maandagochtend)").check()
    page.get_by_role("button", name="E-mailinstelling opslaan").click()
    assert "één e-mail per week" in page.locator(".flashes").inner_text()
    _no_violations(page, axe_source, found, "account")
    learner = new_page()
    login(learner, "learner")
    learner.goto("/agenda")
    learner.get_by_role("button", name="Maak mijn agenda-adres").click()
    feed = learner.request.get(learner.get_by_label("Adres", exact=True).input_value())
    events = Calendar.from_ical(feed.body()).walk("VEVENT")  # as a calendar app reads it
    assert any("Inductieprogramma starters" in str(event["SUMMARY"]) for event in events)
    assert all(event.get("DTSTART") and event.get("UID") for event in events)
    assert found == {}


def test_menu_button_on_a_phone(new_page, axe_source):
    """At 390 pixels the navigation hides behind Menu, opens on a click and passes axe;
    on a wide screen there is no button."""
    phone = new_page()
    phone.set_viewport_size(PHONE)
    login(phone, "mentor")
    menu = phone.locator("nav.main-nav summary")
    expect(menu).to_be_visible()
    expect(menu).to_have_text(re.compile("Menu"))
    links = phone.locator("nav.main-nav ul.nav")
    expect(links).to_be_hidden()
    found = {}
    _no_violations(phone, axe_source, found, "phone, menu closed")
    menu.click()
    expect(links).to_be_visible()
    expect(links.get_by_role("link", name=re.compile("^Aftekenen"))).to_be_visible()
    _no_violations(phone, axe_source, found, "phone, menu open")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width  # nothing sticks out sideways
    wide = new_page()
    login(wide, "mentor")
    expect(wide.locator("nav.main-nav summary")).to_be_hidden()
    expect(wide.locator("nav.main-nav ul.nav")).to_be_visible()
    assert found == {}


def test_no_page_asks_for_something_that_is_not_there(page):
    """Every request a page makes (the icon included) is answered, none with a 404."""
    failed = []
    page.on("response", lambda r: failed.append((r.url, r.status)) if r.status >= 400 else None)
    login(page, "learner")
    for url in ("/", "/meldingen", "/agenda", "/leerpad"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert failed == []
    icons = page.locator("link[rel=icon]")
    assert icons.count() == 2
    for href in icons.evaluate_all("links => links.map(l => l.href)"):
        assert page.request.get(href).ok, href
    assert page.request.get("/favicon.ico").ok
