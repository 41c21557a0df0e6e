"""Progress put in place with the domain functions (not the browser), so a test can start
where its story starts. Call inside an app context, after the courses are imported."""
from __future__ import annotations

import importlib
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.models import Course, Lesson, Track
from lms.tracking import record_progress
from lms.tracking.tracks import enrol
from tests.builders import user
from lms.clock import today as clock_today  # the learners' day, as the app's


def lesson(course_slug: str, lesson_slug: str) -> Lesson:
    return db.session.scalars(select(Lesson).join(Course).where(
        Course.slug == course_slug, Lesson.slug == lesson_slug)).one()


def enrol_in_track(who: str, track_slug: str) -> None:
    enrol(user(who), track=db.session.scalars(select(Track).where(Track.slug == track_slug)).one())


def do_lesson(who: str, course_slug: str, lesson_slug: str, reviewer: str = "mentor") -> None:
    """Complete a lesson the way its activity does: read, pass the quiz, answer every prompt,
    or hand in work that the reviewer approves."""
    person, item = user(who), lesson(course_slug, lesson_slug)
    if item.type == "quiz":
        scoring = importlib.import_module("leerpad_plugins.quiz.scoring")
        right = {q["id"]: [i for i, o in enumerate(q["options"]) if o.get("correct")]
                 for q in scoring.questions(item)}
        scoring.take_quiz(person, item, right)
    elif item.type == "reflection":
        portfolio = importlib.import_module("leerpad_plugins.reflection.portfolio")
        for prompt in portfolio.prompts(item):
            portfolio.write_entry(person, item, prompt["id"], f"Mijn antwoord op {prompt['id']}.")
    elif item.type == "assignment":
        review(reviewer, hand_in(who, course_slug, lesson_slug, "Mijn uitwerking."), approve=True)
    else:
        record_progress(person, item, "completed")


def fail_quiz(who: str, course_slug: str, lesson_slug: str) -> None:
    """An attempt with the last two questions wrong (and the others right)."""
    scoring = importlib.import_module("leerpad_plugins.quiz.scoring")
    item = lesson(course_slug, lesson_slug)
    questions = scoring.questions(item)
    answers = {}
    for number, question in enumerate(questions):
        right = [i for i, o in enumerate(question["options"]) if o.get("correct")]
        wrong = [i for i, o in enumerate(question["options"]) if not o.get("correct")][:1]
        answers[question["id"]] = wrong if number >= len(questions) - 2 else right
    scoring.take_quiz(user(who), item, answers)


def share_reflections(who: str, course_slug: str, lesson_slug: str) -> None:
    portfolio = importlib.import_module("leerpad_plugins.reflection.portfolio")
    for entry in portfolio.entries_of(user(who).id, lesson(course_slug, lesson_slug).id):
        portfolio.set_shared(entry, True)


def hand_in(who: str, course_slug: str, lesson_slug: str, text: str) -> Any:
    """Hand in text for an assignment; the submission."""
    work = importlib.import_module("leerpad_plugins.assignment.work")
    return work.submit(user(who), lesson(course_slug, lesson_slug), text, None)


def review(reviewer: str, submission: Any, *, approve: bool, feedback: str = "") -> None:
    work = importlib.import_module("leerpad_plugins.assignment.work")
    work.decide(user(reviewer), submission, approve, feedback)


def log_hours_and_goal(who: str) -> None:
    """An hours entry and a development goal on the person's path."""
    from lms.models.portfolio import DevelopmentGoal, HoursEntry

    person = user(who)
    db.session.add(HoursEntry(user_id=person.id, date=clock_today() - timedelta(days=3), hours=2.5,
                              category="intervisie", description="Intervisie met starters"))
    db.session.add(DevelopmentGoal(user_id=person.id, title="Rustiger instructie geven",
                                   status="in_progress",
                                   target_date=clock_today() + timedelta(days=60),
                                   competences=["bekwaamheidseisen:vakdidactisch"]))
    db.session.commit()


def mentees(mentor: str, school_id: int, people: dict[str, tuple[str, str, list[str]]]) -> None:
    """More learners at the school, guided by ``mentor``: e-mail name → (full name, track,
    lessons done in the track's first course; ["*"] for all of them)."""
    from lms.models import MentorAssignment, Organisation
    from lms.testing import add_user

    school = db.session.get(Organisation, school_id)
    for who, (name, track_slug, done) in people.items():
        person = add_user(who, [("learner", school)])
        person.name = name
        db.session.add(MentorAssignment(mentor=user(mentor), learner=person))
        db.session.commit()
        enrol_in_track(who, track_slug)
        first = db.session.scalars(select(Track).where(Track.slug == track_slug)).one().courses[0]
        if done == ["*"]:
            done = [item.slug for item in first.course.lessons]
        for slug in done:
            do_lesson(who, first.course.slug, slug, reviewer=mentor)
