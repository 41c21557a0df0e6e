"""A teacher's first steps, in the browser: enrol in a track from the catalogue, read a
lesson, pass the quiz, write a reflection, and see Mijn leerpad follow."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lms.content import SHIPPED_COURSES
from tests.browser.helpers import answer_quiz, login

pytestmark = pytest.mark.browser

TRACK = "Inductieprogramma starters"
COURSE = "Goed van start: werk-privébalans voor starters en zij-instromers"
QUIZ_FILE = SHIPPED_COURSES / "goed-van-start/05-kennischeck.md"


def coverage_caption(page, framework: str) -> str:
    """The 'n of m competences covered' caption of one framework on Mijn leerpad."""
    heading = page.locator("section[aria-labelledby=coverage-title] h3", has_text=framework)
    return heading.locator("xpath=following-sibling::table[1]/caption").inner_text()


def test_teacher_enrols_reads_passes_reflects_and_sees_the_path_update(page):
    """Every step shows on the page that follows it, and Mijn leerpad sums it up."""
    login(page, "learner")
    page.goto("/leerpad")
    assert "Niet ingeschreven voor een leerroute." in page.locator("main").inner_text()
    assert coverage_caption(page, "Bekwaamheidseisen") == "0 van 3 competenties gedekt"

    # Enrol in a track from the catalogue.
    page.get_by_role("link", name="Aanbod").click()
    page.get_by_role("link", name=TRACK).click()
    page.get_by_role("button", name="Inschrijven").click()
    assert "Je bent ingeschreven." in page.locator(".flashes").inner_text()
    progress = page.get_by_role("progressbar", name="Voortgang in de leerroute")
    assert progress.get_attribute("value") == "0"

    # Read the first lesson and mark it as done: on to the next lesson.
    page.get_by_role("link", name=COURSE).click()
    page.get_by_role("link", name="Je eerste jaren: van startbekwaam naar vakbekwaam").click()
    page.get_by_role("button", name="Markeer als afgerond").click()
    assert "Gemarkeerd als afgerond." in page.locator(".flashes").inner_text()
    expect(page.locator("h1")).to_have_text("Werkdruk herkennen en steun vinden")

    # Pass the quiz: the score and the feedback show on the lesson page.
    page.get_by_role("link", name=re.compile("^" + re.escape(COURSE))).click()
    page.get_by_role("link", name="Kennischeck goed van start", exact=True).click()
    answer_quiz(page, QUIZ_FILE)
    page.get_by_role("button", name="Antwoorden versturen").click()
    result = page.locator("#quiz-result")
    assert "Gehaald met 100%." in result.inner_text()
    assert result.locator(".feedback").count() >= 5

    # Write a reflection: saved in the logbook, private; done once every prompt is answered.
    page.get_by_role("link", name=re.compile("^" + re.escape(COURSE))).click()
    page.get_by_role("link", name="Energiegevers en energievreters", exact=True).click()
    prompt = page.locator("#prompt-gevers-vreters")
    prompt.get_by_role("textbox").fill("Energie: een les die loopt. Vreter: mail in de avond.")
    prompt.get_by_role("button", name="Opslaan").click()
    assert "Opgeslagen in je logboek." in page.locator(".flashes").inner_text()
    assert "Privé." in page.locator("#prompt-gevers-vreters").inner_text()
    assert "1 van 3 beantwoord." in page.locator(".reflection-completion").inner_text()
    assert page.locator("main p .badge").first.inner_text() == "Bezig"
    for prompt_id, text in (("beinvloeden", "Geen mail na acht uur."),
                            ("herstel", "Hardlopen, twee keer per week.")):
        prompt = page.locator(f"#prompt-{prompt_id}")
        prompt.get_by_role("textbox").fill(text)
        prompt.get_by_role("button", name="Opslaan").click()
    assert "3 van 3 beantwoord." in page.locator(".reflection-completion").inner_text()
    assert page.locator("main p .badge").first.inner_text() == "Afgerond"

    # The course page counts three lessons done.
    page.get_by_role("link", name=re.compile("^" + re.escape(COURSE))).click()
    assert "3 van 6 lessen afgerond" in page.locator(".course-progress").inner_text()
    progress = page.get_by_role("progressbar", name="Voortgang in de cursus")
    assert progress.get_attribute("value") == "50"

    # Mijn leerpad: the track with its next step, and the competences the lessons covered.
    page.get_by_role("link", name="Mijn leerpad").click()
    track = page.locator("article.path-track", has_text=TRACK)
    assert "van de verplichte cursussen: 0 van 1 afgerond, 1 bezig" in track.inner_text()
    assert track.get_by_role("link", name=COURSE).is_visible()  # the next step
    assert "Volgende stap:" in track.inner_text()
    assert coverage_caption(page, "Bekwaamheidseisen") == "1 van 3 competenties gedekt"
    covered = page.locator("section[aria-labelledby=coverage-title] tr", has_text="Pedagogisch")
    assert "Je eerste jaren: van startbekwaam naar vakbekwaam" in covered.inner_text()

    # Home: continue after the last lesson worked on (the reflection), with the first one
    # not done yet: the assignment.
    page.get_by_role("link", name="Start", exact=True).click()
    continue_at = page.locator("section.today a.button")  # the home's "continue" block
    assert continue_at.inner_text() == "Praktijkopdracht: mijn werkafspraken"
