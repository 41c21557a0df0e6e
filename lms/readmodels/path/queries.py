"""The learning path's three queries (see ``lms.readmodels.path``): each returns rows of a
fixed shape whatever the amount of data."""
from __future__ import annotations


def _text(value: str):
    """A constant text column (inlined, so PostgreSQL knows its type inside a UNION)."""
    import sqlalchemy as sa

    return sa.literal_column(f"'{value}'", sa.String)


def enrolment_rows(user_id: int) -> list:
    """Active and completed enrolments; for a track one row per course in it."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.models import Course, Track, TrackCourse
    from lms.models.progress import Enrolment, TrackState

    course_of_row = sa.func.coalesce(TrackCourse.course_id, Enrolment.course_id)
    stmt = (
        sa.select(
            Enrolment.id.label("enrolment_id"), Enrolment.status.label("enrolment_status"),
            Enrolment.enrolled_at, Enrolment.deadline, Enrolment.track_id,
            Track.slug.label("track_slug"), Track.title.label("track_title"),
            Track.hours_target, Track.credential_name,
            TrackState.status.label("track_status"), TrackState.percent.label("track_percent"),
            Course.id.label("course_id"), Course.slug.label("course_slug"),
            Course.title.label("course_title"), Course.hours.label("course_hours"),
            Course.competences.label("course_competences"),
            TrackCourse.required, TrackCourse.after,
        )
        .select_from(Enrolment)
        .outerjoin(Track, Track.id == Enrolment.track_id)
        .outerjoin(TrackState, sa.and_(TrackState.track_id == Enrolment.track_id,
                                       TrackState.user_id == Enrolment.user_id))
        .outerjoin(TrackCourse, TrackCourse.track_id == Enrolment.track_id)
        .outerjoin(Course, Course.id == course_of_row)
        .where(Enrolment.user_id == user_id, Enrolment.status != "withdrawn",
               sa.or_(Course.id.is_(None), Course.archived.is_(False)))
        .order_by(Enrolment.enrolled_at, Enrolment.id, TrackCourse.position)
    )
    return db.session.execute(stmt).all()


def record_rows(user_id: int) -> list:
    """The learning record: course states, completed lessons and exemptions, as one UNION."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.models import Course, Lesson
    from lms.models.progress import CourseState, Exemption, LessonState

    courses = (
        sa.select(_text("course").label("kind"), Course.id.label("item_id"),
                  Course.title.label("title"), Course.hours.label("hours"),
                  Course.competences.label("competences"), CourseState.status.label("status"),
                  CourseState.completed_at.label("moment"), Course.slug.label("slug"))
        .join(Course, Course.id == CourseState.course_id)
        .where(CourseState.user_id == user_id)
    )
    lessons = (
        sa.select(_text("lesson"), Lesson.id, Lesson.title, sa.cast(sa.null(), sa.Float),
                  Lesson.competences, LessonState.status, LessonState.completed_at,
                  sa.cast(sa.null(), sa.String))
        .join(Lesson, Lesson.id == LessonState.lesson_id)
        .where(LessonState.user_id == user_id, LessonState.status == "completed")
    )
    exemptions = (
        sa.select(_text("exempt"), Exemption.course_id, Course.title,
                  sa.cast(sa.null(), sa.Float), sa.cast(sa.null(), sa.JSON),
                  _text("exempt"), Exemption.granted_at, Course.slug)
        .join(Course, Course.id == Exemption.course_id)
        .where(Exemption.user_id == user_id)
    )
    return db.session.execute(sa.union_all(courses, lessons, exemptions)).all()


def portfolio_rows(user_id: int) -> list:
    """Logged hours, development goals, credentials, the chosen hours rule and every
    competence of every framework, as one UNION of a shared shape."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.hours_rules import HoursRuleChoice
    from lms.models import Competence, CompetenceFramework, Track
    from lms.models.base import UTCDateTime
    from lms.models.portfolio import DevelopmentGoal, HoursEntry
    from lms.models.progress import Credential

    def null(type_):
        return sa.cast(sa.null(), type_)

    def no_framework():  # the framework columns of rows that are not competences
        return null(sa.String), null(sa.String), null(sa.JSON), null(sa.JSON)

    hours = sa.select(
        _text("hours").label("kind"), HoursEntry.id.label("item_id"),
        HoursEntry.date.label("day"), null(UTCDateTime).label("moment"),
        HoursEntry.hours.label("number"),
        HoursEntry.description.label("title"),
        HoursEntry.evidence.label("body"),
        HoursEntry.category.label("status"),
        null(sa.JSON).label("extra"), null(sa.String).label("ref"),
        null(sa.String).label("code"), null(sa.String).label("group_title"),
        null(sa.JSON).label("audience"), null(sa.JSON).label("sectors"),
    ).where(HoursEntry.user_id == user_id)
    goals = sa.select(
        _text("goal"), DevelopmentGoal.id, DevelopmentGoal.target_date, null(UTCDateTime),
        null(sa.Float), DevelopmentGoal.title, DevelopmentGoal.description,
        DevelopmentGoal.status, DevelopmentGoal.competences, null(sa.String), *no_framework(),
    ).where(DevelopmentGoal.user_id == user_id)
    credentials = sa.select(
        _text("credential"), Credential.id, Credential.expires_at, Credential.issued_at,
        null(sa.Float), Credential.name, null(sa.Text), null(sa.String), null(sa.JSON),
        Track.slug, *no_framework(),
    ).outerjoin(Track, Track.id == Credential.track_id).where(Credential.user_id == user_id)
    rule = sa.select(
        _text("rule"), HoursRuleChoice.user_id, null(sa.Date), HoursRuleChoice.chosen_at,
        null(sa.Float), HoursRuleChoice.rule, null(sa.Text), null(sa.String), null(sa.JSON),
        null(sa.String), *no_framework(),
    ).where(HoursRuleChoice.user_id == user_id)
    competences = sa.select(
        _text("competence"), CompetenceFramework.id, null(sa.Date), null(UTCDateTime),
        sa.cast(Competence.position, sa.Float), Competence.title, Competence.description,
        CompetenceFramework.kind, Competence.detail, CompetenceFramework.slug,
        Competence.code, CompetenceFramework.title, CompetenceFramework.audience,
        CompetenceFramework.sectors,
    ).join(Competence, Competence.framework_id == CompetenceFramework.id
           ).where(Competence.archived.is_(False))
    return db.session.execute(sa.union_all(hours, goals, credentials, rule, competences)).all()
