"""Seed data for the mentor, schoolopleider and coordinator tests: tracks, learners in a school,
enrolments with deadlines, progress, hours, credentials and texts carrying a marker string."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import (Credential, DevelopmentGoal, HoursEntry, MentorAssignment, Organisation,
                        RoleAssignment, User)
from lms.models.base import utcnow
from lms.models.confirmations import CompetenceConfirmation
from lms.tracking import record_progress
from lms.tracking.tracks import enrol
from tests import builders
from lms.testing import PASSWORD
from lms.clock import today as clock_today  # the learners' day, as the app's

# A string that only ever appears in texts people wrote (reflections, notes, descriptions).
MARKER = "GEHEIM-7f3a-REFLECTIE"
PROGRAMME_TRACKS = ("inductie-starters", "zij-instroom", "pdg-mbo")


@dataclass
class Seeded:
    learners: list[int] = field(default_factory=list)
    tracks: dict[str, int] = field(default_factory=dict)
    courses: dict[str, int] = field(default_factory=dict)


def programme_tracks() -> dict[str, object]:
    """The three programme tracks, each with two courses (created once)."""
    found = {}
    for slug in PROGRAMME_TRACKS:
        existing = db.session.scalar(sa.select(builders.Track).where(builders.Track.slug == slug))
        if existing is not None:
            found[slug] = existing
            continue
        first = builders.course(f"{slug}-a", 2, hours=4.0)
        second = builders.course(f"{slug}-b", 1, hours=2.0)
        found[slug] = builders.track(slug, [first, (second, True, [first.slug])],
                                     duration_months=24, credential=f"Bewijs {slug}",
                                     validity_years=1)
    return found


def seed_school(world, n: int, *, school_id: int | None = None, prefix: str = "deelnemer",
                marker: str = MARKER) -> Seeded:
    """``n`` learners at a school (default: the world's school), spread over the programmes,
    at different stages, with hours, goals and confirmation requests that contain ``marker``."""
    admin = db.session.get(User, world.users["admin"])
    mentor = db.session.get(User, world.users["mentor"])
    school = db.session.get(Organisation, school_id or world.school)
    tracks = programme_tracks()
    seeded = Seeded(tracks={s: t.id for s, t in tracks.items()})
    now = utcnow()
    people = []
    for i in range(n):
        person = User(email=f"{prefix}{i}@example.org", name=f"{prefix.title()} {i:03d}")
        person.password_hash = "x"
        db.session.add(person)
        db.session.add(RoleAssignment(user=person, organisation=school, role="learner"))
        people.append(person)
    db.session.flush()
    for i, person in enumerate(people):
        db.session.add(HoursEntry(user_id=person.id, date=clock_today() - timedelta(days=10),
                                  hours=40.0 * (i % 5), category="lezen",
                                  description=f"Gelezen {marker} {i}") if i % 5 else
                       DevelopmentGoal(user_id=person.id, title=f"Doel {i}",
                                       description=f"Mijn doel {marker}"))
        if i % 4 == 0:
            db.session.add(MentorAssignment(mentor_id=mentor.id, learner_id=person.id))
        if i % 7 == 3:
            db.session.add(Credential(user_id=person.id, name="Bewijs pdg-mbo",
                                      expires_at=clock_today() + timedelta(days=30 + i)))
    db.session.commit()
    for i, person in enumerate(people):
        slug = PROGRAMME_TRACKS[i % 3]
        # Enrolled between 0 and 25 months ago: some fresh, some due soon, some overdue.
        enrol(person, track=tracks[slug], by=admin, at=now - timedelta(days=70 * (i % 12)))
        if i % 2:
            first = next(tc.course for tc in tracks[slug].courses if tc.position == 1)
            record_progress(person, first.lessons[0], "completed")
        seeded.learners.append(person.id)
    return seeded


def confirmation_request(learner_id: int, mentor_id: int, marker: str = MARKER) -> int:
    item = CompetenceConfirmation(learner_id=learner_id, mentor_id=mentor_id,
                                  competence="velon:agogisch", note=f"Bewijs: {marker}")
    db.session.add(item)
    db.session.commit()
    return item.id


def ready_export(user_id: int, org_id: int) -> int:
    """A prepared report export of ``org_id`` waiting for ``user_id`` (in an app context)."""
    from datetime import timedelta

    from lms.models.base import utcnow
    from lms.models.exports import ReportExport

    export = ReportExport(user_id=user_id, organisation_id=org_id, kind="xlsx", locale="nl",
                          status="ready", file_name="leerpad-rapport.xlsx", content=b"PK",
                          finished_at=utcnow(), expires_at=utcnow() + timedelta(hours=1))
    db.session.add(export)
    db.session.commit()
    return export.id


@contextmanager
def count_queries(app):
    """Count SQL statements sent while the block runs."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def login_as(client, who: str, lang: str = "en") -> None:
    """Log in through the form and pick the interface language (English: stable test texts)."""
    response = client.post("/inloggen", data={"email": f"{who}@example.org", "password": PASSWORD})
    assert response.status_code == 302, who
    client.post("/taal", data={"lang": lang})


@dataclass
class Written:
    private_entry: int
    shared_entry: int
    submission: int


def seed_written_work(app, learner_id: int, marker: str = MARKER) -> Written:
    """A private and a shared reflection and a submitted assignment with a file, through the
    bundled plugins' own domain functions."""
    from lms.plugins import get_pm

    pm = get_pm(app)
    portfolio = pm.get_plugin("reflection").portfolio
    work = pm.get_plugin("assignment").work
    slug = f"portfolio-{learner_id}"
    course = builders.course(slug, ["reflectie", "opdracht"])
    reflection, assignment = course.lessons
    reflection.type = "reflection"
    reflection.settings = {"prompts": [{"id": "p1", "text": "Wat ging goed?"},
                                       {"id": "p2", "text": "Wat neem je mee?"}]}
    assignment.type = "assignment"
    assignment.settings = {"sign_off": "mentor",
                           "submission": {"text": True, "file": {"max_mb": 1, "types": ["pdf"]}}}
    db.session.commit()
    learner = db.session.get(User, learner_id)
    private = portfolio.write_entry(learner, reflection, "p1", f"Privé {marker}")
    shared = portfolio.write_entry(learner, reflection, "p2", f"Gedeeld {marker}")
    portfolio.set_shared(shared, True)
    submission = work.submit(learner, assignment, f"Opdracht {marker}",
                             work.Upload("verslag.pdf", b"%PDF-1.4 " + marker.encode()))
    db.session.commit()
    return Written(private.id, shared.id, submission.id)
