"""Delivery to the configured LRSs: a cursor per LRS over the event log, batches POSTed by a
job, never inside a learner's request.

Listeners only queue ``xapi.deliver`` (at most one waiting per LRS); the job takes the LRS's
lease (one worker at a time, whichever server it runs on), reads progress events and learning
records after the cursor, builds their statements, POSTs them in batches and moves the
cursor only after the LRS accepted them. A down LRS fails the job (retried with back-off);
nothing is lost because nothing moves until it is stored, and nothing is doubled because
statement ids are deterministic. Every minute ``xapi.sweep`` queues delivery anyway.
"""
from __future__ import annotations

import base64
import http.client
import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, or_, select, update

from lms.extensions import db
from lms.jobs import clear_once, enqueue_once, every_minute, job, periodic
from lms.models.accounts import User
from lms.models.base import utcnow
from lms.models.content import Course, Lesson, Track
from lms.models.privacy import PrivacyStatus
from lms.models.progress import Enrolment, ProgressEvent
from lms.models.records import LearningRecordRow

from .models import XapiCursor, XapiErasure
from .statements import Platform, progress_statement, record_statement, voiding_statement

log = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
LEASE = timedelta(seconds=60)
HOLE_SECONDS = 60  # an id missing below the cursor is waited for this long
TIMEOUT = 10


class LrsError(RuntimeError):
    """The LRS did not store a batch; the message says what it answered."""


@dataclass(frozen=True)
class Lrs:
    name: str
    url: str  # the xAPI endpoint, e.g. https://lrs.example.nl/xAPI/
    username: str = ""
    password: str = ""


def configured_lrss(config: Any = None) -> list[Lrs]:
    """The LRSs in the settings: ``XAPI_LRS_URL`` (named ``default``) and every entry of
    ``XAPI_LRSS`` (a JSON list of ``{"name", "url", "username", "password"}``)."""
    config = config if config is not None else current_app.config
    found: list[Lrs] = []
    if config.get("XAPI_LRS_URL"):
        found.append(Lrs("default", str(config["XAPI_LRS_URL"]),
                         str(config.get("XAPI_LRS_USERNAME") or ""),
                         str(config.get("XAPI_LRS_PASSWORD") or "")))
    extra = config.get("XAPI_LRSS") or []
    if isinstance(extra, str):
        extra = json.loads(extra)
    for item in extra:
        found.append(Lrs(str(item.get("name") or item["url"])[:100], str(item["url"]),
                         str(item.get("username") or ""), str(item.get("password") or "")))
    names = [lrs.name for lrs in found]
    if len(set(names)) != len(names):
        raise ValueError(f"xapi: two LRSs share a name: {names}")
    return found


def platform() -> Platform:
    config = current_app.config
    return Platform(str(config.get("BASE_URL") or ""), str(config["SECRET_KEY"]),
                    name=str(config.get("XAPI_PLATFORM") or "Leerpad"),
                    language=str(config.get("BABEL_DEFAULT_LOCALE") or "nl"),
                    mbox=bool(config.get("XAPI_ACTOR_MBOX")))


def nudge() -> None:
    """Queue a delivery to every LRS (at most one waiting per LRS): what listeners call."""
    for lrs in configured_lrss():
        enqueue_once("xapi.deliver", lrs.name, key=f"xapi:{lrs.name}")


# --- HTTP ---------------------------------------------------------------------------------


