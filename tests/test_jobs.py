"""Background jobs: e-mail leaves the request for the queue, a real `lms worker` process runs
it, failures after the last try reach the administrator's page with a retry button, and
`lms serve` brings a worker along and takes it down again."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from lms.extensions import db
from lms.jobs import daily_at, enqueue, get_queue, pending_count
from lms.models import User
from lms.models.jobs import JobFailure
from lms.models.notifications import Notification
from lms.testing import PASSWORD, make_world
from lms.tracking import record_progress
from tests import builders
from tests.test_mail import Inbox

JOBCHECK = Path(__file__).parent / "plugin_fixtures" / "jobcheck_dir"
REDIS_URL = os.environ.get("LMS_TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/9")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition, seconds: float = 20, what: str = "condition", output=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if output is not None and output.proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {seconds}s"
                         + (f":\n{output.output}" if output is not None else ""))


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


class Worker:
    """``lms worker`` in its own process, configured like the test's app (environment)."""

    def __init__(self, app, **extra: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env.update({
            "LMS_DATABASE_URL": app.config["DATABASE_URL"],
            "LMS_INSTANCE_PATH": app.instance_path,
            "LMS_SECRET_KEY": app.config["SECRET_KEY"],
            "LMS_PLUGINS_DIRS": str(app.config.get("PLUGINS_DIRS") or ""),
            "LMS_PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
            "LMS_JOBS_IMMEDIATE": "false",
            "LMS_JOBS_POLL_SECONDS": "0.2",
            **{f"LMS_{k}": str(v) for k, v in app.config.items()
               if k.startswith(("JOBS_", "MAIL_", "XAPI_")) and v not in (None, "")
               and k != "JOBS_IMMEDIATE"},
            **extra,
        })
        self.log = Path(app.instance_path) / f"worker-{time.monotonic_ns()}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "lms.commands.worker"],
                                         env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def start_worker():
    workers: list[Worker] = []

    def start(app, **extra) -> Worker:
        worker = Worker(app, **extra)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def _submit(app, world) -> None:
    """The learner hands in work: their mentor gets a notification (to be e-mailed)."""
    with app.app_context():
        course = builders.course("opdrachten", ["taak"])
        learner = db.session.get(User, world.users["learner"])
        record_progress(learner, builders.lesson(course, "taak"), "submitted")


def test_mail_leaves_the_request_and_a_real_worker_sends_it(app_factory, smtp, start_worker):
    """Handing in work queues the mentor's e-mail instead of sending it in the request; a
    separate `lms worker` process sends it, once, and marks it sent."""
    port, inbox = smtp
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, JOBS_IMMEDIATE=False,
                      BASE_URL="https://leerpad.test")
    with app.app_context():
        world = make_world()
    _submit(app, world)
    assert inbox.messages == []  # nothing was sent inside the learner's request
    with app.app_context():
        assert pending_count() == 1
    worker = start_worker(app)
    _wait(lambda: inbox.messages, what="the mentor's e-mail", output=worker)
    assert [to for to, _ in inbox.messages] == [["mentor@example.org"]]
    with app.app_context():
        _wait(lambda: db.session.scalar(sa.select(Notification.emailed_at)) is not None,
              what="emailed_at")
        assert pending_count() == 0
    assert worker.stop() == 0  # SIGTERM lets it finish and exit cleanly
    assert len(inbox.messages) == 1


def _admin_invites(app, name: str, email: str):
    """The admin invites a learner of the world's school; returns the test client (logged in
    as the admin) and the page that answered."""
    with app.app_context():
        world = make_world()
    client = app.test_client()
    client.post("/inloggen", data={"email": "admin@example.org", "password": PASSWORD})
    page = client.post("/beheer/mensen/nieuw", data={
        "name": name, "email": email, "organisation": world.school,
        "role": "learner"}).get_data(as_text=True)
    return client, page


