"""Data rights: export of everything a person wrote, erasure, retention review, the audit log."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from lms.commands.privacy import privacy_group
from lms.extensions import db
from lms.models import (AuditEvent, DevelopmentGoal, HoursEntry, LessonState, TrackState, User)
from lms.models.base import utcnow
from lms.models.confirmations import CompetenceConfirmation
from lms.models.privacy import ERASED_NAME, PrivacyStatus
from lms.tracking import record_progress
from tests import builders
from tests.supervision_data import (MARKER, confirmation_request, login_as, seed_school,
                                    seed_written_work)

OTHER_MARKER = "ANDERMANS-9c1d-TEKST"


def _seed(app, world):
    with app.app_context():
        seeded = seed_school(world, 6)
        seed_school(world, 3, prefix="buur", marker=OTHER_MARKER)
        learner = db.session.get(User, world.users["learner"])
        course = builders.course("eigen", 2)
        record_progress(learner, course.lessons[0], "completed")
        db.session.add(HoursEntry(user_id=learner.id, date=utcnow().date(), hours=3,
                                  category="studiedag", description=f"Studiedag {MARKER}"))
        db.session.add(DevelopmentGoal(user_id=learner.id, title=f"Doel {MARKER}"))
        db.session.commit()
        confirmation_request(learner.id, world.users["mentor"])
        confirmation_request(world.users["other_learner"], world.users["other_mentor"],
                             marker=OTHER_MARKER)
        return seeded


def _export(client) -> tuple[dict, zipfile.ZipFile]:
    response = client.post("/account/gegevens/download")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return json.loads(archive.read("data.json")), archive


def test_export_holds_everything_i_wrote_and_nothing_of_others(app, client, world):
    """The zip has my hours, goals, requests and progress, and no one else's texts or secrets."""
    _seed(app, world)
    login_as(client, "learner")
    assert client.get("/account/gegevens").status_code == 200
    data, archive = _export(client)
    raw = archive.read("data.json").decode()
    assert data["account"]["email"] == "learner@example.org"
    tables = data["tables"]
    assert [h["description"] for h in tables["hours_entry"]] == [f"Studiedag {MARKER}"]
    assert tables["development_goal"][0]["title"] == f"Doel {MARKER}"
    assert tables["competence_confirmation"][0]["note"] == f"Bewijs: {MARKER}"
    assert {s["status"] for s in tables["lesson_state"]} == {"completed"}
    assert tables["progress_event"][0]["verb"] == "completed"
    assert OTHER_MARKER not in raw
    assert "Deelnemer" not in raw  # other learners' names
    assert "password" not in raw and "scrypt" not in raw
    mine = {row["user_id"] for table in ("hours_entry", "lesson_state") for row in tables[table]}
    assert mine == {world.users["learner"]}


def test_mentor_export_leaves_out_their_learners_requests(app, client, world):
    """A mentor's export does not contain what their learners wrote to them."""
    _seed(app, world)
    login_as(client, "mentor")
    data, archive = _export(client)
    assert MARKER not in archive.read("data.json").decode()
    assert "competence_confirmation" not in data["tables"]


def _aggregates(app, world):
    from lms.reports.coordinator import coordinator_report

    with app.app_context():
        report = coordinator_report(world.board, utcnow().date(), cycle_years=4, benchmark=160)
        states = db.session.scalar(sa.select(sa.func.count(LessonState.id)))
        tracks = db.session.scalar(sa.select(sa.func.count(TrackState.id)))
    return (report.programmes, report.tracks, report.progress, report.risk, report.hours,
            report.credentials, report.schools, states, tracks)


def test_erase_removes_personal_data_and_keeps_aggregates(app, client, world):
    """After erasure no personal field remains, texts are gone, and the reports count the same."""
    seeded = _seed(app, world)
    victim = seeded.learners[1]  # has hours (with a description), a track and progress
    with app.app_context():
        confirmation_request(victim, world.users["mentor"])
        db.session.add(DevelopmentGoal(user_id=victim, title=f"Weg {MARKER}"))
        db.session.commit()
    before = _aggregates(app, world)
    login_as(client, "admin")
    with app.app_context():
        email = db.session.get(User, victim).email
    wrong = client.post(f"/beheer/privacy/{victim}/verwijderen", data={"confirm": "nope"})
    assert wrong.status_code == 200
    done = client.post(f"/beheer/privacy/{victim}/verwijderen", data={"confirm": email})
    assert done.status_code == 302
    with app.app_context():
        person = db.session.get(User, victim)
        assert person.name == ERASED_NAME
        assert person.email != email and person.email.endswith(".invalid")
        assert person.password_hash is None and person.active is False
        assert db.session.get(PrivacyStatus, victim).erased_at is not None
        assert db.session.scalars(sa.select(DevelopmentGoal).where(
            DevelopmentGoal.user_id == victim)).all() == []
        hours = db.session.scalars(sa.select(HoursEntry).where(HoursEntry.user_id == victim)).all()
        assert hours and all(h.description == "" and h.hours > 0 for h in hours)
        notes = db.session.scalars(sa.select(CompetenceConfirmation.note).where(
            CompetenceConfirmation.learner_id == victim)).all()
        assert notes == [""]
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "person.erase", AuditEvent.subject_id == victim)) == 1
    assert _aggregates(app, world) == before
    client.post("/uitloggen")
    assert client.post("/inloggen", data={"email": email, "password": "x"}).status_code == 200


