"""xAPI 1.0.3 statements for Leerpad's learning events, built from public models only.

Ids are deterministic (uuid5 of the platform's address and the event's own stable key), so a
retry, a backfill or a second app server never makes a second statement. Activity ids are
IRIs on ``BASE_URL`` built from course, lesson and track ids (slugs), which survive renames.
The actor is a pseudonymous ``account`` (an HMAC of the user id) unless ``XAPI_ACTOR_MBOX``.
No free text (feedback, reflections, reasons, descriptions) ever goes into a statement.
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timezone
from typing import Any

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://leerpad.invalid/xapi/statement")
ADL = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"

# verb key → (IRI or None for a platform verb on BASE_URL, en-US, nl-NL)
VERBS: dict[str, tuple[str | None, str, str]] = {
    "experienced": (ADL + "experienced", "experienced", "bekeek"),
    "completed": (ADL + "completed", "completed", "voltooide"),
    "attempted": (ADL + "attempted", "attempted", "probeerde"),
    "passed": (ADL + "passed", "passed", "slaagde voor"),
    "failed": (ADL + "failed", "failed", "zakte voor"),
    "submitted": ("http://activitystrea.ms/schema/1.0/submit", "submitted", "leverde in"),
    # The reviewer found the criteria met (cmi5's "satisfied"): assignments, competences.
    "approved": ("https://w3id.org/xapi/adl/verbs/satisfied", "satisfied", "voldeed aan"),
    "returned": (None, "was returned", "kreeg terug"),
    "wrote": (None, "wrote", "schreef"),
    "shared": (ADL + "shared", "shared", "deelde"),
    "waived": ("https://w3id.org/xapi/adl/verbs/waived", "waived", "kreeg vrijstelling voor"),
    "earned": ("https://w3id.org/xapi/openbadges/verbs/earned", "earned", "behaalde"),
    "logged": (None, "logged", "registreerde"),
    "voided": (ADL + "voided", "voided", "trok in"),
}
# A learning record's kind → verb key.
RECORD_VERBS = {
    "course_completed": "completed", "track_completed": "completed",
    "competence_confirmed": "approved", "exemption_granted": "waived",
    "credential_issued": "earned", "hours_logged": "logged", "reflection_shared": "shared",
}
LESSON_TYPES = {
    "quiz": ADL_ACTIVITY + "assessment", "assignment": ADL_ACTIVITY + "performance",
    "reflection": "http://id.tincanapi.com/activitytype/reflection",
}
LANGUAGES = {"nl": "nl-NL", "en": "en-US"}
SCORE_KEYS = ("scaled", "raw", "min", "max")


class Platform:
    """What every statement of one installation shares: its address, name, language, secret
    (for pseudonyms) and whether actors carry their e-mail address."""

    def __init__(self, base_url: str, secret: str, *, name: str = "Leerpad",
                 language: str = "nl", mbox: bool = False):
        self.base = base_url.rstrip("/")
        self.secret = secret.encode("utf-8")
        self.name = name
        self.language = LANGUAGES.get(language, "nl-NL")
        self.mbox = mbox

    # --- ids ----------------------------------------------------------------------------

    def statement_id(self, kind: str, key: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{self.base}|{kind}|{key}"))

    def iri(self, *parts: str) -> str:
        return "/".join([self.base, "xapi", *(str(p).strip("/") for p in parts)])

    def pseudonym(self, user_id: int) -> str:
        return hmac.new(self.secret, f"xapi-actor:{user_id}".encode(), hashlib.sha256).hexdigest()[:40]

    # --- parts --------------------------------------------------------------------------

    def actor(self, user: Any) -> dict:
        if self.mbox and user is not None and getattr(user, "email", ""):
            return {"objectType": "Agent", "mbox": f"mailto:{user.email}", "name": user.name}
        return {"objectType": "Agent",
                "account": {"homePage": self.base + "/", "name": self.pseudonym(user.id)}}

    def platform_agent(self) -> dict:
        return {"objectType": "Agent", "account": {"homePage": self.base + "/", "name": "leerpad"}}

    def verb(self, key: str) -> dict:
        iri, en, nl = VERBS[key]
        return {"id": iri or self.iri("verbs", key), "display": {"en-US": en, "nl-NL": nl}}

    @staticmethod
    def names(title: str) -> dict:
        return {"nl-NL": title, "en-US": title}

    def course_activity(self, slug: str, title: str | None) -> dict:
        return self._activity(self.iri("courses", slug), ADL_ACTIVITY + "course", title)

    def track_activity(self, slug: str, title: str | None) -> dict:
        return self._activity(self.iri("tracks", slug), self.iri("activity-types", "track"),
                              title)

    def lesson_activity(self, object_id: str, title: str | None, lesson_type: str | None) -> dict:
        course, _, lesson = object_id.partition("/")
        kind = LESSON_TYPES.get(lesson_type or "", ADL_ACTIVITY + "lesson")
        return self._activity(self.iri("courses", course, "lessons", lesson), kind, title)

    def _activity(self, iri: str, kind: str, title: str | None) -> dict:
        definition: dict = {"type": kind}
        if title:
            definition["name"] = self.names(title)
        return {"objectType": "Activity", "id": iri, "definition": definition}

    def context(self, *, registration: str | None, parents: list[dict],
                grouping: list[dict], language: str | None = None) -> dict:
        context: dict = {"platform": self.name,
                         "language": LANGUAGES.get(language or "", self.language)}
        if registration:
            context["registration"] = registration
        activities = {}
        if parents:
            activities["parent"] = [_ref(a) for a in parents]
        if grouping:
            activities["grouping"] = [_ref(a) for a in grouping]
        if activities:
            context["contextActivities"] = activities
        return context


def _ref(activity: dict) -> dict:
    return {"objectType": "Activity", "id": activity["id"],
            "definition": activity.get("definition", {})}


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def clean_result(result: dict | None) -> dict | None:
    """Only xAPI result fields without free text: score (scaled/raw/min/max), success,
    completion, duration. Anything else (a reviewer's response) stays home."""
    if not result:
        return None
    cleaned: dict = {}
    score = result.get("score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        score = {"scaled": score}
    if isinstance(score, dict):
        kept = {k: score[k] for k in SCORE_KEYS
                if isinstance(score.get(k), (int, float)) and not isinstance(score.get(k), bool)}
        if "scaled" in kept and not -1 <= kept["scaled"] <= 1:
            kept.pop("scaled")
        if kept:
            cleaned["score"] = kept
    for key in ("success", "completion"):
        if isinstance(result.get(key), bool):
            cleaned[key] = result[key]
    if isinstance(result.get("duration"), str) and result["duration"].startswith("P"):
        cleaned["duration"] = result["duration"]
    return cleaned or None


def hours_duration(hours: float) -> str:
    """ISO 8601 duration of a number of hours (quarters): 1.75 → PT1H45M."""
    minutes = round(float(hours) * 60)
    whole, rest = divmod(minutes, 60)
    return f"PT{whole}H{rest}M" if rest else f"PT{whole}H"


def progress_statement(platform: Platform, *, key: str, verb: str, at: datetime,
                       result: dict | None, learner: Any, object_id: str,
                       lesson_title: str | None, lesson_type: str | None,
                       course_slug: str | None, course_title: str | None,
                       course_language: str | None, registration: str | None,
                       track_slug: str | None, track_title: str | None) -> dict:
    """The statement of one progress event (a lesson experienced, completed, a quiz
    attempted/passed/failed, an assignment submitted/returned/approved)."""
    if verb in ("attempted", "completed") and lesson_type == "reflection":
        # Each answer is written (attempted; the last one completes the lesson); the text
        # stays home.
        verb = "wrote"
    course_slug = course_slug or object_id.partition("/")[0]
    parents = [platform.course_activity(course_slug, course_title)]
    grouping = [platform.track_activity(track_slug, track_title)] if track_slug else []
    statement = {
        "id": platform.statement_id("progress", key),
        "actor": platform.actor(learner),
        "verb": platform.verb(verb),
        "object": platform.lesson_activity(object_id, lesson_title, lesson_type),
        "context": platform.context(registration=registration, parents=parents,
                                    grouping=grouping, language=course_language),
        "timestamp": timestamp(at),
    }
    cleaned = clean_result(result)
    if cleaned:
        statement["result"] = cleaned
    return statement


def record_statement(platform: Platform, record: Any, learner: Any, *,
                     course: Any = None, track: Any = None, lesson: Any = None,
                     registration: str | None = None) -> dict:
    """The statement of one learning record (a ``LearningRecordRow`` or ``LearningRecord``):
    a course or track completed, a competence confirmed, an exemption, a credential, hours,
    a shared reflection."""
    kind, result = record.kind, dict(record.result or {})
    parents: list[dict] = []
    grouping = [platform.track_activity(track.slug, track.title)] if track is not None else []
    statement_result: dict | None = None
    language = getattr(course, "language", None)
    if record.object_type == "course":
        activity = platform.course_activity(record.object_id, getattr(course, "title", None)
                                            or record.object_name)
    elif record.object_type == "track":
        activity = platform.track_activity(record.object_id, record.object_name)
        grouping = []
    elif record.object_type == "lesson":
        activity = platform.lesson_activity(record.object_id, record.object_name,
                                            getattr(lesson, "type", None))
        parents = [platform.course_activity(record.object_id.partition("/")[0],
                                            getattr(course, "title", None))]
    elif record.object_type == "competence":
        framework, _, code = record.object_id.partition(":")
        activity = platform._activity(platform.iri("competences", framework, code),
                                      ADL_ACTIVITY + "objective", record.object_name)
    elif record.object_type == "credential":
        slug = getattr(track, "slug", None) or f"credential-{record.object_id}"
        activity = platform._activity(platform.iri("tracks", slug, "credential"),
                                      "https://w3id.org/xapi/openbadges/activity-types/badge",
                                      record.object_name)
    elif record.object_type == "hours":
        category = str(result.get("category") or record.object_name or "overig")
        activity = platform._activity(platform.iri("hours", category),
                                      platform.iri("activity-types", "professional-development"),
                                      category)
        if result.get("hours"):
            statement_result = {"duration": hours_duration(result["hours"]),
                                "completion": True}
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(f"unknown object type {record.object_type!r}")
    if kind in ("course_completed", "track_completed"):
        statement_result = {"completion": True}
    elif kind == "competence_confirmed":
        statement_result = {"success": True}
    statement = {
        "id": platform.statement_id("record", record.key),
        "actor": platform.actor(learner),
        "verb": platform.verb(RECORD_VERBS[kind]),
        "object": activity,
        "context": platform.context(registration=registration, parents=parents,
                                    grouping=grouping, language=language),
        "timestamp": timestamp(record.timestamp),
    }
    if statement_result:
        statement["result"] = statement_result
    return statement


def voiding_statement(platform: Platform, statement_id: str, at: datetime) -> dict:
    """Void one earlier statement (xAPI 1.0.3 §2.3.2): the LRS hides it from queries."""
    return {
        "id": platform.statement_id("void", statement_id),
        "actor": platform.platform_agent(),
        "verb": platform.verb("voided"),
        "object": {"objectType": "StatementRef", "id": statement_id},
        "timestamp": timestamp(at),
    }
