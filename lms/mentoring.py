"""Mentoring: who guides whom, and competence confirmations (a learner asks a mentor to
confirm a competence; the mentor approves it or returns it with feedback)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.models.accounts import MentorAssignment, User
from lms.models.base import utcnow
from lms.models.confirmations import CompetenceConfirmation
from lms.models.content import Competence, CompetenceFramework
from lms.notify import deliver, link, notify
from lms.tracking.records import announce_records, note_record


class MentoringError(ValueError):
    """A request that cannot be carried out; the message is for the user."""


def mentors_of(learner: User) -> list[User]:
    return list(db.session.scalars(
        select(User).join(MentorAssignment, MentorAssignment.mentor_id == User.id)
        .where(MentorAssignment.learner_id == learner.id, User.active.is_(True))
        .order_by(User.name)
    ))


def is_mentor_of(mentor_id: int, learner_id: int) -> bool:
    return db.session.scalar(
        select(MentorAssignment.id).where(MentorAssignment.mentor_id == mentor_id,
                                          MentorAssignment.learner_id == learner_id)
    ) is not None


def competence_choices() -> list[tuple[str, str]]:
    """(framework:code, "Framework — Competence") of every competence (not NLQF levels)."""
    rows = db.session.execute(
        select(CompetenceFramework.slug, CompetenceFramework.title, Competence.code,
               Competence.title)
        .join(Competence, Competence.framework_id == CompetenceFramework.id)
        .where(CompetenceFramework.kind != "levels")
        .order_by(CompetenceFramework.title, Competence.position)
    )
    return [(f"{slug}:{code}", f"{ftitle} — {title}") for slug, ftitle, code, title in rows]


def request_confirmation(learner: User, mentor_id: int, competence: str,
                         note: str) -> CompetenceConfirmation:
    """The learner asks one of their mentors to confirm ``competence``; the mentor is notified."""
    if not is_mentor_of(mentor_id, learner.id):
        raise MentoringError(_("Choose one of your own mentors."))
    if competence not in dict(competence_choices()):
        raise MentoringError(_("Unknown competence %(key)s.", key=competence))
    pending = db.session.scalar(select(CompetenceConfirmation.id).where(
        CompetenceConfirmation.learner_id == learner.id,
        CompetenceConfirmation.competence == competence,
        CompetenceConfirmation.status == "requested"))
    if pending is not None:
        raise MentoringError(_("You already asked to confirm this competence."))
    item = CompetenceConfirmation(learner_id=learner.id, mentor_id=mentor_id,
                                  competence=competence, note=note.strip())
    db.session.add(item)
    db.session.flush()
    note_row = notify(mentor_id, "sign_off_requested", subject=learner,
                      params={"learner": learner.name, "item": competence},
                      link=link("mentor.confirmation", item_id=item.id))
    db.session.commit()
    deliver([note_row] if note_row else [])
    return item


def decide_confirmation(item: CompetenceConfirmation, mentor: User, *, approve: bool,
                        feedback: str) -> None:
    """Approve, or return with feedback (feedback is required when returning)."""
    if item.status != "requested":
        raise MentoringError(_("This request has already been handled."))
    if item.mentor_id != mentor.id:
        raise MentoringError(_("This request was sent to another mentor."))
    if not approve and not feedback.strip():
        raise MentoringError(_("Say what is missing when you return a request."))
    item.status = "approved" if approve else "returned"
    item.feedback = feedback.strip()
    item.decided_at = utcnow()
    note_row = notify(item.learner_id, "item_approved" if approve else "item_returned",
                      params={"item": item.competence}, link=link("mentor.mine"))
    if approve:
        note_record("competence_confirmed", item.learner_id,
                    key=f"competence_confirmed:{item.id}", object_type="competence",
                    object_id=item.competence, object_name=dict(competence_choices()).get(
                        item.competence, item.competence),
                    result={"success": True}, at=item.decided_at)
    db.session.commit()
    deliver([note_row] if note_row else [])
    announce_records()


def confirmation_items(reviewer: User | None, learner_ids: list[int] | None) -> list:
    """Competences waiting for ``reviewer``'s confirmation (None: anyone's), oldest first, as
    sign-off items (one query)."""
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from lms.activities import SignOffItem

    query = (select(CompetenceConfirmation.id, CompetenceConfirmation.learner_id, User.name,
                    CompetenceConfirmation.competence, CompetenceConfirmation.created_at)
             .join(User, User.id == CompetenceConfirmation.learner_id)
             .where(CompetenceConfirmation.status == "requested")
             .order_by(CompetenceConfirmation.created_at, CompetenceConfirmation.id))
    if reviewer is not None:
        query = query.where(CompetenceConfirmation.mentor_id == reviewer.id)
    if learner_ids is not None:
        query = query.where(CompetenceConfirmation.learner_id.in_(learner_ids))
    return [SignOffItem(kind="competence", kind_label=_l("Competence"), learner_id=learner_id,
                        learner_name=name, title=competence, submitted_at=created_at,
                        url=url_for("mentor.confirmation", item_id=item_id))
            for item_id, learner_id, name, competence, created_at in db.session.execute(query)]


def confirmation_count(reviewer: User):
    """A scalar subquery counting what ``confirmation_items(reviewer, None)`` lists."""
    from sqlalchemy import func

    return (select(func.count(CompetenceConfirmation.id))
            .where(CompetenceConfirmation.status == "requested",
                   CompetenceConfirmation.mentor_id == reviewer.id)
            .scalar_subquery())


def mentor_candidates(org_ids) -> list[User]:
    """People who may mentor in the organisations: mentors and schoolopleiders there."""
    from lms.models.accounts import RoleAssignment

    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.id.in_(
            select(RoleAssignment.user_id).where(
                RoleAssignment.role.in_(("mentor", "schoolopleider")),
                RoleAssignment.organisation_id.in_(org_ids))))
        .order_by(User.name)
    ))


def assign_mentor(learner: User, mentor: User, *, by: User, allowed_mentor_ids: set[int]) -> bool:
    """Pair a mentor with a learner (idempotent); returns False when they already were."""
    from lms.models.audit import audit

    if mentor.id not in allowed_mentor_ids:
        raise MentoringError(_("Choose a mentor of your school."))
    if mentor.id == learner.id:
        raise MentoringError(_("A learner cannot be their own mentor."))
    if is_mentor_of(mentor.id, learner.id):
        return False
    db.session.add(MentorAssignment(mentor_id=mentor.id, learner_id=learner.id))
    audit("mentor.assign", actor=by, subject=learner, object_type="user", object_id=mentor.id)
    db.session.commit()
    return True


def unassign_mentor(learner: User, mentor_id: int, *, by: User) -> bool:
    """End a mentoring pair; returns False when there was none."""
    from lms.models.audit import audit

    pair = db.session.scalar(select(MentorAssignment).where(
        MentorAssignment.mentor_id == mentor_id, MentorAssignment.learner_id == learner.id))
    if pair is None:
        return False
    db.session.delete(pair)
    audit("mentor.unassign", actor=by, subject=learner, object_type="user", object_id=mentor_id)
    db.session.commit()
    return True
