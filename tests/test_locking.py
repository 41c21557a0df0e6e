"""Locked means locked on every page and in the API; work outside an enrolment enrols, the
same way on the web and in the API."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Course, Lesson, User
from lms.models.progress import Enrolment, Exemption, LessonState, ProgressEvent
from lms.models.portfolio import ApiToken
from lms.tracking import record_progress
from lms.tracking.prerequisites import course_locks
from lms.tracking.tracks import enrol, grant_exemption
from tests import builders as b


def _english(client, auth, who="learner"):
    assert auth.login(who).status_code == 302
    client.post("/taal", data={"lang": "en"})


def _track(app, learner="learner"):
    """Track 'route': 'basis' first, then 'vervolg' (after basis); the learner enrolled."""
    with app.app_context():
        basis = b.course("basis", 2, title="Basis")
        vervolg = b.course("vervolg", 2, title="Vervolg")
        track = b.track("route", [basis, (vervolg, True, ["basis"])])
        enrol(b.user(learner), track=track)
        return track.id


def _token(app, who="learner") -> str:
    with app.app_context():
        token, secret = ApiToken.issue(b.user(who).id, "test")
        db.session.add(token)
        db.session.commit()
        return secret


def _events(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProgressEvent)
                                 .join(Course, Course.id == ProgressEvent.course_id)
                                 .where(Course.slug == slug))


def test_a_course_waiting_in_a_track_is_locked_on_its_own_pages(app, client, world, auth):
    """The course page says what to finish first (with a link) and links no lessons; the
    lesson page shows neither the text nor 'Mark as done'; marking done anyway records
    nothing."""
    _track(app)
    _english(client, auth)
    course_page = re.sub(r"\s+", " ", client.get("/cursussen/vervolg").get_data(as_text=True))
    assert "this course opens once you have completed:" in course_page
    assert '<a href="/cursussen/basis">Basis</a>' in course_page
    assert 'href="/cursussen/vervolg/l1"' not in course_page
    lesson_page = client.get("/cursussen/vervolg/l1").get_data(as_text=True)
    assert "Tekst van vervolg/l1" not in lesson_page and "Mark as done" not in lesson_page
    refused = client.post("/cursussen/vervolg/l1/afgerond", follow_redirects=True)
    assert "This course opens once you have completed: Basis." in refused.get_data(as_text=True)
    assert _events(app, "vervolg") == 0
    track_page = client.get("/leerroutes/route").get_data(as_text=True)
    assert "unlocks after: Basis" in track_page


def test_the_api_refuses_a_locked_course_the_same_way(app, client, world):
    secret = _token(app)
    _track(app)
    refused = client.post("/api/v1/progress", json={"object": "vervolg/l1", "verb": "completed"},
                          headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "locked"
    assert refused.get_json()["waiting_for"] == [
        {"course": "basis", "title": "Basis", "track": "Route"}]
    assert _events(app, "vervolg") == 0


def test_plugin_activities_are_locked_too(app, client, world, auth):
    """A reflection in a locked course saves nothing and records nothing."""
    with app.app_context():
        basis = b.course("basis", 1, title="Basis")
        vervolg = b.course("vervolg", ["terugblik"], title="Vervolg", lesson_type="reflection")
        vervolg.lessons[0].settings = {"prompts": [{"id": "moment", "text": "Wat ging goed?"}]}
        db.session.commit()
        track = b.track("route", [basis, (vervolg, True, ["basis"])])
        enrol(b.user("learner"), track=track)
        lesson_id = vervolg.lessons[0].id
    _english(client, auth)
    answer = client.post(f"/plugins/reflection/lessen/{lesson_id}/vragen/moment",
                         data={"text": "Stiekem"}, follow_redirects=True)
    assert "This course opens once you have completed: Basis." in answer.get_data(as_text=True)
    assert _events(app, "vervolg") == 0


def test_completing_or_an_exemption_unlocks(app, world):
    with app.app_context():
        basis = b.course("basis", 1, title="Basis")
        vervolg = b.course("vervolg", 1, title="Vervolg")
        track = b.track("route", [basis, (vervolg, True, ["basis"])])
        learner, other = b.user("learner"), b.user("other_learner")
        enrol(learner, track=track)
        enrol(other, track=track)
        assert [p.slug for p in course_locks(learner.id, vervolg)] == ["basis"]
        record_progress(learner, basis.lessons[0], "completed")
        assert course_locks(learner.id, vervolg) == []
        grant_exemption(other, track, basis, by=b.user("schoolopleider"), reason="Elders gedaan")
        assert course_locks(other.id, vervolg) == []
        assert db.session.scalar(select(func.count()).select_from(Exemption)) == 1


def test_a_courses_own_prerequisites_lock_it_for_everyone(app, world):
    """Course front matter `prerequisites:` locks without any track; an archived
    prerequisite no longer does."""
    with app.app_context():
        first = b.course("eerst", 1, title="Eerst")
        then = b.course("daarna", 1, title="Daarna")
        then.prerequisites = ["eerst"]
        db.session.commit()
        learner = b.user("learner")
        assert [(p.slug, p.track) for p in course_locks(learner.id, then)] == [("eerst", None)]
        first.archived = True
        db.session.commit()
        assert course_locks(learner.id, then) == []


def test_finished_work_stays_open(app, world):
    """A course completed before its track asked for another one first is not locked."""
    with app.app_context():
        basis = b.course("basis", 1, title="Basis")
        vervolg = b.course("vervolg", 1, title="Vervolg")
        learner = b.user("learner")
        enrol(learner, course=vervolg)
        record_progress(learner, vervolg.lessons[0], "completed")
        track = b.track("route", [basis, (vervolg, True, ["basis"])])
        enrol(learner, track=track)
        assert course_locks(learner.id, vervolg) == []


# --- outside an enrolment -----------------------------------------------------------------------


def test_a_lesson_page_outside_an_enrolment_explains_and_writes_nothing(app, client, world, auth):
    with app.app_context():
        b.course("los", 2, title="Losse cursus")
    _english(client, auth)
    page = client.get("/cursussen/los/l1").get_data(as_text=True)
    assert "You are not enrolled in this course yet." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
        assert db.session.scalar(select(func.count()).select_from(LessonState)) == 0


def test_marking_done_outside_an_enrolment_enrols(app, client, world, auth):
    with app.app_context():
        b.course("los", 2, title="Losse cursus")
    _english(client, auth)
    done = client.post("/cursussen/los/l1/afgerond", follow_redirects=True)
    assert "Marked as done. You are now enrolled in this course." in done.get_data(as_text=True)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        assert enrolment.course.slug == "los" and enrolment.user_id == world.users["learner"]
        event = db.session.scalar(select(ProgressEvent))
        assert event.registration == enrolment.id


def test_the_api_enrols_the_same_way(app, client, world):
    """Progress through the API outside an enrolment enrols (and says so), once."""
    with app.app_context():
        b.course("los", 2, title="Losse cursus")
    secret = _token(app)
    headers = {"Authorization": f"Bearer {secret}"}
    first = client.post("/api/v1/progress", json={"object": "los/l1", "verb": "experienced"},
                        headers=headers)
    assert first.status_code == 201 and first.get_json()["enrolled"] is True
    again = client.post("/api/v1/progress", json={"object": "los/l2", "verb": "completed"},
                        headers=headers)
    assert again.get_json()["enrolled"] is False
    with app.app_context():
        enrolments = db.session.scalars(select(Enrolment)).all()
        assert [(e.user_id, e.course.slug) for e in enrolments] == [(world.users["learner"], "los")]
        registrations = set(db.session.scalars(select(ProgressEvent.registration)))
        assert registrations == {enrolments[0].id}


def test_course_and_lesson_pages_stay_within_the_budget_when_locked(app, world):
    """Locks cost one query, only for courses that can be locked (pages built every time:
    a lesson page asked again unchanged is one query, tests/test_revalidation.py)."""
    from lms.testing import Auth
    from tests.test_learn import counted

    app.config["PAGE_CACHE_BYTES"] = 0
    _track(app)
    client = app.test_client()
    Auth(client).login("learner")
    for url in ("/cursussen/vervolg", "/cursussen/vervolg/l1", "/cursussen/basis/l1"):
        client.get(url)
        with counted(app) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= 6, (url, statements)
    with app.app_context():
        b.course("vrij", 1)
    client.get("/cursussen/vrij/l1")
    with counted(app) as statements:
        client.get("/cursussen/vrij/l1")
    assert len(statements) == 3  # the user, the course, its lessons: no lock query


def test_the_mentor_sees_a_course_taken_outside_any_track(app, client, world, auth):
    """Work on a lesson outside a track enrols in its course, and the mentor's list shows
    that course with its progress instead of 'no tracks'."""
    with app.app_context():
        b.course("los", 2, title="Losse cursus")
    _english(client, auth)
    client.post("/cursussen/los/l1/afgerond")
    auth.logout()
    _english(client, auth, "mentor")
    html = re.sub(r"\s+", " ", client.get("/begeleiding").get_data(as_text=True))
    assert "Losse cursus <span class=\"hint\">(course)</span>:" in html
    assert "No tracks or courses" not in html.split("Learner", 1)[1].split("</tr>", 1)[0]
