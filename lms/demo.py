"""Demo data: the region "Regio Progressus" with its schools, one login per role, and (once
the shipped courses are imported) ~300 generated people with a year of activity
(``lms.demo_region``).

``create_demo_data()`` is idempotent: organisations, people and their roles are looked up
by name and e-mail address and only created when missing. Every call gives each demo person
a fresh random password (stored as a scrypt hash) and returns the logins, so the printed
table always works. Later features extend the demo here (enrolments, progress, hours):
add a ``_seed_*`` step to ``create_demo_data`` that is just as idempotent.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from lms.extensions import db
from lms.models import MentorAssignment, Organisation, RoleAssignment, User

REGION = "Regio Progressus"
EMAIL_DOMAIN = "progressus.example.org"
# Letters and digits that cannot be mistaken for each other when read from a terminal.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    description: str
    roles: tuple[tuple[str, str], ...]  # (role, organisation key)
    nlqf_level: int | None = None
    nlqf_target: int | None = None


@dataclass(frozen=True)
class DemoLogin:
    """One row of the printed login table."""

    key: str
    description: str
    name: str
    email: str
    password: str


# Organisation key → (kind, name, sector, parent key)
ORGANISATIONS: dict[str, tuple[str, str, str | None, str | None]] = {
    "region": ("region", REGION, None, None),
    "board_po_vo": ("board", "Stichting Progressus Onderwijs", None, "region"),
    "board_mbo": ("board", "Progressus mbo-groep", None, "region"),
    "po": ("school", "Basisschool De Wegwijzer", "po", "board_po_vo"),
    "vo": ("school", "Progressus College", "vo", "board_po_vo"),
    "mbo": ("school", "Progressus Vakcollege (mbo)", "mbo", "board_mbo"),
    "board_po": ("board", "Stichting Kindcentra Progressus", None, "region"),
    "po_2": ("school", "Basisschool De Regenboog", "po", "board_po_vo"),
    "po_3": ("school", "OBS Het Kompas", "po", "board_po_vo"),
    "po_4": ("school", "Kindcentrum De Zonnewijzer", "po", "board_po"),
    "po_5": ("school", "IKC Het Palet", "po", "board_po"),
    "po_6": ("school", "Basisschool De Klimop", "po", "board_po"),
    "vo_2": ("school", "Lyceum aan de IJssel", "vo", "board_po_vo"),
    "vo_3": ("school", "Progressus Mavo", "vo", "board_po_vo"),
    "mbo_2": ("school", "Zorg & Welzijn College (mbo)", "mbo", "board_mbo"),
    "mbo_3": ("school", "Techniek College (mbo)", "mbo", "board_mbo"),
}

PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("deelnemer", "Sanne de Vries", "learner: starting teacher (po)",
               (("learner", "po"),), nlqf_level=6, nlqf_target=7),
    DemoPerson("zij-instromer", "Yusuf Bakker", "learner: zij-instromer (vo)",
               (("learner", "vo"),), nlqf_level=7),
    DemoPerson("pdg", "Mirjam Visser", "learner: PDG mbo",
               (("learner", "mbo"),), nlqf_level=6),
    DemoPerson("werkplekbegeleider", "Peter Smit", "mentor (werkplekbegeleider)",
               (("mentor", "po"), ("mentor", "vo"), ("mentor", "mbo"))),
    DemoPerson("schoolopleider", "Fatima el Amrani", "schoolopleider (vo), also a learner",
               (("schoolopleider", "vo"), ("learner", "vo"))),
    DemoPerson("coordinator", "Kees Mulder", "coordinator (region)",
               (("coordinator", "region"),)),
    DemoPerson("auteur", "Lotte Jansen", "course author", (("author", "region"),)),
    DemoPerson("beheerder", "Admin Progressus", "admin", (("admin", "region"),)),
    DemoPerson("certificaat", "Anouk Meijer", "learner with a valid credential (vo)",
               (("learner", "vo"),)),
    DemoPerson("certificaat-verlopen", "Bram de Groot", "learner with an expired credential (vo)",
               (("learner", "vo"),)),
    DemoPerson("certificaat-ingetrokken", "Chantal Koster",
               "learner with a revoked credential (vo)", (("learner", "vo"),)),
)

# Track credentials of the demo learners above: key → (track, days since it was issued,
# revoked). Issued through the core's tracking (so the openbadges plugin signs them) when the
# shipped courses are imported; BRLO preparation is valid for four years.
CREDENTIALS: dict[str, tuple[str, int, bool]] = {
    "certificaat": ("schoolopleider-brlo", 120, False),
    "certificaat-verlopen": ("schoolopleider-brlo", 5 * 365, False),
    "certificaat-ingetrokken": ("werkplekbegeleider", 200, True),
}

# The demo learners' year in the shipped tracks (lms.demo_region): key → (track, days since
# enrolment, the lesson their walk stops at, or None for about halfway). The starter's
# assignment waits for the mentor's sign-off.
DEMO_WALKS: dict[str, tuple[str, int, str | None]] = {
    "deelnemer": ("inductie-starters", 150, "mijn-werkafspraken"),
    "zij-instromer": ("zij-instroom", 240, None),
    "pdg": ("pdg-mbo", 300, None),
    "schoolopleider": ("schoolopleider-brlo", 210, None),
}

# The mentor guides every demo learner.
MENTORING = (("werkplekbegeleider", "deelnemer"), ("werkplekbegeleider", "zij-instromer"),
             ("werkplekbegeleider", "pdg"))


def demo_email(key: str) -> str:
    return f"{key}@{EMAIL_DOMAIN}"


def new_password() -> str:
    """Fourteen random characters in three groups, e.g. ``k7pm-x3qa-w9ht``."""
    chars = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def create_demo_data() -> list[DemoLogin]:
    """Create whatever is missing of the demo region; reset and return every demo login.

    Needs an app context and a migrated database; commits.
    """
    orgs = _seed_organisations()
    users = _seed_people(orgs)
    _seed_mentoring(users)
    logins = _reset_passwords(users)
    db.session.commit()
    _seed_region(orgs, users)
    _seed_credentials(users)
    return logins


def _seed_region(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """The region's ~300 generated people and their year (once, when the tracks are imported)."""
    from lms.demo_region import generate_region, generated
    from lms.models import Track

    if generated(orgs["region"]) or db.session.scalar(select(Track.id).limit(1)) is None:
        return
    generate_region(orgs, users, EMAIL_DOMAIN, DEMO_WALKS)


