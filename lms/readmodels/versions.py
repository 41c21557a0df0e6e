"""What a learner's lesson page depends on in the database, as a few numbers: when content
last changed, and the learner's progress, states, enrolments and exemptions. Equal numbers
mean an equal page (for the same person, language and navigation), so a browser's copy can be
confirmed (``304 Not Modified``) without building the page again (``lms.web.revalidation``).

- ``lesson_versions``: 1 query — the versions and the lesson's type (None: no such lesson).
- ``version_columns``: the same versions as columns, for a page's own first query (no extra
  query on a full render: ``lms.readmodels.pages.course_view(..., versions=True)``).
- ``lesson_check``: 1 query — the login check, the person's name, language and roles, and the
  lesson's type and versions: everything a kept lesson page is compared with
  (``lms.web.pagecache``), so a page asked again unchanged costs this query alone.
"""
from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, case, func, select

from lms.extensions import db
from lms.models.accounts import LoginSession, RoleAssignment, User
from lms.models.content import ContentSource, Course, Lesson
from lms.models.progress import CourseState, Enrolment, Exemption, LessonState, ProgressEvent

def version_columns(user_id: Any) -> list:
    """Scalar subqueries, each an index lookup by user (or a scan of the small content
    tables): anything the learner's lesson page shows changes at least one of them."""
    enrolment_status = case((Enrolment.status == "active", 1),
                            (Enrolment.status == "completed", 2), else_=3)
    return [
        # Content: every import that changes something stamps its source; courses carry
        # their own time too, and a lesson added outside an import has a new id.
        select(func.max(ContentSource.imported_at)).scalar_subquery(),
        select(func.max(Course.updated_at)).scalar_subquery(),
        select(func.max(Lesson.id)).scalar_subquery(),
        # The learner: progress is append-only, so its count grows with every event (max(id)
        # would walk the primary key backwards under PostgreSQL's generic plan); states are
        # rewritten from it.
        select(func.count()).select_from(ProgressEvent).where(ProgressEvent.user_id == user_id)
        .scalar_subquery(),
        select(func.max(LessonState.updated_at)).where(LessonState.user_id == user_id)
        .scalar_subquery(),
        select(func.count()).select_from(LessonState).where(LessonState.user_id == user_id)
        .scalar_subquery(),
        select(func.max(CourseState.updated_at)).where(CourseState.user_id == user_id)
        .scalar_subquery(),
        # Enrolments change status in place (withdrawn, completed): weigh each id by it.
        select(func.count() * 1_000_000_007 + func.coalesce(func.sum(Enrolment.id
                                                                     * enrolment_status), 0))
        .where(Enrolment.user_id == user_id).scalar_subquery(),
        select(func.count()).select_from(Exemption).where(Exemption.user_id == user_id)
        .scalar_subquery(),
        select(func.max(Exemption.id)).where(Exemption.user_id == user_id).scalar_subquery(),
    ]


def lesson_versions(user_id: int, course_slug: str, lesson_slug: str
                    ) -> tuple[str, tuple] | None:
    """(the lesson's type, its page's versions) in one query; None when the course or the
    lesson does not exist or is archived."""
    row = db.session.execute(_lesson_versions_statement(), {
        "user_id": user_id, "course_slug": course_slug, "lesson_slug": lesson_slug}).first()
    if row is None:
        return None
    return row[0], tuple(row[1:])


@cache
def _lesson_versions_statement():
    """Built once: a revisit's whole cost is this query and the login's, so not even the
    statement is put together per request."""
    return (select(Lesson.type, *version_columns(bindparam("user_id")))
            .join(Course, and_(Course.id == Lesson.course_id,
                               Course.slug == bindparam("course_slug"),
                               Course.archived.is_(False)))
            .where(Lesson.slug == bindparam("lesson_slug"), Lesson.archived.is_(False)))


class LessonCheck(NamedTuple):
    """A logged-in person's facts that a lesson page shows, and the page's versions."""

    auth_version: int
    name: str
    locale: str
    roles: tuple[str, ...]  # sorted role names, as ``User.role_names()``
    type: str
    versions: tuple


def lesson_check(user_id: int, token_hash: str, course_slug: str, lesson_slug: str
                 ) -> LessonCheck | None:
    """One query: None unless ``token_hash`` (``LoginSession.hash_secret``) is a live login
    of the active person ``user_id`` (``lms.accounts.sessions.login_conditions``) and the
    lesson exists; else their facts and the lesson page's versions (one row per role)."""
    with _one_statement() as conn:
        rows = conn.execute(_lesson_check_statement(), {
            "user_id": user_id, "token_hash": token_hash,
            "course_slug": course_slug, "lesson_slug": lesson_slug}).all()
    if not rows:
        return None
    first = rows[0]
    roles = tuple(sorted({row[3] for row in rows if row[3] is not None}))
    return LessonCheck(first[0], first[1], first[2], roles, first[4], tuple(first[5:]))


def _one_statement():
    """A connection for one read statement, outside the ORM session (which stays unopened):
    on PostgreSQL in autocommit, so the statement is one round trip without BEGIN and
    ROLLBACK; SQLite's driver begins no transaction for a read anyway."""
    conn = db.engine.connect()
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


@cache
def _lesson_check_statement():
    from lms.accounts.sessions import login_conditions

    return (select(User.auth_version, User.name, User.locale, RoleAssignment.role, Lesson.type,
                   *version_columns(bindparam("user_id")))
            .select_from(User)
            .join(LoginSession, and_(*login_conditions()))
            .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
            .join(Course, and_(Course.slug == bindparam("course_slug"),
                               Course.archived.is_(False)))
            .join(Lesson, and_(Lesson.course_id == Course.id,
                               Lesson.slug == bindparam("lesson_slug"),
                               Lesson.archived.is_(False))))
