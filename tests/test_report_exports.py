"""Large coordinator exports are prepared by the worker: asked for with a POST, followed on
"My downloads", announced by a notification, handed only to the person who asked, and gone
when they expire or the person is erased. Small ones still download at once."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lms.extensions import db
from lms.models import User
from lms.models.base import utcnow
from lms.models.exports import ReportExport
from lms.models.notifications import Notification
from lms.testing import PASSWORD, make_world
from tests.supervision_data import count_queries
from tests.test_jobs import Worker, _wait

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _login(client, who: str) -> None:
    assert client.post("/inloggen", data={"email": f"{who}@example.org",
                                       "password": PASSWORD}).status_code == 302
    client.post("/taal", data={"lang": "en"})


def _exports(app) -> list[ReportExport]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ReportExport).order_by(ReportExport.id)))


@pytest.fixture
def large(app_factory):
    """An app where every workbook counts as large (more than 0 learners)."""
    app = app_factory(REPORT_EXPORT_QUEUE_LEARNERS=0)
    with app.app_context():
        world = make_world()
    return app, world


def test_a_small_workbook_still_downloads_at_once(app, client, world):
    """Below the threshold the link gives the file straight away and stores nothing."""
    _login(client, "coordinator")
    response = client.get(f"/coordinatie/{world.board}/rapport.xlsx")
    assert response.mimetype == XLSX
    assert "Participants per programme" in load_workbook(io.BytesIO(response.data)).sheetnames
    assert _exports(app) == []


def test_a_large_workbook_is_prepared_and_only_its_owner_gets_it(large):
    """The link explains and offers a button (the GET stores nothing); the POST prepares it
    (at once here: JOBS_IMMEDIATE), the owner is notified and downloads it from My downloads;
    nobody else can, not even an administrator."""
    app, world = large
    client = app.test_client()
    _login(client, "coordinator")
    page = client.get(f"/coordinatie/{world.board}/rapport.xlsx").get_data(as_text=True)
    assert "prepared in the background" in page and "Prepare the download" in page
    assert _exports(app) == []
    answer = client.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen",
                         follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "Your export is ready." in text and "My downloads" in text
    (export,) = _exports(app)
    assert export.status == "ready" and export.locale == "en"
    assert export.expires_at - export.finished_at == timedelta(hours=24)
    download = client.get(f"/coordinatie/downloads/{export.id}")
    assert download.mimetype == XLSX and download.headers["Cache-Control"] == "no-store"
    assert "bestuur-noord" in download.headers["Content-Disposition"]
    assert "Participants per programme" in load_workbook(io.BytesIO(download.data)).sheetnames
    with app.app_context():
        note = db.session.scalar(sa.select(Notification).where(
            Notification.user_id == world.users["coordinator"]))
        assert note.kind == "report_ready" and note.link == "/coordinatie/downloads"
    assert "The report of Bestuur Noord is ready to download." in \
        client.get("/meldingen").get_data(as_text=True)
    for who in ("other_coordinator", "admin"):
        other = app.test_client()
        _login(other, who)
        assert other.get(f"/coordinatie/downloads/{export.id}").status_code == 404
        assert "bestuur-noord" not in other.get("/coordinatie/downloads").get_data(as_text=True)
    learner = app.test_client()
    _login(learner, "learner")
    assert learner.get(f"/coordinatie/downloads/{export.id}").status_code == 403
    assert learner.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen").status_code == 403


def test_another_boards_coordinator_cannot_ask_for_the_workbook(large):
    """Asking for a report one may not see is refused and stores nothing."""
    app, world = large
    client = app.test_client()
    _login(client, "other_coordinator")
    assert client.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen").status_code == 403
    assert _exports(app) == []


def test_an_expired_export_is_gone(large):
    """After its 24 hours the export is neither listed nor downloadable, and the hourly job
    deletes it."""
    from lms.reports.exports import expire_exports

    app, world = large
    client = app.test_client()
    _login(client, "coordinator")
    client.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen")
    (export,) = _exports(app)
    with app.app_context():
        db.session.execute(sa.update(ReportExport).values(expires_at=utcnow()))
        db.session.commit()
    assert client.get(f"/coordinatie/downloads/{export.id}").status_code == 404
    assert "You have no downloads waiting." in \
        client.get("/coordinatie/downloads").get_data(as_text=True)
    with app.app_context():
        assert expire_exports() == 1
    assert _exports(app) == []


def test_a_job_for_someone_no_longer_allowed_makes_nothing(large):
    """A coordinator who lost the role before the worker ran gets no file."""
    from lms.models import RoleAssignment
    from lms.reports.exports import prepare_export

    app, world = large
    with app.app_context():
        db.session.add(ReportExport(user_id=world.users["coordinator"],
                                    organisation_id=world.board, kind="xlsx", locale="nl",
                                    expires_at=utcnow() + timedelta(hours=1)))
        db.session.execute(sa.delete(RoleAssignment).where(
            RoleAssignment.user_id == world.users["coordinator"]))
        db.session.commit()
        export_id = db.session.scalar(sa.select(ReportExport.id))
        assert prepare_export(export_id) == "failed"
        export = db.session.get(ReportExport, export_id)
        assert export.content is None and export.error == "not allowed"


def test_erasing_the_owner_deletes_their_exports(large):
    """Erasure removes the person's prepared files with them."""
    from lms.privacy.erase import erase_person

    app, world = large
    client = app.test_client()
    _login(client, "coordinator")
    client.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen")
    assert len(_exports(app)) == 1
    with app.app_context():
        erase_person(db.session.get(User, world.users["coordinator"]), by=None)
    assert _exports(app) == []


