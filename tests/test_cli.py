"""The ``lms`` command line as an operator uses it: migrate, demo data, serve."""
from __future__ import annotations

import json
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

from lms import create_app
from lms.content import SHIPPED_COURSES
from lms.demo import PEOPLE, create_demo_data
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
    """`lms db upgrade` creates the whole schema, naming the revisions it applied per branch,
    and a second run says there was nothing to do."""
    outputs = []
    for _ in range(2):
        result = subprocess.run([*_lms_command(), "db", "upgrade"], env=_env(tmp_path),
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert "on branch lms: 0001, 0002, 0003, 0004, 0005" in outputs[0]
    for plugin in ("quiz", "reflection", "assignment"):
        assert f"revision(s) on branch {plugin}: {plugin}_0001" in outputs[0]
    assert outputs[1].strip() == "Database already up to date."
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
    with opener.open(f"{base}/inloggen", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token, "the login form has no CSRF token"
    data = urllib.parse.urlencode({"csrf_token": token[1], "email": email, "password": password})
    with opener.open(f"{base}/inloggen", data=data.encode(), timeout=10) as response:
        return response.url, response.read().decode()


def test_serve_demo_lets_every_printed_login_in(tmp_path):
    """`lms serve --demo` imports the shipped courses, serves the login page and every printed
    login reaches the home page."""
    port = _free_port()
    proc = subprocess.Popen(
        [*_lms_command(), "serve", "--demo", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out, err = _Output(proc.stdout), _Output(proc.stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/inloggen", proc, err)
        logins = _printed_logins(out.text)
        assert len(logins) == len(PEOPLE), out.text
        assert f"Courses from {SHIPPED_COURSES} imported." in out.text
        for email, password in logins:
            url, page = _log_in(base, email, password)
            assert urllib.parse.urlsplit(url).path == "/", (email, url)
            assert "Uitloggen" in page, email
        assert "RATELIMIT_STORAGE" not in err.text  # two workers share the throttle's file
        assert (tmp_path / "instance" / "ratelimit.sqlite").exists()
        assert '"POST /inloggen HTTP/1.1" 302' in out.text  # access log on stdout
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


def test_init_creates_a_working_admin_on_an_empty_database(tmp_path):
    """`lms init` with flags migrates an empty database, creates region → board → school and
    an administrator who can log in; a second run refuses instead of doubling the tree."""
    args = [*_lms_command(), "init", "--region", "Regio Oost", "--board", "Stichting Oost",
            "--school", "De Linde:po", "--admin-email", "beheer@oost.example.org",
            "--admin-name", "Beheer Oost", "--admin-password", "lange-zin-als-wachtwoord"]
    first = subprocess.run(args, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "on branch lms: 0001" in first.stdout
    assert "administrator beheer@oost.example.org" in first.stdout
    again = subprocess.run(args, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already has organisations" in again.stderr

    app = create_app({"INSTANCE_PATH": tmp_path / "instance", "TESTING": True})
    with app.app_context():
        from lms.models import Organisation

        admin = db.session.scalar(select(User).where(User.email == "beheer@oost.example.org"))
        assert admin.is_admin and admin.check_password("lange-zin-als-wachtwoord")
        tree = {(o.kind, o.name, o.sector) for o in db.session.scalars(select(Organisation))}
        db.engine.dispose()
    assert tree == {("region", "Regio Oost", None), ("board", "Stichting Oost", None),
                    ("school", "De Linde", "po")}
    client = app.test_client()
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    response = client.post("/inloggen", data={"email": "beheer@oost.example.org",
                                           "password": "lange-zin-als-wachtwoord"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_init_refuses_a_bad_school_before_touching_the_database(tmp_path):
    """A school without a known sector is a usage error, and no database is created."""
    result = subprocess.run(
        [*_lms_command(), "init", "--region", "R", "--board", "B", "--school", "Zonder sector",
         "--admin-email", "a@b.example.org", "--admin-name", "A", "--admin-password", "x" * 12],
        env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Name:sector" in result.stderr
    assert not (tmp_path / "instance" / "leerpad.sqlite").exists()


def test_version_names_the_distribution():
    """`lms --version` prints Leerpad's own version, not just Flask's."""
    import importlib.metadata

    result = subprocess.run([*_lms_command(), "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.startswith(f"leerpad {importlib.metadata.version('leerpad')} ")


_HELP_AND_MODULES = """
import json, sys
from lms.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_help_lists_plugin_commands_without_loading_the_app(tmp_path):
    """`lms --help` lists the core's and the bundled plugins' commands, yet imports no
    migration tool, no database layer and no plugin: starting the command line stays cheap."""
    result = subprocess.run([sys.executable, "-c", _HELP_AND_MODULES], env=_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    help_text, _, modules_line = result.stdout.rstrip().rpartition("\n")
    commands = {line.split()[0] for line in help_text.split("Commands:")[1].splitlines()
                if line.startswith("  ") and not line.startswith("   ")}
    assert {"courses", "db", "init", "serve", "users", "xapi", "openbadges", "talent"} <= commands
    assert "From the plugin xapi" in help_text
    imported = set(json.loads(modules_line))
    assert not imported & {"alembic", "flask_migrate", "sqlalchemy", "gunicorn",
                           "leerpad_plugins"}


def test_a_listed_plugin_command_runs_as_the_plugin_defines_it(tmp_path):
    """Asking for a plugin's command by name loads the plugins: its own help answers."""
    result = subprocess.run([*_lms_command(), "xapi", "--help"], env=_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "xAPI: delivery of learning records to the configured LRSs." in result.stdout


def test_courses_commands_without_a_folder_say_what_to_set(tmp_path):
    """With no folder named and no LMS_COURSES_DIR, `lms courses import` explains itself."""
    result = subprocess.run([*_lms_command(), "courses", "import"], env=_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "set LMS_COURSES_DIR" in result.stderr and "export-shipped" in result.stderr


def test_export_shipped_copies_a_tree_that_passes_check(tmp_path):
    """`lms courses export-shipped DIR` gives authors the shipped courses as a valid start,
    and refuses to write into a folder that already has files."""
    target = tmp_path / "mijn-cursussen"
    done = subprocess.run([*_lms_command(), "courses", "export-shipped", str(target)],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (target / "goed-van-start" / "course.md").read_text() == (
        SHIPPED_COURSES / "goed-van-start" / "course.md").read_text()
    check = subprocess.run([*_lms_command(), "courses", "check", str(target)],
                           env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "0 error(s)" in check.stdout
    again = subprocess.run([*_lms_command(), "courses", "export-shipped", str(target)],
                           env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "is not empty" in again.stderr