class LrsClient:
    """POST /statements with Basic auth and the xAPI version header; one kept-alive
    connection per delivery run."""

    def __init__(self, lrs: Lrs):
        parts = urlsplit(lrs.url)
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port
        self.path = parts.path.rstrip("/") + "/statements"
        token = base64.b64encode(f"{lrs.username}:{lrs.password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json",
                        "X-Experience-API-Version": XAPI_VERSION}
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self.conn = cls(self.host, self.port, timeout=TIMEOUT)
        return self.conn

    def post(self, statements: list[dict]) -> tuple[int, str]:
        body = json.dumps(statements).encode("utf-8")
        for attempt in (1, 2):  # a kept-alive connection the server closed: once more
            try:
                conn = self._connection()
                conn.request("POST", self.path, body=body, headers=self.headers)
                response = conn.getresponse()
                return response.status, response.read().decode("utf-8", "replace")[:500]
            except (http.client.HTTPException, OSError) as exc:
                self.close()
                if attempt == 2 or isinstance(exc, (socket.timeout, ConnectionRefusedError)):
                    raise LrsError(f"{type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def store(client: LrsClient, statements: list[dict]) -> None:
    """Have the LRS store these statements. A 409 (a statement with the same id but other
    content, e.g. a title changed since an earlier try) is sorted out one by one: a
    statement it already holds counts as delivered."""
    if not statements:
        return
    status, text = client.post(statements)
    if status in (200, 204):
        return
    if status == 409 and len(statements) > 1:
        for statement in statements:
            store(client, [statement])
        return
    if status == 409:
        return  # this id is stored already
    raise LrsError(f"HTTP {status}: {text}")


# --- cursor and lease -----------------------------------------------------------------------


def cursor_row(name: str) -> XapiCursor:
    from lms.tracking.state import insert_ignoring_conflicts

    db.session.execute(insert_ignoring_conflicts(
        XapiCursor, {"lrs": name, "event_cursor": 0, "record_cursor": 0, "holes": {},
                     "sent": 0}, ["lrs"]))
    db.session.commit()
    return db.session.get(XapiCursor, name, populate_existing=True)


def take_lease(name: str, owner: str) -> bool:
    now = utcnow()
    cursor_row(name)
    taken = db.session.execute(
        update(XapiCursor).where(XapiCursor.lrs == name, or_(
            XapiCursor.lease_until.is_(None), XapiCursor.lease_until < now,
            XapiCursor.lease_owner == owner))
        .values(lease_owner=owner, lease_until=now + LEASE)).rowcount
    db.session.commit()
    return bool(taken)


def release_lease(name: str, owner: str) -> None:
    db.session.execute(update(XapiCursor).where(XapiCursor.lrs == name,
                                                XapiCursor.lease_owner == owner)
                       .values(lease_owner=None, lease_until=None))
    db.session.commit()


# --- reading the log --------------------------------------------------------------------------


def _erased_ids(name: str) -> set[int]:
    """People not to send anything about: erased in Leerpad (or through the hook)."""
    erased = set(db.session.scalars(select(PrivacyStatus.user_id)
                                    .where(PrivacyStatus.erased_at.is_not(None))))
    return erased | set(db.session.scalars(select(XapiErasure.person_id)
                                           .where(XapiErasure.lrs == name)))


def _next(model: Any, cursor: int, holes: dict, limit: int) -> list[Any]:
    """Rows after the cursor, and rows that filled a hole below it, in id order."""
    wanted = model.id > cursor
    if holes:
        wanted = or_(wanted, model.id.in_([int(h) for h in holes]))
    return list(db.session.scalars(select(model).where(wanted).order_by(model.id).limit(limit)))


def _advance(cursor: int, holes: dict, rows: list[Any]) -> tuple[int, dict]:
    """The new cursor and holes after ``rows`` were delivered."""
    now = time.time()
    seen = {row.id for row in rows}
    holes = {h: t for h, t in holes.items() if int(h) not in seen and now - t < HOLE_SECONDS}
    top = max([cursor, *seen])
    for missing in range(cursor + 1, top):
        if missing not in seen and top - missing < 10_000:
            holes.setdefault(str(missing), now)
    if len(holes) > 5000:  # a burst of rolled-back ids: keep the newest
        holes = dict(sorted(holes.items(), key=lambda item: int(item[0]))[-5000:])
    return top, holes


def progress_statements(rows: list[ProgressEvent], erased: set[int],
                        here: Platform) -> list[dict]:
    """Statements for a batch of progress events (4 queries whatever the batch size)."""
    rows = [row for row in rows if row.user_id not in erased]
    if not rows:
        return []
    users = _by_id(User, {r.user_id for r in rows})
    lessons = _by_id(Lesson, {r.lesson_id for r in rows if r.lesson_id})
    courses = _by_id(Course, {r.course_id for r in rows if r.course_id})
    enrolments = _by_id(Enrolment, {r.registration for r in rows if r.registration})
    tracks = _by_id(Track, {e.track_id for e in enrolments.values() if e.track_id})
    built = []
    for row in rows:
        lesson, course = lessons.get(row.lesson_id), courses.get(row.course_id)
        enrolment = enrolments.get(row.registration)
        track = tracks.get(enrolment.track_id) if enrolment and enrolment.track_id else None
        built.append(progress_statement(
            here, key=row.idempotency_key, verb=row.verb, at=row.timestamp,
            result=row.result, learner=users[row.user_id], object_id=row.object_id,
            lesson_title=lesson.title if lesson else None,
            lesson_type=lesson.type if lesson else None,
            course_slug=course.slug if course else None,
            course_title=course.title if course else None,
            course_language=course.language if course else None,
            registration=enrolment.uuid if enrolment else None,
            track_slug=track.slug if track else None, track_title=track.title if track else None))
    return built


def record_statements(rows: list[LearningRecordRow], erased: set[int],
                      here: Platform) -> list[dict]:
    rows = [row for row in rows if row.user_id not in erased]
    if not rows:
        return []
    users = _by_id(User, {r.user_id for r in rows})
    courses = _by_id(Course, {r.course_id for r in rows if r.course_id})
    tracks = _by_id(Track, {r.track_id for r in rows if r.track_id})
    lessons = _by_id(Lesson, {r.lesson_id for r in rows if r.lesson_id})
    enrolments = _by_id(Enrolment, {r.registration for r in rows if r.registration})
    return [record_statement(here, row, users[row.user_id], course=courses.get(row.course_id),
                             track=tracks.get(row.track_id), lesson=lessons.get(row.lesson_id),
                             registration=enrolments[row.registration].uuid
                             if row.registration in enrolments else None)
            for row in rows]


def _by_id(model: Any, ids: set) -> dict:
    if not ids:
        return {}
    return {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(ids)))}


