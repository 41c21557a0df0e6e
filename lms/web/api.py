"""JSON API under /api/v1, for a teacher's own path and for recording progress.

A request is authenticated by a personal API token (``Authorization: Bearer <token>``) or,
failing that, by the session cookie. Token requests are exempt from CSRF (a browser never
sends the header by itself); session-authenticated POSTs still need the CSRF token, in the
``X-CSRFToken`` header. Every error is JSON: ``{"error": code, "message": text}``.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from lms.extensions import csrf, db
from lms.models import Course, Lesson, User
from lms.models.base import utcnow
from lms.models.portfolio import ApiToken
from lms.plugins import collect, get_pm
from lms.readmodels.path import PathSettings, learning_path
from lms.web.errors import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token requests only: session POSTs are checked in authenticate() below

# Verbs an API client may send for itself; the rest (passed, approved, ...) come from the
# activity's own evaluation or a mentor's sign-off, never from the learner's client.
CLIENT_VERBS = ("experienced", "completed")
# last_used_at is a coarse hint, written at most once per hour, so that reading stays cheap.
LAST_USED_RESOLUTION = timedelta(hours=1)


def _error(status: int, code: str, message: str):
    # The same shape as every other /api/ error (lms.web.errors, which also turns aborts,
    # routing errors and 500s under /api/ into JSON).
    return json_error(status, code, message)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or ""


@bp.before_request
def authenticate():
    """Resolve the caller into ``g.api_user``: token first, then the session."""
    secret = _bearer_token()
    g.api_user = None
    g.api_token = None
    if request.endpoint == "api.openapi":
        return None
    if secret is not None:
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_secret(secret)))
        user = db.session.get(User, token.user_id) if token is not None else None
        if token is None or token.revoked_at is not None or user is None or not user.active:
            return _error(401, "invalid_token", "The API token is unknown or revoked.")
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            token.last_used_at = now
            db.session.commit()
        g.api_user, g.api_token = user, token
        return None
    if not current_user.is_authenticated:
        return _error(401, "unauthenticated",
                      "Log in, or send a personal API token as 'Authorization: Bearer <token>'.")
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    g.api_user = current_user._get_current_object()
    return None


def _path_json(learner: User) -> dict:
    return learning_path(learner, settings=PathSettings.from_config(current_app.config)).to_dict()


@bp.get("/me/path")
def my_path():
    return jsonify(_path_json(g.api_user))


@bp.get("/users/<id:user_id>/path")
def user_path(user_id: int):
    from lms.access import can, record_views

    learner = g.api_user if user_id == g.api_user.id else db.session.get(User, user_id)
    if learner is None or not can(g.api_user, "path.view", learner):
        abort(404, "No such learner, or no access to their path.")
    response = jsonify(_path_json(learner))
    record_views(g.api_user, [learner.id], "path")
    db.session.commit()
    return response


@bp.get("/me/enrolments")
def my_enrolments():
    path = learning_path(g.api_user, settings=PathSettings.from_config(current_app.config))
    return jsonify({"enrolments": path.to_dict()["tracks"]})


def _lesson_by_object_id(object_id: str) -> Lesson | None:
    course_slug, sep, lesson_slug = object_id.partition("/")
    if not sep or not course_slug or not lesson_slug or "/" in lesson_slug:
        return None
    return db.session.scalar(
        select(Lesson).join(Course)
        .where(Course.slug == course_slug, Lesson.slug == lesson_slug,
               Course.archived.is_(False), Lesson.archived.is_(False)))


def _activity_type(name: str):
    return next((activity for activity in collect(get_pm().hook.lms_activity_types())
                 if activity.name == name), None)


@bp.post("/progress")
def post_progress():
    from lms.access import can
    from lms.tracking import record_progress
    from lms.tracking.prerequisites import CourseLocked, start_lesson

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "bad_request", "Send a JSON object with 'object' and 'verb'.")
    object_id, verb, key = body.get("object"), body.get("verb"), body.get("key")
    if not isinstance(object_id, str) or not isinstance(verb, str):
        return _error(400, "bad_request", "'object' and 'verb' must be strings.")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 100):
        return _error(400, "bad_request", "'key' must be a string of 1 to 100 characters.")
    if verb not in CLIENT_VERBS:
        return _error(422, "verb_not_allowed",
                      f"API clients may send only: {', '.join(CLIENT_VERBS)}.")
    lesson = _lesson_by_object_id(object_id)
    if lesson is None or not can(g.api_user, "lesson.view", lesson):
        return _error(404, "not_found", f"No lesson {object_id!r}.")
    if verb == "completed":
        activity = _activity_type(lesson.type)
        if activity is None or not activity.manual_completion:
            return _error(422, "verb_not_allowed",
                          f"A {lesson.type} lesson is not completed by marking it done.")
    # The web's rule: a locked course refuses, work outside an enrolment enrols.
    try:
        enrolled = start_lesson(g.api_user, lesson)
    except CourseLocked as exc:
        response = jsonify({
            "error": "locked",
            "message": "This course opens once these are completed: "
                       + ", ".join(p.slug for p in exc.waiting_for) + ".",
            "waiting_for": [{"course": p.slug, "title": p.title, "track": p.track}
                            for p in exc.waiting_for]})
        response.status_code = 409
        return response
    event = record_progress(g.api_user, lesson, verb, key=key)
    state = _lesson_state(g.api_user.id, lesson.id)
    response = jsonify({"event": _event_json(event, object_id, verb),
                        "state": state, "enrolled": enrolled})
    response.status_code = 201
    return response


def _event_json(event, object_id: str, verb: str) -> dict:
    timestamp = getattr(event, "timestamp", None)
    return {"id": getattr(event, "id", None), "object": object_id, "verb": verb,
            "timestamp": timestamp.isoformat() if timestamp else None}


def _lesson_state(user_id: int, lesson_id: int) -> dict | None:
    from lms.models.progress import LessonState

    state = db.session.scalar(select(LessonState).where(
        LessonState.user_id == user_id, LessonState.lesson_id == lesson_id))
    if state is None:
        return None
    return {"status": state.status, "score": state.score, "attempts": state.attempts,
            "completed_at": state.completed_at.isoformat() if state.completed_at else None}


@bp.get("/openapi.json")
def openapi():
    from lms.web.openapi import SPEC

    return jsonify(SPEC)
