"""A kept lesson page asked a third time costs no query while the database's change signal
(lms.changes) vouches for the check remembered with it — and every change, by this worker,
another worker or another process, is seen on the next page: SQLite by data_version,
PostgreSQL by NOTIFY from triggers (the listener's delay waited out where another process
wrote), the person's own writes through another worker by their session's write counter."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from lms import changes
from lms.extensions import db
from lms.models import Lesson, RoleAssignment, User
from lms.readmodels.versions import _lesson_check_statement
from lms.testing import PG_URL, KIT_COURSE, Auth, import_course, make_world
from lms.tracking import record_progress
from tests.test_learn import counted, login

URL = "/cursussen/kit-cursus/verdieping"


def _vouching(app, user_id: int = 0):
    """Wait until the app's signal vouches (PostgreSQL: its listener has connected)."""
    signal = changes.signal(app)
    deadline = time.monotonic() + 15
    while signal.stamp(user_id) is None:
        assert time.monotonic() < deadline, "the change listener never connected"
        time.sleep(0.05)
    return signal


def _heard(app, user_id: int, before) -> None:
    """PostgreSQL: wait until the listener has heard of a change for ``user_id`` committed by
    another process (SQLite sees it at once)."""
    signal = changes.signal(app)
    deadline = time.monotonic() + 15
    while signal.stamp(user_id) == before:
        assert time.monotonic() < deadline, "no notification arrived"
        time.sleep(0.02)


def _remembered(app, client, user_id: int) -> str:
    """Visit three times: built, checked by query (remembered), then given with no query."""
    _vouching(app, user_id)
    first = client.get(URL)
    assert client.get(URL).headers["ETag"] == first.headers["ETag"]
    with counted(app) as statements:
        third = client.get(URL)
        confirmed = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert third.get_data() == first.get_data() and confirmed.status_code == 304
    assert statements == []
    return first.headers["ETag"]


def test_a_kept_page_asked_again_unchanged_costs_no_query(app, world, lms_course, client, auth):
    login(auth, "learner")
    _remembered(app, client, world.users["learner"])


def test_without_signals_every_kept_page_is_checked_by_query(app_factory, tmp_path):
    """PAGE_CHANGE_SIGNALS = false: each kept page costs its one query, however often."""
    app = app_factory(PAGE_CHANGE_SIGNALS=False)
    assert changes.signal(app) is None
    _each_kept_page_costs_one_query(app, tmp_path)


def _each_kept_page_costs_one_query(app, tmp_path) -> None:
    """A learner's lesson page, built once, then asked three times: one query each."""
    with app.app_context():
        make_world()
    import_course(app, tmp_path / "kit-courses")
    client = app.test_client()
    login(Auth(client), "learner")
    client.get(URL)
    for _ in range(3):
        with counted(app) as statements:
            assert client.get(URL).status_code == 200
        assert len(statements) == 1


def _progress(app, world, lms_course, tmp_path):
    with app.app_context():
        lesson = db.session.get(Lesson, lms_course["verdieping"])
        record_progress(db.session.get(User, world.users["learner"]), lesson, "completed")


def _role(app, world, lms_course, tmp_path):
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        db.session.add(RoleAssignment(user=learner, organisation_id=world.region, role="admin"))
        db.session.commit()


def _name(app, world, lms_course, tmp_path):
    with app.app_context():
        db.session.get(User, world.users["learner"]).name = "Nieuwe Naam"
        db.session.commit()


def _reimport(app, world, lms_course, tmp_path):
    changed = dict(KIT_COURSE, **{
        "02-verdieping.md": "---\nid: verdieping\ntitle: Verdieping\ntype: page\n---\nNieuw.\n"})
    import_course(app, tmp_path / "kit-courses", changed)


CHANGES = {"progress": (_progress, "Mark as done", False),
           "role": (_role, "Administration", True),
           "name": (_name, "Nieuwe Naam", True),
           "re-import": (_reimport, "Nieuw.", True)}


