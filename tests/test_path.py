"""The "Mijn leerpad" page, its exports, and a teacher's own hours and goals."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from lms import hookimpl
from lms.extensions import db
from lms.models import User
from lms.models.portfolio import DevelopmentGoal, HoursEntry
from lms.plugins import get_pm
from lms.tracking.path import PathSettings, learning_path
from tests.test_path_support import complete, count_queries, enrol, many_tracks, seed_content


@pytest.fixture
def content(app, world):
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        learner.nlqf_level, learner.nlqf_target = 5, 7
        db.session.commit()
        return seed_content()


def test_path_shows_levels_tracks_deadlines_coverage_and_hours(app, client, world, auth, content):
    """A teacher sees routes to their target level, track progress with the next step,
    a deadline, which competences their finished work covers and their course hours."""
    with app.app_context():
        enrol(world.users["learner"], content.track, deadline=date.today() + timedelta(days=10))
        complete(world.users["learner"], "werkplekbegeleider-basis/jouw-rol")
        complete(world.users["learner"], "werkplekbegeleider-basis/gesprekken")
    auth.login("learner")
    page = client.get("/leerpad")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Route naar niveau 6" in html and "Route naar niveau 7" in html
    assert "Route naar niveau 5" not in html  # already reached
    assert "Leerroute werkplekbegeleider" in html
    assert "Vervolgtraining" in html  # the next step, now that its prerequisite is done
    assert 'href="/courses/werkplekbegeleider-vervolg"' in html
    assert "10" in html and "Agogisch bekwaam" in html
    assert "Basistraining werkplekbegeleider" in html  # covers agogisch
    with app.app_context():
        path = learning_path(db.session.get(User, world.users["learner"]))
    track = path.tracks[0]
    assert (track.required_done, track.required_total, track.percent) == (1, 2, 50)
    assert track.next_step.slug == "werkplekbegeleider-vervolg"
    assert path.deadlines[0].days_left == 10 and not path.deadlines[0].late
    velon = next(f for f in path.coverage if f.slug == "velon")
    assert {c.code for c in velon.covered} == {"agogisch", "organisatorisch"}
    assert [c.code for c in velon.open] == ["ontwikkelingsbekwaam"]
    assert path.hours.current_cycle.course_hours == 28
    assert [lv.level for lv in path.routes] == [6, 7]


def test_late_deadline_and_credential_after_completing_the_track(app, world, content):
    """A passed deadline shows as late; completing the track issues a credential shown as valid."""
    with app.app_context():
        learner_id = world.users["learner"]
        enrol(learner_id, content.track, deadline=date.today() - timedelta(days=3))
        path = learning_path(db.session.get(User, learner_id))
        assert path.deadlines[0].late and path.deadlines[0].days_left == -3
        for lesson in ("werkplekbegeleider-basis/jouw-rol", "werkplekbegeleider-basis/gesprekken",
                       "werkplekbegeleider-vervolg/intervisie"):
            complete(learner_id, lesson)
        path = learning_path(db.session.get(User, learner_id))
    assert path.tracks[0].status == "completed" and path.tracks[0].next_step is None
    assert path.deadlines == []  # done work has no open deadline
    assert [(c.name, c.status) for c in path.credentials] == [("Bewijs werkplekbegeleider", "valid")]
    assert path.hours.current_cycle.course_hours == 40


def test_course_hours_count_in_the_year_of_completion(app, world, content):
    """Course hours land in the (Dutch) calendar year the course was completed."""
    with app.app_context():
        learner_id = world.users["learner"]
        enrol(learner_id, content.track)
        new_year_eve = datetime(2023, 12, 31, 23, 30, tzinfo=timezone.utc)  # 1 Jan 2024 in NL
        complete(learner_id, "werkplekbegeleider-basis/jouw-rol", new_year_eve)
        complete(learner_id, "werkplekbegeleider-basis/gesprekken", new_year_eve)
        db.session.add(HoursEntry(user_id=learner_id, date=date(2023, 12, 31), hours=2.5,
                                  category="lezen", description="Vakliteratuur"))
        db.session.commit()
        path = learning_path(db.session.get(User, learner_id),
                             settings=PathSettings(cycle_years=4, benchmark=160, cycle_start=2020),
                             today=date(2024, 6, 1))
    years = {y.year: y for y in path.hours.years}
    assert years[2024].course_hours == 28 and years[2023].logged_hours == 2.5
    cycles = {c.first_year: c for c in path.hours.cycles}
    assert cycles[2024].total == 28 and cycles[2024].current
    assert cycles[2020].total == 2.5 and cycles[2020].last_year == 2023


def test_cycles_anchor_at_account_creation_without_configured_start(app, world):
    """Without HOURS_CYCLE_START the first cycle starts in the year the account was made."""
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        learner.created_at = datetime(2019, 3, 1, tzinfo=timezone.utc)
        db.session.commit()
        path = learning_path(learner, settings=PathSettings(cycle_years=4), today=date(2026, 1, 2))
    assert (path.hours.current_cycle.first_year, path.hours.current_cycle.last_year) == (2023, 2026)


@pytest.mark.parametrize("enrolments", [1, 50])
def test_path_page_query_budget(app, client, world, auth, content, enrolments):
    """The path page costs at most 6 queries, however many tracks the learner is in."""
    with app.app_context():
        many_tracks(world.users["learner"], enrolments)
        learner_id = world.users["learner"]
        for n in range(enrolments):
            db.session.add(HoursEntry(user_id=learner_id, date=date(2024, 1, 1 + n % 28), hours=1,
                                      category="lezen", description=f"Artikel {n}"))
            db.session.add(DevelopmentGoal(user_id=learner_id, title=f"Doel {n}"))
        db.session.commit()
    auth.login("learner")
    client.get("/leerpad")  # warm caches (templates) outside the count
    with count_queries(app) as statements:
        page = client.get("/leerpad")
    assert page.status_code == 200
    assert f"Route {enrolments - 1}" in page.get_data(as_text=True)
    assert len(statements) == 6, statements
    with count_queries(app) as statements:
        assert client.get("/leerpad/export.json").status_code == 200
    assert len(statements) <= 6, statements


def test_learner_cannot_see_another_learners_path(app, client, world, auth, content):
    """Another learner's path page, exports and hours are not reachable."""
    with app.app_context():
        entry = HoursEntry(user_id=world.users["other_learner"], date=date(2024, 1, 1), hours=1,
                           category="lezen", description="Geheim")
        goal = DevelopmentGoal(user_id=world.users["other_learner"], title="Geheim doel")
        db.session.add_all([entry, goal])
        db.session.commit()
        entry_id, goal_id = entry.id, goal.id
    auth.login("learner")
    assert client.get(f"/leerpad/{world.users['other_learner']}").status_code in (403, 404)
    assert client.get(f"/leerpad/{world.users['far_learner']}").status_code in (403, 404)
    assert client.get(f"/leerpad/uren/{entry_id}").status_code == 404
    assert client.post(f"/leerpad/uren/{entry_id}", data={
        "day": "2024-01-02", "hours": "3", "category": "lezen", "description": "Overschreven"
    }).status_code == 404
    assert client.post(f"/leerpad/uren/{entry_id}/verwijderen").status_code == 404
    assert client.post(f"/leerpad/doelen/{goal_id}", data={
        "title": "Overschreven", "status": "planned"}).status_code == 404
    assert "Geheim" not in client.get("/leerpad").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(HoursEntry, entry_id).description == "Geheim"
        assert db.session.get(DevelopmentGoal, goal_id).title == "Geheim doel"


