"""Recording progress and what follows from it: idempotent events, derived state, completion
rules, listeners, tracks (prerequisites, exemptions, deadlines, credentials) and course edits."""
from __future__ import annotations

import logging
import shutil
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from lms import hookimpl
from lms.content.importer import import_directory
from lms.extensions import db
from lms.models import AuditEvent, Course, Lesson, Track
from lms.models.progress import (CourseState, Credential, Enrolment, Exemption, LessonState,
                                 ProgressEvent, TrackState)
from lms.plugins import get_pm
from lms.tracking import record_progress
from lms.tracking.content import content_changed, refresh_course_states
from lms.tracking.dates import add_months, add_years, validity_status
from lms.tracking.tracks import TrackError, enrol, grant_exemption, track_deadline
from tests import builders as b
from tests.fixtures.content import EXAMPLE, write


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def events() -> int:
    return db.session.scalar(select(func.count(ProgressEvent.id)))


def state_of(model, **keys):
    return db.session.execute(select(model).filter_by(**keys)
                              .execution_options(populate_existing=True)).scalar_one_or_none()


# --- idempotency ---------------------------------------------------------------------------


def test_same_event_twice_is_one_row(app, world):
    """Recording the same completion twice stores one event and returns it both times."""
    with app.app_context():
        course, learner = b.course("c", 2), b.user("learner")
        first = record_progress(learner, course.lessons[0], "completed")
        second = record_progress(learner, course.lessons[0], "completed")
        assert first.id == second.id and events() == 1
        assert first.object_id == "c/l1" and first.actor_id == learner.id
        state = state_of(LessonState, user_id=learner.id, lesson_id=course.lessons[0].id)
        assert state.status == "completed" and state.verbs == ["completed"]


def test_default_keys_per_verb(app, world):
    """Opening twice a day is one record, a new day another; attempts are kept apart."""
    with app.app_context():
        course, learner = b.course("c", 1), b.user("learner")
        lesson = course.lessons[0]
        record_progress(learner, lesson, "experienced", timestamp=at(2025, 3, 1, 8))
        record_progress(learner, lesson, "experienced", timestamp=at(2025, 3, 1, 20))
        record_progress(learner, lesson, "experienced", timestamp=at(2025, 3, 2, 8))
        assert events() == 2
        record_progress(learner, lesson, "attempted", timestamp=at(2025, 3, 2, 9))
        record_progress(learner, lesson, "attempted", timestamp=at(2025, 3, 2, 10))
        assert events() == 4
        record_progress(learner, lesson, "submitted", key="submission-7")
        record_progress(learner, lesson, "submitted", key="submission-7")
        assert events() == 5
        other = b.user("other_learner")
        record_progress(other, lesson, "submitted", key="submission-7")  # keys are per learner
        assert events() == 6


def test_bad_verb_or_result_is_refused_and_nothing_written(app, world):
    """An unknown verb or a non-dict result raises and writes nothing."""
    with app.app_context():
        course, learner = b.course("c", 1), b.user("learner")
        with pytest.raises(ValueError):
            record_progress(learner, course.lessons[0], "liked")
        with pytest.raises(ValueError):
            record_progress(learner, course.lessons[0], "passed", result=[1])
        assert events() == 0


def test_lesson_state_counts_attempts_and_keeps_the_score(app, world):
    """Failed and passed tries count as attempts; the last score is kept; passing completes."""
    with app.app_context():
        course, learner = b.course("c", 1), b.user("learner")
        lesson = course.lessons[0]
        record_progress(learner, lesson, "failed", result={"score": {"scaled": 0.4}})
        state = state_of(LessonState, user_id=learner.id, lesson_id=lesson.id)
        assert (state.status, state.attempts, state.score) == ("in_progress", 1, 0.4)
        record_progress(learner, lesson, "passed", result={"score": 0.9, "success": True})
        state = state_of(LessonState, user_id=learner.id, lesson_id=lesson.id)
        assert (state.status, state.attempts, state.score) == ("completed", 2, 0.9)
        assert state_of(CourseState, user_id=learner.id, course_id=course.id).percent == 100


# --- completion rule and listeners -----------------------------------------------------------


class SignOffRule:
    """Like the assignment plugin: 'submitted' is not enough, 'approved' is."""

    @hookimpl
    def lms_lesson_is_complete(self, user, lesson, state):
        if lesson.type == "assignment":
            return state.signed_off
        return None


