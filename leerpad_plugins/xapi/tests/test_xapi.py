"""The xapi plugin against a real LRS (ralph, started by conftest.py): a learner's journey read
back from the LRS, an LRS outage with nothing lost or doubled, two app servers with a worker
each, erasure, and every statement validated by ralph's xAPI models."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Course, Track, TrackCourse, User
from lms.models.content import Lesson
from lms.models.portfolio import HoursEntry
from lms.models.progress import Enrolment, ProgressEvent
from lms.models.records import LearningRecordRow
from lms.tracking import record_progress
from lms.tracking.records import announce_records, hours_logged
from lms.tracking.tracks import enrol, grant_exemption

from leerpad_plugins.assignment import work
from leerpad_plugins.quiz.scoring import take_quiz
from leerpad_plugins.reflection import portfolio
from leerpad_plugins.xapi import delivery
from leerpad_plugins.xapi.statements import Platform
from leerpad_plugins.testing import import_course

FEEDBACK = "Sterk onderbouwd, Anne"
REFLECTION = "Mijn geheime gedachte over 3B"


def _base() -> str:
    return f"https://leerpad-{uuid.uuid4().hex[:10]}.test"


def _xapi_app(app_factory, lrs, **extra):
    base = extra.pop("BASE_URL", None) or _base()
    return app_factory(BASE_URL=base, XAPI_LRS_URL=lrs.url, XAPI_LRS_USERNAME="leerpad",
                       XAPI_LRS_PASSWORD="lrs-geheim", **extra)


def _track(ids: dict[str, int]) -> Track:
    """A track holding the plugins' test course, with a credential."""
    course = db.session.get(Lesson, ids["lezen"]).course
    track = Track(slug="startbekwaam", title="Startbekwaam", summary="", audience=[], sectors=[],
                  credential_name="Bewijs startbekwaam", credential_validity_years=4,
                  intro_html="")
    track.courses.append(TrackCourse(course=course, required=True, after=[], position=1))
    db.session.add(track)
    db.session.commit()
    return track


def journey(app, world, ids: dict[str, int], who: str = "learner") -> str:
    """A learner's way through the test course inside a track: a page, a quiz failed and
    passed, a reflection written and shared, two assignments approved, hours logged; the
    course and track complete and the credential is issued. Returns the enrolment's UUID."""
    with app.app_context():
        lesson = lambda slug: db.session.get(Lesson, ids[slug])  # noqa: E731
        learner = db.session.get(User, world.users[who])
        mentor = db.session.get(User, world.users["mentor"])
        schoolopleider = db.session.get(User, world.users["schoolopleider"])
        track = db.session.scalar(select(Track).where(Track.slug == "startbekwaam")) or _track(ids)
        registration = enrol(learner, track=track).uuid
        record_progress(learner, lesson("lezen"), "experienced")
        record_progress(learner, lesson("lezen"), "completed")
        take_quiz(learner, lesson("toets"), {"hoofdstad": [1], "kleuren": [2]})
        take_quiz(learner, lesson("toets"), {"hoofdstad": [0], "kleuren": [0, 1]})
        entry = portfolio.write_entry(learner, lesson("terugblik"), "moment", REFLECTION)
        portfolio.set_shared(entry, True)
        # every prompt answered: the reflection (and with it the track) is completed
        portfolio.write_entry(learner, lesson("terugblik"), "leerpunt", REFLECTION)
        first = work.submit(learner, lesson("opdracht"), "Mijn lesopzet", None)
        work.decide(mentor, first, True, FEEDBACK)
        final = work.submit(learner, lesson("eindopdracht"), "Mijn eindverslag", None)
        work.decide(schoolopleider, final, True, FEEDBACK)
        hours = HoursEntry(user_id=learner.id, date=first.submitted_at.date(), hours=1.75,
                           category="intervisie", description="Intervisie met collega's")
        db.session.add(hours)
        db.session.flush()
        hours_logged(hours)
        db.session.commit()
        announce_records()
    return registration


