"""Notifications as a plugin: progress events become messages, shown on the home page and in
the inbox; the account page's e-mail setting (weekly digest) and calendar address."""
from __future__ import annotations

from sqlalchemy import select

from lms import hookimpl
from lms.activities import render_fragment
from lms.extensions import db
from lms.models.accounts import MentorAssignment, RoleAssignment, User
from lms.models.content import Lesson
from lms.notify import deliver, link, message, notify, unread_for


def _reviewers(learner_id: int, role: str) -> list[int]:
    """Who signs off the learner's work: their mentors, or the schoolopleiders of their schools."""
    if role == "schoolopleider":
        schools = select(RoleAssignment.organisation_id).where(
            RoleAssignment.user_id == learner_id, RoleAssignment.role == "learner")
        stmt = select(RoleAssignment.user_id).where(
            RoleAssignment.role == "schoolopleider", RoleAssignment.organisation_id.in_(schools))
    else:
        stmt = select(MentorAssignment.mentor_id).where(MentorAssignment.learner_id == learner_id)
    return sorted(set(db.session.scalars(stmt)))


@hookimpl
def lms_progress_recorded(event):
    if event.verb not in ("submitted", "returned", "approved") or event.lesson_id is None:
        return
    lesson = db.session.get(Lesson, event.lesson_id)
    learner = db.session.get(User, event.user_id)
    if lesson is None or learner is None:
        return
    item = lesson.title
    notes = []
    if event.verb == "submitted":
        role = (lesson.settings or {}).get("sign_off", "mentor")
        for reviewer in _reviewers(learner.id, role):
            if reviewer != learner.id:
                notes.append(notify(reviewer, "sign_off_requested", subject=learner,
                                    params={"learner": learner.name, "item": item},
                                    link=link("mentor.queue"), key=f"event:{event.id}"))
    else:
        kind = "item_returned" if event.verb == "returned" else "item_approved"
        notes.append(notify(learner, kind, params={"item": item},
                            link=link("learn.lesson", course_slug=lesson.course.slug,
                                          lesson_slug=lesson.slug),
                            key=f"event:{event.id}"))
    db.session.commit()
    deliver([n for n in notes if n is not None])


@hookimpl
def lms_dashboard_widgets(user, scope):
    if scope != "home" or not getattr(user, "is_authenticated", False):
        return None
    return render_fragment(
        "notifications/_widget.html", notes=unread_for(user), message=message)


@hookimpl
def lms_account_sections(user):
    from lms.calendar import feed_of

    return render_fragment("notifications/_account.html", user=user,
                           has_feed=feed_of(user) is not None)