def test_an_invitation_is_emailed_by_the_worker_not_the_page(app_factory, smtp, start_worker):
    """Inviting someone answers at once with "being sent by e-mail" (no link shown, nothing
    sent yet); the worker e-mails a working link; a job left over for a used invitation
    sends nothing."""
    port, inbox = smtp
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, JOBS_IMMEDIATE=False,
                      BASE_URL="https://leerpad.test")
    client, page = _admin_invites(app, "Wacht Rij", "wacht.rij@example.org")
    assert "wordt per e-mail verstuurd" in page  # the admin sees Dutch (the default)
    assert "/uitnodiging/" not in page
    assert inbox.messages == []
    with app.app_context():
        assert pending_count() == 1
        person = db.session.scalar(sa.select(User).where(User.email == "wacht.rij@example.org"))
        person_id, version = person.id, person.auth_version or 0
    worker = start_worker(app)
    _wait(lambda: inbox.messages, what="the invitation e-mail", output=worker)
    (recipients, message), = inbox.messages
    assert recipients == ["wacht.rij@example.org"]
    link = re.search(r"https://leerpad\.test(/uitnodiging/\S+)", message.get_content())
    assert link, message.get_content()
    client.post("/uitloggen")
    assert client.post(link[1], data={"password": "mijn eigen wachtwoord",
                                      "confirm": "mijn eigen wachtwoord"}).status_code == 302
    with app.app_context():
        assert enqueue("invitation.send", person_id, version, "https://leerpad.test")
        _wait(lambda: pending_count() == 0, what="an empty queue", output=worker)
    time.sleep(1)
    assert len(inbox.messages) == 1
    assert worker.stop() == 0


def test_an_unreachable_queue_shows_the_invitation_link(app_factory):
    """When the invitation e-mail cannot even be queued (Redis down), the inviter is handed the
    link instead, as without a mail server."""
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), JOBS_IMMEDIATE=False,
                      JOBS_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    _, page = _admin_invites(app, "Geen Rij", "geen.rij@example.org")
    assert "/uitnodiging/" in page and "wordt per e-mail verstuurd" not in page


def test_a_job_that_keeps_failing_reaches_the_admin_page_and_can_run_again(
        app_factory, start_worker, tmp_path):
    """A failing job is retried; after its last try the admin page lists it with its error,
    the CSRF-protected retry button queues it once more and the worker then runs it."""
    app = app_factory(PLUGINS_DIRS=str(JOBCHECK), JOBS_IMMEDIATE=False,
                      WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_world()
    target = tmp_path / "out.txt"
    target.with_suffix(".block").write_text("")
    with app.app_context():
        assert enqueue("jobcheck.append", str(target), "hello")
    worker = start_worker(app)
    with app.app_context():
        failure = _wait(lambda: db.session.scalar(sa.select(JobFailure)), seconds=60,
                        what="the job's failure", output=worker)
        assert failure.name == "jobcheck.append" and failure.tries == 2
        assert "RuntimeError: blocked by out.block" in failure.error
        failure_id = failure.id
    client = app.test_client()
    page = client.get("/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    client.post("/inloggen", data={"email": "admin@example.org", "password": PASSWORD,
                                "csrf_token": token})
    page = client.get("/beheer/taken/").get_data(as_text=True)
    assert "jobcheck.append" in page and "RuntimeError: blocked by out.block" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    # Without the CSRF token nothing is queued.
    assert client.post("/beheer/taken/opnieuw", data={"failure": failure_id}).status_code == 400
    target.with_suffix(".block").unlink()
    answer = client.post("/beheer/taken/opnieuw", data={"failure": failure_id,
                                                       "csrf_token": token},
                         follow_redirects=True)
    assert "queued again" in answer.get_data(as_text=True) or \
        "staat weer in de wachtrij" in answer.get_data(as_text=True)
    _wait(lambda: target.exists(), seconds=30, what="the retried job", output=worker)
    # A second click does not queue it twice.
    client.post("/beheer/taken/opnieuw", data={"failure": failure_id, "csrf_token": token})
    time.sleep(1)
    assert target.read_text() == "hello\n"
    with app.app_context():
        assert "jobcheck.append" not in client.get("/beheer/taken/").get_data(as_text=True)


