"""Role × route matrix: every GET page of the mentor, schoolopleider, coordinator, path, API,
privacy and plugin areas answers 200 only to the people who may see it, and every look at
another person's data is audited.

The routes are walked from ``app.url_map``: a new page in these areas without an entry in
``ALLOWED`` fails the test, so nobody adds a page without deciding who may see it.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms import hookimpl
from lms.extensions import db
from lms.models import AuditEvent, DevelopmentGoal, HoursEntry, User
from lms.models.base import utcnow
from tests import builders
from tests.supervision_data import confirmation_request, ready_export, seed_written_work
from lms.testing import PASSWORD

AREAS = ("mentor.", "schoolopleider.", "coordinate.", "path.", "api.", "privacy.",
         "assignment.", "reflection.", "quiz.")
ROLES = ("learner", "other_learner", "far_learner", "mentor", "other_mentor", "schoolopleider",
         "other_schoolopleider", "coordinator", "other_coordinator", "author", "admin")
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})

# endpoint → who gets 200. Person-specific URLs are about "learner" (mentored by "mentor",
# at the school of "schoolopleider", under the board of "coordinator").
ALLOWED: dict[str, frozenset[str]] = {
    "mentor.index": frozenset({"mentor", "other_mentor", "schoolopleider",
                               "other_schoolopleider", "admin"}),
    "mentor.queue": frozenset({"mentor", "other_mentor", "schoolopleider",
                               "other_schoolopleider", "admin"}),
    "mentor.learner": frozenset({"mentor"}),
    "mentor.confirmation": frozenset({"mentor"}),
    "mentor.request_form": EVERYONE,
    "mentor.mine": EVERYONE,
    "schoolopleider.index": frozenset({"schoolopleider", "other_schoolopleider", "admin"}),
    "schoolopleider.school": frozenset({"schoolopleider", "admin"}),
    "schoolopleider.coverage": frozenset({"schoolopleider", "admin"}),
    "schoolopleider.learner": frozenset({"schoolopleider", "admin"}),
    "schoolopleider.exemption": frozenset({"schoolopleider", "admin"}),
    "coordinate.index": frozenset({"coordinator", "other_coordinator", "admin"}),
    "coordinate.report": frozenset({"coordinator", "admin"}),
    "coordinate.export_csv": frozenset({"coordinator", "admin"}),
    "coordinate.export_xlsx": frozenset({"coordinator", "admin"}),
    "coordinate.downloads": frozenset({"coordinator", "other_coordinator", "admin"}),
    "coordinate.download": frozenset({"coordinator"}),  # only the person who asked for it
    "path.mine": EVERYONE,
    "path.learner_path": frozenset({"learner", "mentor", "schoolopleider", "admin"}),
    "path.export_html": EVERYONE,
    "path.export_json": EVERYONE,
    "path.tokens": EVERYONE,
    "path.goal_new": EVERYONE,
    "path.hours_new": EVERYONE,
    "path.goal_edit": frozenset({"learner"}),
    "path.hours_edit": frozenset({"learner"}),
    "path.nlqf_edit": EVERYONE,
    "api.my_path": EVERYONE,
    "api.my_enrolments": EVERYONE,
    "api.openapi": EVERYONE,
    "api.user_path": frozenset({"learner", "mentor", "schoolopleider", "admin"}),
    "privacy.my_data": EVERYONE,
    "privacy.review": ADMIN,
    "privacy.audit_log": ADMIN,
    "privacy.erase": ADMIN,
    "assignment.review": frozenset({"mentor", "admin"}),
    "assignment.download": frozenset({"learner", "mentor", "admin"}),
    "reflection.logbook": EVERYONE,
    "reflection.shared_with_me": frozenset({"mentor"}),
}
# Index pages redirect to the one organisation a person has; the redirect counts as allowed.
FOLLOW = {"coordinate.index", "schoolopleider.index", "path.learner_path"}
# Old addresses that only redirect to the page that replaced them.
MOVED = {"assignment.queue": "mentor.queue"}
# Routes that show one other person's data: a 200 for anyone but that person must be audited.
PERSONAL = {"mentor.learner", "mentor.confirmation", "schoolopleider.learner",
            "schoolopleider.exemption", "path.learner_path", "api.user_path",
            "assignment.review", "assignment.download", "reflection.shared_with_me"}


@pytest.fixture
def matrix(app, world):
    """Seed everything the URLs point at and build one URL per walked GET endpoint."""
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        goal = DevelopmentGoal(user_id=learner.id, title="Mijn doel")
        hours = HoursEntry(user_id=learner.id, date=utcnow().date(), hours=1, category="lezen",
                           description="Gelezen")
        db.session.add_all([goal, hours])
        db.session.commit()
        builders.track("zij-instroom", [builders.course("basis", 1)], duration_months=24)
        written = seed_written_work(app, learner.id)
        export = ready_export(world.users["coordinator"], world.board)
        values = {
            "learner_id": learner.id, "user_id": learner.id, "goal_id": goal.id,
            "entry_id": hours.id, "submission_id": written.submission,
            "item_id": confirmation_request(learner.id, world.users["mentor"]),
            "table": "tracks", "track_slug": "zij-instroom", "export_id": export,
        }
    urls = {}
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if (not rule.endpoint.startswith(AREAS) or "GET" not in rule.methods
                    or rule.endpoint in MOVED):
                continue
            args = {}
            for name in rule.arguments:
                if name == "org_id":
                    args[name] = world.board if rule.endpoint.startswith("coordinate.") else world.school
                else:
                    args[name] = values[name]
            urls[rule.endpoint] = url_for(rule.endpoint, **args)
    return urls


def _get(client, endpoint: str, url: str) -> int:
    return client.get(url, follow_redirects=endpoint in FOLLOW).status_code


def test_every_walked_route_has_a_rule(matrix):
    """Each GET page in the supervised areas says who may see it."""
    assert set(matrix) == set(ALLOWED)


def test_each_role_gets_200_exactly_where_allowed(app, matrix):
    """Every role (and other mentors, coordinators of other boards) sees only their pages."""
    wrong = []
    for who in ROLES:
        client = app.test_client()
        response = client.post("/inloggen", data={"email": f"{who}@example.org", "password": PASSWORD})
        assert response.status_code == 302
        for endpoint, url in sorted(matrix.items()):
            status = _get(client, endpoint, url)
            allowed = who in ALLOWED[endpoint]
            if allowed and status != 200:
                wrong.append(f"{who} {url}: {status}, expected 200")
            if not allowed and status not in (403, 404):
                wrong.append(f"{who} {url}: {status}, expected 403/404")
    assert wrong == []


def test_moved_pages_redirect_to_their_replacement(app, world):
    """The assignment plugin's old queue sends everyone to the one sign-off queue."""
    from flask import url_for

    client = app.test_client()
    client.post("/inloggen", data={"email": "mentor@example.org", "password": PASSWORD})
    for old, new in MOVED.items():
        with app.test_request_context():
            source, target = url_for(old), url_for(new)
        response = client.get(source)
        assert response.status_code == 301 and response.headers["Location"] == target


