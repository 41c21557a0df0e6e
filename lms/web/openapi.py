"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Hand-written so it says what the API promises; tests validate it and check that every path
in it is a real route.
"""
from __future__ import annotations

_DATE = {"type": "string", "format": "date"}
_DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
_NUMBER = {"type": "number"}


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


_ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict:
    texts = {400: "Bad request (for example a missing CSRF token on a session POST)",
             401: "Not authenticated, or the token is unknown or revoked",
             404: "Not found, or not yours to see",
             422: "The verb is not allowed for this lesson or for API clients"}
    return {str(code): {"description": texts[code],
                        "content": {"application/json": {"schema": _ERROR}}} for code in codes}


_COURSE_STEP = _obj({
    "slug": {"type": "string"}, "title": {"type": "string"}, "required": {"type": "boolean"},
    "status": {"type": "string", "enum": ["not_started", "in_progress", "completed", "exempt"]},
    "available": {"type": "boolean"}, "hours": _NUMBER,
})
_RULE = _obj({
    "id": {"type": "string"}, "title": {"type": "string"}, "summary": {"type": "string"},
    "hours": _NUMBER, "period_years": {"type": "integer", "minimum": 1},
    "registration_years": {"type": ["integer", "null"]},
    "chosen": {"type": "boolean", "description": "chosen for this person by a schoolopleider"},
}, ["id", "title", "hours", "period_years"])
_PERIOD = _obj({
    "first_year": {"type": "integer"}, "last_year": {"type": "integer"}, "starts": _DATE,
    "ends": _DATE, "benchmark": _NUMBER, "course_hours": _NUMBER, "logged_hours": _NUMBER,
    "total": _NUMBER, "remaining": _NUMBER, "met": {"type": "boolean"},
    "current": {"type": "boolean"}})
_COURSE_LOAD = _obj({"slug": {"type": "string"}, "title": {"type": "string"}, "hours": _NUMBER})
_TRACK = _obj({
    "enrolment_id": {"type": "integer"}, "slug": {"type": "string"}, "title": {"type": "string"},
    "status": {"type": "string"}, "enrolled_on": _DATE_OR_NULL, "deadline": _DATE_OR_NULL,
    "days_left": {"type": ["integer", "null"]}, "late": {"type": "boolean"},
    "required_done": {"type": "integer"}, "required_total": {"type": "integer"},
    "percent": {"type": "integer", "minimum": 0, "maximum": 100,
                "description": "progress through the required courses (all courses when none "
                               "is required), each by its share of lessons done"},
    "required_busy": {"type": "integer", "description": "required courses begun, not completed"},
    "study_load": {**_NUMBER, "description": "hours of study of the required courses"},
    "elective_load": _NUMBER,
    "courses": {"type": "array", "items": {"$ref": "#/components/schemas/CourseStep"}},
    "next_step": {"oneOf": [{"$ref": "#/components/schemas/CourseStep"}, {"type": "null"}]},
    "hours_target": {"type": ["number", "null"]}, "credential_name": {"type": ["string", "null"]},
}, ["enrolment_id", "slug", "title", "status", "percent", "courses"])
_HOURS_BLOCK = _obj({"course_hours": _NUMBER, "logged_hours": _NUMBER, "total": _NUMBER})

SPEC: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Leerpad API",
        "version": "1.0.0",
        "description": (
            "A teacher's own learning path and progress recording. Authenticate with a "
            "personal API token (create one on the learning path page, under 'Personal API "
            "tokens') sent as `Authorization: Bearer <token>`, or with the browser session "
            "(POSTs then need the `X-CSRFToken` header)."
        ),
        "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerToken": []}, {"sessionCookie": []}],
    "paths": {
        "/api/v1/me/path": {
            "get": {
                "operationId": "getMyPath",
                "summary": "Your learning path",
                "responses": {
                    "200": {"description": "The learning path",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/LearningPath"}}}},
                    **_errors(401),
                },
            }
        },
        "/api/v1/me/enrolments": {
            "get": {
                "operationId": "getMyEnrolments",
                "summary": "Your track enrolments with progress, next step and deadline",
                "responses": {
                    "200": {"description": "Enrolments",
                            "content": {"application/json": {"schema": _obj(
                                {"enrolments": {"type": "array", "items": {
                                    "$ref": "#/components/schemas/TrackProgress"}}},
                                ["enrolments"])}}},
                    **_errors(401),
                },
            }
        },
        "/api/v1/progress": {
            "post": {
                "operationId": "recordProgress",
                "summary": "Record progress on a lesson, as yourself",
                "description": (
                    "Only `experienced` (opened) and `completed` (marked as done; only for "
                    "lesson types that allow it) may be sent by API clients. Recording is "
                    "idempotent: a repeated `completed`, or a repeated `key`, stores one event. "
                    "As on the web: a course that is locked (its prerequisites, or the `after` "
                    "courses of a track you are enrolled in, are not done) refuses with 409 "
                    "and says what to finish first; progress on a course no enrolment of "
                    "yours covers enrols you in it (`enrolled`: true)."
                ),
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ProgressRequest"}}}},
                "responses": {
                    "201": {"description": "Recorded",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/ProgressResult"}}}},
                    **_errors(400, 401, 404, 422),
                    "409": {"description": "The course is locked",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Locked"}}}},
                },
            }
        },
        "/api/v1/users/{user_id}/path": {
            "get": {
                "operationId": "getUserPath",
                "summary": "A learner's path, for those allowed to follow them (e.g. their mentor)",
                "parameters": [{"name": "user_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {
                    "200": {"description": "The learning path",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/LearningPath"}}}},
                    **_errors(401, 404),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearerToken": {"type": "http", "scheme": "bearer",
                            "description": "A personal API token (starts with `lp_`)."},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": {
            "Error": _obj({"error": {"type": "string"}, "message": {"type": "string"}},
                          ["error", "message"]),
            "ProgressRequest": _obj({
                "object": {"type": "string", "pattern": "^[a-z0-9-]+/[a-z0-9-]+$",
                           "description": "`<course id>/<lesson id>`", "examples": ["goed-van-start/welkom"]},
                "verb": {"type": "string", "enum": ["experienced", "completed"]},
                "key": {"type": "string", "minLength": 1, "maxLength": 100,
                        "description": "Optional idempotency key"},
            }, ["object", "verb"]),
            "ProgressResult": _obj({
                "event": _obj({"id": {"type": ["integer", "null"]}, "object": {"type": "string"},
                               "verb": {"type": "string"},
                               "timestamp": {"type": ["string", "null"], "format": "date-time"}}),
                "state": {"oneOf": [{"type": "null"}, _obj({
                    "status": {"type": "string", "enum": ["not_started", "in_progress", "completed"]},
                    "score": {"type": ["number", "null"]}, "attempts": {"type": "integer"},
                    "completed_at": {"type": ["string", "null"], "format": "date-time"}})]},
                "enrolled": {"type": "boolean",
                             "description": "this call enrolled you in the lesson's course"},
            }, ["event", "state", "enrolled"]),
            "Locked": _obj({
                "error": {"type": "string", "const": "locked"}, "message": {"type": "string"},
                "waiting_for": {"type": "array", "items": _obj({
                    "course": {"type": "string"}, "title": {"type": "string"},
                    "track": {"type": ["string", "null"],
                              "description": "the track that asks it first; null: the "
                                             "course's own prerequisite"}})},
            }, ["error", "message", "waiting_for"]),
            "CourseStep": _COURSE_STEP,
            "TrackProgress": _TRACK,
            "LearningPath": _obj({
                "learner": _obj({"id": {"type": "integer"}, "name": {"type": "string"}}),
                "today": _DATE,
                "nlqf": _obj({
                    "level": {"type": ["integer", "null"]}, "target": {"type": ["integer", "null"]},
                    "routes": {"type": "array", "items": _obj({
                        "level": {"type": "integer"}, "title": {"type": "string"},
                        "description": {"type": "string"},
                        "routes": {"type": "array"}})}}),
                "tracks": {"type": "array", "items": {"$ref": "#/components/schemas/TrackProgress"}},
                "deadlines": {"type": "array", "items": _obj({
                    "track_slug": {"type": "string"}, "track_title": {"type": "string"},
                    "due": _DATE, "days_left": {"type": "integer"}, "late": {"type": "boolean"},
                    "soon": {"type": "boolean"}})},
                "coverage": {"type": "array", "items": _obj({
                    "framework": {"type": "string"}, "title": {"type": "string"},
                    "fits": {"type": "boolean", "description": (
                        "about the learner's roles, school sector or tracks; fitting "
                        "frameworks come first")},
                    "covered": {"type": "array", "items": _obj({
                        "code": {"type": "string"}, "title": {"type": "string"},
                        "covered_by": {"type": "array", "items": {"type": "string"}}})},
                    "open": {"type": "array", "items": _obj({
                        "code": {"type": "string"}, "title": {"type": "string"}})}})},
                "hours": _obj({
                    "cycle_years": {"type": "integer"}, "cycle_anchor": {"type": "integer"},
                    "benchmark": _NUMBER,
                    "years": {"type": "array", "items": {"allOf": [
                        _HOURS_BLOCK, _obj({"year": {"type": "integer"}})]}},
                    "cycles": {"type": "array", "items": {"allOf": [_HOURS_BLOCK, _obj({
                        "first_year": {"type": "integer"}, "last_year": {"type": "integer"},
                        "starts": _DATE, "ends": _DATE, "benchmark": _NUMBER,
                        "remaining": _NUMBER, "met": {"type": "boolean"},
                        "current": {"type": "boolean"}})]}},
                    "entries": {"type": "array", "items": _obj({
                        "id": {"type": "integer"}, "day": _DATE, "hours": _NUMBER,
                        "category": {"type": "string",
                                     "enum": ["cursus", "intervisie", "studiedag", "lezen", "overig"]},
                        "description": {"type": "string"}, "evidence": {"type": "string"}})},
                    "courses": {"type": "array", "items": _obj({
                        "day": _DATE, "hours": _NUMBER, "title": {"type": "string"}})},
                    "rule": {"oneOf": [_RULE, {"type": "null"}], "description": (
                        "the hours rule the periods follow: cycle_years = its period_years, "
                        "benchmark = its hours")},
                    "comparisons": {"type": "array", "items": _obj({
                        "rule": _RULE, "cycle": _PERIOD})},
                    "pending_courses": {"type": "array", "items": _COURSE_LOAD,
                                        "description": "courses in progress whose study load "
                                                       "counts once completed"},
                    "not_counted_courses": {"type": "array", "items": _COURSE_LOAD,
                                            "description": "a qualification's study load (the "
                                                           "PDG): never professionalisation "
                                                           "hours"},
                }),
                "credentials": {"type": "array", "items": _obj({
                    "id": {"type": "integer"}, "name": {"type": "string"},
                    "track_slug": {"type": ["string", "null"]}, "issued_on": _DATE_OR_NULL,
                    "expires_on": _DATE_OR_NULL,
                    "status": {"type": "string", "enum": ["valid", "expiring", "expired"]},
                    "days_left": {"type": ["integer", "null"]}})},
                "goals": {"type": "array", "items": _obj({
                    "id": {"type": "integer"}, "title": {"type": "string"},
                    "description": {"type": "string"},
                    "status": {"type": "string",
                               "enum": ["planned", "in_progress", "achieved", "dropped"]},
                    "target_date": _DATE_OR_NULL,
                    "competences": {"type": "array", "items": {"type": "string"}},
                    "overdue": {"type": "boolean"}})},
            }, ["learner", "today", "nlqf", "tracks", "deadlines", "coverage", "hours",
                "credentials", "goals"]),
        },
    },
}
