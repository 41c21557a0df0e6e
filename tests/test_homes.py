"""Role-aware homes: each role's part answers "what needs me today", a person with several
roles sees each part, and every home costs the same number of queries with 5 or 50 mentees
or learners (the learner's home at most six)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from lms.extensions import db
from lms.models import (Credential, HoursEntry, MentorAssignment, Organisation, RoleAssignment,
                        User)
from lms.models.base import utcnow
from lms.models.progress import Enrolment
from lms.tracking import record_progress
from lms.tracking.tracks import enrol
from tests import builders
from tests.supervision_data import confirmation_request, count_queries, login_as
from lms.clock import today as clock_today  # the learners' day, as the app's

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)", re.I)
AUDIT = re.compile(r"^\s*INSERT INTO audit_event", re.I)


def _route():
    """A 12-month track of one course (made once)."""
    found = db.session.scalar(select(builders.Track).where(builders.Track.slug == "dagroute"))
    if found is not None:
        return found
    return builders.track("dagroute", [builders.course("dagcursus", 2, hours=3.0)],
                          duration_months=12)


def seed_people(world, count: int, *, start: int = 0, mentor: str | None = "mentor",
                school_id: int | None = None) -> list[int]:
    """``count`` learners at the world's school (or ``school_id``) in the 12-month track: every
    third past its deadline, every third behind schedule, the rest just started; when
    ``mentor`` is given they are that mentor's and each asks them to confirm a competence."""
    track = _route()
    school = db.session.get(Organisation, school_id or world.school)
    guide = builders.user(mentor) if mentor else None
    now = utcnow()
    ids = []
    for i in range(start, start + count):
        person = User(email=f"dag{i}@example.org", name=f"Dag {i:03d}")
        person.password_hash = "x"
        db.session.add(person)
        db.session.add(RoleAssignment(user=person, organisation=school, role="learner"))
        db.session.flush()
        if guide is not None:
            db.session.add(MentorAssignment(mentor_id=guide.id, learner_id=person.id))
        db.session.commit()
        days = (400, 300, 5)[i % 3]  # deadline passed, behind, on schedule
        enrol(person, track=track, at=now - timedelta(days=days))
        if guide is not None:
            confirmation_request(person.id, guide.id)
        ids.append(person.id)
    return ids


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _measure(app, client) -> tuple[int, str]:
    """Queries of one home page; it writes nothing but the audit of who was shown."""
    with count_queries(app) as statements:
        html = _home(client)
    assert not [s for s in statements if WRITES.match(s) and not AUDIT.match(s)]
    return len(statements), html


def test_learner_home_continue_next_deadline_and_hours_this_year(app, world, client):
    """The learner's home: the next lesson, the nearest deadline, this year's hours; ≤ 6
    queries, and a GET writes nothing."""
    today = clock_today()
    with app.app_context():
        learner = builders.user("learner")
        track = _route()
        enrol(learner, track=track)
        course = builders.course("los", 2, hours=2.0)
        enrol(learner, course=course)
        for lesson in course.lessons:
            record_progress(learner, lesson, "completed")  # 2 hours, completed today
        db.session.add_all([
            HoursEntry(user_id=learner.id, date=today.replace(month=1, day=1), hours=3.5,
                       category="lezen", description="Dit jaar"),
            HoursEntry(user_id=learner.id, date=today.replace(year=today.year - 1), hours=40,
                       category="lezen", description="Vorig jaar")])
        db.session.commit()
        deadline = db.session.scalar(select(Enrolment.deadline).where(
            Enrolment.track_id == track.id))
    login_as(client, "learner")
    queries, html = _measure(app, client)
    assert queries <= 6, queries
    assert "Start your next lesson" in html
    assert 'class="button" href="/cursussen/dagcursus/l1"' in html
    assert "Next deadline" in html and 'href="/leerroutes/dagroute">Dagroute</a>' in html
    assert f"Hours in {today.year}" in html
    assert "5.5 hours" in html  # 3.5 logged this year + 2 of the course; last year's 40 not
    assert deadline is not None and str(deadline.year) in html.split("Next deadline")[1][:400]
    assert "Waiting for your sign-off" not in html and "My learners" not in html
    assert "nav-count" not in html