def test_anonymous_visitors_get_nothing(app, matrix):
    """Without logging in, no page in these areas answers 200 (except the API description)."""
    client = app.test_client()
    for endpoint, url in matrix.items():
        status = client.get(url).status_code
        assert status in (302, 401) or (endpoint == "api.openapi" and status == 200), (url, status)


def _audited_views(app, who_id: int, subject_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.actor_id == who_id, AuditEvent.subject_id == subject_id))


def _check_audit(app, world, matrix, endpoints):
    missing = []
    for endpoint in sorted(endpoints):
        for who in sorted(ALLOWED[endpoint] - {"learner"}):
            client = app.test_client()
            client.post("/inloggen", data={"email": f"{who}@example.org", "password": PASSWORD})
            before = _audited_views(app, world.users[who], world.users["learner"])
            assert _get(client, endpoint, matrix[endpoint]) == 200
            if _audited_views(app, world.users[who], world.users["learner"]) <= before:
                missing.append(f"{who} {endpoint}")
    assert missing == []


def test_every_look_at_another_persons_data_is_audited(app, world, matrix):
    """Mentor, schoolopleider and admin views of a learner's data leave an audit row."""
    _check_audit(app, world, matrix, PERSONAL)


class _AllowEverything:
    """A careless plugin that allows every action."""

    @staticmethod
    @hookimpl(tryfirst=True)
    def lms_permission(user, action, resource):
        return True


def test_privacy_tiers_hold_even_when_a_plugin_allows_everything(app, world):
    """No plugin rule can show a coordinator reflections or a mentor another mentor's learner."""
    from lms.access import can
    from lms.plugins import get_pm

    get_pm(app).register(_AllowEverything(), name="allow-everything")
    with app.test_request_context():
        learner = db.session.get(User, world.users["learner"])
        people = {who: db.session.get(User, world.users[who]) for who in ROLES}
        assert can(people["coordinator"], "anything.else", learner)  # the plugin does decide
        for action in ("reflection.view_shared", "feedback.view", "goals.view", "path.view",
                       "submission.view"):
            assert not can(people["coordinator"], action, learner), action
            assert not can(people["other_mentor"], action, learner), action
            assert not can(people["other_schoolopleider"], action, learner), action
        assert can(people["mentor"], "reflection.view_shared", learner)
        assert not can(people["schoolopleider"], "reflection.view_shared", learner)
        assert not can(people["admin"], "reflection.view", learner)
        assert can(learner, "reflection.view", learner)
