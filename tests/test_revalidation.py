"""Revisiting a lesson page: an unchanged page is confirmed (304) from one query, and never
after progress, a re-import, a role change, a language switch or for someone else."""
from __future__ import annotations

from lms.extensions import db
from lms.models import Lesson, RoleAssignment, User
from lms.testing import Auth, KIT_COURSE, import_course
from lms.tracking import record_progress
from tests import builders as b
from tests.test_learn import counted, login

URL = "/cursussen/kit-cursus/verdieping"


def _first_visit(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    return response.headers["ETag"], response.get_data(as_text=True)


def _revisit(client, etag: str):
    return client.get(URL, headers={"If-None-Match": etag})


def test_an_unchanged_lesson_is_confirmed_from_one_query(app, world, lms_course, client, auth):
    """The browser's copy is confirmed with 304 and no page: the login's query and one more."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    assert "Meer." in html
    with counted(app) as statements:
        again = _revisit(client, etag)
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert len(statements) == 2, statements


def test_the_first_visit_costs_no_extra_query(app, world, lms_course, client, auth):
    """The ETag's versions come with the page's own first query: the same count as before."""
    login(auth, "learner")
    client.get(URL)
    with counted(app) as plain:
        client.get(URL)
    with counted(app) as validated:
        client.get(URL, headers={"If-None-Match": '"someone-elses"'})
    assert len(plain) == 3, plain  # the login, the course, its lessons; the nav asks nothing
    assert len(validated) == len(plain) + 1  # a copy that does not match costs its check


def test_progress_makes_a_new_page(app, world, lms_course, client, auth):
    """After marking the lesson done, the revisit gets the page that says so."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    assert "Mark as done" in html
    client.post(f"{URL}/afgerond")
    client.get(URL)  # the flash message ("Marked as done.") shows once, on a fresh page
    again = _revisit(client, etag)
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert "Mark as done" not in again.get_data(as_text=True)


def test_progress_recorded_elsewhere_makes_a_new_page(app, world, lms_course, client, auth):
    """Progress from another device (the API, a plugin) also changes the page."""
    login(auth, "learner")
    etag, _ = _first_visit(client)
    with app.app_context():
        lesson = db.session.get(Lesson, lms_course["verdieping"])
        record_progress(db.session.get(User, world.users["learner"]), lesson, "completed")
    assert _revisit(client, etag).status_code == 200


def test_a_reimport_makes_a_new_page(app, world, lms_course, client, auth, tmp_path):
    """New lesson text from an import shows on the next visit."""
    login(auth, "learner")
    etag, _ = _first_visit(client)
    changed = dict(KIT_COURSE, **{
        "02-verdieping.md": "---\nid: verdieping\ntitle: Verdieping\ntype: page\n---\nNieuw.\n"})
    import_course(app, tmp_path / "kit-courses", changed)
    again = _revisit(client, etag)
    assert again.status_code == 200 and "Nieuw." in again.get_data(as_text=True)


def test_a_role_change_makes_a_new_page(app, world, lms_course, client, auth):
    """A learner made administrator sees the Administration link on their next visit."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    assert "Administration" not in html
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        db.session.add(RoleAssignment(user=learner, organisation_id=world.region, role="admin"))
        db.session.commit()
    again = _revisit(client, etag)
    assert again.status_code == 200 and "Administration" in again.get_data(as_text=True)


def test_a_language_switch_makes_a_new_page(app, world, lms_course, client, auth):
    """Switching to Dutch gives the Dutch page, not the confirmed English copy."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    assert "Mark as done" in html
    client.post("/taal", data={"lang": "nl"})
    client.get(URL)  # the switch's own flash message, if any, shows once
    again = _revisit(client, etag)
    assert again.status_code == 200 and "Mark as done" not in again.get_data(as_text=True)


def test_someone_else_never_gets_a_confirmation(app, world, lms_course, client, auth):
    """Another learner sending the first learner's ETag gets their own page."""
    login(auth, "learner")
    etag, _ = _first_visit(client)
    other = app.test_client()
    login(Auth(other), "other_learner")
    other.get(URL)
    again = other.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_a_pending_message_gets_a_fresh_page(app, world, lms_course, client, auth):
    """A flash message waiting to be shown is never swallowed by a 304."""
    login(auth, "learner")
    etag, _ = _first_visit(client)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved somewhere else.")]
    again = _revisit(client, etag)
    assert again.status_code == 200 and "Saved somewhere else." in again.get_data(as_text=True)


def test_a_lesson_with_its_own_activity_is_built_every_time(app, world, client, auth):
    """A plugin's activity keeps state in its own tables: no ETag, always a full page."""
    with app.app_context():
        course = b.course("denken", ["terugblik"], lesson_type="reflection")
        course.lessons[0].settings = {"prompts": [{"id": "moment", "text": "Wat ging goed?"}]}
        db.session.commit()
    login(auth, "learner")
    response = client.get("/cursussen/denken/terugblik")
    assert response.status_code == 200 and "ETag" not in response.headers