def test_mentor_sees_their_learners_path_read_only(app, client, world, auth, content):
    """A mentor opens the path of a learner assigned to them, without edit buttons."""
    auth.login("mentor")
    page = client.get(f"/leerpad/{world.users['learner']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Learner" in html and "/leerpad/uren/nieuw" not in html
    assert client.get(f"/leerpad/{world.users['other_learner']}").status_code in (403, 404)


def test_log_edit_and_delete_own_hours(app, client, world, auth):
    """A teacher logs hours with evidence, corrects them and deletes them again."""
    auth.login("learner")
    response = client.post("/leerpad/uren/nieuw", data={
        "day": "2024-02-29", "hours": "1.5", "category": "intervisie",
        "description": "Intervisie met collega's", "evidence": "Verslag in map"})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(sa.select(HoursEntry))
        assert (entry.user_id, entry.hours, entry.date) == (world.users["learner"], 1.5, date(2024, 2, 29))
        entry_id = entry.id
    html = client.get("/leerpad").get_data(as_text=True)
    assert "Intervisie met collega&#39;s" in html and "Verslag in map" in html
    client.post(f"/leerpad/uren/{entry_id}", data={
        "day": "2024-03-01", "hours": "2", "category": "intervisie", "description": "Intervisie"})
    with app.app_context():
        assert db.session.get(HoursEntry, entry_id).hours == 2
    client.post(f"/leerpad/uren/{entry_id}/verwijderen")
    with app.app_context():
        assert db.session.get(HoursEntry, entry_id) is None


def test_hours_form_rejects_bad_input(app, client, world, auth):
    """Hours in odd fractions, in the future or without a description are refused with a message."""
    auth.login("learner")
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = client.post("/leerpad/uren/nieuw", data={
        "day": tomorrow, "hours": "1.3", "category": "lezen", "description": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    for field in ("day", "hours", "description"):
        assert f'id="{field}-error"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)) == 0


def test_hours_form_needs_csrf_token(app_factory, world):
    """With CSRF protection on, a logged-in learner's hours form without its token is refused
    and writes nothing; the same form with the token is accepted."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()

    def token() -> str:
        form = client.get("/leerpad/uren/nieuw").get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)[1]

    login_form = client.get("/login").get_data(as_text=True)
    login_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_form)[1]
    response = client.post("/login", data={"email": "learner@example.org", "csrf_token": login_token,
                                           "password": "correct horse battery"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    day = (date.today() - timedelta(days=1)).isoformat()
    entry = {"day": day, "hours": "1", "category": "lezen", "description": "x"}
    forged = client.post("/leerpad/uren/nieuw", data=entry)
    assert forged.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)) == 0
    genuine = client.post("/leerpad/uren/nieuw", data={**entry, "csrf_token": token()})
    assert genuine.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)) == 1


def test_add_and_edit_goal(app, client, world, auth):
    """A teacher adds a POP goal and moves it to achieved."""
    auth.login("learner")
    client.post("/leerpad/doelen/nieuw", data={
        "title": "Beter feedback geven", "description": "Met de GROW-methode",
        "status": "planned", "target_date": "2030-06-30", "competences": "velon:agogisch"})
    with app.app_context():
        goal = db.session.scalar(sa.select(DevelopmentGoal))
        assert goal.competences == ["velon:agogisch"] and goal.target_date == date(2030, 6, 30)
        goal_id = goal.id
    response = client.post(f"/leerpad/doelen/{goal_id}", data={
        "title": "Beter feedback geven", "status": "achieved", "competences": "velon agogisch"})
    assert response.status_code == 200 and "framework:code" in response.get_data(as_text=True)
    client.post(f"/leerpad/doelen/{goal_id}", data={"title": "Beter feedback geven",
                                                    "status": "achieved"})
    with app.app_context():
        assert db.session.get(DevelopmentGoal, goal_id).status == "achieved"
    assert "Beter feedback geven" in client.get("/leerpad").get_data(as_text=True)


def test_exports_contain_the_path(app, client, world, auth, content):
    """The print-ready HTML and the JSON export hold the teacher's path."""
    with app.app_context():
        enrol(world.users["learner"], content.track)
        db.session.add(HoursEntry(user_id=world.users["learner"], date=date(2024, 5, 1), hours=6,
                                  category="studiedag", description="Studiedag regio"))
        db.session.add(DevelopmentGoal(user_id=world.users["learner"], title="Coachen leren"))
        db.session.commit()
    auth.login("learner")
    html = client.get("/leerpad/export.html").get_data(as_text=True)
    for text in ("Leerroute werkplekbegeleider", "Studiedag regio", "Coachen leren",
                 "learner@example.org", "leerpad.css"):
        assert text in html
    response = client.get("/leerpad/export.json")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["learner"]["id"] == world.users["learner"]
    assert data["tracks"][0]["slug"] == "werkplekbegeleider"
    assert data["hours"]["entries"][0]["description"] == "Studiedag regio"
    assert data["goals"][0]["title"] == "Coachen leren"
    assert data["nlqf"] == {"level": 5, "target": 7, "routes": data["nlqf"]["routes"]}


def test_plugin_sections_appear_on_the_path(app, client, world, auth):
    """A plugin's lms_path_sections block is shown on the path page and in the export."""
    from markupsafe import Markup

    class Section:
        @hookimpl
        def lms_path_sections(self, user, path):
            return [Markup("<h2>Badges van %s</h2>") % path.learner_name]

    get_pm(app).register(Section(), name="test-section")
    auth.login("learner")
    assert "Badges van Learner" in client.get("/leerpad").get_data(as_text=True)
    assert "Badges van Learner" in client.get("/leerpad/export.html").get_data(as_text=True)


def test_mentor_view_query_count_is_constant(app, world, content):
    """A mentor's view of a learner's path costs the same queries for 1 and 50 enrolments."""
    from lms.testing import Auth

    with app.app_context():
        many_tracks(world.users["learner"], 1)
        many_tracks(world.users["other_learner"], 50)
    counts = []
    for mentor, learner in (("mentor", "learner"), ("other_mentor", "other_learner")):
        client = app.test_client()
        Auth(client).login(mentor)
        url = f"/leerpad/{world.users[learner]}"
        client.get(url)
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    # the viewer, their roles, the learner, the access check, the path's four queries and
    # the audit row for this look at another person's data
    assert counts[0] == counts[1] <= 10, counts
