"""The demo region looks alive: ~300 people in twelve schools with a year of activity, one
login per role that has something to do, the same region every run, made once."""
from __future__ import annotations

import re
import shutil
from datetime import date

from sqlalchemy import func, select

from lms.content import SHIPPED_COURSES
from lms.content.importer import import_directory
from lms.demo import PEOPLE, create_demo_data
from lms.extensions import db
from lms.homes import home_for
from lms.models import Enrolment, Organisation, RoleAssignment, User
from lms.models.portfolio import HoursEntry
from lms.models.progress import Credential, ProgressEvent
from lms.testing import PG_URL, truncate_all
from lms.tracking.dates import add_months
from lms.clock import today as clock_today  # the learners' day, as the app's

REGION = "Regio Progressus"


def _demo(app):
    """Import the shipped courses and create the demo; logins by key."""
    with app.app_context():
        import_directory(SHIPPED_COURSES)
        return {login.key: login for login in create_demo_data()}


def _log_in(client, login) -> None:
    response = client.post("/inloggen", data={"email": login.email, "password": login.password})
    assert response.status_code == 302, login.email


def _snapshot() -> dict:
    """What the region is made of: people (name, e-mail, roles) and row counts."""
    people = sorted(db.session.execute(
        select(User.email, User.name, RoleAssignment.role, Organisation.name)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Organisation, Organisation.id == RoleAssignment.organisation_id)).all())
    counts = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
              for model in (User, Enrolment, ProgressEvent, HoursEntry, Credential)}
    done = sorted(db.session.execute(
        select(User.email, Enrolment.status).join(Enrolment, Enrolment.user_id == User.id)).all())
    return {"people": people, "counts": counts, "enrolments": done}


def test_region_has_three_boards_twelve_schools_and_300_people(app):
    """Boards, schools of every sector, and learners of every kind in their own tracks."""
    _demo(app)
    with app.app_context():
        region = db.session.scalar(select(Organisation).where(Organisation.name == REGION))
        boards = region.children
        schools = [school for board in boards for school in board.children]
        roles = dict(db.session.execute(
            select(RoleAssignment.role, func.count()).group_by(RoleAssignment.role)).all())
        people = db.session.scalar(select(func.count()).select_from(User))
        tracks = {slug for (slug,) in db.session.execute(
            select(func.distinct(db.metadata.tables["track"].c.slug))
            .join(Enrolment, Enrolment.track_id == db.metadata.tables["track"].c.id))}
        shared = db.session.execute(db.text(
            "SELECT count(*) FROM reflection_entry WHERE shared")).scalar()
        waiting = db.session.execute(db.text(
            "SELECT count(*) FROM assignment_submission WHERE status = 'submitted'")).scalar()
        expiring = db.session.scalar(select(func.count()).select_from(Credential).where(
            Credential.expires_at.between(clock_today(), add_months(clock_today(), 3))))
    assert len(boards) == 3 and len(schools) == 12
    assert {s.sector for s in schools} == {"po", "vo", "mbo"}
    assert 280 <= people <= 330
    assert roles["learner"] >= 240 and roles["mentor"] >= 30
    assert roles["schoolopleider"] == 12 and roles["coordinator"] == 4
    assert {"inductie-starters", "zij-instroom", "pdg-mbo", "werkplekbegeleider",
            "schoolopleider-brlo"} <= tracks
    assert shared > 50 and waiting > 10 and expiring >= 2


def test_every_printed_login_has_something_to_do(app):
    """The mentor has mentees with work waiting, the schoolopleider learners behind schedule,
    the coordinator real numbers that moved since last month, the learner a deadline."""
    logins = _demo(app)
    assert list(logins) == [person.key for person in PEOPLE]
    with app.test_request_context():
        def home(key):
            return home_for(db.session.scalar(select(User).where(
                User.email == logins[key].email)), clock_today())

        mentor = home("werkplekbegeleider")
        school = home("schoolopleider").schools[0]
        numbers = {n.key: n for n in home("coordinator").coordinator[0].numbers}
        learner = home("deelnemer").learner
    assert mentor.mentor.total >= 9 and len(mentor.waiting) >= 3
    assert school.behind_total >= 2
    assert numbers["learners"].now >= 240 and numbers["in_track"].now >= 100
    assert numbers["completed"].now > 0 and numbers["credentials"].now > 0
    assert any(n.change for n in numbers.values())
    assert learner is not None

    client = app.test_client()
    _log_in(client, logins["werkplekbegeleider"])
    queue = client.get("/begeleiding/aftekenen").get_data(as_text=True)
    assert "Praktijkopdracht: mijn werkafspraken" in queue
    assert "Sanne de Vries" in queue  # the demo learner's hand-in waits for her mentor


def test_the_same_region_every_run_and_made_once(app, app_factory, db_template, tmp_path):
    """A second run adds nothing and resets only the passwords; a fresh database gets the
    same people with the same progress."""
    _demo(app)
    with app.app_context():
        first = _snapshot()
        create_demo_data()
        assert _snapshot() == first
    if PG_URL:
        truncate_all(app)
        fresh = app
    else:
        shutil.copy(db_template, tmp_path / "fresh.sqlite")
        fresh = app_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    _demo(fresh)
    with fresh.app_context():
        assert _snapshot() == first


def test_coordinators_see_counts_not_what_learners_wrote(app):
    """Generated reflections are the learners' own: a coordinator's report shows numbers, and
    no text of a logbook entry or hand-in."""
    logins = _demo(app)
    with app.app_context():
        texts = [row[0] for row in db.session.execute(db.text(
            "SELECT text FROM reflection_entry WHERE shared LIMIT 20"))]
        region = db.session.scalar(select(Organisation).where(Organisation.name == REGION))
    client = app.test_client()
    _log_in(client, logins["coordinator"])
    pages = client.get("/").get_data(as_text=True) + client.get(
        f"/coordinatie/{region.id}").get_data(as_text=True)
    assert re.search(r"\d{2,}", pages)
    assert texts and not any(text[:40] in pages for text in texts)


def test_an_older_demo_gets_the_region_and_keeps_what_people_did(app):
    """A demo made before the courses were there, where the demo learner took a lesson:
    the next run adds the region and leaves her own progress as it was."""
    from lms.models import Lesson
    from lms.models.progress import LessonState
    from lms.tracking import record_progress

    with app.app_context():
        logins = {login.key: login for login in create_demo_data()}  # no courses yet: no region
        assert db.session.scalar(select(func.count()).select_from(User)) == len(PEOPLE)
        import_directory(SHIPPED_COURSES)
        sanne = db.session.scalar(select(User).where(User.email == logins["deelnemer"].email))
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "inductiefasen"))
        record_progress(sanne, lesson, "completed")
        mine = db.session.execute(select(LessonState.lesson_id, LessonState.status)
                                  .where(LessonState.user_id == sanne.id)).all()
        create_demo_data()
        assert db.session.scalar(select(func.count()).select_from(User)) > 280
        assert db.session.execute(select(LessonState.lesson_id, LessonState.status)
                                  .where(LessonState.user_id == sanne.id)).all() == mine