# --- the jobs -----------------------------------------------------------------------------------


@job("xapi.deliver", retries=6, retry_delay=5)
def deliver(name: str) -> int:
    """Send everything after the cursor to the LRS ``name``; returns how many statements."""
    clear_once(f"xapi:{name}")
    lrs = next((lrs for lrs in configured_lrss() if lrs.name == name), None)
    if lrs is None:
        return 0
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if not take_lease(name, owner):
        # Another worker is sending to this LRS: look again shortly, in case it just finished.
        enqueue_once("xapi.deliver", name, key=f"xapi:{name}", delay=1)
        return 0
    client = LrsClient(lrs)
    sent = 0
    try:
        sent = _deliver_all(name, lrs, client, owner)
        _void_erased(name, client)
    except LrsError as exc:
        _note_error(name, str(exc))
        raise
    finally:
        client.close()
        db.session.rollback()  # after a database error the session must start over
        release_lease(name, owner)
    return sent


def _deliver_all(name: str, lrs: Lrs, client: LrsClient, owner: str) -> int:
    here = platform()
    batch = int(current_app.config.get("XAPI_BATCH_SIZE") or 100)
    sent = 0
    for source in ("events", "records"):
        while True:
            cursor = db.session.get(XapiCursor, name, populate_existing=True)
            erased = _erased_ids(name)
            if source == "events":
                position, holes = cursor.event_cursor, dict(cursor.holes.get("events", {}))
                rows = _next(ProgressEvent, position, holes, batch)
                statements = progress_statements(rows, erased, here)
            else:
                position, holes = cursor.record_cursor, dict(cursor.holes.get("records", {}))
                rows = _next(LearningRecordRow, position, holes, batch)
                statements = record_statements(rows, erased, here)
            if not rows:
                break
            store(client, statements)
            top, holes = _advance(position, holes, rows)
            values = {"event_cursor" if source == "events" else "record_cursor": top,
                      "holes": {**cursor.holes, source: holes},
                      "sent": XapiCursor.sent + len(statements), "last_sent_at": utcnow(),
                      "last_error": None, "lease_until": utcnow() + LEASE}
            db.session.execute(update(XapiCursor).where(XapiCursor.lrs == name,
                                                        XapiCursor.lease_owner == owner)
                               .values(**values))
            db.session.commit()
            sent += len(statements)
            if len(rows) < batch:
                break
    return sent


def _note_error(name: str, error: str) -> None:
    db.session.rollback()
    db.session.execute(update(XapiCursor).where(XapiCursor.lrs == name)
                       .values(last_error=error[:2000], last_error_at=utcnow()))
    db.session.commit()
    log.warning("xAPI delivery to %s failed: %s", name, error)


@periodic("xapi.sweep", every_minute)
def sweep() -> None:
    """Every minute: queue a delivery to each LRS (what no listener could queue is sent)."""
    nudge()


# --- erasure --------------------------------------------------------------------------------


def note_erasure(user_id: int) -> None:
    """Stop sending about this person and void what was sent, on every LRS (in the caller's
    transaction)."""
    from lms.tracking.state import insert_ignoring_conflicts

    for lrs in configured_lrss():
        db.session.execute(insert_ignoring_conflicts(
            XapiErasure, {"lrs": lrs.name, "person_id": user_id, "erased_at": utcnow(),
                          "voided": 0}, ["lrs", "person_id"]))


