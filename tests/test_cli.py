"""The ``lms`` command line as an operator uses it: migrate, demo data, serve."""
from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import func, select

from lms.demo import create_demo_data
from lms.extensions import db
from lms.models import MentorAssignment, Organisation, RoleAssignment, User

ROOT = Path(__file__).resolve().parent.parent
LOGIN_ROW = re.compile(r"^(?P<role>.+?)\s{2,}(?P<email>\S+@\S+)\s{2,}(?P<password>\S+)\s*$")


def _lms_command() -> list[str]:
    script = Path(sys.executable).with_name("lms")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from lms.cli import main; sys.exit(main())"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh installation: no LMS_* settings from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _counts() -> dict[str, int]:
    models = (Organisation, User, RoleAssignment, MentorAssignment)
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def test_db_upgrade_on_a_fresh_instance(tmp_path):
    """`lms db upgrade` creates the whole schema in a new instance and can be run again."""
    for _ in range(2):
        result = subprocess.run([*_lms_command(), "db", "upgrade"], env=_env(tmp_path),
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "Database is up to date." in result.stdout
    with sqlite3.connect(tmp_path / "instance" / "leerpad.sqlite") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        versions = conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0]
    assert {"user_account", "organisation", "role_assignment"} <= tables
    assert versions >= 1


def test_demo_data_is_idempotent_and_resets_passwords(app):
    """Creating the demo twice adds nothing new, and only the latest printed passwords work."""
    with app.app_context():
        first = create_demo_data()
        counts = _counts()
        second = create_demo_data()
        assert _counts() == counts
        assert [login.email for login in first] == [login.email for login in second]
        for old, new in zip(first, second):
            user = db.session.scalar(select(User).where(User.email == new.email))
            assert user.check_password(new.password)
            assert not user.check_password(old.password)


def test_demo_covers_every_role(app):
    """The demo region has three schools (po, vo, mbo) and a login for every role."""
    with app.app_context():
        logins = create_demo_data()
        users = db.session.scalars(select(User).where(User.email.in_([x.email for x in logins])))
        roles = set().union(*(user.role_names() for user in users))
        region = db.session.scalar(select(Organisation).where(Organisation.name == "Regio Progressus"))
        sectors = {school.sector for board in region.children for school in board.children}
        mentored = db.session.scalar(select(func.count()).select_from(MentorAssignment))
    assert roles == {"learner", "mentor", "schoolopleider", "coordinator", "author", "admin"}
    assert sectors == {"po", "vo", "mbo"}
    assert mentored == 3


class _Output:
    """Collects a subprocess's output in the background so its pipe never fills up."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _wait_for(url: str, proc: subprocess.Popen, err: _Output, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"lms serve exited with {proc.returncode}:\n{err.text}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds}s:\n{err.text}")


def _printed_logins(text: str) -> list[tuple[str, str]]:
    section = text.split("Demo logins", 1)[1]
    found = []
    for line in section.splitlines():
        match = LOGIN_ROW.match(line)
        if match and match["email"] != "E-MAIL":
            found.append((match["email"], match["password"]))
    return found


def _log_in(base: str, email: str, password: str) -> tuple[str, str]:
    """Log in like a browser: read the form's CSRF token, post, follow the redirect."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{base}/login", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token, "the login form has no CSRF token"
    data = urllib.parse.urlencode({"csrf_token": token[1], "email": email, "password": password})
    with opener.open(f"{base}/login", data=data.encode(), timeout=10) as response:
        return response.url, response.read().decode()


def test_serve_demo_lets_every_printed_login_in(tmp_path):
    """`lms serve --demo` serves the login page and every printed login reaches the home page."""
    courses = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", courses)
    port = _free_port()
    proc = subprocess.Popen(
        [*_lms_command(), "serve", "--demo", "--port", str(port)],
        env=_env(tmp_path, LMS_COURSES_DIR=str(courses)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out, err = _Output(proc.stdout), _Output(proc.stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/login", proc, err)
        logins = _printed_logins(out.text)
        assert len(logins) == 8, out.text
        for email, password in logins:
            url, page = _log_in(base, email, password)
            assert urllib.parse.urlsplit(url).path == "/", (email, url)
            assert "Uitloggen" in page, email
        assert "RATELIMIT_STORAGE=memory://" in err.text  # two workers, no shared throttle
        assert '"POST /login HTTP/1.1" 302' in out.text  # access log on stdout
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.thread.join(5)
        err.thread.join(5)
        proc.stdout.close()
        proc.stderr.close()