def test_completion_rule_from_a_plugin_is_asked_first(app, world):
    """A plugin's rule decides for its lesson type; 'approved' then completes the lesson."""
    get_pm(app).register(SignOffRule(), name="sign-off-rule")
    with app.app_context():
        course, learner = b.course("c", 1, lesson_type="assignment"), b.user("learner")
        lesson = course.lessons[0]
        record_progress(learner, lesson, "completed")
        record_progress(learner, lesson, "submitted", key="s1")
        assert state_of(LessonState, user_id=learner.id, lesson_id=lesson.id).status == "in_progress"
        record_progress(learner, lesson, "approved", key="s1")
        state = state_of(LessonState, user_id=learner.id, lesson_id=lesson.id)
        assert state.status == "completed" and state.signed_off


class Listener:
    def __init__(self, fail: bool):
        self.fail, self.seen = fail, []

    @hookimpl
    def lms_progress_recorded(self, event):
        self.seen.append((event.verb, event.id))
        if self.fail:
            raise RuntimeError("listener broke")


def test_listeners_run_after_commit_and_a_failing_one_is_logged(app, world, caplog):
    """A raising listener is logged with its plugin's name; the event and other listeners survive."""
    broken, working = Listener(fail=True), Listener(fail=False)
    pm = get_pm(app)
    pm.register(broken, name="broken-listener")
    pm.register(working, name="working-listener")
    with app.app_context():
        course, learner = b.course("c", 1), b.user("learner")
        with caplog.at_level(logging.ERROR):
            event = record_progress(learner, course.lessons[0], "completed")
        assert "broken-listener" in caplog.text
        assert broken.seen == working.seen == [("completed", event.id)]
        assert events() == 1
        record_progress(learner, course.lessons[0], "completed")  # a repeat notifies nobody
        assert len(working.seen) == 1


# --- tracks ------------------------------------------------------------------------------------


def _route():
    basis, parallel = b.course("basis", 1, title="Basis"), b.course("parallel", 1, title="Parallel")
    verdieping = b.course("verdieping", 1, title="Verdieping")
    keuze = b.course("keuze", 1)
    route = b.track("route", [basis, parallel, (verdieping, True, ["basis", "parallel"]),
                              (keuze, False, [])],
                    duration_months=24, credential="Bewijs", validity_years=5)
    return route, basis, parallel, verdieping


def _steps(learner, slug="route"):
    from lms.readmodels.pages import track_view
    return {s.slug: s for s in track_view(learner.id, slug, date(2026, 1, 1)).steps}


def test_prerequisites_unlock_and_exemptions_count_as_done(app, world):
    """A course unlocks when its 'after' courses are completed or exempted; electives don't count."""
    with app.app_context():
        route, basis, parallel, verdieping = _route()
        learner, schoolopleider = b.user("learner"), b.user("schoolopleider")
        enrol(learner, track=route)
        steps = _steps(learner)
        assert not steps["basis"].locked and not steps["parallel"].locked  # parallel courses
        assert steps["verdieping"].waiting_for == ["Basis", "Parallel"]
        record_progress(learner, basis.lessons[0], "completed")
        assert _steps(learner)["verdieping"].waiting_for == ["Parallel"]
        grant_exemption(learner, route, parallel, by=schoolopleider, reason="EVC-traject")
        steps = _steps(learner)
        assert not steps["verdieping"].locked and steps["parallel"].status == "exempt"
        audit = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "exemption.grant")).one()
        assert audit.actor_id == schoolopleider.id and audit.detail["reason"] == "EVC-traject"
        state = state_of(TrackState, user_id=learner.id, track_id=route.id)
        assert (state.done_courses, state.required_courses, state.percent) == (2, 3, 66)
        assert state.completed_at is None
        record_progress(learner, verdieping.lessons[0], "completed")
        state = state_of(TrackState, user_id=learner.id, track_id=route.id)
        assert state.status == "completed" and state.percent == 100
        credential = db.session.scalars(select(Credential)).one()
        assert credential.name == "Bewijs" and credential.user_id == learner.id
        assert state_of(Enrolment, user_id=learner.id, track_id=route.id).status == "completed"


def test_exemption_needs_a_reason_and_a_course_of_the_track(app, world):
    """An exemption without reason, or for a course outside the track, is refused."""
    with app.app_context():
        route, basis, *_ = _route()
        outside = b.course("elders", 1)
        learner, by = b.user("learner"), b.user("schoolopleider")
        with pytest.raises(TrackError):
            grant_exemption(learner, route, basis, by=by, reason="  ")
        with pytest.raises(TrackError):
            grant_exemption(learner, route, outside, by=by, reason="EVC")
        assert db.session.scalar(select(func.count(Exemption.id))) == 0


