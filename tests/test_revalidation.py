"""Revisiting a lesson page: an unchanged page is confirmed (304) or given again from the
worker's kept copy (lms.web.pagecache) from one query, and never after progress, a re-import,
a role or name change, a language switch, a logout, or for someone else."""
from __future__ import annotations

import pytest

from lms.extensions import db
from lms.models import Lesson, RoleAssignment, User
from lms.testing import Auth, KIT_COURSE, import_course
from lms.tracking import record_progress
from lms.web.pagecache import PageCache
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


def _drop_messages(client) -> None:
    with client.session_transaction() as session:
        session.pop("_flashes", None)


# A page asked again: by a browser that kept it (If-None-Match), and by one that did not
# (the worker's kept page answers). Both must see every change.
REVISITS = {"browser copy": _revisit, "worker copy": lambda client, etag: client.get(URL)}


@pytest.fixture(params=sorted(REVISITS))
def revisit(request):
    return REVISITS[request.param]


def test_an_unchanged_lesson_is_confirmed_from_one_query(app, world, lms_course, client, auth):
    """The browser's copy is confirmed with 304 and no page: the login's query and one more."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    assert "Meer." in html
    with counted(app) as statements:
        again = _revisit(client, etag)
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert len(statements) == 1, statements  # the login, the person and the versions at once


def test_the_page_asked_again_is_the_kept_page_from_one_query(app, world, lms_course, client,
                                                               auth):
    """Without a browser copy the worker's kept page answers: the same page, one query."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    with counted(app) as statements:
        again = client.get(URL)
    assert again.status_code == 200 and again.headers["ETag"] == etag
    assert again.get_data(as_text=True) == html
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert len(statements) == 1, statements


def test_the_first_visit_costs_no_extra_query(app, world, lms_course, client, auth):
    """The ETag's versions come with the page's own first query: the same count as before,
    and a page that changed costs its check on top."""
    login(auth, "learner")
    with counted(app) as plain:
        etag, _ = _first_visit(client)
    assert len(plain) == 3, plain  # the login, the course, its lessons; the nav asks nothing
    with app.app_context():
        lesson = db.session.get(Lesson, lms_course["verdieping"])
        record_progress(db.session.get(User, world.users["learner"]), lesson, "completed")
    with counted(app) as changed:
        assert client.get(URL).headers["ETag"] != etag
    assert len(changed) == len(plain) + 1


def test_without_a_page_cache_every_visit_is_built(app, world, lms_course, client, auth):
    """PAGE_CACHE_BYTES = 0 keeps nothing: the browser's copy is still confirmed."""
    app.config["PAGE_CACHE_BYTES"] = 0
    login(auth, "learner")
    etag, _ = _first_visit(client)
    with counted(app) as statements:
        assert client.get(URL).status_code == 200
    assert len(statements) == 3
    with counted(app) as statements:
        assert _revisit(client, etag).status_code == 304
    assert len(statements) == 2  # the login, then the versions


def test_progress_makes_a_new_page(app, world, lms_course, client, auth, revisit):
    """After marking the lesson done, the revisit gets the page that says so."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    assert "Mark as done" in html
    client.post(f"{URL}/afgerond")
    _drop_messages(client)  # "Marked as done." would make a fresh page by itself
    again = revisit(client, etag)
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert "Mark as done" not in again.get_data(as_text=True)


def test_progress_recorded_elsewhere_makes_a_new_page(app, world, lms_course, client, auth, revisit):
    """Progress from another device (the API, a plugin) also changes the page."""
    login(auth, "learner")
    etag, _ = _first_visit(client)
    with app.app_context():
        lesson = db.session.get(Lesson, lms_course["verdieping"])
        record_progress(db.session.get(User, world.users["learner"]), lesson, "completed")
    again = revisit(client, etag)
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_a_reimport_makes_a_new_page(app, world, lms_course, client, auth, tmp_path, revisit):
    """New lesson text from an import shows on the next visit."""
    login(auth, "learner")
    etag, _ = _first_visit(client)
    changed = dict(KIT_COURSE, **{
        "02-verdieping.md": "---\nid: verdieping\ntitle: Verdieping\ntype: page\n---\nNieuw.\n"})
    import_course(app, tmp_path / "kit-courses", changed)
    again = revisit(client, etag)
    assert again.status_code == 200 and "Nieuw." in again.get_data(as_text=True)


def test_a_role_change_makes_a_new_page(app, world, lms_course, client, auth, revisit):
    """A learner made administrator sees the Administration link on their next visit."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    assert "Administration" not in html
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        db.session.add(RoleAssignment(user=learner, organisation_id=world.region, role="admin"))
        db.session.commit()
    again = revisit(client, etag)
    assert again.status_code == 200 and "Administration" in again.get_data(as_text=True)


