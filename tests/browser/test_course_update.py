"""An author changes a course the learner is taking (a lesson renamed and moved, one added)
and imports it with ``lms courses import``; the learner's progress survives, in the browser."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from lms.commands.courses import courses_group
from lms.content import SHIPPED_COURSES
from tests.browser.helpers import login

pytestmark = pytest.mark.browser

COURSE_URL = "/cursussen/goed-van-start"


@pytest.fixture(scope="module")
def courses_dir(tmp_path_factory):
    """The author's working copy of the shipped courses."""
    copy = tmp_path_factory.mktemp("author") / "courses"
    shutil.copytree(SHIPPED_COURSES, copy)
    return copy


def lesson_rows(page) -> list[tuple[str, str]]:
    """(title, status) of each lesson on the course page, in order."""
    rows = page.locator("ol.lesson-list > li")
    return [(row.get_by_role("link").inner_text(), row.locator(".badge").inner_text())
            for row in rows.all()]


def edit_course(tree) -> None:
    """What the author does: rename and move lesson 2 (fixing links to it), move lesson 3 up,
    and add a seventh lesson."""
    course = tree / "goed-van-start"
    old, new = course / "02-werkdruk-herkennen.md", course / "03-werkdruk-en-steun.md"
    text = old.read_text().replace("title: Werkdruk herkennen en steun vinden",
                                   "title: Werkdruk herkennen en op tijd steun zoeken")
    new.write_text(text.replace("order: 2", "order: 3"))
    old.unlink()
    for page in tree.rglob("*.md"):
        linked = page.read_text()
        if "02-werkdruk-herkennen.md" in linked:
            page.write_text(linked.replace("02-werkdruk-herkennen.md", "03-werkdruk-en-steun.md"))
    plan = course / "03-plannen-en-grenzen.md"
    plan.write_text(plan.read_text().replace("order: 3", "order: 2"))
    (course / "07-terugblik.md").write_text(
        "---\nid: terugblik\ntitle: Terugblik op je eerste maanden\ntype: page\norder: 7\n"
        "minutes: 20\n---\nKijk terug met je begeleider: wat werkt, wat wil je anders?\n")


def test_progress_survives_a_renamed_reordered_and_extended_course(page, live_app, courses_dir):
    """Done lessons stay done under their new title and place; the percentage counts the new one."""
    login(page, "learner")
    page.goto(f"{COURSE_URL}/inductiefasen")
    for _ in range(2):  # lesson 1, then lesson 2 it leads to
        with page.expect_navigation():
            page.get_by_role("button", name="Markeer als afgerond").click()
    page.goto(COURSE_URL)
    assert lesson_rows(page)[:3] == [
        ("Je eerste jaren: van startbekwaam naar vakbekwaam", "Afgerond"),
        ("Werkdruk herkennen en steun vinden", "Afgerond"),
        ("Plannen en grenzen stellen", "Niet begonnen"),
    ]
    assert "2 van 6 lessen afgerond" in page.locator(".course-progress").inner_text()
    assert page.locator(".course-progress progress").get_attribute("value") == "33"

    edit_course(courses_dir)
    result = live_app.test_cli_runner().invoke(courses_group, ["import", str(courses_dir)])
    assert result.exit_code == 0, result.output
    assert re.search(r"lessons\s+1 added, \d+ changed, 0 archived", result.output), result.output

    page.reload()
    assert lesson_rows(page) == [
        ("Je eerste jaren: van startbekwaam naar vakbekwaam", "Afgerond"),
        ("Plannen en grenzen stellen", "Niet begonnen"),
        ("Werkdruk herkennen en op tijd steun zoeken", "Afgerond"),
        ("Energiegevers en energievreters", "Niet begonnen"),
        ("Kennischeck goed van start", "Niet begonnen"),
        ("Praktijkopdracht: mijn werkafspraken", "Niet begonnen"),
        ("Terugblik op je eerste maanden", "Niet begonnen"),
    ]
    progress = page.locator(".course-progress")
    assert "2 van 7 lessen afgerond" in progress.inner_text()
    assert progress.get_by_role("progressbar").get_attribute("value") == "28"  # rounded down

    page.get_by_role("link", name="Werkdruk herkennen en op tijd steun zoeken").click()
    expect(page).to_have_url(re.compile(f"{COURSE_URL}/werkdruk-herkennen$"))  # id = address
    assert page.locator("main p .badge").first.inner_text() == "Afgerond"
    assert page.get_by_role("button", name="Markeer als afgerond").count() == 0