def test_exemptions_alone_complete_a_track_already_enrolled_or_not(app, world):
    """Exempting every required course completes the track; courses done earlier count at enrolment."""
    with app.app_context():
        course = b.course("een", 1)
        route = b.track("kort", [course], credential="Kort bewijs")
        learner = b.user("learner")
        record_progress(learner, course.lessons[0], "completed")
        enrol(learner, track=route)
        assert state_of(TrackState, user_id=learner.id, track_id=route.id).status == "completed"
        other = b.user("other_learner")
        enrol(other, track=route)
        grant_exemption(other, route, course, by=b.user("coordinator"), reason="Diploma")
        assert state_of(TrackState, user_id=other.id, track_id=route.id).status == "completed"
        assert db.session.scalar(select(func.count(Credential.id))) == 2
        expiry = db.session.scalars(select(Credential.expires_at)).all()
        assert expiry == [None, None]  # no validity: never expires


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 24, date(2026, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),
    (date(2025, 12, 31), 1, date(2026, 1, 31)),
    (date(2025, 8, 15), 24, date(2027, 8, 15)),
])
def test_calendar_months_clamp_to_the_end_of_the_month(start, months, expected):
    """Adding months crosses years and leap days and clamps to the month's last day."""
    assert add_months(start, months) == expected


def test_years_and_validity_status():
    """A credential is valid, expiring within 90 days, or expired after its last day."""
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    expires = date(2026, 3, 1)
    assert validity_status(expires, date(2025, 11, 30)) == "valid"  # 91 days left
    assert validity_status(expires, date(2025, 12, 1)) == "expiring"  # 90 days left
    assert validity_status(expires, date(2026, 3, 1)) == "expiring"
    assert validity_status(expires, date(2026, 3, 2)) == "expired"
    assert validity_status(None, date(2099, 1, 1)) == "valid"


def test_deadline_and_credential_expiry_use_the_local_calendar(app, world):
    """Enrolling late on 31 Dec (UTC) counts from 1 Jan in the Netherlands; leap days clamp."""
    track = SimpleNamespace(duration_months=24)
    assert track_deadline(track, at(2023, 12, 31, 23)) == date(2026, 1, 1)
    assert track_deadline(track, at(2024, 2, 29, 10)) == date(2026, 2, 28)
    assert track_deadline(SimpleNamespace(duration_months=None), at(2024, 2, 29)) is None
    with app.app_context():
        course = b.course("schrikkel", 1)
        route = b.track("schrikkel-route", [course], credential="Bewijs", validity_years=1,
                        duration_months=12)
        learner = b.user("learner")
        enrolment = enrol(learner, track=route, at=at(2024, 2, 29, 9))
        assert enrolment.deadline == date(2025, 2, 28)
        record_progress(learner, course.lessons[0], "completed", timestamp=at(2024, 2, 29, 10))
        credential = db.session.scalars(select(Credential)).one()
        assert credential.expires_at == date(2025, 2, 28)
        assert validity_status(credential.expires_at, date(2025, 1, 1)) == "expiring"
        assert validity_status(credential.expires_at, date(2025, 3, 1)) == "expired"


# --- course edits --------------------------------------------------------------------------------


def test_lesson_row_added_lowers_percentages_but_keeps_completions(app, world):
    """A lesson inserted into a course lowers stored percentages; completions stay."""
    with app.app_context():
        course, learner = b.course("c", 2), b.user("learner")
        route = b.track("r", [course])
        enrol(learner, track=route)
        for lesson in course.lessons:
            record_progress(learner, lesson, "completed")
        b.add_lesson(course, "l3")
        state = state_of(CourseState, user_id=learner.id, course_id=course.id)
        assert (state.completed_lessons, state.required_lessons, state.percent) == (2, 3, 66)
        assert state.completed_at is not None and state.status == "completed"
        assert db.session.scalar(select(func.count(LessonState.id)).where(
            LessonState.status == "completed")) == 2
        assert state_of(TrackState, user_id=learner.id, track_id=route.id).status == "completed"
        optional = b.add_lesson(course, "l4", required=False)
        assert state_of(CourseState, user_id=learner.id, course_id=course.id).percent == 66
        record_progress(learner, optional, "completed")
        assert state_of(CourseState, user_id=learner.id, course_id=course.id).percent == 66


def test_track_progress_follows_lessons_not_only_finished_courses(app, world):
    """A track's percentage is the mean of its courses' percentages, so every lesson counts."""
    with app.app_context():
        first, second, learner = b.course("a", 3), b.course("b", 3), b.user("learner")
        route = b.track("r", [first, second])
        enrol(learner, track=route)

        def track_percent():
            return state_of(TrackState, user_id=learner.id, track_id=route.id).percent

        record_progress(learner, first.lessons[0], "completed")
        assert track_percent() == 16  # (33 + 0) / 2
        for lesson in first.lessons[1:]:
            record_progress(learner, lesson, "completed")
        assert track_percent() == 50
        record_progress(learner, second.lessons[0], "completed")
        assert track_percent() == 66  # (100 + 33) / 2
        b.add_lesson(second, "l4")  # a course edit moves the track too
        assert track_percent() == 62  # (100 + 25) / 2


