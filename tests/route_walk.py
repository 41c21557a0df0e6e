"""Walk the whole URL map: one real URL for every rule (core and plugin blueprints), its
arguments filled from seeded data.

``seed(app, world)`` stores something behind every kind of argument and returns the values;
``walk(app, values)`` builds the URLs and fails on a rule argument it has no value for, so a new
route is walked as soon as it exists (add its argument to ``seed`` or ``OVERRIDES``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, url_for

from lms.extensions import db
from lms.models import ApiToken, DevelopmentGoal, HoursEntry, MentorAssignment, RoleAssignment, User
from lms.models.base import utcnow
from lms.web.old_urls import is_old_path
from tests import builders
from tests.supervision_data import confirmation_request, ready_export, seed_written_work

FIXTURE_COURSES = Path(__file__).parent / "fixtures" / "courses"
WALK_PLUGIN = "walkplugin"
WALK_PLUGIN_FILE = "walk.css"


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: frozenset[str]
    url: str


# (endpoint prefix, argument) → the value's key in ``seed()``'s result, where one argument name
# means different things in different areas. The first matching prefix wins.
OVERRIDES: list[tuple[str, str, str]] = [
    ("coordinate.", "org_id", "board_id"),
    ("reflection.", "entry_id", "reflection_entry_id"),
    ("quiz.", "lesson_id", "quiz_lesson_id"),
    ("assignment.", "lesson_id", "assignment_lesson_id"),
    ("reflection.", "lesson_id", "reflection_lesson_id"),
    ("plugin_static", "filename", "plugin_filename"),
    ("static", "filename", "static_filename"),
    ("assets.", "filename", "asset_filename"),
]


def write_walk_plugin(folder: Path) -> Path:
    """A plugin package with a ``static/`` file, so ``/plugins/<name>/static/`` has something
    to serve; returns the folder to add to PLUGINS_DIRS."""
    package = folder / WALK_PLUGIN
    (package / "static").mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""Serves one static file for the route walk."""\n')
    (package / "static" / WALK_PLUGIN_FILE).write_text("body { margin: 0; }\n")
    return folder


def seed(app: Flask, world) -> dict[str, object]:
    """Content (imported through the real importer), written work, goals, hours, tokens,
    roles and confirmations about the world's ``learner``; returns a value per argument."""
    from lms.accounts.invitations import invitation_token
    from lms.content.importer import import_directory
    from lms.models.calendar import CalendarFeed
    from lms.models.content import Asset, Course

    with app.app_context():
        import_directory(FIXTURE_COURSES)
        learner = db.session.get(User, world.users["learner"])
        goal = DevelopmentGoal(user_id=learner.id, title="Mijn doel")
        hours = HoursEntry(user_id=learner.id, date=utcnow().date(), hours=1, category="lezen",
                           description="Gelezen")
        token = ApiToken(user_id=learner.id, name="walk", token_hash=ApiToken.hash_secret("walk"))
        feed = CalendarFeed(user_id=learner.id, token_hash=CalendarFeed.hash_token("walk-feed"))
        db.session.add_all([goal, hours, token, feed])
        db.session.commit()
        quiz_course = builders.course("walk-quiz", ["toets"])
        quiz = quiz_course.lessons[0]
        quiz.type = "quiz"
        quiz.settings = {"pass_score": 50, "questions": [
            {"id": "q1", "text": "Twee plus twee?", "kind": "single", "options": [
                {"text": "4", "correct": True}, {"text": "5", "correct": False}]}]}
        db.session.commit()
        builders.track("zij-instroom", [builders.course("basis", 1)], duration_months=24)
        written = seed_written_work(app, learner.id)
        asset = db.session.query(Asset).order_by(Asset.id).first()
        assert asset is not None, "the fixture courses should hold an image"
        role = db.session.query(RoleAssignment).filter_by(user_id=learner.id).first()
        pair = db.session.query(MentorAssignment).filter_by(learner_id=learner.id).first()
        portfolio = db.session.query(Course).filter_by(slug=f"portfolio-{learner.id}").one()
        reflection, assignment = portfolio.lessons
        values: dict[str, object] = {
            "org_id": world.school, "board_id": world.board,
            "user_id": learner.id, "learner_id": learner.id,
            "goal_id": goal.id, "entry_id": hours.id, "token_id": token.id,
            "reflection_entry_id": written.shared_entry, "submission_id": written.submission,
            "item_id": confirmation_request(learner.id, world.users["mentor"]),
            "role_id": role.id, "pair_id": pair.id,
            "course_slug": "goed-van-start", "lesson_slug": "jouw-start",
            "slug": "inductie-starters", "track_slug": "zij-instroom", "table": "tracks",
            "quiz_lesson_id": quiz.id, "assignment_lesson_id": assignment.id,
            "reflection_lesson_id": reflection.id, "lesson_id": quiz.id, "prompt_id": "p1",
            "sha256": asset.sha256, "asset_filename": asset.filename,
            "token": invitation_token(db.session.get(User, world.users["far_learner"])),
            "plugin": WALK_PLUGIN, "plugin_filename": WALK_PLUGIN_FILE,
            "static_filename": "leerpad.css", "feed_token": "walk-feed",
            "export_id": ready_export(world.users["coordinator"], world.board),
        }
    return values


class MissingValue(AssertionError):
    """A rule has an argument the walk has no value for."""


def walk(app: Flask, values: dict[str, object]) -> list[Route]:
    """One URL per rule of ``app.url_map`` (every method), arguments from ``values``."""
    routes, missing = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if is_old_path(rule):
                continue  # a redirect, walked by test_old_urls
            args = {}
            for name in sorted(rule.arguments):
                key = next((key for prefix, arg, key in OVERRIDES
                            if arg == name and rule.endpoint.startswith(prefix)), name)
                if key not in values:
                    missing.append(f"{rule.rule} ({rule.endpoint}): no value for '{name}'")
                    continue
                args[name] = values[key]
            if len(args) == len(rule.arguments):
                methods = frozenset(rule.methods - {"HEAD", "OPTIONS"})
                routes.append(Route(rule.endpoint, rule.rule, methods,
                                    url_for(rule.endpoint, **args)))
    if missing:
        raise MissingValue("routes the walk cannot fill in (seed them in tests/route_walk.py):\n"
                           + "\n".join(missing))
    return routes


def get_routes(routes: list[Route]) -> list[Route]:
    return [r for r in routes if "GET" in r.methods]


def post_routes(routes: list[Route]) -> list[Route]:
    return [r for r in routes if "POST" in r.methods]