def test_a_language_switch_makes_a_new_page(app, world, lms_course, client, auth, revisit):
    """Switching to Dutch gives the Dutch page, not the confirmed English copy."""
    login(auth, "learner")
    etag, html = _first_visit(client)
    assert "Mark as done" in html
    client.post("/taal", data={"lang": "nl"})
    _drop_messages(client)
    again = revisit(client, etag)
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


def test_someone_else_never_gets_the_kept_page(app, world, lms_course, client, auth):
    """Pages are kept per person: another learner asking for the same lesson gets theirs."""
    login(auth, "learner")
    _, html = _first_visit(client)
    other = app.test_client()
    login(Auth(other), "other_learner")
    mine = other.get(URL).get_data(as_text=True)
    again = other.get(URL).get_data(as_text=True)
    with app.app_context():
        names = [f">{db.session.get(User, world.users[who]).name}</a>"  # the header's link
                 for who in ("learner", "other_learner")]
    assert names[0] in html and names[1] not in html
    assert again == mine and names[1] in again and names[0] not in again


def test_a_page_that_showed_a_message_is_not_kept(app, world, lms_course, client, auth):
    """A flash message shows once: the page that showed it gets no ETag and is not kept."""
    login(auth, "learner")
    _first_visit(client)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved somewhere else.")]
    shown = client.get(URL)
    assert "Saved somewhere else." in shown.get_data(as_text=True)
    assert "ETag" not in shown.headers
    again = client.get(URL)
    assert again.status_code == 200 and "Saved somewhere else." not in again.get_data(as_text=True)


@pytest.mark.parametrize("ending", ["logout", "deactivated", "password", "everywhere"])
def test_an_ended_login_never_gets_the_kept_page(app, world, lms_course, client, auth, ending):
    """A cookie saved before the login ended (logging out, the account deactivated, the
    password changed, an administrator's "log out everywhere") gets the login page, not the
    kept one, even with the page's ETag."""
    from lms.accounts.sessions import end_all_sessions

    login(auth, "learner")
    etag, _ = _first_visit(client)
    saved = client.get_cookie("session").value
    if ending == "logout":
        auth.logout()
    else:
        with app.app_context():
            learner = db.session.get(User, world.users["learner"])
            if ending == "deactivated":
                learner.active = False
            elif ending == "password":
                learner.set_password("een-heel-nieuw-wachtwoord")
            else:
                end_all_sessions(learner)
            db.session.commit()
    client.set_cookie("session", saved)
    for headers in ({}, {"If-None-Match": etag}):
        response = client.get(URL, headers=headers)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_name_change_makes_a_new_page(app, world, lms_course, client, auth, revisit):
    """The header shows the person's name: a new name gives a new page."""
    login(auth, "learner")
    etag, _ = _first_visit(client)
    with app.app_context():
        db.session.get(User, world.users["learner"]).name = "Nieuwe Naam"
        db.session.commit()
    again = revisit(client, etag)
    assert again.status_code == 200 and "Nieuwe Naam" in again.get_data(as_text=True)


def test_a_navigation_with_a_count_is_built_every_time(app, world, lms_course, client, auth):
    """A mentor's navigation counts what waits for their sign-off, per person: their lesson
    pages are never given from the kept copy (the count would go stale)."""
    login(auth, "mentor")
    _first_visit(client)
    with counted(app) as statements:
        assert client.get(URL).status_code == 200
    assert len(statements) > 1


def test_the_page_cache_keeps_the_most_recent_pages_within_its_bytes():
    cache = PageCache(max_bytes=10)
    cache.put("a", "1", b"aaaa")
    cache.put("b", "2", b"bbbb")
    assert cache.get("a")[:2] == ("1", b"aaaa")  # a is now the most recently used
    cache.put("c", "3", b"cccc")  # 12 bytes: b, the least recently used, goes
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    cache.put("a", "4", b"aa")  # a new build replaces the old page of the same key
    assert cache.get("a")[:2] == ("4", b"aa") and cache.size == (2, 6)
    cache.put("d", "5", b"d" * 11)  # larger than the whole cache: not kept
    assert cache.get("d") is None and cache.size == (2, 6)