def test_archiving_the_last_open_lesson_completes_the_course(app, world):
    """When the only lesson left is archived, the course counts as completed."""
    with app.app_context():
        course, learner = b.course("c", 2), b.user("learner")
        record_progress(learner, course.lessons[0], "completed")
        course.lessons[1].archived = True
        content_changed(courses=[course.id])
        db.session.commit()
        state = state_of(CourseState, user_id=learner.id, course_id=course.id)
        assert state.percent == 100 and state.status == "completed"


def test_reimport_with_a_new_lesson_updates_percentages(app, world, tmp_path):
    """Re-importing a course with an extra lesson file lowers percentages, keeping completions."""
    tree = tmp_path / "courses"
    shutil.copytree(EXAMPLE, tree)
    with app.app_context():
        import_directory(tree)
        course = db.session.scalar(select(Course).where(Course.slug == "goed-van-start"))
        learner = b.user("learner")
        route = db.session.scalar(select(Track).where(Track.slug == "inductie-starters"))
        enrol(learner, track=route)
        for lesson in course.active_lessons:
            record_progress(learner, lesson, "completed")
        before = state_of(CourseState, user_id=learner.id, course_id=course.id)
        assert before.percent == 100
        (tree / "goed-van-start" / "03-nieuw.md").write_text(
            "---\nid: nieuw\ntitle: Nieuwe les\ntype: page\nminutes: 5\n---\nNieuwe tekst.\n")
        import_directory(tree)
        after = state_of(CourseState, user_id=learner.id, course_id=course.id)
        total = db.session.scalar(
            select(func.count(Lesson.id)).where(Lesson.course_id == course.id,
                                                Lesson.archived.is_(False)))
        assert after.required_lessons == total and after.completed_lessons == total - 1
        assert after.percent == (100 * (total - 1)) // total and after.completed_at is not None
        assert refresh_course_states([course.id]) == 0  # already up to date


def _lesson_file(tree, course: str, slug: str) -> None:
    write(tree / course / f"{slug}.md",
          f"---\nid: {slug}\ntitle: Les {slug}\ntype: page\nminutes: 5\n---\nTekst.\n")


def _route_file(tree, courses: list[str]) -> None:
    entries = "".join(f"  - course: {c}\n    required: true\n" for c in courses)
    write(tree / "tracks" / "route.md", f"---\nid: route\ntitle: Route\nsummary: Een route.\n"
          f"language: nl\ncourses:\n{entries}---\nDe route.\n")


def test_reimports_that_add_and_remove_required_lessons_keep_progress_right(app, world, tmp_path):
    """Each re-import recounts the learner's course and track: a required lesson added lowers
    them, a course added to the track halves it, removing the open lessons completes the
    course; nothing but the import is called."""
    tree = tmp_path / "courses"
    for slug in ("a", "b"):
        write(tree / slug / "course.md", f"---\nid: {slug}\ntitle: Cursus {slug}\nsummary: "
              f"Over {slug}.\nlanguage: nl\n---\nIntro.\n")
    for course, slug in (("a", "l1"), ("a", "l2"), ("b", "b1")):
        _lesson_file(tree, course, slug)
    _route_file(tree, ["a"])
    with app.app_context():
        import_directory(tree)
        learner = b.user("learner")
        course = db.session.scalar(select(Course).where(Course.slug == "a"))
        route = db.session.scalar(select(Track).where(Track.slug == "route"))
        enrol(learner, track=route)
        record_progress(learner, b.lesson(course, "l1"), "completed")

        def percents():
            db.session.expire_all()
            course_state = state_of(CourseState, user_id=learner.id, course_id=course.id)
            track_state = state_of(TrackState, user_id=learner.id, track_id=route.id)
            return course_state.percent, course_state.status, track_state.percent

        assert percents() == (50, "in_progress", 50)
        _lesson_file(tree, "a", "l3")  # a required lesson more
        import_directory(tree)
        assert percents() == (33, "in_progress", 33)
        _route_file(tree, ["a", "b"])  # the track asks for a second course
        import_directory(tree)
        assert percents() == (33, "in_progress", 16)
        (tree / "a" / "l2.md").unlink()  # the open lessons go: the course is done
        (tree / "a" / "l3.md").unlink()
        import_directory(tree)
        assert percents() == (100, "completed", 50)
        assert db.session.scalar(select(Enrolment.status).where(
            Enrolment.user_id == learner.id, Enrolment.track_id == route.id)) == "active"
