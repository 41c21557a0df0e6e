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
from lms.readmodels.path import PathSettings, learning_path
from tests.test_path_support import complete, count_queries, enrol, many_tracks, seed_content
from lms.clock import today as clock_today  # the learners' day, as the app's


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
        enrol(world.users["learner"], content.track, deadline=clock_today() + timedelta(days=10))
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
    assert 'href="/cursussen/werkplekbegeleider-vervolg"' in html
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
        enrol(learner_id, content.track, deadline=clock_today() - timedelta(days=3))
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
    # A vo teacher's rule (cao vo) counts per calendar year...
    assert (path.hours.rule.id, path.hours.cycle_years, path.hours.benchmark) == ("cao-vo", 1, 83)
    cycles = {c.first_year: c for c in path.hours.cycles}
    assert cycles[2024].total == 28 and cycles[2024].current and cycles[2023].total == 2.5
    # ...next to the former Lerarenregister's four-year cycles from HOURS_CYCLE_START.
    (register,) = path.hours.comparisons
    assert register.rule.id == "lerarenregister"
    assert (register.cycle.first_year, register.cycle.last_year, register.cycle.total) == (
        2024, 2027, 28)


def test_cycles_anchor_at_account_creation_without_configured_start(app, world):
    """Without HOURS_CYCLE_START the first cycle starts in the year the account was made."""
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        learner.created_at = datetime(2019, 3, 1, tzinfo=timezone.utc)
        db.session.commit()
        path = learning_path(learner, settings=PathSettings(cycle_years=4), today=date(2026, 1, 2))
    cycle = path.hours.comparisons[0].cycle
    assert (cycle.first_year, cycle.last_year) == (2023, 2026)


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
    tomorrow = (clock_today() + timedelta(days=2)).isoformat()
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

    login_form = client.get("/inloggen").get_data(as_text=True)
    login_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_form)[1]
    response = client.post("/inloggen", data={"email": "learner@example.org", "csrf_token": login_token,
                                           "password": "correct horse battery"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    day = (clock_today() - timedelta(days=1)).isoformat()
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


# --- what applies to whom (issue 17) -----------------------------------------------------------


def _frameworks():
    """The shipped frameworks' shape: for everyone, for mbo, for teacher educators."""
    from lms.models import Competence, CompetenceFramework

    for slug, title, audience, sectors in (
            ("bekwaamheidseisen", "Bekwaamheidseisen", [], []),
            ("mbo-kerntaken", "Kerntaken mbo-docent", [], ["mbo"]),
            ("velon-standaard", "Beroepsstandaard lerarenopleiders", ["schoolopleider", "mentor"],
             [])):
        db.session.add(CompetenceFramework(
            slug=slug, title=title, audience=audience, sectors=sectors,
            competences=[Competence(code="a", title=f"{title} A", position=1)]))
    db.session.commit()


def _po_starter():
    """A learner at a primary school (the world's other school is po)."""
    from lms.models import Organisation
    from lms.testing import add_user

    school = db.session.scalar(sa.select(Organisation).where(Organisation.sector == "po"))
    person = add_user("po_starter", [("learner", school)])
    db.session.commit()
    return person.id


def test_a_po_starter_sees_the_frameworks_that_fit_first(app, client, world, auth):
    """Frameworks for other sectors and roles are folded away, not shown as open work."""
    with app.app_context():
        _frameworks()
        learner_id = _po_starter()
        path = learning_path(db.session.get(User, learner_id))
        assert [f.slug for f in path.fitting_coverage] == ["bekwaamheidseisen"]
        assert {f.slug for f in path.other_coverage} == {"mbo-kerntaken", "velon-standaard"}
        schoolopleider = learning_path(db.session.get(User, world.users["schoolopleider"]))
        assert {f.slug for f in schoolopleider.fitting_coverage} == {
            "bekwaamheidseisen", "velon-standaard"}
    assert auth.login("po_starter").status_code == 302
    client.post("/taal", data={"lang": "en"})
    html = client.get("/leerpad").get_data(as_text=True)
    folded = html[html.index('<details class="path-other-frameworks">'):]
    assert "Kerntaken mbo-docent" in folded and "Beroepsstandaard lerarenopleiders" in folded
    assert html.index("Bekwaamheidseisen A") < html.index('<details class="path-other-frameworks">')


def test_a_framework_worked_on_in_ones_track_fits_whatever_its_audience(app, world):
    """A learner training to be a mentor sees the teacher educators' standard their course
    works on; a sector that is not theirs stays folded even then."""
    from lms.models import Course, Track, TrackCourse

    with app.app_context():
        _frameworks()
        course = Course(slug="begeleiden", title="Begeleiden", hours=4,
                        competences=["velon-standaard:a", "mbo-kerntaken:a"])
        db.session.add(Track(slug="word-mentor", title="Word mentor",
                             courses=[TrackCourse(course=course, position=0)]))
        db.session.commit()
        enrol(world.users["learner"], db.session.scalar(sa.select(Track.id)))
        path = learning_path(db.session.get(User, world.users["learner"]))  # a vo learner
    assert [f.slug for f in path.fitting_coverage] == ["velon-standaard", "bekwaamheidseisen"]
    assert [f.slug for f in path.other_coverage] == ["mbo-kerntaken"]


def test_track_bar_and_text_are_one_measure(app, client, world, auth):
    """Half of the only required course done: 50%, '0 of 1 completed, 1 under way'."""
    from tests import builders as b

    with app.app_context():
        only = b.course("half", 2)
        track = b.track("een-cursus", [only])
        enrol(world.users["learner"], track.id)
        complete(world.users["learner"], "half/l1")
        path = learning_path(db.session.get(User, world.users["learner"]))
    progress = path.tracks[0]
    assert (progress.percent, progress.counted_done, progress.counted_total,
            progress.counted_busy) == (50, 0, 1, 1)
    auth.login("learner")
    client.post("/taal", data={"lang": "en"})
    html = re.sub(r"\s+", " ", client.get("/leerpad").get_data(as_text=True))
    assert ('<span class="progress-figure">50%</span> of the required courses: 0 of 1 '
            'completed, 1 under way') in html


def test_hours_say_what_counts_and_what_will(app, client, world, auth, content):
    """Finished lessons of an unfinished course show the course's hours as counting once
    completed; the rule of the learner's sector is named with its hours."""
    with app.app_context():
        enrol(world.users["learner"], content.track)
        complete(world.users["learner"], "werkplekbegeleider-basis/jouw-rol")
        path = learning_path(db.session.get(User, world.users["learner"]))
    assert path.hours.current_cycle.total == 0
    assert [(p.slug, p.hours) for p in path.hours.pending] == [("werkplekbegeleider-basis", 28)]
    auth.login("learner")
    client.post("/taal", data={"lang": "en"})
    html = re.sub(r"\s+", " ", client.get("/leerpad").get_data(as_text=True))
    assert "Collective agreement vo: 83 clock hours of professional development" in html
    assert "This year (" in html and "0 of 83 hours." in html
    assert "Counts once completed:" in html and "Basistraining werkplekbegeleider (28 hours)" in html
    assert "For comparison, Former teacher register: 160 hours in 4 years: 0 hours in" in html
    assert "1680.0" not in html and ".0 " not in html


def test_a_qualifications_study_load_is_not_professionalisation_hours(app, world):
    """Completing the PDG course (1,680 study hours) adds no professionalisation hours."""
    from lms.models import Course, Lesson

    with app.app_context():
        db.session.add(Course(slug="pdg-mbo", title="PDG-traject mbo", hours=1680,
                              lessons=[Lesson(slug="portfolio", title="Portfolio")]))
        db.session.commit()
        from lms.models.progress import Enrolment
        db.session.add(Enrolment(user_id=world.users["learner"],
                                 course_id=db.session.scalar(sa.select(Course.id))))
        db.session.commit()
        complete(world.users["learner"], "pdg-mbo/portfolio")
        path = learning_path(db.session.get(User, world.users["learner"]))
    assert path.hours.current_cycle.total == 0 and path.hours.items == []
    assert [p.slug for p in path.hours.not_counted] == ["pdg-mbo"]


def test_nlqf_levels_are_edited_by_the_teacher(app, client, world, auth, content):
    """'Not set' comes with a hint and an edit link; the form saves, audited, and refuses a
    target below the current level."""
    from lms.models import AuditEvent

    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        learner.nlqf_level = learner.nlqf_target = None
        db.session.commit()
    auth.login("learner")
    client.post("/taal", data={"lang": "en"})
    html = client.get("/leerpad").get_data(as_text=True)
    assert "not set" in html and 'href="/leerpad/niveau"' in html
    assert "Fill in the level of your highest diploma" in html
    form = client.get("/leerpad/niveau").get_data(as_text=True)
    assert "NLQF 6" in form and "Route naar niveau 8" in form
    refused = client.post("/leerpad/niveau", data={"level": "7", "target": "5"})
    assert refused.status_code == 200 and "at or above your current level" in refused.get_data(
        as_text=True)
    assert client.post("/leerpad/niveau", data={"level": "5", "target": "7"}).status_code == 302
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        assert (learner.nlqf_level, learner.nlqf_target) == (5, 7)
        assert db.session.scalar(sa.select(AuditEvent.action).where(
            AuditEvent.subject_id == learner.id)) == "account.update"
    assert "Route naar niveau 6" in client.get("/leerpad").get_data(as_text=True)
    assert client.post("/leerpad/niveau", data={"level": "9", "target": ""}).status_code == 200


def test_the_schoolopleider_chooses_a_learners_hours_rule(app, client, world, auth, content):
    """On the learner's path the schoolopleider picks another rule; the learner sees it as
    chosen for them; a mentor and the learner cannot choose."""
    learner_id = world.users["learner"]
    auth.login("mentor")
    assert 'action="/leerpad/%d/urenregel"' % learner_id not in client.get(
        f"/leerpad/{learner_id}").get_data(as_text=True)
    assert client.post(f"/leerpad/{learner_id}/urenregel",
                       data={"rule": "brlo"}).status_code in (403, 404)
    auth.logout()
    auth.login("schoolopleider")
    page = client.get(f"/leerpad/{learner_id}").get_data(as_text=True)
    assert f'action="/leerpad/{learner_id}/urenregel"' in page
    assert client.post(f"/leerpad/{learner_id}/urenregel", data={"rule": "nope"}).status_code == 302
    assert client.post(f"/leerpad/{learner_id}/urenregel",
                       data={"rule": "lerarenregister"}).status_code == 302
    with app.app_context():
        path = learning_path(db.session.get(User, learner_id))
    assert (path.hours.rule.id, path.hours.rule.chosen, path.hours.cycle_years) == (
        "lerarenregister", True, 4)
    assert path.hours.comparisons == []  # the benchmark is their own rule now
    client.post(f"/leerpad/{learner_id}/urenregel", data={"rule": "auto"})
    with app.app_context():
        assert learning_path(db.session.get(User, learner_id)).hours.rule.id == "cao-vo"
    auth.logout()
    auth.login("learner")
    assert client.post(f"/leerpad/{learner_id}/urenregel",
                       data={"rule": "brlo"}).status_code in (403, 404)


def test_hours_are_entered_and_shown_the_readers_way(app, client, world, auth):
    """A Dutch teacher types 1,5; the edit form shows 1,5 again; 1.5 works too."""
    auth.login("learner")
    client.post("/taal", data={"lang": "nl"})
    today = clock_today().isoformat()
    assert client.post("/leerpad/uren/nieuw", data={
        "day": today, "hours": "1,5", "category": "lezen", "description": "Artikel"}
    ).status_code == 302
    with app.app_context():
        entry = db.session.scalar(sa.select(HoursEntry))
        assert entry.hours == 1.5
        entry_id = entry.id
    form = client.get(f"/leerpad/uren/{entry_id}").get_data(as_text=True)
    assert 'value="1,5"' in form and "bijvoorbeeld 1,5" in form
    assert client.post(f"/leerpad/uren/{entry_id}", data={
        "day": today, "hours": "2.25", "category": "lezen", "description": "Artikel"}
    ).status_code == 302
    with app.app_context():
        assert db.session.get(HoursEntry, entry_id).hours == 2.25
    refused = client.post(f"/leerpad/uren/{entry_id}", data={
        "day": today, "hours": "1.000,5", "category": "lezen", "description": "Artikel"})
    assert refused.status_code == 200