def _seed_organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for key, (kind, name, sector, parent_key) in ORGANISATIONS.items():
        parent = orgs[parent_key] if parent_key else None
        query = select(Organisation).where(Organisation.kind == kind, Organisation.name == name)
        query = query.where(Organisation.parent_id.is_(None) if parent is None
                            else Organisation.parent_id == parent.id)
        org = db.session.scalar(query)
        if org is None:
            org = Organisation(kind=kind, name=name, sector=sector, parent=parent)
            db.session.add(org)
            db.session.flush()
        orgs[key] = org
    return orgs


def _seed_people(orgs: dict[str, Organisation]) -> dict[str, User]:
    users: dict[str, User] = {}
    for person in PEOPLE:
        email = demo_email(person.key)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=person.name, nlqf_level=person.nlqf_level,
                        nlqf_target=person.nlqf_target)
            db.session.add(user)
            db.session.flush()
        have = {(r.role, r.organisation_id) for r in user.roles}
        for role, org_key in person.roles:
            if (role, orgs[org_key].id) not in have:
                db.session.add(RoleAssignment(user=user, organisation=orgs[org_key], role=role))
        users[person.key] = user
    db.session.flush()
    return users


def _seed_mentoring(users: dict[str, User]) -> None:
    for mentor_key, learner_key in MENTORING:
        mentor, learner = users[mentor_key], users[learner_key]
        exists = db.session.scalar(select(MentorAssignment.id).where(
            MentorAssignment.mentor_id == mentor.id, MentorAssignment.learner_id == learner.id))
        if exists is None:
            db.session.add(MentorAssignment(mentor=mentor, learner=learner))


def _seed_credentials(users: dict[str, User]) -> None:
    """Issue the demo learners' track credentials (once, when the tracks are imported); with
    the openbadges plugin they are signed, shown on a public page, and one is revoked."""
    from datetime import timedelta

    from lms.models import Track
    from lms.models.base import utcnow
    from lms.models.progress import Credential
    from lms.plugins import get_pm
    from lms.tracking.records import announce_records
    from lms.tracking.state import track_completed

    for key, (slug, days_ago, _revoked) in CREDENTIALS.items():
        track = db.session.scalar(select(Track).where(Track.slug == slug))
        user = users[key]
        if track is None or db.session.scalar(select(Credential.id).where(
                Credential.user_id == user.id, Credential.track_id == track.id)):
            continue
        track_completed(user.id, track.id, utcnow() - timedelta(days=days_ago))
    db.session.commit()
    announce_records()
    # The core has no revocation or public page of its own: they are the plugin's. This asks
    # the plugin by name because no hook covers demo data yet.
    badges = get_pm().get_plugin("openbadges")
    if badges is None:
        return
    for key, (_slug, _days, revoked) in CREDENTIALS.items():
        badges.show_in_demo(users[key], revoked=revoked)
    db.session.commit()


def _reset_passwords(users: dict[str, User]) -> list[DemoLogin]:
    logins = []
    for person in PEOPLE:
        user = users[person.key]
        password = new_password()
        user.set_password(password)
        user.active = True
        logins.append(DemoLogin(person.key, person.description, user.name, user.email, password))
    return logins


def format_logins(logins: list[DemoLogin]) -> str:
    """The login table printed by ``lms demo`` and ``lms serve --demo``."""
    rows = [("ROLE", "E-MAIL", "PASSWORD")]
    rows += [(login.description, login.email, login.password) for login in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def import_courses(directory: Path) -> tuple[bool, str]:
    """Import the course tree when the importer is available; (succeeded, message).

    Needs an app context. Never raises: a demo without courses still lets people log in.
    """
    try:
        from lms.content.importer import import_directory
    except ImportError as exc:
        return False, f"Courses not imported: the course importer is not available ({exc})."
    if not directory.is_dir():
        return False, f"Courses not imported: {directory} is not a directory."
    try:
        summary = import_directory(directory)
    except Exception as exc:  # noqa: BLE001  (reported, and the demo goes on)
        db.session.rollback()
        problems = getattr(exc, "problems", None)
        if problems:
            shown = "\n".join(f"  {p}" for p in problems[:20])
            more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
            return False, (f"Courses not imported: {directory} has problems "
                           f"(run `lms courses check {directory}`):\n{shown}{more}")
        return False, f"Courses not imported from {directory}: {type(exc).__name__}: {exc}"
    changed = "imported" if summary.changed_anything else "already up to date"
    return True, f"Courses from {directory} {changed}."