def test_only_admins_erase_and_nobody_erases_themselves(app, client, world):
    """Mentors, schoolopleiders and coordinators cannot erase; an admin cannot erase themselves."""
    target = world.users["learner"]
    for who in ("mentor", "schoolopleider", "coordinator", "learner"):
        login_as(client, who)
        assert client.post(f"/beheer/privacy/{target}/verwijderen",
                           data={"confirm": "learner@example.org"}).status_code == 403
        assert client.get("/beheer/privacy").status_code == 403
        assert client.get("/beheer/auditlog").status_code == 403
        client.post("/uitloggen")
    login_as(client, "admin")
    client.post(f"/beheer/privacy/{world.users['admin']}/verwijderen",
                data={"confirm": "admin@example.org"})
    with app.app_context():
        assert db.session.get(User, world.users["admin"]).active is True
        assert db.session.get(User, target).name == "Learner"


def test_inactive_accounts_are_flagged_for_review(app, client, world):
    """Accounts unused for longer than RETENTION_DAYS appear on the admin's review list."""
    with app.app_context():
        old = db.session.get(User, world.users["far_learner"])
        old.created_at = utcnow() - timedelta(days=900)
        old.last_login_at = utcnow() - timedelta(days=800)
        db.session.commit()
    result = app.test_cli_runner().invoke(privacy_group, ["flag-inactive"])
    assert "1 account(s) newly flagged" in result.output, result.output
    again = app.test_cli_runner().invoke(privacy_group, ["flag-inactive"])
    assert "0 account(s) newly flagged" in again.output
    login_as(client, "admin")
    page = client.get("/beheer/privacy").get_data(as_text=True)
    assert "Far Learner" in page and "Other Learner" not in page
    client.post(f"/beheer/privacy/{world.users['far_learner']}/bewaren")
    assert "Far Learner" not in client.get("/beheer/privacy").get_data(as_text=True)


def test_admin_reads_who_viewed_whose_data(app, client, world):
    """The audit log shows a mentor's look at a learner to an admin."""
    login_as(client, "mentor")
    client.get(f"/begeleiding/deelnemer/{world.users['learner']}")
    client.post("/uitloggen")
    login_as(client, "admin")
    page = client.get(f"/beheer/auditlog?persoon={world.users['learner']}").get_data(as_text=True)
    assert "personal_data.view" in page and "Mentor" in page and "mentor.learner" in page


def test_export_includes_reflections_submissions_and_uploaded_files(app, client, world):
    """Reflections (private and shared), submissions and the uploaded file are in my zip."""
    with app.app_context():
        seed_written_work(app, world.users["learner"])
        seed_written_work(app, world.users["other_learner"], marker=OTHER_MARKER)
    login_as(client, "learner")
    data, archive = _export(client)
    # Plugin data comes through the plugins' own lms_personal_data answers.
    assert "reflection_entry" not in data["tables"]
    texts = sorted(e["text"] for e in data["plugins"]["reflection"]["entries"])
    assert texts == [f"Gedeeld {MARKER}", f"Privé {MARKER}"]
    submission = data["plugins"]["assignment"]["submissions"][0]
    assert submission["text"] == f"Opdracht {MARKER}"
    assert archive.read(submission["file"]["file"]).startswith(b"%PDF-1.4")
    assert submission["file"]["file"].endswith("verslag.pdf")
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert OTHER_MARKER.encode() not in everything


def test_erase_deletes_reflections_and_submitted_work(app, client, world):
    """Erasing a learner deletes their reflections and empties their submissions and files,
    while the lesson progress the reports count stays."""
    with app.app_context():
        seed_written_work(app, world.users["learner"])
        states = db.session.scalar(sa.select(sa.func.count(LessonState.id)).where(
            LessonState.user_id == world.users["learner"]))
    login_as(app.test_client(), "learner")  # a login leaves a session row behind
    login_as(client, "admin")
    client.post(f"/beheer/privacy/{world.users['learner']}/verwijderen",
                data={"confirm": "learner@example.org"})
    with app.app_context():
        tables = db.metadata.tables
        entries = tables["reflection_entry"]
        subs = tables["assignment_submission"]
        assert db.session.execute(sa.select(entries)).all() == []
        row = db.session.execute(sa.select(subs)).mappings().one()
        assert (row["text"], row["file_data"], row["file_name"]) == ("", None, None)
        assert row["status"] == "submitted"
        assert db.session.scalar(sa.select(sa.func.count(LessonState.id)).where(
            LessonState.user_id == world.users["learner"])) == states
        sessions = tables["login_session"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(sessions).where(
            sessions.c.user_id == world.users["learner"])) == 0


def test_account_page_links_to_the_data_download(client, world):
    """A teacher finds the download of all their data from their account page."""
    login_as(client, "learner")
    assert "/account/gegevens" in client.get("/account").get_data(as_text=True)
