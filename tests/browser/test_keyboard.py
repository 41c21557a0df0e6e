"""A lesson with the keyboard only: the skip link comes first, Tab reaches the lesson's
controls, Enter and Space work them, and every focused control shows a focus ring."""
from __future__ import annotations

import pytest

from lms.content import SHIPPED_COURSES
from tests.browser.helpers import login, quiz_questions, tab, tab_until

pytestmark = pytest.mark.browser

GVS = "/cursussen/goed-van-start"


def skip_to_main(page) -> None:
    """From the top of a page: the first Tab stop is the visible skip link; Enter moves the
    focus to the main content."""
    first = tab(page)
    assert first["cls"] == "skip-link" and first["text"] == "Naar de inhoud"
    assert first["on_screen"] and first["outline"], first
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def assert_focus_visible(passed: list[dict]) -> None:
    hidden = [p for p in passed if not (p["outline"] and p["on_screen"])]
    assert hidden == [], "focus not visible on these elements"


def test_mark_a_lesson_done_with_the_keyboard(page):
    """Skip link, Tab to 'Markeer als afgerond', Space: the lesson is done, on to the next."""
    login(page, "learner")
    page.goto(f"{GVS}/inductiefasen")
    skip_to_main(page)
    passed = tab_until(page, lambda el: el["text"] == "Markeer als afgerond")
    assert passed[0]["text"] == "Goed van start: werk-privébalans voor starters en zij-instromers"
    assert_focus_visible(passed)
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "Gemarkeerd als afgerond." in page.locator(".flashes").inner_text()
    assert page.locator("h1").inner_text() == "Werkdruk herkennen en steun vinden"


def test_take_a_quiz_with_the_keyboard(page):
    """Arrow keys choose radio answers, Space ticks checkboxes, Enter sends: passed."""
    login(page, "learner")
    page.goto(f"{GVS}/kennischeck")
    skip_to_main(page)
    passed = tab_until(page, lambda el: el["type"] in ("radio", "checkbox"))
    for question in quiz_questions(SHIPPED_COURSES / "goed-van-start/05-kennischeck.md"):
        right = [i for i, option in enumerate(question["options"]) if option.get("correct")]
        focused = passed[-1]
        assert focused["id"] == f"q-{question['id']}-0", focused
        if question["kind"] == "single":
            # The first arrow press moves to (and picks) the next option; Space picks the first.
            for _ in range(right[0]):
                passed.append(tab(page, "ArrowDown"))
            if right[0] == 0:
                page.keyboard.press("Space")
            passed.append(tab(page))  # Tab leaves the radio group
        else:
            for index in range(len(question["options"])):
                if index in right:
                    page.keyboard.press("Space")
                passed.append(tab(page))
    assert passed[-1]["text"] == "Antwoorden versturen"
    assert_focus_visible(passed)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Gehaald met 100%." in page.locator("#quiz-result").inner_text()
