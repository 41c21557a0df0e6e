"""The linter points authors at the exact file and line of every problem."""
from __future__ import annotations

import pytest

from lms.content import check_directory
from tests.fixtures.content import content_app, tree, write  # noqa: F401

LESSON = "goed-van-start/01-jouw-start.md"
COURSE = "goed-van-start/course.md"
TRACK = "tracks/inductie-starters.md"


def problems_for(app, root) -> list[str]:
    with app.app_context():
        return [str(p) for p in check_directory(root)]


def test_example_tree_is_clean(content_app, tree):
    """The example tree (as an author would write it) has no problems."""
    assert problems_for(content_app, tree) == []


CASES = [
    ("invalid yaml", LESSON, """
        ---
        id: jouw-start
        title: Jouw start
          type: page
        ---
        Tekst.
        """, "goed-van-start/01-jouw-start.md:4: front matter: invalid YAML"),
    ("missing id", LESSON, """
        ---
        title: Jouw start
        type: page
        ---
        """, "goed-van-start/01-jouw-start.md:1: id: is required"),
    ("ill-formed id", LESSON, """
        ---
        title: Jouw start
        id: Jouw_Start
        type: page
        ---
        """, "goed-van-start/01-jouw-start.md:3: id: must be a lowercase slug"),
    ("duplicate lesson id", "goed-van-start/03-dubbel.md", """
        ---
        id: jouw-start
        title: Nog een keer
        type: page
        ---
        """, "goed-van-start/03-dubbel.md:2: id: duplicate lesson id 'jouw-start' "
             "(also in goed-van-start/01-jouw-start.md:2)"),
    ("duplicate course id", "kopie/course.md", """
        ---
        title: Kopie
        id: goed-van-start
        ---
        """, "kopie/course.md:3: id: duplicate course id 'goed-van-start' "
             "(also in goed-van-start/course.md:2)"),
    ("duplicate track id", "tracks/zz-kopie.md", """
        ---
        id: inductie-starters
        title: Kopie
        courses: [goed-van-start]
        ---
        """, "tracks/zz-kopie.md:2: id: duplicate track id 'inductie-starters'"),
    ("unknown type", LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: quizz
        ---
        """, "goed-van-start/01-jouw-start.md:4: type: unknown lesson type 'quizz' "
             "(known: checklist, page)"),
    ("unknown competence", LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        competences:
          - bekwaamheidseisen:pedagogisch
          - bekwaamheidseisen:vakkennis
        ---
        """, "goed-van-start/01-jouw-start.md:7: competences[1]: unknown competence "
             "'bekwaamheidseisen:vakkennis'"),
    ("unknown framework", COURSE, """
        ---
        id: goed-van-start
        title: Goed van start
        competences: [velon:agogisch]
        ---
        """, "goed-van-start/course.md:4: competences[0]: unknown competence 'velon:agogisch': "
             "no framework 'velon' in frameworks/"),
    ("unknown course in track", TRACK, """
        ---
        id: inductie-starters
        title: Inductie
        courses:
          - course: goed-van-start
          - course: bestaat-niet
        ---
        """, "tracks/inductie-starters.md:6: courses[1].course: unknown course 'bestaat-niet'"),
    ("missing course in track", TRACK, """
        ---
        id: inductie-starters
        title: Inductie
        courses:
          - course: goed-van-start
          - required: false
        ---
        """, "tracks/inductie-starters.md:6: courses[1].course: is required"),
    ("broken image", LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        ---
        Tekst.

        ![Schema](media/ontbreekt.png)
        """, "goed-van-start/01-jouw-start.md:8: image: broken image: 'media/ontbreekt.png' "
             "does not exist"),
    ("broken link", LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        ---
        Zie [de volgende les](03-bestaat-niet.md).
        """, "goed-van-start/01-jouw-start.md:6: link: broken link: '03-bestaat-niet.md' "
             "does not exist"),
    ("link outside the tree", LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        ---
        Zie [geheim](../../../../etc/passwd).
        """, "goed-van-start/01-jouw-start.md:6: link: broken link: '../../../../etc/passwd' "
             "points outside the course tree"),
    ("course prerequisite cycle", COURSE, """
        ---
        id: goed-van-start
        title: Goed van start
        prerequisites: [klassenmanagement]
        ---
        """, "goed-van-start/course.md:4: prerequisites: prerequisite cycle: "
             "goed-van-start → klassenmanagement → goed-van-start"),
    ("track prerequisite cycle", TRACK, """
        ---
        id: inductie-starters
        title: Inductie
        courses:
          - course: goed-van-start
            after: [klassenmanagement]
          - course: klassenmanagement
            after: [goed-van-start]
        ---
        """, "tracks/inductie-starters.md:6: courses[0].after: prerequisite cycle: "
             "goed-van-start → klassenmanagement → goed-van-start"),
    ("after outside the track", TRACK, """
        ---
        id: inductie-starters
        title: Inductie
        courses:
          - course: klassenmanagement
            after: [goed-van-start]
        ---
        """, "tracks/inductie-starters.md:6: courses[0].after[0]: 'goed-van-start' is not a "
             "course of this track"),
    ("unknown key", LESSON, """
        ---
        id: jouw-start
        titel: Jouw start
        title: Jouw start
        type: page
        ---
        """, "goed-van-start/01-jouw-start.md:3: titel: warning: unknown key 'titel'; "
             "did you mean 'title'?"),
    ("hours not a number", COURSE, """
        ---
        id: goed-van-start
        title: Goed van start
        hours: veel
        ---
        """, "goed-van-start/course.md:4: hours: must be a number, got text 'veel'"),
    ("nlqf out of range", COURSE, """
        ---
        id: goed-van-start
        title: Goed van start
        nlqf: 9
        ---
        """, "goed-van-start/course.md:4: nlqf: must be between 4 and 8, got 9"),
    ("required not a boolean", LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        required: misschien
        ---
        """, "goed-van-start/01-jouw-start.md:5: required: must be true or false"),
    ("type-specific problem", "goed-van-start/03-checklist.md", """
        ---
        id: checklist
        title: Checklist
        type: checklist
        items: []
        ---
        """, "goed-van-start/03-checklist.md:5: items: a checklist needs at least one item"),
    ("course hook problem", COURSE, """
        ---
        id: goed-van-start
        title: VERBODEN van start
        ---
        """, "goed-van-start/course.md:3: title: titles may not shout"),
    ("escaped control character", COURSE, """
        ---
        id: goed-van-start
        title: Goed van start
        summary: "Start\\0"
        ---
        """, "goed-van-start/course.md:4: front matter: 'summary' contains a control character "
             "(U+0000)"),
    ("NUL byte in the body", LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        ---
        Een regel
        met \x00 erin
        """, "goed-van-start/01-jouw-start.md:7: file: contains a NUL character (U+0000)"),
    ("no front matter", "goed-van-start/03-los.md", """
        # Een losse les
        """, "goed-van-start/03-los.md:1: front matter: missing"),
]


@pytest.mark.parametrize("name,path,text,expected", CASES, ids=[c[0] for c in CASES])
def test_problem_points_at_file_and_line(content_app, tree, name, path, text, expected):
    """Each kind of mistake is reported as path:line: field: message at the right line."""
    write(tree / path, text)
    found = problems_for(content_app, tree)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once(content_app, tree):
    """Several mistakes in several files are all listed in one run, sorted by file."""
    write(tree / COURSE, """
        ---
        id: goed-van-start
        title: Goed van start
        hours: veel
        ---
        """)
    write(tree / LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: quizz
        ---
        """)
    found = problems_for(content_app, tree)
    assert sorted(p.split(":")[0] for p in found) == sorted([COURSE, LESSON])
    assert len(found) == 2


def test_warnings_do_not_count_as_errors(content_app, tree):
    """An unquoted version number is a warning, not an error."""
    write(tree / COURSE, """
        ---
        id: goed-van-start
        title: Goed van start
        version: 1.10
        ---
        """)
    with content_app.app_context():
        found = check_directory(tree)
    assert [p.severity for p in found] == ["warning"]
    assert "quote it" in found[0].message


def test_markdown_javascript_link_is_reported_like_the_html_one(content_app, tree):
    """[x](javascript:alert(1)) is found (parentheses and all) and reported as the raw-HTML
    link is: a warning that the renderer removes it."""
    write(tree / LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        ---
        [klik](javascript:alert(1)) en <a href="javascript:alert(2)">hier</a>
        """)
    found = problems_for(content_app, tree)
    message = "warning: 'javascript:' links are removed when the lesson is rendered; use " \
              "http, https or mailto"
    assert found == [f"{LESSON}:6: link: {message}"]


def test_link_to_a_lesson_with_broken_front_matter_says_so(content_app, tree):
    """A link to a lesson that did not load names the reason, not 'is not a lesson'."""
    write(tree / "goed-van-start/03-kapot.md", "---\nid: kapot\ntitle: [oeps\ntype: page\n---\n")
    write(tree / LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        ---
        Lees [de kapotte les](03-kapot.md).
        """)
    found = [p for p in problems_for(content_app, tree) if p.startswith(LESSON)]
    assert found == [f"{LESSON}:6: link: broken link: '03-kapot.md' is a lesson whose front "
                     "matter is broken (goed-van-start/03-kapot.md:4: front matter)"]


def test_check_reports_the_markdown_files_it_ignores(content_app, tree):
    """A Markdown file that is read as nothing is a warning with the reason."""
    write(tree / "README.md", "# Onze cursussen\n")
    write(tree / "frameworks/uitleg.md", "Uitleg.\n")
    write(tree / "tracks/oud/route.md", "Oud.\n")
    write(tree / "goed-van-start/_concept/les.md", "Concept.\n")
    write(tree / "_archief/oude-cursus/course.md", "Oud.\n")
    write(tree / ".git/info.md", "niet gemeld\n")
    assert problems_for(content_app, tree) == [
        "README.md:0: file: warning: ignored: a Markdown file at the top of the tree is not "
        "part of a course (a course is a folder with a course.md; tracks go in tracks/)",
        "_archief/oude-cursus/course.md:0: file: warning: ignored: in '_archief/': folders "
        "whose names start with '_' are skipped",
        "frameworks/uitleg.md:0: file: warning: ignored: frameworks/ holds .yml files only",
        "goed-van-start/_concept/les.md:0: file: warning: ignored: in '_concept/': folders "
        "whose names start with '_' are skipped",
        "tracks/oud/route.md:0: file: warning: ignored: tracks are read from tracks/*.md only",
    ]


def test_a_wrong_competence_code_lists_the_frameworks_codes(content_app, tree):
    """An unknown code names the nearest one and the codes the framework has."""
    write(tree / LESSON, """
        ---
        id: jouw-start
        title: Jouw start
        type: page
        competences: [bekwaamheidseisen:pedagogish, onbekend:x]
        ---
        """)
    assert problems_for(content_app, tree) == [
        f"{LESSON}:5: competences[0]: unknown competence 'bekwaamheidseisen:pedagogish': did "
        "you mean 'bekwaamheidseisen:pedagogisch'? framework 'bekwaamheidseisen': its codes are "
        "vakinhoudelijk, vakdidactisch, pedagogisch",
        f"{LESSON}:5: competences[1]: unknown competence 'onbekend:x': no framework 'onbekend' "
        "in frameworks/ or in another source",
    ]
