"""Handing in an assignment and signing it off: who reviews, the queue, the decisions."""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lms.access import ADMIN, can, org_role_ids, relations_to
from lms.extensions import db
from lms.models.accounts import MentorAssignment, RoleAssignment
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

    @classmethod
    def of(cls, lesson: Any) -> Rules:
        settings = lesson.settings or {}
        submission = settings.get("submission") or {"text": True}
        file = submission.get("file") or None
        return cls(sign_off=settings.get("sign_off", "mentor"),
                   text=bool(submission.get("text", True)), file=file is not None,
                   max_bytes=int(float((file or {}).get("max_mb", 10)) * 1024 * 1024),
                   types=tuple((file or {}).get("types") or ()))


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
    row = AssignmentSubmission(user_id=user.id, lesson_id=lesson.id, text=text,
                               submitted_at=utcnow(), status="submitted")
    if upload is not None:
        row.file_name = upload.name[-255:]
        row.file_type = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
        row.file_size = len(upload.data)
        row.file_data = upload.data
    db.session.add(row)
    db.session.flush()
    record_progress(user, lesson, "submitted", key=f"assignment-submission:{row.id}")
    return row


def may_review(user: Any, submission: AssignmentSubmission) -> bool:
    """The learner's mentor signs off, or their schoolopleider when the lesson says so."""
    if submission.user_id == user.id or not can(user, "assignment.sign_off", submission):
        return False
    role = Rules.of(submission.lesson).sign_off
    return bool(relations_to(user, submission.user_id, {role, ADMIN}))


def may_view(user: Any, submission: AssignmentSubmission) -> bool:
    return submission.user_id == user.id or may_review(user, submission)


def decide(reviewer: Any, submission: AssignmentSubmission, approve: bool, feedback: str) -> None:
    """Approve (completes the lesson) or return with feedback (the learner may resubmit)."""
    if submission.status != "submitted":
        raise SubmissionError("decided")
    feedback = (feedback or "").strip()
    if not approve and not feedback:
        raise SubmissionError("feedback")
    submission.status = "approved" if approve else "returned"
    submission.feedback = feedback
    submission.reviewer_id = reviewer.id
    submission.reviewed_at = utcnow()
    db.session.flush()
    learner = submission.learner
    # The feedback stays in this plugin's table: events (and so xAPI) never carry free text.
    record_progress(learner, submission.lesson, submission.status,
                    key=f"assignment-submission:{submission.id}")


def queue_for(reviewer: Any) -> list[AssignmentSubmission]:
    """Submissions waiting for this reviewer's sign-off, oldest first."""
    mentees = set(db.session.scalars(
        select(MentorAssignment.learner_id).where(MentorAssignment.mentor_id == reviewer.id)))
    schools = org_role_ids(reviewer, "schoolopleider")
    school_learners = set(db.session.scalars(
        select(RoleAssignment.user_id).where(RoleAssignment.organisation_id.in_(schools),
                                             RoleAssignment.role == "learner"))) if schools else set()
    candidates = (mentees | school_learners) - {reviewer.id}
    if not candidates:
        return []
    waiting = db.session.scalars(
        select(AssignmentSubmission)
        .where(AssignmentSubmission.status == "submitted",
               AssignmentSubmission.user_id.in_(candidates))
        .order_by(AssignmentSubmission.submitted_at, AssignmentSubmission.id))
    found = []
    for submission in waiting:
        role = Rules.of(submission.lesson).sign_off
        if submission.user_id in (school_learners if role == "schoolopleider" else mentees):
            found.append(submission)
    return found
