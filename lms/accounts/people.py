"""People: creating accounts, editing them, their roles and their mentors."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import func, or_, select

from lms.access import can
from lms.accounts import AccountError
from lms.accounts.sessions import end_all_sessions
from lms.extensions import db
from lms.models import ROLES, MentorAssignment, Organisation, RoleAssignment, User, audit
from lms.models.accounts import NLQF_LEVELS

PAGE_SIZE = 50
GUIDING_ROLES = {"mentor", "schoolopleider"}


def normalise_email(raw: str | None) -> str:
    return (raw or "").strip().lower()


def email_problem(email: str) -> str | None:
    """Why this is not a usable e-mail address, or None."""
    if not email:
        return _("Fill in an e-mail address.")
    if len(email) > 254:
        return _("The e-mail address is too long.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("“%(email)s” is not a valid e-mail address.", email=email)
    return None


def email_taken(email: str, except_id: int | None = None) -> bool:
    stmt = select(User.id).where(func.lower(User.email) == normalise_email(email))
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return db.session.scalar(stmt) is not None


def role_label(role: str) -> str:
    """A role's name as the pages show it, capitalised: Deelnemer, Werkplekbegeleider…"""
    labels = {"learner": pgettext("role", "Learner"), "mentor": pgettext("role", "Mentor"),
              "schoolopleider": pgettext("role", "Schoolopleider"),
              "leidinggevende": pgettext("role", "School leader"),
              "coordinator": pgettext("role", "Coordinator"),
              "author": pgettext("role", "Course author"),
              "admin": pgettext("role", "Administrator")}
    return labels.get(role, role)


# --- who may invite whom, where ------------------------------------------------------------


def may_invite(actor: User, org: Organisation | None = None) -> bool:
    """May ``actor`` create accounts (in ``org``)? Asked through ``lms.access``."""
    return can(actor, "people.invite", org)


def invitable_roles(actor: User) -> tuple[str, ...]:
    """The roles ``actor`` may give to a new account."""
    return tuple(role for role in ROLES if can(actor, "people.grant_role", role))


def invitable_org_ids(actor: User, orgs: list[Organisation]) -> set[int]:
    """The organisations (of ``orgs``, all loaded) where ``actor`` may create accounts."""
    return {org.id for org in orgs if can(actor, "people.invite", org)}


# --- creating and editing ------------------------------------------------------------------


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise AccountError(_("Fill in the person's name."), "name")
    if len(name) > 200:
        raise AccountError(_("The name is too long (at most 200 characters)."), "name")
    return name


def _check_email(email: str, except_id: int | None = None) -> str:
    email = normalise_email(email)
    problem = email_problem(email)
    if problem:
        raise AccountError(problem, "email")
    if email_taken(email, except_id):
        raise AccountError(_("There already is an account with this e-mail address."), "email")
    return email


def create_person(name: str, email: str, org: Organisation | None, role: str,
                  actor: User | None) -> User:
    """A new account without a password (it is set through an invitation) and its first role.
    ``actor`` None means the command line (an operator)."""
    name = _check_name(name)
    email = _check_email(email)
    if org is None:
        raise AccountError(_("Choose an organisation."), "organisation")
    if role not in ROLES:
        raise AccountError(_("Choose a role."), "role")
    if actor is not None and (not may_invite(actor, org) or role not in invitable_roles(actor)):
        raise AccountError(_("You may not give this role in this organisation."), "role")
    user = User(name=name, email=email)
    db.session.add(user)
    db.session.add(RoleAssignment(user=user, organisation=org, role=role))
    db.session.flush()
    audit("account.create", actor=actor, subject=user, object_type="user", object_id=user.id,
          detail={"role": role, "organisation": org.id})
    return user


