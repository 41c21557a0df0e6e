"""The quiz plugin end to end: validation, taking the quiz through the web, feedback, pass/fail."""
from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db
from leerpad_plugins.quiz.activity import validate
from leerpad_plugins.quiz.models import QuizAttempt
from leerpad_plugins.testing import LESSON_URL, lesson_state

GOOD = {"pass_score": 70, "questions": [
    {"id": "q1", "text": "Vraag?", "kind": "single",
     "options": [{"text": "A", "correct": True}, {"text": "B"}]}]}


def test_shipped_front_matter_shape_is_accepted():
    """A quiz written as in the course format passes the linter."""
    assert validate(GOOD) == []


def test_bad_front_matter_names_the_field():
    """Authors see which quiz field is wrong: score, missing correct answer, unknown kind."""
    bad = {"pass_score": 150, "questions": [
        {"id": "q1", "text": "?", "kind": "either", "options": [{"text": "A"}, {"text": "B"}]},
        {"id": "q1", "text": "?", "kind": "single",
         "options": [{"text": "A", "correct": True}, {"text": "B", "correct": True}]}]}
    fields = {field for field, _ in validate(bad)}
    assert {"pass_score", "questions[0].kind", "questions[1].id", "questions[1].options"} <= fields
    assert validate({}) == [("questions", "a quiz needs a list of at least one question")]


def test_failing_then_passing_the_quiz(app, client, auth, world, course):
    """A learner fails, sees the feedback on their answers, retries, passes and completes."""
    auth.login("learner")
    page = client.get(LESSON_URL.format(slug="toets"))
    assert page.status_code == 200
    assert "Wat is de hoofdstad van Nederland?" in page.get_data(as_text=True)
    url = f"/plugins/quiz/lessen/{course['toets']}/pogingen"
    wrong = client.post(url, data={"hoofdstad": "1", "kleuren": ["0"]}, follow_redirects=True)
    html = wrong.get_data(as_text=True)
    assert "Nee, daar zit de regering." in html
    assert "Not passed: 0%, 50% needed." in html
    learner = world.users["learner"]
    assert lesson_state(app, learner, course["toets"])[0] == "in_progress"
    right = client.post(url, data={"hoofdstad": "0", "kleuren": ["0", "1"]}, follow_redirects=True)
    assert "Klopt, Amsterdam is de hoofdstad." in right.get_data(as_text=True)
    status, verbs = lesson_state(app, learner, course["toets"])
    assert status == "completed"
    assert {"attempted", "failed", "passed"} <= set(verbs)
    with app.app_context():
        attempts = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id)).all()
        assert [(a.score, a.passed) for a in attempts] == [(0.0, False), (100.0, True)]
        assert attempts[1].answers == {"hoofdstad": [0], "kleuren": [0, 1]}


def test_half_right_reaches_a_fifty_percent_pass_score(app, client, auth, world, course):
    """A multiple-answer question counts only when exactly the right options are chosen."""
    auth.login("learner")
    client.post(f"/plugins/quiz/lessen/{course['toets']}/pogingen",
                data={"hoofdstad": "0", "kleuren": ["0"]})
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        assert (attempt.score, attempt.passed) == (50.0, True)


def test_answers_outside_the_options_are_ignored_not_a_crash(app, client, auth, world, course):
    """Tampered form values give a clean failed attempt, never a server error."""
    auth.login("learner")
    response = client.post(f"/plugins/quiz/lessen/{course['toets']}/pogingen",
                           data={"hoofdstad": ["9", "x", "0", "1"], "nope": "1"})
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        assert attempt.answers == {"hoofdstad": [0], "kleuren": []}


def test_viewing_the_quiz_writes_nothing(app, client, auth, world, course):
    """Opening a quiz lesson does not create an attempt."""
    auth.login("learner")
    client.get(LESSON_URL.format(slug="toets"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_only_quiz_lessons_take_attempts(client, auth, world, course):
    """Posting answers to a lesson that is not a quiz finds nothing."""
    auth.login("learner")
    assert client.post(f"/plugins/quiz/lessen/{course['lezen']}/pogingen").status_code == 404