def test_mentor_home_same_queries_with_5_and_50_mentees(app, world):
    """The mentor's home lists their learners, most urgent first, with what waits for the
    mentor (a count linking to the queue); 5 or 50 mentees cost the same queries."""
    client = app.test_client()
    with app.app_context():
        seed_people(world, 5)
    login_as(client, "mentor")
    small, html = _measure(app, client)
    assert "Waiting for your sign-off" in html
    assert "Open the sign-off queue (5 items)" in html and 'href="/begeleiding/aftekenen"' in html
    assert "My learners" in html and "All my learners (6)" in html
    rows = re.findall(r'<th scope="row"><a href="/begeleiding/deelnemer/\d+">([^<]+)</a>', html)
    assert rows[:2] == ["Dag 000", "Dag 003"]  # deadline passed first
    assert "Deadline passed" in html and "Behind schedule" in html and "On schedule" in html
    assert re.search(r'class="nav-count">5<span class="visually-hidden"> waiting', html)
    with app.app_context():
        seed_people(world, 45, start=5)
    large, html = _measure(app, client)
    assert "Open the sign-off queue (50 items)" in html and "All my learners (51)" in html
    assert len(re.findall(r'<th scope="row"><a href="/begeleiding/deelnemer/', html)) == 12
    assert small == large, (small, large)
    assert large <= 10, large


def test_schoolopleider_home_same_queries_with_5_and_50_learners(app, world):
    """The schoolopleider sees her school's learners behind schedule and those without a
    mentor, never her own row; 5 or 50 learners cost the same queries."""
    client = app.test_client()
    with app.app_context():
        me = builders.user("schoolopleider")
        enrol(me, track=_route(), at=utcnow() - timedelta(days=400))  # she is behind herself
        seed_people(world, 5, mentor=None)
    login_as(client, "schoolopleider")
    small, html = _measure(app, client)
    school = html[html.index("School: Het Noorderlicht"):].split("</section>")[0]
    behind, lonely = school.split("without a mentor")
    assert "4 learners behind schedule" in behind  # Dag 000, 001, 003, 004 (not 002)
    assert "Dag 000" in behind and "Dag 002" not in behind
    assert "Dag 002" in lonely  # and the world's other learner, who has no mentor either
    assert "Schoolopleider" not in school  # her own row is not among her learners
    with app.app_context():
        seed_people(world, 45, start=5, mentor=None)
    large, html = _measure(app, client)
    assert "34 learners behind schedule" in html
    assert small == large, (small, large)
    assert large <= 16, large


def test_coordinator_home_key_numbers_with_change_since_last_month(app, world):
    """The coordinator sees the key numbers of their subtree and how each changed since a
    month ago, counts only; 5 or 50 learners cost the same queries."""
    client = app.test_client()
    with app.app_context():
        long_ago = utcnow() - timedelta(days=90)
        db.session.execute(update(RoleAssignment).values(created_at=long_ago))
        db.session.commit()
        seed_people(world, 5, mentor=None)
    login_as(client, "coordinator")
    small, html = _measure(app, client)
    part = html[html.index("Key numbers: Bestuur Noord"):]
    # learner, other_learner and the schoolopleider (a learner too) before; five new now.
    assert re.search(r'<span class="figure">8</span> Learners\s*'
                     r'<span class="hint change">\+5 since', part), part[:800]
    assert re.search(r'<span class="figure">5</span> Learners in a track', part)
    assert "Dag 000" not in html  # counts, never names
    with app.app_context():
        seed_people(world, 45, start=5, mentor=None)
    large, html = _measure(app, client)
    assert re.search(r'<span class="figure">53</span> Learners', html)
    assert small == large, (small, large)
    assert large <= 8, large


def test_coordinator_numbers_as_they_stood_a_month_ago(app, world):
    """Overdue, completed and valid-credential counts are taken as they stood on each day."""
    from lms.homes import coordinator_part

    today = clock_today()
    with app.app_context():
        ids = seed_people(world, 3, mentor=None)  # 400, 300 and 5 days ago
        now = utcnow()
        db.session.execute(update(RoleAssignment).values(created_at=now - timedelta(days=800)))
        done = db.session.scalar(select(Enrolment).where(Enrolment.user_id == ids[2]))
        done.status, done.completed_at = "completed", now - timedelta(days=3)
        db.session.add_all([
            Credential(user_id=ids[2], name="Bewijs", issued_at=now - timedelta(days=3),
                       expires_at=today + timedelta(days=300)),
            Credential(user_id=ids[1], name="Oud", issued_at=now - timedelta(days=700),
                       expires_at=today - timedelta(days=10))])
        db.session.commit()
        part = coordinator_part(db.session.get(Organisation, world.board), today)
    numbers = {n.key: (n.now, n.before) for n in part.numbers}
    assert numbers["overdue"] == (1, 1)  # 400 days ago: past its 12-month deadline for a while
    assert numbers["completed"] == (1, 0)
    assert numbers["credentials"] == (1, 1)  # the old one was still valid a month ago
    # Now: two open enrolments (the third is completed); then: the third did not exist yet.
    assert numbers["in_track"] == (2, 2)
    assert numbers["learners"] == (6, 6)