def _expected_ids(app) -> set[str]:
    with app.app_context():
        here = delivery.platform()
        return ({here.statement_id("progress", k)
                 for k in db.session.scalars(select(ProgressEvent.idempotency_key))}
                | {here.statement_id("record", k)
                   for k in db.session.scalars(select(LearningRecordRow.key))})


def _wait(condition, seconds: float = 20, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {seconds}s")


def test_every_statement_validates_against_ralphs_xapi_models(app_factory, lrs, world, tmp_path):
    """Each kind of statement the plugin builds is a valid xAPI statement for ralph's pydantic
    models, with a pseudonymous account as actor and no free text anywhere."""
    from ralph.models.xapi.base.statements import BaseXapiStatement

    app = app_factory(BASE_URL=_base(), JOBS_IMMEDIATE=False)  # no LRS: build only
    ids = import_course(app, tmp_path / "courses")
    journey(app, world, ids)
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        track = db.session.scalar(select(Track).where(Track.slug == "startbekwaam"))
        extra = Course(slug="extra", title="Extra", summary="", audience=[], sectors=[],
                       language="nl", hours=1, intro_html="")
        track.courses.append(TrackCourse(course=extra, required=False, after=[], position=2))
        db.session.commit()
        grant_exemption(learner, track, extra, by=db.session.get(User, world.users["admin"]),
                        reason="Eerder behaald op de pabo")
        from lms.mentoring import decide_confirmation
        from lms.models.confirmations import CompetenceConfirmation

        item = CompetenceConfirmation(learner_id=learner.id, mentor_id=world.users["mentor"],
                                      competence="bekwaamheidseisen:pedagogisch")
        db.session.add(item)
        db.session.commit()
        decide_confirmation(item, db.session.get(User, world.users["mentor"]), approve=True,
                            feedback=FEEDBACK)
        here = delivery.platform()
        statements = (delivery.progress_statements(
            list(db.session.scalars(select(ProgressEvent))), set(), here)
            + delivery.record_statements(
                list(db.session.scalars(select(LearningRecordRow))), set(), here))
        email = learner.email
    verbs = {s["verb"]["display"]["en-US"] for s in statements}
    assert verbs >= {"experienced", "completed", "attempted", "failed", "passed", "wrote",
                     "shared", "submitted", "satisfied", "waived", "earned", "logged"}
    for statement in statements:
        BaseXapiStatement.model_validate(statement)
        text = json.dumps(statement)
        assert FEEDBACK not in text and REFLECTION not in text and "pabo" not in text
        assert email not in text and "mbox" not in statement["actor"]
        assert set(statement["verb"]["display"]) == {"en-US", "nl-NL"}
    hours = next(s for s in statements if s["verb"]["display"]["en-US"] == "logged")
    assert hours["result"]["duration"] == "PT1H45M" and "Intervisie met" not in json.dumps(hours)


def test_a_learners_journey_is_read_back_from_the_lrs(app_factory, lrs, world, tmp_path):
    """Every event of a journey is stored once in the LRS, with the right verbs, quiz scores,
    the enrolment's UUID as registration and the deterministic ids."""
    app = _xapi_app(app_factory, lrs)  # TESTING: jobs run where queued (the queue is not tested here)
    ids = import_course(app, tmp_path / "courses")
    registration = journey(app, world, ids)
    stored = lrs.statements(app.config["BASE_URL"])
    assert {s["id"] for s in stored} == _expected_ids(app)
    assert len(stored) == len({s["id"] for s in stored})  # nothing doubled
    verbs = [s["verb"]["display"]["en-US"] for s in stored]
    for verb in ("experienced", "attempted", "wrote", "shared", "submitted", "earned",
                 "logged"):
        assert verb in verbs
    quiz = sorted((s for s in stored if s["verb"]["display"]["en-US"] in ("failed", "passed")),
                  key=lambda s: s["timestamp"])
    assert [(s["verb"]["display"]["en-US"], s["result"]["score"]["scaled"],
             s["result"]["success"]) for s in quiz] == [("failed", 0.0, False),
                                                        ("passed", 1.0, True)]
    lesson_ones = [s for s in stored if "/lessons/" in s["object"]["id"]]
    assert {s["context"]["registration"] for s in lesson_ones} == {registration}
    base = app.config["BASE_URL"]
    assert quiz[0]["object"]["id"] == f"{base}/xapi/courses/plugintest/lessons/toets"
    assert quiz[0]["context"]["contextActivities"]["parent"][0]["id"] == \
        f"{base}/xapi/courses/plugintest"
    assert quiz[0]["context"]["contextActivities"]["grouping"][0]["id"] == \
        f"{base}/xapi/tracks/startbekwaam"
    track_done = [s for s in stored if s["object"]["id"] == f"{base}/xapi/tracks/startbekwaam"]
    assert [s["verb"]["id"] for s in track_done] == ["http://adlnet.gov/expapi/verbs/completed"]
    assert FEEDBACK not in json.dumps(stored) and REFLECTION not in json.dumps(stored)
    # Sending it all again (a backfill) stores nothing new.
    with app.app_context():
        delivery.backfill()
        delivery.deliver("default")
    assert len(lrs.statements(base)) == len(stored)


def test_no_lrs_configured_means_nothing_is_sent_and_serving_is_allowed(app_factory, world,
                                                                        tmp_path):
    """Without XAPI_LRS_URL the plugin stays quiet: events are recorded, nothing is queued,
    and `lms serve` is not refused."""
    from lms.plugins import missing_serve_settings

    app = app_factory(JOBS_IMMEDIATE=False)
    ids = import_course(app, tmp_path / "courses")
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        record_progress(learner, db.session.get(Lesson, ids["lezen"]), "completed")
        from lms.jobs import pending_count

        assert pending_count() == 0
        assert delivery.status() == []
        assert missing_serve_settings(app) == []


class Worker:
    """``lms worker`` for one app (its instance folder: its own SQLite queue)."""

    def __init__(self, app, lrs):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env.update({"LMS_DATABASE_URL": app.config["DATABASE_URL"],
                    "LMS_INSTANCE_PATH": app.instance_path,
                    "LMS_SECRET_KEY": app.config["SECRET_KEY"],
                    "LMS_BASE_URL": app.config["BASE_URL"], "LMS_XAPI_LRS_URL": lrs.url,
                    "LMS_XAPI_LRS_USERNAME": "leerpad", "LMS_XAPI_LRS_PASSWORD": "lrs-geheim",
                    "LMS_JOBS_IMMEDIATE": "false", "LMS_JOBS_POLL_SECONDS": "0.1"})
        self.log = Path(app.instance_path) / f"worker-{time.monotonic_ns()}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "lms.commands.worker",
                                          "--no-periodic"], env=env, stdout=out,
                                         stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def workers():
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def test_an_lrs_outage_loses_nothing_doubles_nothing_and_costs_the_learner_nothing(
        app_factory, lrs, world, tmp_path, workers):
    """With the LRS down, learners' actions take no longer and fail nothing; when it is back,
    the worker delivers every event recorded meanwhile, once, with no gap."""
    app = _xapi_app(app_factory, lrs, JOBS_IMMEDIATE=False)
    base = app.config["BASE_URL"]
    ids = import_course(app, tmp_path / "courses")
    workers.append(Worker(app, lrs))
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        record_progress(learner, db.session.get(Lesson, ids["lezen"]), "experienced")
    _wait(lambda: len(lrs.statements(base)) == 1, what="the first statement")
    lrs.stop()
    try:
        with app.app_context():
            learner = db.session.get(User, world.users["learner"])
            started = time.monotonic()
            record_progress(learner, db.session.get(Lesson, ids["lezen"]), "completed")
            take_quiz(learner, db.session.get(Lesson, ids["toets"]),
                      {"hoofdstad": [0], "kleuren": [0, 1]})
            assert time.monotonic() - started < 2  # no waiting on the LRS
        with app.app_context():
            _wait(lambda: (delivery.status()[0].last_error or ""), seconds=15,
                  what="the failed delivery")
            assert delivery.status()[0].waiting >= 3
    finally:
        lrs.start()
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        record_progress(learner, db.session.get(Lesson, ids["terugblik"]), "experienced")
    expected = _expected_ids(app)
    _wait(lambda: {s["id"] for s in lrs.statements(base)} == expected, seconds=30,
          what="every statement after the outage")
    stored = lrs.statements(base)
    assert len(stored) == len(expected)
    with app.app_context():
        row = delivery.status()[0]
        assert row.waiting == 0 and row.last_error is None