def _nlqf(value: int | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    if value not in NLQF_LEVELS:
        raise AccountError(_("Choose an NLQF level from 4 to 8."), field)
    return value


def update_person(person: User, *, name: str, email: str, nlqf_level: int | None,
                  nlqf_target: int | None, actor: User | None) -> None:
    name = _check_name(name)
    email = _check_email(email, except_id=person.id)
    level, target = _nlqf(nlqf_level, "nlqf_level"), _nlqf(nlqf_target, "nlqf_target")
    before = {"name": person.name, "email": person.email, "nlqf_level": person.nlqf_level,
              "nlqf_target": person.nlqf_target}
    after = {"name": name, "email": email, "nlqf_level": level, "nlqf_target": target}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed:
        return
    person.name, person.email, person.nlqf_level, person.nlqf_target = name, email, level, target
    audit("account.update", actor=actor, subject=person, object_type="user", object_id=person.id,
          detail={"changed": sorted(changed)})


def set_active(person: User, active: bool, actor: User | None) -> None:
    """Deactivate (every session ends at the next request) or reactivate an account."""
    if actor is not None and person.id == actor.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    if person.active == active:
        return
    person.active = active
    if not active:  # a cookie saved before must not work again after a reactivation
        end_all_sessions(person)
    audit("account.reactivate" if active else "account.deactivate", actor=actor, subject=person,
          object_type="user", object_id=person.id)


# --- roles ---------------------------------------------------------------------------------


def add_role(person: User, org: Organisation | None, role: str, actor: User | None) -> RoleAssignment:
    if org is None:
        raise AccountError(_("Choose an organisation."), "organisation")
    if role not in ROLES:
        raise AccountError(_("Choose a role."), "role")
    if any(r.role == role and r.organisation_id == org.id for r in person.roles):
        raise AccountError(_("This person already has this role there."), "role")
    assignment = RoleAssignment(user=person, organisation=org, role=role)
    db.session.add(assignment)
    db.session.flush()
    audit("role.add", actor=actor, subject=person, object_type="organisation", object_id=org.id,
          detail={"role": role})
    return assignment


def remove_role(assignment: RoleAssignment, actor: User | None) -> None:
    if assignment.role == "admin":
        admins = db.session.scalar(
            select(func.count(RoleAssignment.id)).join(User, User.id == RoleAssignment.user_id)
            .where(RoleAssignment.role == "admin", User.active.is_(True)))
        if admins <= 1:
            raise AccountError(_("This is the last administrator role; add another first."))
    person = assignment.user
    audit("role.remove", actor=actor, subject=person, object_type="organisation",
          object_id=assignment.organisation_id, detail={"role": assignment.role})
    person.roles.remove(assignment)
    db.session.flush()


# --- mentors -------------------------------------------------------------------------------


def add_mentor(mentor: User | None, learner: User | None,
               actor: User | None) -> MentorAssignment:
    """Pair a mentor or schoolopleider with a learner (None: no such account)."""
    if mentor is None or learner is None:
        raise AccountError(_("No account has this e-mail address."), "email")
    if mentor.id == learner.id:
        raise AccountError(_("A person cannot be their own mentor."), "email")
    if not mentor.role_names() & GUIDING_ROLES:
        raise AccountError(_("This person is not a mentor or schoolopleider."), "email")
    if not learner.has_role("learner"):
        raise AccountError(_("Only learners have mentors."), "email")
    exists = db.session.scalar(select(MentorAssignment.id).where(
        MentorAssignment.mentor_id == mentor.id, MentorAssignment.learner_id == learner.id))
    if exists:
        raise AccountError(_("This mentor already guides this learner."), "email")
    pair = MentorAssignment(mentor=mentor, learner=learner)
    db.session.add(pair)
    db.session.flush()
    audit("mentor.add", actor=actor, subject=learner, object_type="user", object_id=mentor.id)
    return pair


def remove_mentor(pair: MentorAssignment, actor: User | None) -> None:
    audit("mentor.remove", actor=actor, subject=pair.learner, object_type="user",
          object_id=pair.mentor_id)
    db.session.delete(pair)


def mentor_pairs(person: User) -> tuple[list[MentorAssignment], list[MentorAssignment]]:
    """(the person's mentors, the learners the person guides)."""
    pairs = list(db.session.scalars(select(MentorAssignment).where(
        or_(MentorAssignment.learner_id == person.id, MentorAssignment.mentor_id == person.id))))
    return ([p for p in pairs if p.learner_id == person.id],
            [p for p in pairs if p.mentor_id == person.id])


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


# --- finding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeoplePage:
    people: list[User]
    page: int
    pages: int
    total: int
    # person id → their (role, organisation name) pairs, for the list's columns
    roles: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


def find_people(query: str = "", page: int = 1, per_page: int = PAGE_SIZE,
                role: str = "") -> PeoplePage:
    """People whose name or e-mail contains ``query`` (and who hold ``role`` somewhere), by
    name, one page at a time, with their roles and organisations (three queries)."""
    stmt = select(User)
    if role in ROLES:
        stmt = stmt.where(User.id.in_(select(RoleAssignment.user_id)
                                      .where(RoleAssignment.role == role)))
    query = (query or "").strip()
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(or_(func.lower(User.name).like(pattern, escape="\\"),
                              func.lower(User.email).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    people = list(db.session.scalars(
        stmt.order_by(func.lower(User.name), User.id).offset((page - 1) * per_page).limit(per_page)))
    roles: dict[int, list[tuple[str, str]]] = {}
    if people:
        for user_id, held, org_name in db.session.execute(
                select(RoleAssignment.user_id, RoleAssignment.role, Organisation.name)
                .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
                .where(RoleAssignment.user_id.in_([p.id for p in people]))
                .order_by(Organisation.name, RoleAssignment.role)):
            roles.setdefault(user_id, []).append((held, org_name))
    return PeoplePage(people, page, pages, total, roles)
