"""Handing in an assignment and signing it off: who reviews, the queue, the decisions."""
from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import undefer

from lms.access import ADMIN, can, org_role_ids, relations_to
from lms.extensions import db
from lms.activities import SignOffItem
from lms.models.accounts import MentorAssignment, RoleAssignment, User
from lms.models.content import Lesson
from lms.models.base import utcnow
from lms.tracking import record_progress

from .models import AssignmentSubmission


class SubmissionError(ValueError):
    """Bad input for a submission or decision; the message is shown to the user."""


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Rules:
    """What a lesson's front matter asks for."""

    sign_off: str
    text: bool
    file: bool
    max_bytes: int
    types: tuple[str, ...]
    criteria: tuple[str, ...] = ()

    @classmethod
    def of(cls, lesson: Any) -> Rules:
        settings = lesson.settings or {}
        submission = settings.get("submission") or {"text": True}
        file = submission.get("file") or None
        return cls(sign_off=settings.get("sign_off", "mentor"),
                   text=bool(submission.get("text", True)), file=file is not None,
                   max_bytes=int(float((file or {}).get("max_mb", 10)) * 1024 * 1024),
                   types=tuple((file or {}).get("types") or ()),
                   criteria=tuple(str(c).strip() for c in settings.get("criteria") or ()))


def latest(user_id: int, lesson_id: int) -> AssignmentSubmission | None:
    return db.session.scalar(
        select(AssignmentSubmission)
        .where(AssignmentSubmission.user_id == user_id, AssignmentSubmission.lesson_id == lesson_id)
        .order_by(AssignmentSubmission.submitted_at.desc(), AssignmentSubmission.id.desc()).limit(1))


def history(user_id: int, lesson_id: int) -> list[AssignmentSubmission]:
    return list(db.session.scalars(
        select(AssignmentSubmission)
        .where(AssignmentSubmission.user_id == user_id, AssignmentSubmission.lesson_id == lesson_id)
        .order_by(AssignmentSubmission.submitted_at.desc(), AssignmentSubmission.id.desc())))


def submit(user: Any, lesson: Any, text: str, upload: Upload | None) -> AssignmentSubmission:
    """Hand in work (text and/or a file as the lesson allows) and record ``submitted``."""
    rules = Rules.of(lesson)
    current = latest(user.id, lesson.id)
    if current is not None and current.status == "submitted":
        raise SubmissionError("waiting")
    if current is not None and current.status == "approved":
        raise SubmissionError("approved")
    text = (text or "").strip() if rules.text else ""
    if upload is not None and not rules.file:
        raise SubmissionError("no file")
    if upload is not None:
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in rules.types:
            raise SubmissionError("type")
        if len(upload.data) > rules.max_bytes:
            raise SubmissionError("size")
        if not upload.data:
            raise SubmissionError("empty file")
    if not text and upload is None:
        raise SubmissionError("empty")
    if len(text) > 50_000:
        raise SubmissionError("too long")
    values = {"user_id": user.id, "lesson_id": lesson.id, "text": text, "feedback": "",
              "submitted_at": utcnow(), "status": "submitted"}
    if upload is not None:
        values.update(file_name=upload.name[-255:],
                      file_type=mimetypes.guess_type(upload.name)[0] or "application/octet-stream",
                      file_size=len(upload.data), file_data=upload.data)
    # One open submission per learner and lesson (a partial unique index): when another
    # hand-in got in first (a double click, two tabs), this one is not stored.
    row_id = db.session.execute(_insert_open(values)).scalar()
    if row_id is None:
        db.session.rollback()
        raise SubmissionError("waiting")
    row = db.session.get(AssignmentSubmission, row_id)
    record_progress(user, lesson, "submitted", key=f"assignment-submission:{row.id}")
    return row


def _insert_open(values: dict):
    """``INSERT ... ON CONFLICT DO NOTHING`` against the open-submission index."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return (insert(AssignmentSubmission).values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"],
                                    index_where=AssignmentSubmission.status == "submitted")
            .returning(AssignmentSubmission.id))


def permission(user: Any, action: str, submission: AssignmentSubmission) -> bool | None:
    """This plugin's access rules (asked through ``lms.access.can``): the learner's mentor
    signs off, or their schoolopleider when the lesson says so; the learner and whoever may
    sign off see the work and its file."""
    if action == "assignment.sign_off":
        if submission.user_id == user.id:
            return False
        role = Rules.of(submission.lesson).sign_off
        return bool(relations_to(user, submission.user_id, {role, ADMIN}))
    if action == "submission.view":
        return submission.user_id == user.id or can(user, "assignment.sign_off", submission)
    return None


def decide(reviewer: Any, submission: AssignmentSubmission, approve: bool, feedback: str, *,
           met: Iterable[int] = ()) -> None:
    """Approve (completes the lesson) or return with feedback (the learner may resubmit);
    ``met`` are the positions of the lesson's criteria the reviewer ticked, stored with the
    decision as the criteria's texts."""
    if submission.status != "submitted":
        raise SubmissionError("decided")
    feedback = (feedback or "").strip()
    if not approve and not feedback:
        raise SubmissionError("feedback")
    ticked = set(met)
    criteria = Rules.of(submission.lesson).criteria
    submission.status = "approved" if approve else "returned"
    submission.feedback = feedback
    submission.criteria = ([{"criterion": text, "met": index in ticked}
                            for index, text in enumerate(criteria)] or None)
    submission.reviewer_id = reviewer.id
    submission.reviewed_at = utcnow()
    db.session.flush()
    learner = submission.learner
    # The feedback stays in this plugin's table: events (and so xAPI) never carry free text.
    record_progress(learner, submission.lesson, submission.status,
                    key=f"assignment-submission:{submission.id}")


