"""Taking modules in the browser: catalogue, course, lesson and track pages, enrolling and
marking done, and the home page's "continue where I left off"."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from babel.dates import format_date as babel_date
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Course, Track
from lms.models.progress import Enrolment, Exemption, LessonState, ProgressEvent
from lms.tracking import record_progress
from lms.tracking.tracks import enrol
from tests import builders as b
from lms.testing import Auth


@contextmanager
def counted(app):
    """Every SQL statement sent to the database while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


def login(auth, who: str) -> None:
    """Log in and switch to English (the msgids), so assertions read the English text."""
    assert auth.login(who).status_code == 302
    auth.client.post("/taal", data={"lang": "en"})


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_catalogue_filters_by_role_sector_and_language_and_hides_archived(app, world, client, auth):
    """The catalogue lists live courses and tracks, narrowed by role, sector and language."""
    with app.app_context():
        b.course("voor-mentoren", audience=["mentor"], sectors=["po"], title="Mentoren PO")
        b.course("voor-iedereen", title="Voor iedereen")
        b.course("engels", language="en", sectors=["vo"], title="English course")
        b.course("oud", archived=True, title="Oude cursus")
        b.track("route", [b.course("in-route", title="In de route")], audience=["learner"])
    login(auth, "learner")
    everything = page(client, "/catalogus")
    assert "Mentoren PO" in everything and "English course" in everything and "Route" in everything
    assert "Oude cursus" not in everything
    for_learners = page(client, "/catalogus?role=learner")
    assert "Mentoren PO" not in for_learners and "Voor iedereen" in for_learners
    assert "Route" in for_learners
    vo_in_dutch = page(client, "/catalogus?sector=vo&language=nl")
    assert "English course" not in vo_in_dutch and "Mentoren PO" not in vo_in_dutch
    assert "Voor iedereen" in vo_in_dutch
    assert page(client, "/catalogus?role=nonsense").count("<h3>") == everything.count("<h3>")


def test_course_page_shows_lessons_status_progress_and_time_left(app, world, client, auth):
    """The course page shows each lesson's status, a progress bar and the minutes left."""
    with app.app_context():
        course = b.course("didactiek", ["a", "b", "c", "d"], optional=["d"], minutes=15)
        learner = b.user("learner")
        enrol(learner, course=course)
        record_progress(learner, b.lesson(course, "a"), "completed")
        record_progress(learner, b.lesson(course, "b"), "attempted")
    login(auth, "learner")
    html = page(client, "/cursussen/didactiek")
    assert 'value="33"' in html  # one of three required lessons
    assert "1 of 3 lessons done" in html
    assert "about 30 min left" in html  # minutes below an hour, hours from an hour up
    assert html.count("Completed") == 1 and html.count("In progress") == 1
    assert "optional" in html
    assert client.get("/cursussen/bestaat-niet").status_code == 404


def test_lesson_page_renders_stored_html_with_pager_and_writes_nothing(app, world, client, auth):
    """Opening a lesson shows its text, previous/next links and the button, and stores nothing."""
    with app.app_context():
        b.course("lezen", 3)
    login(auth, "learner")
    with counted(app) as statements:
        html = page(client, "/cursussen/lezen/l2")
    assert "<p>Tekst van lezen/l2</p>" in html
    assert 'rel="prev" href="/cursussen/lezen/l1"' in html and 'rel="next" href="/cursussen/lezen/l3"' in html
    assert "Mark as done" in html
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    with app.app_context():
        assert db.session.scalar(select(func.count(ProgressEvent.id))) == 0
    assert client.get("/cursussen/lezen/l9").status_code == 404


def test_mark_done_records_completion_enrols_and_moves_on(app, world, client, auth):
    """"Mark as done" completes the lesson, enrols the learner and opens the next lesson."""
    with app.app_context():
        b.course("doen", 2)
    login(auth, "learner")
    response = client.post("/cursussen/doen/l1/afgerond")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cursussen/doen/l2")
    assert client.post("/cursussen/doen/l1/afgerond").status_code == 302  # twice is still one event
    html = page(client, "/cursussen/doen")
    assert 'value="50"' in html
    assert "Mark as done" not in page(client, "/cursussen/doen/l1")
    with app.app_context():
        assert db.session.scalar(select(func.count(ProgressEvent.id))) == 1
        enrolment = db.session.scalars(select(Enrolment)).one()
        assert enrolment.course_id is not None
        event = db.session.scalars(select(ProgressEvent)).one()
        assert event.registration == enrolment.id and event.object_id == "doen/l1"
    last = client.post("/cursussen/doen/l2/afgerond")
    assert last.headers["Location"].endswith("/cursussen/doen")
    assert "Completed on" in page(client, "/cursussen/doen")