def test_only_admins_see_the_jobs_page(app, client, world, auth):
    """The jobs page and its retry button are for administrators only."""
    auth.login("coordinator")
    assert client.get("/beheer/taken/").status_code == 403
    assert client.post("/beheer/taken/opnieuw", data={"failure": 1}).status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.get("/beheer/taken/").status_code == 200


def test_an_unreachable_queue_costs_the_learner_nothing(app_factory):
    """With Redis down, handing in work still succeeds; the e-mail waits for the periodic
    sweep instead of failing the request."""
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), JOBS_IMMEDIATE=False,
                      JOBS_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    with app.app_context():
        world = make_world()
    started = time.monotonic()
    _submit(app, world)
    assert time.monotonic() - started < 5
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1
        assert pending_count() is None


def test_app_servers_share_one_redis_queue(app_factory):
    """With JOBS_REDIS_URL two app servers put jobs in one queue (one worker can run them)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"leerpad-test-{os.getpid()}-{time.monotonic_ns()}"
    one = app_factory(JOBS_IMMEDIATE=False, JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE_NAME=name)
    two = app_factory(JOBS_IMMEDIATE=False, JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE_NAME=name)
    try:
        with one.app_context():
            assert enqueue("privacy.retention_review")
        with two.app_context():
            assert pending_count() == 1
    finally:
        get_queue(one).flush()


def test_daily_jobs_run_at_dutch_time_all_year():
    """Reminders at 06:00 in the Netherlands: 05:00 UTC in winter, 04:00 UTC in summer."""
    six = daily_at(6, 0)
    assert six(datetime(2026, 1, 15, 5, 0))
    assert not six(datetime(2026, 1, 15, 6, 0))
    assert six(datetime(2026, 7, 15, 4, 0, tzinfo=timezone.utc))
    assert not six(datetime(2026, 7, 15, 4, 1, tzinfo=timezone.utc))


def test_daily_jobs_follow_the_configured_time_zone(app_factory):
    """With TIMEZONE set to UTC the 06:00 reminders run at 06:00 UTC."""
    six = daily_at(6, 0)
    with app_factory(TIMEZONE="UTC").app_context():
        assert six(datetime(2026, 1, 15, 6, 0, tzinfo=timezone.utc))
        assert not six(datetime(2026, 1, 15, 5, 0, tzinfo=timezone.utc))


def test_the_worker_has_the_periodic_jobs(app):
    """Reminders and the retention review are periodic jobs of every worker."""
    with app.app_context():
        queue = get_queue()
        periodic = {task.__name__ for task in queue._registry._periodic_tasks}
    assert {"reminders.daily", "privacy.retention_review", "notify.unsent"} <= periodic


def _children(pid: int) -> list[tuple[int, str]]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            found.append((int(child), cmdline))
    return found


@pytest.mark.parametrize("no_worker", [False, True])
def test_serve_runs_one_worker_and_stops_it(tmp_path, no_worker):
    """`lms serve` starts one job worker beside gunicorn (none with --no-worker), and the
    worker goes when the server stops."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_INSTANCE_PATH": str(tmp_path / "instance"),
                "LMS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    lms = Path(sys.executable).parent / "lms"
    args = [str(lms), "serve", "--port", str(port), "--workers", "1"]
    proc = subprocess.Popen(args + (["--no-worker"] if no_worker else []), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import urllib.request

        def answers():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/inloggen", timeout=2):
                    return True
            except OSError:
                return False

        _wait(answers, seconds=60, what="the login page")
        workers = [pid for pid, cmd in _children(proc.pid) if "lms.commands.worker" in cmd]
        assert len(workers) == (0 if no_worker else 1)
    finally:
        proc.terminate()
        proc.wait(timeout=40)
    for pid in workers:
        _wait(lambda: not Path(f"/proc/{pid}").exists()
              or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2], what="worker gone")