def _void_erased(name: str, client: LrsClient) -> None:
    """Void the statements already sent about people erased since (``XapiErasure``)."""
    here = platform()
    known = set(db.session.scalars(select(XapiErasure.person_id)
                                   .where(XapiErasure.lrs == name)))
    for person, erased_at in db.session.execute(
            select(PrivacyStatus.user_id, PrivacyStatus.erased_at)
            .where(PrivacyStatus.erased_at.is_not(None))).all():
        if person not in known:
            db.session.add(XapiErasure(lrs=name, person_id=person, erased_at=erased_at,
                                       voided=0))
    db.session.commit()
    cursor = db.session.get(XapiCursor, name, populate_existing=True)
    for erasure in db.session.scalars(select(XapiErasure).where(
            XapiErasure.lrs == name, XapiErasure.voided_at.is_(None))).all():
        # What was sent: passed by the cursor, and from before the erasure (later ones were
        # skipped, never sent).
        ids = [here.statement_id("progress", key) for key in db.session.scalars(
            select(ProgressEvent.idempotency_key).where(
                ProgressEvent.user_id == erasure.person_id,
                ProgressEvent.id <= cursor.event_cursor,
                ProgressEvent.timestamp <= erasure.erased_at))]
        ids += [here.statement_id("record", key) for key in db.session.scalars(
            select(LearningRecordRow.key).where(
                LearningRecordRow.user_id == erasure.person_id,
                LearningRecordRow.id <= cursor.record_cursor,
                LearningRecordRow.timestamp <= erasure.erased_at))]
        now = utcnow()
        for start in range(0, len(ids), 100):
            store(client, [voiding_statement(here, sid, now) for sid in ids[start:start + 100]])
        erasure.voided_at, erasure.voided = now, len(ids)
        db.session.commit()


# --- status and backfill ----------------------------------------------------------------------


@dataclass(frozen=True)
class LrsStatus:
    name: str
    url: str
    sent: int
    waiting: int  # events and records after the cursor
    lag_seconds: float | None  # age of the oldest one waiting
    last_sent_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None


def status() -> list[LrsStatus]:
    """Per LRS: statements sent, how many wait and since when, the last error."""
    found = []
    for lrs in configured_lrss():
        cursor = db.session.get(XapiCursor, lrs.name)
        events_at = cursor.event_cursor if cursor else 0
        records_at = cursor.record_cursor if cursor else 0
        waiting = (db.session.scalar(select(func.count(ProgressEvent.id))
                                     .where(ProgressEvent.id > events_at)) or 0) + \
                  (db.session.scalar(select(func.count(LearningRecordRow.id))
                                     .where(LearningRecordRow.id > records_at)) or 0)
        oldest = [t for t in (
            db.session.scalar(select(func.min(ProgressEvent.timestamp))
                              .where(ProgressEvent.id > events_at)),
            db.session.scalar(select(func.min(LearningRecordRow.timestamp))
                              .where(LearningRecordRow.id > records_at))) if t is not None]
        lag = (utcnow() - _aware(min(oldest))).total_seconds() if oldest else None
        found.append(LrsStatus(lrs.name, lrs.url, cursor.sent if cursor else 0, waiting,
                               lag, cursor.last_sent_at if cursor else None,
                               cursor.last_error if cursor else None,
                               cursor.last_error_at if cursor else None))
    return found


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def backfill(since: datetime | None = None, names: list[str] | None = None) -> None:
    """Send history again from ``since`` (everything when None): the cursors go back to
    just before it. Already stored statements are not doubled (same ids)."""
    event_start = record_start = 0
    if since is not None:
        event_start = (db.session.scalar(select(func.min(ProgressEvent.id))
                                         .where(ProgressEvent.timestamp >= since)) or 10**12) - 1
        record_start = (db.session.scalar(select(func.min(LearningRecordRow.id))
                                          .where(LearningRecordRow.timestamp >= since))
                        or 10**12) - 1
        event_start = min(event_start, db.session.scalar(select(func.max(ProgressEvent.id))) or 0)
        record_start = min(record_start,
                           db.session.scalar(select(func.max(LearningRecordRow.id))) or 0)
    for lrs in configured_lrss():
        if names and lrs.name not in names:
            continue
        cursor = cursor_row(lrs.name)
        cursor.event_cursor = min(cursor.event_cursor, event_start) if since else event_start
        cursor.record_cursor = min(cursor.record_cursor, record_start) if since else record_start
        cursor.holes = {}
    db.session.commit()
