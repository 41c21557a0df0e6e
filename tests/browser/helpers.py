"""Browser helpers: logging in through the form, running axe-core and taking screenshots."""
from __future__ import annotations

import os
from pathlib import Path

from lms.testing import PASSWORD

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def login(page, who: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the page it leads to."""
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(f"{who}@example.org")
    page.get_by_label("Wachtwoord").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/inloggen" not in page.url, f"{who} could not log in"


def axe_violations(page, axe_source: str) -> list[dict]:
    """WCAG 2.1 A/AA violations axe-core finds in the page as it is now.

    The script is evaluated through the DevTools protocol, so the page's CSP allows it.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", WCAG_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def screenshot(page, name: str) -> None:
    """Save the page as docs/screenshots/NAME.png when LMS_SCREENSHOTS=1 (not on every run)."""
    if os.environ.get("LMS_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def quiz_questions(lesson_file: Path) -> list[dict]:
    """The questions of a quiz lesson, read from its front matter."""
    import frontmatter

    return frontmatter.load(lesson_file).metadata["questions"]


def answer_quiz(page, lesson_file: Path) -> None:
    """Tick the right options of every question of the quiz on the lesson page."""
    for number, question in enumerate(quiz_questions(lesson_file)):
        fieldset = page.locator("form.quiz-form fieldset").nth(number)
        for option in question["options"]:
            if option.get("correct"):
                fieldset.get_by_label(option["text"], exact=True).check()


FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, name: el.name || "",
          type: el.type || "", text: (el.innerText || el.value || "").trim().slice(0, 100),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
          on_screen: box.width > 0 && box.height > 0 && box.right > 0 && box.left < innerWidth};
}"""


def tab(page, key: str = "Tab") -> dict:
    """Press Tab (or another key) and describe the element that has the focus then."""
    page.keyboard.press(key)
    return page.evaluate(FOCUSED)


def tab_until(page, wanted, limit: int = 60) -> list[dict]:
    """Tab until ``wanted(element)`` holds; every element passed on the way, the last one
    the wanted one. Fails when it is not reached within ``limit`` presses."""
    passed = []
    for _ in range(limit):
        passed.append(tab(page))
        if wanted(passed[-1]):
            return passed
    names = [p["text"] or p["id"] or p["tag"] for p in passed]
    raise AssertionError(f"not reached in {limit} Tabs; focus went to {names}")