def _reviewable_learners(reviewer: Any) -> tuple[set[int], set[int]]:
    """(mentees, learners of the reviewer's schools), the reviewer left out."""
    mentees = set(db.session.scalars(
        select(MentorAssignment.learner_id).where(MentorAssignment.mentor_id == reviewer.id)))
    schools = org_role_ids(reviewer, "schoolopleider")
    school_learners = set(db.session.scalars(
        select(RoleAssignment.user_id).where(RoleAssignment.organisation_id.in_(schools),
                                             RoleAssignment.role == "learner"))) if schools else set()
    return mentees - {reviewer.id}, school_learners - {reviewer.id}


def sign_off_items(reviewer: Any, learner_ids: list[int] | None) -> list[SignOffItem]:
    """Submissions waiting for ``reviewer`` (None: for anyone), oldest first: one query for
    the submissions, plus one or two to know whom the reviewer guides."""
    query = (select(AssignmentSubmission.id, AssignmentSubmission.user_id, User.name,
                    Lesson.title, Lesson.settings, AssignmentSubmission.submitted_at)
             .join(User, User.id == AssignmentSubmission.user_id)
             .join(Lesson, Lesson.id == AssignmentSubmission.lesson_id)
             .where(AssignmentSubmission.status == "submitted")
             .order_by(AssignmentSubmission.submitted_at, AssignmentSubmission.id))
    if learner_ids is not None:
        query = query.where(AssignmentSubmission.user_id.in_(learner_ids))
    mentees = school_learners = set()
    if reviewer is not None:
        mentees, school_learners = _reviewable_learners(reviewer)
        query = query.where(AssignmentSubmission.user_id.in_(mentees | school_learners))
    items = []
    for sid, learner_id, learner_name, title, settings, submitted_at in db.session.execute(query):
        role = (settings or {}).get("sign_off", "mentor")
        if reviewer is not None and learner_id not in (
                school_learners if role == "schoolopleider" else mentees):
            continue
        items.append(SignOffItem(
            kind="assignment", kind_label=_l("Assignment"), learner_id=learner_id,
            learner_name=learner_name, title=title, submitted_at=submitted_at,
            url=url_for("assignment.review", submission_id=sid)))
    return items


def sign_off_count(reviewer: Any):
    """A scalar subquery counting what ``sign_off_items(reviewer, None)`` lists, for the
    core to add up with other plugins' counts in one query (nothing is run here)."""
    sign_off = func.coalesce(Lesson.settings["sign_off"].as_string(), "mentor")
    mentees = select(MentorAssignment.learner_id).where(MentorAssignment.mentor_id == reviewer.id)
    waiting = [and_(sign_off != "schoolopleider", AssignmentSubmission.user_id.in_(mentees))]
    schools = org_role_ids(reviewer, "schoolopleider")
    if schools:
        school_learners = select(RoleAssignment.user_id).where(
            RoleAssignment.organisation_id.in_(schools), RoleAssignment.role == "learner")
        waiting.append(and_(sign_off == "schoolopleider",
                            AssignmentSubmission.user_id.in_(school_learners)))
    return (select(func.count(AssignmentSubmission.id))
            .join(Lesson, Lesson.id == AssignmentSubmission.lesson_id)
            .where(AssignmentSubmission.status == "submitted",
                   AssignmentSubmission.user_id != reviewer.id, or_(*waiting))
            .scalar_subquery())


def personal_data(user: Any) -> dict[str, list[dict]]:
    """The person's hand-ins (with their files) and the decisions on them."""
    rows = db.session.scalars(
        select(AssignmentSubmission).options(undefer(AssignmentSubmission.file_data))
        .where(AssignmentSubmission.user_id == user.id).order_by(AssignmentSubmission.id))
    return {"submissions": [
        {"lesson": row.lesson.object_id, "status": row.status, "text": row.text,
         "file_name": row.file_name, "file": row.file_data, "feedback": row.feedback,
         "criteria": row.criteria,
         "submitted_at": row.submitted_at, "reviewed_at": row.reviewed_at} for row in rows]}


def erase_personal_data(user: Any) -> None:
    """Blank what the person handed in and the feedback (and ticked criteria) on it; the
    statuses stay counted."""
    db.session.execute(
        update(AssignmentSubmission).where(AssignmentSubmission.user_id == user.id)
        .values(text="", feedback="", criteria=None, file_name=None, file_type=None,
                file_size=None, file_data=None))
