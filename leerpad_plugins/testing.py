"""The test course of the bundled plugins: a page, a quiz, a reflection and two assignments,
imported like real content. Their own tests and the core's hook tests use it."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.testing import import_course as _import, write_course as _write

COURSE = {
    "course.md": """
        ---
        id: plugintest
        title: Plugins in de praktijk
        audience: [learner]
        hours: 2
        ---
        Een cursus om de activiteiten te testen.
        """,
    "01-lezen.md": """
        ---
        id: lezen
        title: Lezen
        type: page
        ---
        Lees dit.
        """,
    "02-toets.md": """
        ---
        id: toets
        title: Kennistoets
        type: quiz
        pass_score: 50
        questions:
          - id: hoofdstad
            text: Wat is de hoofdstad van Nederland?
            kind: single
            options:
              - text: Amsterdam
                correct: true
                feedback: Klopt, Amsterdam is de hoofdstad.
              - text: Den Haag
                feedback: Nee, daar zit de regering.
          - id: kleuren
            text: Welke kleuren heeft de vlag?
            kind: multiple
            options:
              - text: Rood
                correct: true
                feedback: Ja, rood hoort erbij.
              - text: Wit
                correct: true
              - text: Groen
                feedback: Nee, groen niet.
        ---
        Test je kennis.
        """,
    "03-terugblik.md": """
        ---
        id: terugblik
        title: Terugblik
        type: reflection
        prompts:
          - id: moment
            text: Beschrijf een moment uit je les.
          - id: leerpunt
            text: Wat neem je mee?
        ---
        Kijk terug.
        """,
    "04-opdracht.md": """
        ---
        id: opdracht
        title: Praktijkopdracht
        type: assignment
        sign_off: mentor
        submission:
          text: true
          file: {max_mb: 1, types: [pdf, txt]}
        ---
        Beschrijf een lesopzet.
        """,
    "05-eindopdracht.md": """
        ---
        id: eindopdracht
        title: Eindopdracht
        type: assignment
        sign_off: schoolopleider
        ---
        Lever je eindverslag in.
        """,
}


LESSON_URL = "/cursussen/plugintest/{slug}"


def write_course(root: Path) -> Path:
    """Write the test course into ``root/plugintest``; returns ``root``."""
    return _write(root, COURSE)


def import_course(app, root: Path) -> dict[str, int]:
    """Import the test course with ``app``'s plugins; lesson ids by slug."""
    return _import(app, root, COURSE)


@pytest.fixture
def course(app, tmp_path):
    """The test course imported into the database; lesson ids by slug."""
    return import_course(app, tmp_path / "courses")


def lesson_state(app, who_id: int, lesson: int):
    """(status, verbs) of a learner's lesson state, or None."""
    from lms.models.progress import LessonState

    with app.app_context():
        state = db.session.scalar(select(LessonState).where(LessonState.user_id == who_id,
                                                            LessonState.lesson_id == lesson))
        return (state.status, list(state.verbs or [])) if state else None