def test_my_downloads_costs_the_same_queries_for_one_export_as_for_three(large):
    """The list reads no files: two queries (the logged-in person, the list), however long."""
    app, world = large
    client = app.test_client()
    _login(client, "coordinator")
    counts = []
    for _ in range(2):
        client.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen")
        client.get("/coordinatie/downloads")
        with count_queries(app) as statements:
            page = client.get("/coordinatie/downloads")
        assert page.status_code == 200
        counts.append(len(statements))
        client.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen")
    assert page.get_data(as_text=True).count("Download</a>") == 3
    assert counts == [2, 2]


def test_a_real_worker_prepares_the_workbook(app_factory, tmp_path):
    """With a queue, the POST answers "being prepared" at once; a separate `lms worker`
    process makes the file, and the page then offers it."""
    app = app_factory(REPORT_EXPORT_QUEUE_LEARNERS=0, JOBS_IMMEDIATE=False)
    with app.app_context():
        world = make_world()
    client = app.test_client()
    _login(client, "coordinator")
    text = client.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen",
                       follow_redirects=True).get_data(as_text=True)
    assert "Your export is being prepared." in text and "Being prepared" in text
    (export,) = _exports(app)
    assert export.status == "queued"
    worker = Worker(app)
    try:
        _wait(lambda: _exports(app)[0].status == "ready", seconds=60,
              what="the prepared workbook", output=worker)
    finally:
        assert worker.stop() == 0
    download = client.get(f"/coordinatie/downloads/{export.id}")
    assert download.mimetype == XLSX
    assert "Participants per programme" in load_workbook(io.BytesIO(download.data)).sheetnames


def test_an_unreachable_queue_says_so(app_factory):
    """When the job cannot be queued (Redis down) the person is told to try later; no 500."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = app_factory(REPORT_EXPORT_QUEUE_LEARNERS=0, JOBS_IMMEDIATE=False,
                      JOBS_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    with app.app_context():
        world = make_world()
    client = app.test_client()
    _login(client, "coordinator")
    answer = client.post(f"/coordinatie/{world.board}/rapport.xlsx/aanvragen",
                         follow_redirects=True)
    assert answer.status_code == 200
    assert "could not be prepared right now" in answer.get_data(as_text=True)
    (export,) = _exports(app)
    assert export.status == "failed"
