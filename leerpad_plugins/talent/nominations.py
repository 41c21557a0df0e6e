"""Talent nominations: a mentor, schoolopleider or leidinggevende nominates someone of their
school; the nominee accepts, declines or hides it. Accepting suggests the matching track."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from lms.extensions import db
from lms.models import RoleAssignment, Track, User
from lms.models.base import utcnow

from .models import NOMINATION_ROLES, Nomination
from .rules import nominating_org_ids

MAX_MOTIVATION = 2000
NLQF_TARGETS = (5, 6, 7, 8)


class TalentError(ValueError):
    """Input a person must correct; ``str(exc)`` is a key of the views' messages."""


def candidates(nominator: User) -> list[User]:
    """Active people holding any role where ``nominator`` may nominate, except themselves."""
    orgs = nominating_org_ids(nominator)
    if not orgs:
        return []
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.organisation_id.in_(orgs), User.active.is_(True),
               User.id != nominator.id)
        .distinct().order_by(User.name, User.id)))


def nominate(nominator: User, nominee: User, role: str, motivation: str,
             nlqf_target: int | None = None) -> Nomination:
    """Store a nomination (the caller has checked ``talent.nominate`` on the nominee)."""
    motivation = (motivation or "").strip()
    if role not in NOMINATION_ROLES:
        raise TalentError("role")
    if not motivation:
        raise TalentError("motivation")
    if len(motivation) > MAX_MOTIVATION:
        raise TalentError("too long")
    if role == "opleiding":
        if nlqf_target not in NLQF_TARGETS:
            raise TalentError("nlqf")
    else:
        nlqf_target = None
    shared = sorted(nominating_org_ids(nominator)
                    & {r.organisation_id for r in nominee.roles})
    if not shared:
        raise TalentError("not your school")
    duplicate = db.session.scalar(select(Nomination.id).where(
        Nomination.nominee_id == nominee.id, Nomination.nominator_id == nominator.id,
        Nomination.role == role, Nomination.status == "open"))
    if duplicate:
        raise TalentError("duplicate")
    nomination = Nomination(nominee_id=nominee.id, nominator_id=nominator.id,
                            organisation_id=shared[0], role=role, nlqf_target=nlqf_target,
                            motivation=motivation, status="open", hidden=False,
                            created_at=utcnow())
    db.session.add(nomination)
    db.session.commit()
    return nomination


def decide(nomination: Nomination, accept: bool) -> None:
    """The nominee accepts or declines an open nomination (and may change their mind)."""
    nomination.status = "accepted" if accept else "declined"
    nomination.decided_at = utcnow()
    db.session.commit()


def set_hidden(nomination: Nomination, hidden: bool) -> None:
    """The nominee hides a nomination from their own overview (or shows it again)."""
    nomination.hidden = hidden
    db.session.commit()


def withdraw(nomination: Nomination) -> None:
    """The nominator takes back a nomination the nominee has not answered yet."""
    db.session.delete(nomination)
    db.session.commit()


def about(user_id: int) -> list[Nomination]:
    """Every nomination about the person (hidden ones too), newest first."""
    return list(db.session.scalars(
        select(Nomination).where(Nomination.nominee_id == user_id)
        .order_by(Nomination.created_at.desc(), Nomination.id.desc())))


def made_by(user_id: int) -> list[Nomination]:
    return list(db.session.scalars(
        select(Nomination).where(Nomination.nominator_id == user_id)
        .order_by(Nomination.created_at.desc(), Nomination.id.desc())))


# --- the suggested track --------------------------------------------------------------------


def track_mapping(config: Any = None) -> dict[str, str]:
    """``TALENT_TRACKS`` as role → track slug (entries ``role=slug``; unknown roles ignored)."""
    config = config if config is not None else current_app.config
    mapping = {}
    for entry in config.get("TALENT_TRACKS") or []:
        role, _, slug = str(entry).partition("=")
        if role.strip() in NOMINATION_ROLES and slug.strip():
            mapping[role.strip()] = slug.strip()
    return mapping


def suggested_tracks(roles: set[str]) -> dict[str, Track]:
    """The active track suggested for each of these roles (one query; none if unmapped)."""
    mapping = {role: slug for role, slug in track_mapping().items() if role in roles}
    if not mapping:
        return {}
    tracks = {t.slug: t for t in db.session.scalars(
        select(Track).where(Track.slug.in_(set(mapping.values())), Track.archived.is_(False)))}
    return {role: tracks[slug] for role, slug in mapping.items() if slug in tracks}
