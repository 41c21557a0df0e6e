"""Bulk data generation: rows written with core ``insert()`` executemany, and a year (or any
span) of learning walked through tracks, with the states ``record_progress`` would derive.

Used by the demo region (``lms.demo_region``, ``lms demo``) and by the benchmark generator
(``bench/generate.py``): one generator, two sizes. Ids are assigned here, after the highest
id already in each table, so nothing is read back; on PostgreSQL ``reset_sequences`` moves
the serial columns on afterwards. Everything random comes from the caller's seeded
``random.Random``, so the same seed gives the same rows.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from lms.clock import local_date
from lms.tracking.dates import add_months, add_years
from lms.tracking.record import idempotency_key

BATCH = 5000


class Writer:
    """Bulk inserts with explicit ids (after the highest id already there), counted per table."""

    def __init__(self, conn, metadata):
        self.conn = conn
        self.tables = metadata.tables
        self.counts: dict[str, int] = {}
        self._last: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        if table not in self._last:
            self._last[table] = self.conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(self.tables[table].c.id), 0))).scalar_one()
        self._last[table] += 1
        return self._last[table]

    def insert(self, table: str, rows) -> None:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._flush(table, batch)
                batch = []
        if batch:
            self._flush(table, batch)

    def _flush(self, table: str, batch: list[dict]) -> None:
        self.conn.execute(sa.insert(self.tables[table]), batch)
        self.counts[table] = self.counts.get(table, 0) + len(batch)


def reset_sequences(conn, metadata) -> None:
    """PostgreSQL serial columns continue after the ids assigned here."""
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # nosec B608
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))


@dataclass
class Content:
    """What the walk needs to know of the courses and tracks."""

    lessons: dict[int, list[int]]  # course id → its lesson ids, in order
    required: dict[int, bool]  # lesson id → required
    object_ids: dict[int, str]  # lesson id → "<course slug>/<lesson slug>"
    track_courses: dict[int, list[tuple[int, bool]]]  # track id → (course id, required), in order
    tracks: dict[int, dict]  # track id → duration_months, credential_name, credential_validity_years

    @classmethod
    def from_database(cls, conn, metadata) -> Content:
        """The imported (active) courses and tracks, in four queries."""
        t = metadata.tables
        lessons: dict[int, list[int]] = {}
        required, object_ids = {}, {}
        rows = conn.execute(
            sa.select(t["lesson"].c.id, t["lesson"].c.course_id, t["lesson"].c.required,
                      t["lesson"].c.slug, t["course"].c.slug)
            .join(t["course"], t["course"].c.id == t["lesson"].c.course_id)
            .where(t["lesson"].c.archived.is_(False), t["course"].c.archived.is_(False))
            .order_by(t["lesson"].c.course_id, t["lesson"].c.position, t["lesson"].c.id))
        for lesson_id, course_id, is_required, slug, course_slug in rows:
            lessons.setdefault(course_id, []).append(lesson_id)
            required[lesson_id] = is_required
            object_ids[lesson_id] = f"{course_slug}/{slug}"
        tracks = {row.id: row._asdict() for row in conn.execute(
            sa.select(t["track"].c.id, t["track"].c.slug, t["track"].c.duration_months,
                      t["track"].c.credential_name, t["track"].c.credential_validity_years)
            .where(t["track"].c.archived.is_(False)))}
        track_courses: dict[int, list[tuple[int, bool]]] = {}
        for track_id, course_id, is_required in conn.execute(
                sa.select(t["track_course"].c.track_id, t["track_course"].c.course_id,
                          t["track_course"].c.required)
                .order_by(t["track_course"].c.track_id, t["track_course"].c.position)):
            if track_id in tracks and course_id in lessons:
                track_courses.setdefault(track_id, []).append((course_id, is_required))
        return cls(lessons, required, object_ids, track_courses, tracks)


@dataclass
class Plan:
    """One learner's walk: enrolled in ``tracks`` at ``enrolled_at``, then the tracks' lessons
    in order, ``lessons_done`` completed (None: all) and the next one opened. Events are
    ``gap_minutes`` apart at most, and never after ``until``."""

    user_id: int
    tracks: list[int]
    enrolled_at: datetime
    lessons_done: int | None = None
    until: datetime | None = None
    gap_minutes: int = 2880


@dataclass
class Reached:
    """A lesson a walk reached: completed, or opened and left in progress."""

    user_id: int
    lesson_id: int
    completed: bool
    at: datetime
    tracks: list[int] = field(default_factory=list)


def walk_of(content: Content, tracks: list[int]) -> list[tuple[int, int, int]]:
    """(track id, course id, lesson id) of every lesson of the tracks, in order."""
    return [(track_id, course_id, lesson_id) for track_id in tracks
            for course_id, _ in content.track_courses[track_id]
            for lesson_id in content.lessons[course_id]]


def build_progress(w: Writer, rnd: random.Random, content: Content, plans,
                   chunk: int = 500) -> list[Reached]:
    """Track enrolments, then per learner a walk through their tracks' lessons in order
    (``experienced`` then ``completed``), and the lesson, course and track states and
    credentials that ``record_progress`` would have derived from those events. Writes every
    ``chunk`` learners; returns the lessons reached."""
    reached: list[Reached] = []
    rows: dict[str, list] = {}
    for number, plan in enumerate(plans, start=1):
        _walk(w, rnd, content, plan, rows, reached)
        if number % chunk == 0:
            _write(w, rows)
    _write(w, rows)
    return reached


def _write(w: Writer, rows: dict[str, list]) -> None:
    for table in ("enrolment", "progress_event", "lesson_state", "course_state", "track_state",
                  "credential"):
        w.insert(table, rows.pop(table, []))


def _walk(w: Writer, rnd: random.Random, content: Content, plan: Plan, rows: dict,
          reached: list[Reached]) -> None:
    user_id, chosen, enrolled_at = plan.user_id, plan.tracks, plan.enrolled_at
    registration, enrolments = {}, {}
    for track_id in chosen:
        registration[track_id] = w.next_id("enrolment")
        enrolments[track_id] = {
            "id": registration[track_id],
            "uuid": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            "user_id": user_id, "course_id": None, "track_id": track_id,
            "enrolled_at": enrolled_at, "enrolled_by_id": None,
            "deadline": add_months(local_date(enrolled_at),
                                   content.tracks[track_id]["duration_months"] or 12),
            "status": "active", "completed_at": None}
        rows.setdefault("enrolment", []).append(enrolments[track_id])
    walk = walk_of(content, chosen)
    done_lessons = len(walk) if plan.lessons_done is None else min(len(walk), plan.lessons_done)
    at = enrolled_at
    course_lessons: dict[int, list] = {}
    for n, (track_id, course_id, lesson_id) in enumerate(walk[:done_lessons + 1]):
        completed = n < done_lessons
        verbs = ["experienced", "completed"] if completed else ["experienced"]
        for verb in verbs:
            at = at + timedelta(minutes=rnd.randint(5, max(6, plan.gap_minutes)))
            if plan.until is not None:
                at = min(at, plan.until)
            rows.setdefault("progress_event", []).append({
                "id": w.next_id("progress_event"), "user_id": user_id, "verb": verb,
                "object_id": content.object_ids[lesson_id], "lesson_id": lesson_id,
                "course_id": course_id, "result": None, "timestamp": at,
                "registration": registration[track_id],
                "idempotency_key": idempotency_key(user_id, lesson_id, verb, None, None, at)})
        rows.setdefault("lesson_state", []).append({
            "id": w.next_id("lesson_state"), "user_id": user_id, "lesson_id": lesson_id,
            "course_id": course_id, "status": "completed" if completed else "in_progress",
            "score": None, "attempts": 0, "verbs": sorted(verbs), "last_verb": verbs[-1],
            "completed_at": at if completed else None, "updated_at": at})
        course_lessons.setdefault(course_id, []).append((lesson_id, completed, at))
        reached.append(Reached(user_id, lesson_id, completed, at, chosen))
    course_done, course_percent = {}, {}
    for course_id, touched in course_lessons.items():
        lessons = content.lessons[course_id]
        needed = [lid for lid in lessons if content.required[lid]] or lessons
        done_at = {lid: when for lid, completed, when in touched if completed}
        got = sum(1 for lid in needed if lid in done_at)
        complete = got >= len(needed)
        course_done[course_id] = max(done_at[lid] for lid in needed) if complete else None
        course_percent[course_id] = 100 * got // len(needed)
        rows.setdefault("course_state", []).append({
            "id": w.next_id("course_state"), "user_id": user_id, "course_id": course_id,
            "status": "completed" if complete else "in_progress",
            "completed_lessons": got, "required_lessons": len(needed),
            "percent": course_percent[course_id], "last_lesson_id": touched[-1][0],
            "completed_at": course_done[course_id], "updated_at": touched[-1][2]})
    for track_id in chosen:
        courses = content.track_courses[track_id]
        considered = [c for c, req in courses if req] or [c for c, _ in courses]
        finished = [course_done.get(c) for c in considered]
        done = sum(1 for f in finished if f is not None)
        started = any(c in course_lessons for c, _ in courses)
        completed_at = max(finished) if done == len(considered) else None
        last = max((course_lessons[c][-1][2] for c, _ in courses if c in course_lessons),
                   default=enrolled_at)
        rows.setdefault("track_state", []).append({
            "id": w.next_id("track_state"), "user_id": user_id, "track_id": track_id,
            "status": "completed" if completed_at else "in_progress" if started else "not_started",
            "done_courses": done, "required_courses": len(considered),
            # the tracking engine's rule: the mean of the courses' percentages
            "percent": sum(100 if course_done.get(c) else course_percent.get(c, 0)
                           for c in considered) // len(considered),
            "completed_at": completed_at, "updated_at": last})
        if completed_at is None:
            continue
        enrolments[track_id].update(status="completed", completed_at=completed_at)
        track = content.tracks[track_id]
        if track["credential_name"]:
            validity = track["credential_validity_years"]
            rows.setdefault("credential", []).append({
                "id": w.next_id("credential"), "user_id": user_id, "track_id": track_id,
                "name": track["credential_name"], "issued_at": completed_at,
                "expires_at": add_years(local_date(completed_at), validity) if validity else None})


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)