def test_two_app_servers_with_a_worker_each_send_each_event_once(app_factory, lrs, world,
                                                                 tmp_path, workers):
    """Two app instances (own instance folders and queues) on one database, each with its own
    worker, record events side by side: the LRS holds exactly one statement per event."""
    base = _base()
    one = _xapi_app(app_factory, lrs, BASE_URL=base, JOBS_IMMEDIATE=False,
                    INSTANCE_PATH=tmp_path / "one")
    two = _xapi_app(app_factory, lrs, BASE_URL=base, JOBS_IMMEDIATE=False,
                    INSTANCE_PATH=tmp_path / "two")
    ids = import_course(one, tmp_path / "courses")
    workers.extend([Worker(one, lrs), Worker(two, lrs)])
    for round_ in range(3):
        for app, who in ((one, "learner"), (two, "other_learner")):
            with app.app_context():
                person = db.session.get(User, world.users[who])
                for slug in ("lezen", "terugblik", "toets"):
                    record_progress(person, db.session.get(Lesson, ids[slug]), "experienced",
                                    key=f"round-{round_}")
    expected = _expected_ids(one)
    assert len(expected) == 18
    _wait(lambda: {s["id"] for s in lrs.statements(base)} == expected, seconds=30,
          what="every statement")
    time.sleep(1)  # a late second delivery would show now
    stored = lrs.statements(base)
    assert len(stored) == len(expected)