@pytest.mark.parametrize("where", ["this worker", "another process"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_is_seen_after_the_check_was_remembered(app, app_factory, world, lms_course,
                                                             client, auth, tmp_path, change,
                                                             where):
    """A change by this worker's own commit, or by another process (another app on the same
    database: a worker, `lms courses import`, the job worker), gives the new page."""
    make, text, shown_after = CHANGES[change]
    login(auth, "learner")
    learner = world.users["learner"]
    etag = _remembered(app, client, learner)
    before = changes.signal(app).stamp(learner)
    make(app if where == "this worker" else app_factory(), world, lms_course, tmp_path)
    if where == "another process":
        _heard(app, learner, before)
    for headers in ({}, {"If-None-Match": etag}):
        again = client.get(URL, headers=headers)
        assert again.status_code == 200 and again.headers["ETag"] != etag
        assert (text in again.get_data(as_text=True)) is shown_after


@pytest.mark.parametrize("ending", ["deactivated", "everywhere"])
def test_a_login_ended_by_another_process_gets_no_kept_page(app, app_factory, world, lms_course,
                                                           client, auth, ending):
    from lms.accounts.sessions import end_all_sessions

    login(auth, "learner")
    learner = world.users["learner"]
    _remembered(app, client, learner)
    before = changes.signal(app).stamp(learner)
    other = app_factory()
    with other.app_context():
        person = db.session.get(User, learner)
        if ending == "deactivated":
            person.active = False
        else:
            end_all_sessions(person)
        db.session.commit()
    _heard(app, learner, before)
    response = client.get(URL)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


class _Late:
    """A signal whose notification is still on its way: it vouches, unchanged, whatever
    happens (what another worker's listener may do for a few milliseconds)."""

    def stamp(self, user_id):
        return ("late", user_id)

    def close(self):
        pass


def test_own_writes_through_another_worker_are_seen_before_any_notification(
        app, app_factory, world, lms_course, client, auth):
    """The person marks the lesson done on another worker, then asks this one: the write
    counter in their session cookie makes this worker ask the database again."""
    login(auth, "learner")
    app.extensions[changes.EXTENSION] = _Late()
    etag = _remembered(app, client, world.users["learner"])
    other = app_factory()
    elsewhere = other.test_client()
    elsewhere.set_cookie("session", client.get_cookie("session").value)
    assert elsewhere.post(f"{URL}/afgerond").status_code == 302
    client.set_cookie("session", elsewhere.get_cookie("session").value)
    with client.session_transaction() as session:
        session.pop("_flashes", None)
    again = client.get(URL)
    assert again.headers["ETag"] != etag
    assert "Mark as done" not in again.get_data(as_text=True)


pg_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's notifications")


@pg_only
def test_someone_elses_change_leaves_the_remembered_check(app, app_factory, world, lms_course,
                                                          client, auth):
    """Another learner's progress, committed elsewhere, names only them."""
    login(auth, "learner")
    learner, other_learner = world.users["learner"], world.users["other_learner"]
    _remembered(app, client, learner)
    signal = changes.signal(app)
    mine, theirs = signal.stamp(learner), signal.stamp(other_learner)
    other = app_factory()
    with other.app_context():
        lesson = db.session.get(Lesson, lms_course["verdieping"])
        record_progress(db.session.get(User, other_learner), lesson, "completed")
    _heard(app, other_learner, theirs)
    assert signal.stamp(learner) == mine
    with counted(app) as statements:
        assert client.get(URL).status_code == 200
    assert statements == []


@pg_only
def test_a_listener_that_cannot_connect_vouches_for_nothing(app_factory, tmp_path):
    """No listening connection (nothing answers where it should listen): every kept page is
    checked by its query, however often it is asked."""
    app = app_factory(PAGE_CHANGE_LISTEN_URL="postgresql://postgres@127.0.0.1:9/nowhere")
    _each_kept_page_costs_one_query(app, tmp_path)
    assert changes.signal(app).listens == 0


@pg_only
def test_a_listener_connected_again_voids_what_was_remembered(app, world, lms_course, client,
                                                             auth):
    """The listening connection killed: what was checked before it listens again may have
    missed a notification, so the next page is checked by query; then none again."""
    login(auth, "learner")
    learner = world.users["learner"]
    _remembered(app, client, learner)
    signal = changes.signal(app)
    listens = signal.listens
    with app.app_context():
        killed = db.session.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = :name"), {"name": changes.LISTENER}).scalars().all()
        db.session.commit()
    assert killed and all(killed)
    deadline = time.monotonic() + 15
    while signal.listens == listens or signal.stamp(learner) is None:
        assert time.monotonic() < deadline, "the listener did not connect again"
        time.sleep(0.02)
    with counted(app) as statements:
        assert client.get(URL).status_code == 200
    assert len(statements) == 1
    with counted(app) as statements:
        assert client.get(URL).status_code == 200
    assert statements == []


@pg_only
def test_every_table_the_check_reads_notifies(app):
    """The triggers cover exactly what ``lesson_check`` reads, so no change goes unheard."""
    read = {element.name for element in sa.sql.visitors.iterate(_lesson_check_statement())
            if isinstance(element, sa.Table)}
    with app.app_context():
        triggered = set(db.session.scalars(sa.text(
            "SELECT event_object_table FROM information_schema.triggers "
            "WHERE trigger_name = 'leerpad_page_changed'")))
    assert len(read) == 11 and read <= triggered, (read, triggered)