def test_mark_done_refused_for_types_completed_by_their_activity(app, world, client, auth):
    """A lesson type without manual completion shows no button and refuses the POST."""
    with app.app_context():
        b.course("toets", 1, lesson_type="nocompletiontype")
    login(auth, "learner")
    assert "Mark as done" not in page(client, "/cursussen/toets/l1")
    assert client.post("/cursussen/toets/l1/afgerond").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonState.id))) == 0


def test_enrol_self_in_course_and_track_with_deadline(app, world, client, auth):
    """A learner enrols in a course and in a track; the track shows its deadline."""
    with app.app_context():
        b.course("zelf")
        b.track("zij-instroom", [b.course("start")], duration_months=24)
    login(auth, "learner")
    assert client.post("/cursussen/zelf/inschrijven").status_code == 302
    assert client.post("/leerroutes/zij-instroom/inschrijven").status_code == 302
    assert client.post("/leerroutes/zij-instroom/inschrijven").status_code == 302  # idempotent
    with app.app_context():
        rows = db.session.scalars(select(Enrolment).order_by(Enrolment.id)).all()
        assert len(rows) == 2
        assert rows[1].deadline is not None
        assert (rows[1].deadline.year - rows[1].enrolled_at.year) == 2
        assert rows[0].enrolled_by_id == rows[0].user_id
        deadline = rows[1].deadline
    html = page(client, "/leerroutes/zij-instroom")
    # written out in the reader's language (23 nov. 2028 / Nov 23, 2028), not as 2028-11-23
    shown = {babel_date(deadline, "medium", locale=lang) for lang in ("nl", "en")}
    assert any(f"Deadline: {day}" in html for day in shown), shown
    assert deadline.isoformat() not in html.replace(f'"{deadline.isoformat()}"', "")
    home = page(client, "/")
    assert "Zelf" in home and "Zij Instroom" in home


def test_schoolopleider_enrols_a_learner_of_their_school_only(app, world, client, auth):
    """A schoolopleider enrols a learner of their school; others' learners stay out of reach."""
    with app.app_context():
        b.course("school-cursus")
    login(auth, "schoolopleider")
    html = page(client, "/cursussen/school-cursus")
    assert "Enrol a learner" in html and "far_learner" not in html
    ok = client.post("/cursussen/school-cursus/inschrijven", data={"user_id": world.users["learner"]})
    assert ok.status_code == 302
    far = client.post("/cursussen/school-cursus/inschrijven", data={"user_id": world.users["far_learner"]})
    assert far.status_code == 404
    with app.app_context():
        rows = db.session.scalars(select(Enrolment)).all()
        assert [(r.user_id, r.enrolled_by_id) for r in rows] == [
            (world.users["learner"], world.users["schoolopleider"])]


def test_track_page_shows_locks_and_what_unlocks_them(app, world, client, auth):
    """Locked courses say which courses unlock them; parallel courses are open at once."""
    with app.app_context():
        first, parallel = b.course("eerst", 1, title="Eerst"), b.course("tegelijk", 1)
        later = b.course("daarna", 1, title="Daarna")
        b.track("route", [first, parallel, (later, True, ["eerst", "tegelijk"]),
                          (b.course("keuze", 1), False, [])],
                credential="Bewijs", validity_years=5)
        learner = b.user("learner")
        enrol(learner, track=db.session.scalar(select(Track).where(Track.slug == "route")))
    login(auth, "learner")
    html = page(client, "/leerroutes/route")
    assert html.count("Locked") == 1
    assert "unlocks after: Eerst, Tegelijk" in html
    assert "elective" in html and "Bewijs" in html
    client.post("/cursussen/eerst/l1/afgerond")
    html = page(client, "/leerroutes/route")
    assert "unlocks after: Tegelijk" in html
    client.post("/cursussen/tegelijk/l1/afgerond")
    assert "Locked" not in page(client, "/leerroutes/route")
    client.post("/cursussen/daarna/l1/afgerond")
    html = page(client, "/leerroutes/route")
    assert "valid until" in html and 'value="100"' in html


