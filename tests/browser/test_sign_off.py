"""A learner hands in an assignment; their mentor signs it off in the sign-off queue; the
lesson, the course and the track are then completed for the learner."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import seed
from tests.browser.helpers import login

pytestmark = pytest.mark.browser

COURSE = "goed-van-start"
ASSIGNMENT = "Praktijkopdracht: mijn werkafspraken"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module", autouse=True)
def five_of_six_lessons_done(live_app):
    """The learner is in the induction track and did everything but the assignment."""
    with live_app.app_context():
        seed.enrol_in_track("learner", "inductie-starters")
        for slug in ["inductiefasen", "werkdruk-herkennen", "plannen-en-grenzen", "energie",
                     "kennischeck"]:
            seed.do_lesson("learner", COURSE, slug)


def test_mentor_signs_off_what_the_learner_handed_in(new_page):
    """Hand in text and a PDF; the mentor approves from the queue; the learner sees it done."""
    learner = new_page()
    login(learner, "learner")
    learner.goto(f"/cursussen/{COURSE}/mijn-werkafspraken")
    learner.get_by_label("Je antwoord").fill("Vrij: woensdagavond en zondag. Mail om 8.00.")
    learner.get_by_label("Bestand (pdf, docx").set_input_files(
        {"name": "werkafspraken.pdf", "mimeType": "application/pdf", "buffer": PDF})
    learner.get_by_role("button", name="Inleveren").click()
    assert "Ingeleverd. Je beoordelaar is gevraagd" in learner.locator(".flashes").inner_text()
    assert "Wacht op aftekening" in learner.locator("#assignment").inner_text()

    mentor = new_page()
    login(mentor, "mentor")
    note = mentor.get_by_role("link", name=f"Learner vraagt je om “{ASSIGNMENT}” af te tekenen.")
    note.click()  # the notification leads to the sign-off queue
    expect(mentor.locator("h1")).to_have_text("Af te tekenen")
    row = mentor.locator("tr", has_text=ASSIGNMENT)
    assert "Learner" in row.inner_text()
    row.get_by_role("link", name="Beoordelen").click()
    work = mentor.locator("section[aria-labelledby=work-heading]")
    assert "woensdagavond en zondag" in work.inner_text()
    with mentor.expect_download() as download:
        work.get_by_role("link", name="werkafspraken.pdf").click()
    assert download.value.suggested_filename == "werkafspraken.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    mentor.get_by_label("Feedback (verplicht").fill("Concreet plan, goed besproken.")
    mentor.get_by_role("button", name="Goedkeuren").click()
    assert "Goedgekeurd." in mentor.locator(".flashes").inner_text()
    assert "Er wacht niets op jouw aftekening." in mentor.locator("main").inner_text()
    assert mentor.locator("nav.main-nav .nav-count").count() == 0  # nothing waits any more

    learner.goto("/")
    learner.get_by_role("link", name=f"“{ASSIGNMENT}” is goedgekeurd.").click()
    expect(learner.locator("h1")).to_have_text(ASSIGNMENT)
    assert learner.locator("main p .badge").first.inner_text() == "Afgerond"
    handed_in = learner.locator("#assignment")
    assert "Goedgekeurd" in handed_in.inner_text()
    assert "Concreet plan, goed besproken." in handed_in.inner_text()
    assert handed_in.get_by_role("button", name="Inleveren").count() == 0

    learner.locator("nav.breadcrumb a").click()
    assert "6 van 6 lessen afgerond" in learner.locator(".course-progress").inner_text()
    assert "Afgerond op" in learner.locator(".course-progress").inner_text()
    learner.get_by_role("link", name="Mijn leerpad").click()
    track = learner.locator("article.path-track", has_text="Inductieprogramma starters")
    assert "100% van de verplichte cursussen: 1 van 1 afgerond" in track.inner_text()
    assert "Afgerond" in track.inner_text()
    credentials = learner.locator("section[aria-labelledby=credentials-title]")
    assert "Inductieprogramma starters afgerond" in credentials.inner_text()