def test_erasing_a_learner_voids_what_was_sent_and_sends_nothing_more(app_factory, lrs, world,
                                                                      tmp_path):
    """After a learner is erased, every statement sent about them is voided in the LRS (a
    voiding statement per statement) and nothing new is sent about them; others go on."""
    from lms.privacy.erase import erase_person

    app = _xapi_app(app_factory, lrs)
    base = app.config["BASE_URL"]
    ids = import_course(app, tmp_path / "courses")
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        other = db.session.get(User, world.users["other_learner"])
        for slug in ("lezen", "terugblik"):
            record_progress(learner, db.session.get(Lesson, ids[slug]), "completed")
        record_progress(other, db.session.get(Lesson, ids["lezen"]), "completed")
        sent_about_learner = {s["id"] for s in lrs.statements(base)
                              if s["actor"]["account"]["name"]
                              == delivery.platform().pseudonym(learner.id)}
        assert len(sent_about_learner) == 2
        erase_person(learner, by=db.session.get(User, world.users["admin"]))
        delivery.sweep()  # what the worker runs every minute
        learner = db.session.get(User, world.users["learner"])
        record_progress(learner, db.session.get(Lesson, ids["toets"]), "experienced")
        record_progress(other, db.session.get(Lesson, ids["terugblik"]), "completed")
    stored = lrs.statements(base)
    voided = {s["object"]["id"] for s in stored
              if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"}
    assert voided == sent_about_learner
    pseudonyms = [s["actor"]["account"]["name"] for s in stored
                  if s["verb"]["id"] != "http://adlnet.gov/expapi/verbs/voided"]
    with app.app_context():
        here = delivery.platform()
        assert pseudonyms.count(here.pseudonym(world.users["learner"])) == 2  # nothing new
        assert pseudonyms.count(here.pseudonym(world.users["other_learner"])) == 2


def test_status_command_backfill_and_the_admin_page(app_factory, lrs, world, tmp_path):
    """`lms xapi backfill --now` sends history, `lms xapi status` shows counts and lag, and
    only administrators see the xAPI page."""
    from lms.testing import PASSWORD

    from leerpad_plugins.xapi.commands import xapi_group

    app = _xapi_app(app_factory, lrs, JOBS_IMMEDIATE=False)  # queued, not sent: history
    ids = import_course(app, tmp_path / "courses")
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        for slug in ("lezen", "toets", "terugblik"):
            record_progress(learner, db.session.get(Lesson, ids[slug]), "experienced")
    runner = app.test_cli_runner()
    before = runner.invoke(xapi_group, ["status"])
    assert "sent 0, waiting 3" in before.output, before.output
    result = runner.invoke(xapi_group, ["backfill", "--since", "2020-01-01", "--now"])
    assert "default: 3 statement(s) sent." in result.output, result.output
    after = runner.invoke(xapi_group, ["status"])
    assert "sent 3, waiting 0, lag -" in after.output
    assert len(lrs.statements(app.config["BASE_URL"])) == 3
    client = app.test_client()
    client.post("/inloggen", data={"email": "coordinator@example.org", "password": PASSWORD})
    assert client.get("/plugins/xapi/").status_code == 403
    client.post("/uitloggen")
    client.post("/inloggen", data={"email": "admin@example.org", "password": PASSWORD})
    page = client.get("/plugins/xapi/")
    assert page.status_code == 200 and lrs.url in page.get_data(as_text=True)


def test_each_lrs_has_its_own_cursor_and_a_down_one_holds_up_nobody(app_factory, lrs, world,
                                                                     tmp_path):
    """With two LRSs configured (XAPI_LRS_URL and XAPI_LRSS), the one that answers gets every
    statement while the one that is down keeps its events waiting, with its error shown."""
    import socket

    from lms.jobs import enqueue

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}/xAPI/"
    app = _xapi_app(app_factory, lrs, XAPI_LRSS=[{"name": "regio", "url": down,
                                                  "username": "x", "password": "y"}])
    ids = import_course(app, tmp_path / "courses")
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        for slug in ("lezen", "toets"):
            record_progress(learner, db.session.get(Lesson, ids[slug]), "experienced")
        enqueue("xapi.deliver", "regio")
        rows = {row.name: row for row in delivery.status()}
    assert len(lrs.statements(app.config["BASE_URL"])) == 2
    assert rows["default"].sent == 2 and rows["default"].waiting == 0
    assert rows["regio"].sent == 0 and rows["regio"].waiting == 2
    assert "ConnectionRefusedError" in rows["regio"].last_error