def test_exemption_granted_on_the_learners_track_page(app, world, client, auth):
    """A schoolopleider grants an exemption with a reason; it unlocks the next course."""
    with app.app_context():
        first = b.course("basis", 1, title="Basis")
        b.track("route", [first, (b.course("verdieping", 1), True, ["basis"])])
        enrol(b.user("learner"), track=db.session.scalar(select(Track)))
    login(auth, "schoolopleider")
    url = f"/leerroutes/route?learner={world.users['learner']}"
    assert "Grant an exemption" in page(client, url)
    empty = client.post("/leerroutes/route/vrijstellingen",
                        data={"user_id": world.users["learner"], "course": "basis", "reason": ""})
    assert empty.status_code == 302
    granted = client.post("/leerroutes/route/vrijstellingen", data={
        "user_id": world.users["learner"], "course": "basis", "reason": "Eerder behaald (EVC)"})
    assert granted.status_code == 302
    html = page(client, url)
    assert "Exemption: Eerder behaald (EVC)" in html and "Locked" not in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Exemption.id))) == 1


def test_home_continues_where_the_learner_left_off(app, world, client, auth):
    """Home offers the lesson in progress, then the next lesson, then a new enrolment's first."""
    with app.app_context():
        learner = b.user("learner")
        course = b.course("verder", 3)
        enrol(learner, course=course)
    login(auth, "learner")
    assert 'href="/cursussen/verder/l1"' in page(client, "/")  # nothing started: first lesson
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "verder"))
        record_progress(b.user("learner"), b.lesson(course, "l2"), "attempted")
    html = page(client, "/")
    assert "Continue where you left off" in html and 'href="/cursussen/verder/l2"' in html
    client.post("/cursussen/verder/l2/afgerond")
    assert 'class="button" href="/cursussen/verder/l3"' in page(client, "/")
    client.post("/cursussen/verder/l3/afgerond")
    client.post("/cursussen/verder/l1/afgerond")
    with app.app_context():
        enrol(b.user("learner"), course=b.course("nieuw", 2))
    assert 'class="button" href="/cursussen/nieuw/l1"' in page(client, "/")


def _enrol_learner(app, who: str, many: bool) -> str:
    """One enrolment, or fifty (courses and tracks) with progress in a 200-lesson course."""
    with app.app_context():
        learner = b.user(who)
        big = b.course(f"groot-{who}", 200 if many else 3)
        enrol(learner, course=big)
        for lesson in big.lessons[: (150 if many else 1)]:
            record_progress(learner, lesson, "completed")
        record_progress(learner, big.lessons[-1], "attempted")
        if many:
            courses = [b.course(f"c{i}", 2) for i in range(45)]
            for course in courses:
                enrol(learner, course=course)
                record_progress(learner, course.lessons[0], "completed")
            for i in range(4):
                track = b.track(f"t{i}", [courses[i], (courses[i + 1], True, [courses[i].slug])],
                                duration_months=12)
                enrol(learner, track=track)
        return big.slug


def test_learner_pages_stay_within_six_queries_whatever_the_data(app, world):
    """Home, course and lesson pages use at most six queries, as many with 50 enrolments as with 1."""
    results = []
    for who, many in (("learner", False), ("other_learner", True)):
        slug = _enrol_learner(app, who, many)
        client = app.test_client()
        login(Auth(client), who)
        counts = {}
        for name, url in (("home", "/"), ("course", f"/cursussen/{slug}"),
                          ("lesson", f"/cursussen/{slug}/l2"), ("track", "/leerroutes/t0")):
            if name == "track" and not many:
                continue
            with counted(app) as statements:
                page(client, url)
            counts[name] = len(statements)
        results.append(counts)
    small, large = results
    assert {k: small[k] for k in ("home", "course", "lesson")} == {
        k: large[k] for k in ("home", "course", "lesson")}, results
    assert max(large.values()) <= 6, results


def test_track_page_shows_study_load_duration_and_one_progress_measure(app, world, client, auth):
    """A PDG-like track shows its study load (not as an hours target), its duration, each
    course's load, and progress with the same words as Mijn leerpad."""
    with app.app_context():
        pdg = b.course("pdg", 2, hours=1680, title="PDG-traject")
        start = b.course("start", 1, hours=10, title="Goed van start")
        track = b.track("pdg-mbo", [pdg, (start, False, [])], duration_months=24,
                        hours_target=1680)
        learner = b.user("learner")
        enrol(learner, track=track)
        record_progress(learner, b.lesson(pdg, "l1"), "completed")
    login(auth, "learner")
    html = " ".join(page(client, "/leerroutes/pdg-mbo").split())
    assert "Study load: 1,680 hours (electives: 10 hours)" in html and "24 months" in html
    assert "Hours target" not in html  # the target is the study load itself
    assert ('<span class="progress-figure">50%</span> of the required courses: 0 of 1 '
            'completed, 1 under way') in html
    assert "1680.0" not in html
