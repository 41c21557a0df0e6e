"""Bulk import of people from CSV (name, email, school, role): all rows or none.

Every row is checked before anything is written, and every problem is reported with its
line number; one bad row means nothing is imported. UTF-8 with or without BOM, separated
by ``,`` or ``;`` (what Excel writes in a Dutch locale). Schools are matched by name.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts.people import create_person, email_problem, normalise_email
from lms.extensions import db
from lms.models import ROLES, Organisation, User, audit

COLUMNS = ("name", "email", "school", "role")
# Column headings as Dutch spreadsheets tend to have them.
HEADINGS = {"name": "name", "naam": "name", "email": "email", "e-mail": "email",
            "e-mailadres": "email", "emailadres": "email", "school": "school",
            "role": "role", "rol": "role"}
# Role names as a Dutch spreadsheet has them, and the English keys: both are accepted.
DUTCH_ROLE_NAMES = {"deelnemer": "learner", "werkplekbegeleider": "mentor",
                    "schoolopleider": "schoolopleider", "leidinggevende": "leidinggevende",
                    "coördinator": "coordinator", "auteur": "author", "beheerder": "admin"}
ROLE_NAMES = {**{role: role for role in ROLES}, **DUTCH_ROLE_NAMES,
              "werkplekopleider": "mentor", "coordinator": "coordinator",
              "cursusauteur": "author"}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass(frozen=True)
class PersonRow:
    line: int
    name: str
    email: str
    school: Organisation
    role: str


@dataclass
class ImportResult:
    people: list[User] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _decode(data: bytes) -> str | Problem:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return Problem(line, _("The file is not UTF-8 text; save it as “CSV UTF-8”."))
    if "\x00" in text:  # e.g. UTF-16 "Unicode text" from Excel; PostgreSQL cannot store NUL
        line = text.count("\n", 0, text.index("\x00")) + 1
        return Problem(line, _("The file contains a NUL character (U+0000); save it as "
                               "“CSV UTF-8”."))
    return text


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def _rows(text: str):
    """(line number where the row starts, cells) for every non-empty row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    last = 0
    for cells in reader:
        start, last = last + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, [cell.strip() for cell in cells]


def _existing_emails(emails: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(emails), 500):
        chunk = emails[i:i + 500]
        found.update(db.session.scalars(
            select(func.lower(User.email)).where(func.lower(User.email).in_(chunk))))
    return found


def _schools() -> dict[str, list[Organisation]]:
    schools: dict[str, list[Organisation]] = {}
    for school in db.session.scalars(select(Organisation).where(Organisation.kind == "school")):
        schools.setdefault(school.name.strip().lower(), []).append(school)
    return schools


def read_people(data: bytes) -> tuple[list[PersonRow], list[Problem]]:
    """Parse and check every row; the rows are only usable when there are no problems."""
    text = _decode(data)
    if isinstance(text, Problem):
        return [], [text]
    rows = list(_rows(text))
    if not rows:
        return [], [Problem(1, _("The file is empty; the first line names the columns: "
                                 "name, email, school, role."))]
    header_line, header = rows[0]
    index = {}
    for position, heading in enumerate(header):
        key = HEADINGS.get(heading.lower())
        if key and key not in index:
            index[key] = position
    missing = [column for column in COLUMNS if column not in index]
    if missing:
        return [], [Problem(header_line, _("Missing column(s): %(columns)s. The first line "
                                           "names the columns: name, email, school, role.",
                                           columns=", ".join(missing)))]
    if len(rows) == 1:
        return [], [Problem(header_line, _("The file has no people in it."))]

    problems: list[Problem] = []
    schools = _schools()
    seen: dict[str, int] = {}
    candidates: list[tuple[int, dict[str, str]]] = []
    for line, cells in rows[1:]:
        values = {c: cells[i] if i < len(cells) else "" for c, i in index.items()}
        candidates.append((line, values))
    existing = _existing_emails(sorted({normalise_email(v["email"]) for _l, v in candidates
                                        if v["email"]}))
    people: list[PersonRow] = []
    for line, values in candidates:
        row_problems = []
        for column in COLUMNS:
            if not values[column]:
                row_problems.append(_("%(column)s: missing", column=column))
        name, email = values["name"], normalise_email(values["email"])
        if len(name) > 200:
            row_problems.append(_("name: too long (at most 200 characters)"))
        if email:
            problem = email_problem(email)
            if problem:
                row_problems.append(f"email: {problem}")
            elif email in seen:
                row_problems.append(_("email: %(email)s is also on line %(line)d",
                                      email=email, line=seen[email]))
            elif email in existing:
                row_problems.append(_("email: there already is an account with %(email)s",
                                      email=email))
            seen.setdefault(email, line)
        school = None
        if values["school"]:
            matches = schools.get(values["school"].lower(), [])
            if not matches:
                row_problems.append(_("school: unknown school “%(school)s”",
                                      school=values["school"]))
            elif len(matches) > 1:
                row_problems.append(_("school: more than one school is called “%(school)s”",
                                      school=values["school"]))
            else:
                school = matches[0]
        role = ROLE_NAMES.get(values["role"].lower()) if values["role"] else None
        if values["role"] and role is None:
            row_problems.append(_("role: unknown role “%(role)s” (use one of: %(roles)s; or "
                                  "in English: %(keys)s)", role=values["role"],
                                  roles=", ".join(DUTCH_ROLE_NAMES), keys=", ".join(ROLES)))
        problems.extend(Problem(line, message) for message in row_problems)
        if not row_problems:
            people.append(PersonRow(line, name, email, school, role))
    return people, problems


def import_people(data: bytes, actor: User | None) -> ImportResult:
    """Check the whole file, then create every person (with their role) or nobody.
    Adds to the session; the caller commits (one transaction) and sends invitations."""
    rows, problems = read_people(data)
    if problems:
        return ImportResult(problems=problems)
    people = [create_person(row.name, row.email, row.school, row.role, actor) for row in rows]
    audit("people.import", actor=actor, object_type="csv", detail={"people": len(people)})
    return ImportResult(people=people)
