"""Who may do what with a learner's progress: access.can/require and the learn routes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden, NotFound

from lms import hookimpl
from lms.access import can, require
from lms.extensions import db
from lms.models import Organisation
from lms.models.progress import Enrolment, Exemption, LessonState
from lms.plugins import get_pm
from lms.tracking import record_progress
from lms.tracking.tracks import enrol
from tests import builders as b


@pytest.mark.parametrize(("who", "action", "allowed"), [
    ("learner", "path.view", True),
    ("learner", "progress.record", True),
    ("learner", "exemption.grant", False),      # not on oneself
    ("other_learner", "path.view", False),
    ("other_learner", "progress.record", False),
    ("mentor", "path.view", True),               # assigned to the learner
    ("mentor", "competence.sign_off", True),
    ("mentor", "enrolment.create", False),
    ("other_mentor", "path.view", False),        # assigned to someone else
    ("schoolopleider", "enrolment.create", True),
    ("schoolopleider", "exemption.grant", True),
    ("other_schoolopleider", "exemption.grant", False),  # another school
    ("coordinator", "progress.view", True),      # board above the learner's school
    ("coordinator", "path.view", False),         # status, not content
    ("other_coordinator", "progress.view", False),
    ("coordinator", "exemption.grant", True),
    ("coordinator", "competence.sign_off", False),
    ("other_coordinator", "path.view", False),
    ("author", "path.view", False),
    ("admin", "exemption.grant", True),
])
def test_core_rules_for_a_learners_data(app, world, who, action, allowed):
    """Each role reaches exactly the learners it is responsible for."""
    with app.test_request_context():
        learner = b.user("learner")
        assert can(b.user(who), action, learner) is allowed
        state = LessonState(user_id=learner.id, lesson_id=0, course_id=0)
        assert can(b.user(who), action, state) is allowed  # rows carrying user_id alike


def test_anonymous_and_inactive_users_may_do_nothing(app, world):
    """Anonymous visitors and deactivated accounts are refused everything."""
    from flask_login import AnonymousUserMixin

    with app.test_request_context():
        learner = b.user("learner")
        assert not can(AnonymousUserMixin(), "path.view", learner)
        learner.active = False
        assert not can(learner, "path.view", learner)


def test_content_is_open_and_organisations_follow_the_tree(app, world):
    """Signed-in users see the catalogue; coordinators reach their subtree only."""
    with app.test_request_context():
        assert can(b.user("learner"), "catalogue.view", None)
        school = db.session.get(Organisation, world.school)
        assert can(b.user("coordinator"), "coordinator.dashboard", school)
        assert not can(b.user("other_coordinator"), "coordinator.dashboard", school)
        assert can(b.user("schoolopleider"), "school.learners", school)
        assert not can(b.user("learner"), "school.learners", school)


def test_require_hides_strangers_data_and_forbids_the_rest(app, world):
    """Unrelated people get 404 (the learner does not exist for them); related ones 403."""
    with app.test_request_context():
        learner = b.user("learner")
        with pytest.raises(NotFound):
            require(b.user("far_learner"), "path.view", learner)
        with pytest.raises(Forbidden):
            require(b.user("mentor"), "exemption.grant", learner)
        require(b.user("mentor"), "path.view", learner)


class DenyGoals:
    """A plugin rule, asked before the core rules."""

    @hookimpl
    def lms_permission(self, user, action, resource):
        if action == "goals.view":
            return False
        if action == "custom.thing" and user.has_role("author"):
            return True
        return None


def test_plugin_rules_are_consulted_first(app, world):
    """A plugin can deny what the core allows and allow actions the core does not know."""
    get_pm(app).register(DenyGoals(), name="deny-goals")
    with app.test_request_context():
        learner = b.user("learner")
        assert not can(learner, "goals.view", learner)
        assert can(learner, "path.view", learner)
        assert can(b.user("author"), "custom.thing", None)
        assert not can(learner, "custom.thing", None)


def test_learner_cannot_read_or_change_another_learners_progress(app, world, client, auth):
    """Another learner's track page, enrolments and exemptions are out of reach (404/403)."""
    with app.app_context():
        course = b.course("samen", 1)
        route = b.track("route", [course])
        learner = b.user("learner")
        enrol(learner, track=route)
        record_progress(learner, course.lessons[0], "completed")
    auth.login("other_learner")
    assert client.get(f"/leerroutes/route?learner={world.users['learner']}").status_code == 404
    assert client.post("/cursussen/samen/inschrijven",
                       data={"user_id": world.users["learner"]}).status_code == 404
    assert client.post("/leerroutes/route/inschrijven",
                       data={"user_id": world.users["far_learner"]}).status_code == 404
    assert client.post("/leerroutes/route/vrijstellingen", data={
        "user_id": world.users["learner"], "course": "samen", "reason": "x"}).status_code == 404
    assert client.post("/leerroutes/route/vrijstellingen", data={
        "user_id": world.users["other_learner"], "course": "samen",
        "reason": "zelf"}).status_code == 403
    own = client.get("/leerroutes/route").get_data(as_text=True)
    assert "Inschrijven" in own  # their own view, not the learner's progress
    with app.app_context():
        assert db.session.scalar(select(func.count(Enrolment.id))) == 1
        assert db.session.scalar(select(func.count(Exemption.id))) == 0


def test_coordinator_grants_an_exemption_in_their_subtree_only(app, world, client, auth):
    """A coordinator sees a learner's track status in their subtree and may exempt them."""
    with app.app_context():
        b.track("route", [b.course("samen", 1)])
    auth.login("coordinator")
    assert 'name="reason"' in client.get(
        f"/leerroutes/route?learner={world.users['learner']}").get_data(as_text=True)
    assert client.get(f"/leerroutes/route?learner={world.users['far_learner']}").status_code == 404


def test_mentor_sees_their_learners_track_but_grants_nothing(app, world, client, auth):
    """A mentor may view an assigned learner's track, without the exemption form."""
    with app.app_context():
        b.track("route", [b.course("samen", 1)])
    auth.login("mentor")
    html = client.get(f"/leerroutes/route?learner={world.users['learner']}")
    assert html.status_code == 200
    assert 'name="reason"' not in html.get_data(as_text=True)
    assert client.get(f"/leerroutes/route?learner={world.users['other_learner']}").status_code == 404


@pytest.mark.parametrize(("who", "links"), [
    ("admin", {"/begeleiding", "/schoolopleider", "/coordinatie", "/beheer/", "/beheer/privacy"}),
    ("mentor", {"/begeleiding"}),
    ("schoolopleider", {"/begeleiding", "/schoolopleider"}),
    ("coordinator", {"/coordinatie"}),
    ("learner", set()),
])
def test_navigation_asks_the_rules_of_the_pages_it_links(app, world, who, links):
    """Each role's menu links exactly the supervision and admin pages that open for it (an
    admin, who may open the mentor page, gets its link too), and each link answers."""
    from lms.testing import PASSWORD

    client = app.test_client()
    client.post("/inloggen", data={"email": f"{who}@example.org", "password": PASSWORD})
    home = client.get("/").get_data(as_text=True)
    candidates = {"/begeleiding", "/schoolopleider", "/coordinatie", "/beheer/", "/beheer/privacy"}
    shown = {url for url in candidates if f'href="{url}"' in home}
    assert shown == links
    for url in shown:
        assert client.get(url, follow_redirects=True).status_code == 200, url