def test_a_person_with_several_roles_sees_each_part(app, world, client):
    """Learner, reviewer, schoolopleider and coordinator at once: every part on one home."""
    with app.app_context():
        me = builders.user("schoolopleider")
        db.session.add(RoleAssignment(user_id=me.id, organisation_id=world.board,
                                      role="coordinator"))
        db.session.add(MentorAssignment(mentor_id=me.id, learner_id=world.users["learner"]))
        db.session.commit()
        confirmation_request(world.users["learner"], me.id)
    login_as(client, "schoolopleider")
    html = _home(client)
    for part in ("Your learning today", "Hours in", "Waiting for your sign-off",
                 "My learners", "School: Het Noorderlicht", "Key numbers: Bestuur Noord"):
        assert part in html, part


def test_navigation_count_is_one_query_and_matches_the_queue(app, world):
    """The number beside "Sign off" costs reviewers one query on any page (none for others)
    and equals the queue's length, assignments signed off by the schoolopleider included."""
    from lms.plugins import get_pm, sign_off_count, sign_off_items
    from tests.supervision_data import seed_written_work

    with app.app_context():
        seed_written_work(app, world.users["learner"])  # an assignment for the mentor
        work = get_pm(app).get_plugin("assignment").work
        course = builders.course("schoolwerk", ["opdracht"])
        lesson = course.lessons[0]
        lesson.type = "assignment"
        lesson.settings = {"sign_off": "schoolopleider", "submission": {"text": True}}
        db.session.commit()
        work.submit(builders.user("other_learner"), lesson, "Klaar.", None)
        db.session.commit()
        confirmation_request(world.users["learner"], world.users["mentor"])
    with app.test_request_context():
        for who, expected in (("mentor", 2), ("schoolopleider", 1), ("other_mentor", 0)):
            reviewer = builders.user(who)
            assert sign_off_count(reviewer) == len(sign_off_items(reviewer)) == expected, who
    counts = {}
    for who in ("learner", "mentor"):
        client = app.test_client()
        login_as(client, who)
        client.get("/catalogus")
        with count_queries(app) as statements:
            html = client.get("/catalogus").get_data(as_text=True)
        counts[who] = len(statements)
        assert ('class="nav-count">2<' in html) == (who == "mentor")
    assert counts["mentor"] == counts["learner"] + 1, counts


@pytest.mark.parametrize("who", ["learner", "mentor", "coordinator", "admin", "author"])
def test_every_home_renders(app, world, client, who):
    """Every role gets a home (no part breaks on empty data)."""
    login_as(client, who)
    assert client.get("/").status_code == 200


def test_queue_page_counts_for_the_navigation_without_asking_again(app, world):
    """On the queue page (as on the home) the navigation's number is the list's length: no
    separate count query."""
    with app.app_context():
        confirmation_request(world.users["learner"], world.users["mentor"])
    client = app.test_client()
    login_as(client, "mentor")
    with count_queries(app) as statements:
        html = client.get("/begeleiding/aftekenen").get_data(as_text=True)
    assert 'class="nav-count">1<' in html
    assert not [s for s in statements if "count(competence_confirmation.id)" in s]


def test_the_people_a_home_shows_are_audited(app, world):
    """Names on a mentor's or schoolopleider's home are views of personal data, recorded
    like the lists they come from; a learner's own home records nothing."""
    from lms.models import AuditEvent

    with app.app_context():
        confirmation_request(world.users["learner"], world.users["mentor"])
    for who in ("learner", "mentor"):
        client = app.test_client()
        login_as(client, who)
        client.get("/")
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.actor_id, AuditEvent.subject_id).where(
            AuditEvent.object_type == "home")).all()
    assert rows == [(world.users["mentor"], world.users["learner"])]