def test_with_mbox_turned_on_the_actor_is_the_address(app_factory, lrs, world, tmp_path):
    """XAPI_ACTOR_MBOX identifies the learner by e-mail address and name (a valid Agent)."""
    from ralph.models.xapi.base.statements import BaseXapiStatement

    app = app_factory(BASE_URL=_base(), XAPI_ACTOR_MBOX=True, JOBS_IMMEDIATE=False)
    ids = import_course(app, tmp_path / "courses")
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        event = record_progress(learner, db.session.get(Lesson, ids["lezen"]), "completed")
        statement = delivery.progress_statements([event], set(), delivery.platform())[0]
    BaseXapiStatement.model_validate(statement)
    assert statement["actor"] == {"objectType": "Agent", "mbox": "mailto:learner@example.org",
                                  "name": "Learner"}


def test_the_erasure_hook_stops_and_voids_too(app_factory, lrs, world, tmp_path):
    """When the core erases through lms_erase_personal_data, the plugin notes the person in
    the same transaction; the next delivery voids what was sent and sends nothing new."""
    from lms.plugins import get_pm

    app = _xapi_app(app_factory, lrs)
    base = app.config["BASE_URL"]
    ids = import_course(app, tmp_path / "courses")
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        first = record_progress(learner, db.session.get(Lesson, ids["lezen"]), "completed")
        get_pm().hook.lms_erase_personal_data(user=learner)
        db.session.commit()
        record_progress(learner, db.session.get(Lesson, ids["toets"]), "experienced")
        sent_id = delivery.platform().statement_id("progress", first.idempotency_key)
    stored = lrs.statements(base)
    assert [s["id"] for s in stored if s["verb"]["display"]["en-US"] != "voided"] == [sent_id]
    assert [s["object"]["id"] for s in stored
            if s["verb"]["display"]["en-US"] == "voided"] == [sent_id]
