"""Content and progress for the learning-path tests: two frameworks, two courses in a track."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Competence, CompetenceFramework, Course, Lesson, Track, TrackCourse, User
from lms.models.progress import Enrolment


@dataclass
class Content:
    track: int
    basis: int
    vervolg: int
    lessons: dict[str, int]


def seed_content() -> Content:
    """A VELON framework, the NLQF levels, and track 'werkplekbegeleider' of two courses."""
    db.session.add(CompetenceFramework(slug="velon", title="Beroepsstandaard lerarenopleiders",
                                       kind="competences", competences=[
        Competence(code="agogisch", title="Agogisch bekwaam", position=0),
        Competence(code="organisatorisch", title="Organisatorisch bekwaam", position=1),
        Competence(code="ontwikkelingsbekwaam", title="Ontwikkelingsbekwaam", position=2),
    ]))
    db.session.add(CompetenceFramework(slug="nlqf", title="NLQF-niveaus", kind="levels", competences=[
        Competence(code=str(level), title=f"NLQF {level}", position=level,
                   detail={"routes": [f"Route naar niveau {level}"]}) for level in (4, 5, 6, 7, 8)
    ]))
    basis = Course(slug="werkplekbegeleider-basis", title="Basistraining werkplekbegeleider",
                   hours=28, competences=["velon:agogisch"], lessons=[
        Lesson(slug="jouw-rol", title="Jouw rol", position=1, competences=["velon:organisatorisch"]),
        Lesson(slug="gesprekken", title="Gesprekken voeren", position=2),
        Lesson(slug="quiz", title="Toets", type="quiz", position=3, required=False),
    ])
    vervolg = Course(slug="werkplekbegeleider-vervolg", title="Vervolgtraining", hours=12,
                     lessons=[Lesson(slug="intervisie", title="Intervisie", position=1)])
    track = Track(slug="werkplekbegeleider", title="Leerroute werkplekbegeleider",
                  duration_months=12, credential_name="Bewijs werkplekbegeleider",
                  credential_validity_years=5, courses=[
        TrackCourse(course=basis, required=True, position=0),
        TrackCourse(course=vervolg, required=True, position=1, after=["werkplekbegeleider-basis"]),
    ])
    db.session.add(track)
    db.session.commit()
    lessons = {f"{lesson.course.slug}/{lesson.slug}": lesson.id
               for lesson in db.session.scalars(sa.select(Lesson))}
    return Content(track.id, basis.id, vervolg.id, lessons)


def enrol(user_id: int, track_id: int, deadline: date | None = None) -> int:
    enrolment = Enrolment(user_id=user_id, track_id=track_id, deadline=deadline)
    db.session.add(enrolment)
    db.session.commit()
    return enrolment.id


def complete(user_id: int, object_id: str, when: datetime | None = None):
    """Record 'completed' through the real tracking engine."""
    from lms.tracking.record import record_progress

    course_slug, lesson_slug = object_id.split("/")
    lesson = db.session.scalar(sa.select(Lesson).join(Course).where(
        Course.slug == course_slug, Lesson.slug == lesson_slug))
    return record_progress(db.session.get(User, user_id), lesson, "completed", timestamp=when)


def many_tracks(user_id: int, count: int) -> None:
    """Enrol the user in ``count`` small tracks, each with two courses, one completed."""
    from lms.tracking.record import record_progress

    now = datetime.now(timezone.utc)
    user = db.session.get(User, user_id)
    for n in range(count):
        first = Course(slug=f"c{user_id}-{n}-a", title=f"Cursus {n} A", hours=2,
                       competences=["velon:agogisch"],
                       lessons=[Lesson(slug="les", title="Les", competences=["velon:organisatorisch"])])
        second = Course(slug=f"c{user_id}-{n}-b", title=f"Cursus {n} B", hours=2,
                        lessons=[Lesson(slug="les", title="Les")])
        track = Track(slug=f"t{user_id}-{n}", title=f"Route {n}", courses=[
            TrackCourse(course=first, position=0), TrackCourse(course=second, position=1)])
        db.session.add(track)
        db.session.flush()
        db.session.add(Enrolment(user_id=user_id, track_id=track.id,
                                 deadline=(now + timedelta(days=n)).date()))
        db.session.commit()
        record_progress(user, first.lessons[0], "completed")


@contextmanager
def count_queries(app):
    """Count SQL statements sent while the block runs (every connection of the app's engine)."""
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
