"""Reading the audit log: entries found by a person's name or e-mail address, each action and
what it was about in words (Dutch or English) instead of its code.

The codes are the core's and the bundled plugins'; another plugin's code is shown as it is.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import AuditEvent, User

PAGE = 100

ACTIONS = {
    "personal_data.view": _l("Looked at personal data"),
    "account.create": _l("Created an account"),
    "account.invite": _l("Sent an invitation"),
    "account.activate": _l("Activated the account (set a password)"),
    "account.update": _l("Changed the account's details"),
    "account.reactivate": _l("Reactivated the account"),
    "account.password_change": _l("Changed the password"),
    "account.logout_everywhere": _l("Logged the person out on every device"),
    "data.export": _l("Downloaded their own data"),
    "enrolment.create": _l("Enrolled the person"),
    "exemption.grant": _l("Granted an exemption"),
    "hours_rule.choose": _l("Chose the hours rule"),
    "mentor.add": _l("Linked a mentor and a learner"),
    "mentor.assign": _l("Linked a mentor and a learner"),
    "mentor.remove": _l("Unlinked a mentor and a learner"),
    "mentor.unassign": _l("Unlinked a mentor and a learner"),
    "organisation.create": _l("Added an organisation"),
    "organisation.update": _l("Changed an organisation"),
    "organisation.move": _l("Moved an organisation"),
    "people.import": _l("Imported people from a CSV file"),
    "person.erase": _l("Erased the person's data"),
    "retention.keep": _l("Kept an inactive account"),
    "role.add": _l("Gave a role"),
    "role.remove": _l("Took a role away"),
    "oidc.login": _l("Logged in with the school account"),
    "oidc.link": _l("Linked a school account"),
    "oidc.unlink": _l("Unlinked a school account"),
    "oidc.require": _l("Made the school login required"),
    "oidc.unrequire": _l("Made the school login optional"),
    "openbadges.revoke": _l("Revoked a credential"),
    "openbadges.renew": _l("Renewed a credential"),
}

# What an entry is about: the page a person's data was seen on, or the kind of thing changed.
OBJECTS = {
    "home": _l("the home page"),
    "mentor.overview": _l("the mentor's list of learners"),
    "mentor.queue": _l("the sign-off queue"),
    "mentor.learner": _l("the learner's page (mentor)"),
    "competence_confirmation": _l("a competence confirmation"),
    "school.learners": _l("the school's list of people"),
    "school.coverage": _l("the school's mentor coverage"),
    "school.learner": _l("the learner's page (school)"),
    "school.exemption": _l("the exemption form"),
    "path": _l("the learning path"),
    "assignment.submission": _l("a handed-in assignment"),
    "assignment.file": _l("a handed-in file"),
    "reflection.shared": _l("shared reflections"),
    "openbadges_credential": _l("a credential"),
    "talent.nomination": _l("a talent nomination"),
    "talent.stay": _l("a stay conversation"),
    "talent.ambassador": _l("an ambassador"),
    "talent.ambassador_export": _l("the ambassadors' export"),
    "user": _l("an account"),
    "organisation": _l("an organisation"),
    "course": _l("a course"),
    "track": _l("a track"),
    "lesson": _l("a lesson"),
    "competence": _l("a competence"),
    "credential": _l("a credential"),
    "hours": _l("hours"),
    "hours_rule": _l("an hours rule"),
    "csv": _l("a CSV file"),
    "oidc_identity": _l("a school account"),
    "oidc_provider": _l("a school login"),
}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str | None) -> str:
    if not object_type:
        return ""
    label = OBJECTS.get(object_type)
    return str(label) if label is not None else object_type


def _pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def audit_page(*, search: str = "", person: int | None = None, before: int | None = None,
               size: int = PAGE):
    """The newest entries (``before`` an entry id for the next page) done by or about people
    whose name or e-mail address contains ``search`` (or the person with id ``person``), with
    the names of who did it and whom it was about (one query)."""
    actor, subject = aliased(User), aliased(User)
    stmt = (select(AuditEvent, actor.name, subject.name)
            .outerjoin(actor, actor.id == AuditEvent.actor_id)
            .outerjoin(subject, subject.id == AuditEvent.subject_id)
            .order_by(AuditEvent.id.desc()))
    if person:
        stmt = stmt.where(or_(AuditEvent.subject_id == person, AuditEvent.actor_id == person))
    search = (search or "").strip()
    if search:
        pattern = _pattern(search)
        found = select(User.id).where(or_(func.lower(User.name).like(pattern, escape="\\"),
                                          func.lower(User.email).like(pattern, escape="\\")))
        stmt = stmt.where(or_(AuditEvent.subject_id.in_(found), AuditEvent.actor_id.in_(found)))
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    return db.session.execute(stmt.limit(size)).all()
