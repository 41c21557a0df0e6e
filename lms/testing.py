"""The Leerpad test kit: a pytest plugin for plugin developers and for Leerpad's own suite.

Installed with Leerpad and registered through the ``pytest11`` entry point, so any test run
in an environment with Leerpad gets these fixtures:

``app_factory(**config)``
    builds apps on this test's own database (a copy of a migrated template on SQLite, or the
    PostgreSQL database in ``LMS_TEST_DATABASE_URL``, emptied after each test).
``app``, ``client``, ``runner``
    one app (CSRF and rate limits off, a cheap password hash, Dutch pages unless a test
    chooses English), its test client and CLI runner.
``world``
    a small world (``World``): a region with two boards and two schools, and one person per
    role (``learner``, ``mentor``, ``schoolopleider``, ``coordinator``, ``author``,
    ``admin``, …) who all log in with ``PASSWORD``.
``auth``
    ``auth.login("mentor")`` / ``auth.logout()`` through the real login form.
``lms_course``
    a small course (``kit-cursus``, three page lessons) imported like real content; lesson
    ids by slug.

Every installed plugin (entry points) is loaded, and the migrations of **all** branch heads
are applied. A plugin in a folder rather than an installed package names its folder by
overriding the session fixture ``lms_config``::

    @pytest.fixture(scope="session")
    def lms_config():
        return {"PLUGINS_DIRS": str(Path(__file__).parent.parent)}
"""
from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from lms.models import Organisation, User

__all__ = ["PASSWORD", "Auth", "World", "add_user", "import_course", "make_world",
           "write_course"]

PASSWORD = "correct horse battery"
PG_URL = os.environ.get("LMS_TEST_DATABASE_URL")
# Test defaults: a cheap password hash (scrypt is tested on its own), no CSRF, no throttle.
TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    "BABEL_DEFAULT_LOCALE": "nl",  # pinned: pages are Dutch unless a test chooses English
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
}


# --- a small world ------------------------------------------------------------------------


@dataclass
class World:
    """Ids of the seeded organisations and people (objects are detached after the fixture)."""

    region: int
    board: int
    other_board: int
    school: int
    other_school: int
    users: dict[str, int]

    def email(self, who: str) -> str:
        return f"{who}@example.org"


def add_user(who: str, roles: list[tuple[str, Organisation]], **fields) -> User:
    """A person ``<who>@example.org`` with ``PASSWORD`` and the given (role, organisation)s."""
    from lms.extensions import db
    from lms.models import RoleAssignment, User

    user = User(email=f"{who}@example.org", name=who.replace("_", " ").title(), **fields)
    user.set_password(PASSWORD)
    db.session.add(user)
    for role, org in roles:
        db.session.add(RoleAssignment(user=user, organisation=org, role=role))
    return user


def make_world() -> World:
    """Seed the world (needs an app context); the mentor guides ``learner``."""
    from lms.extensions import db
    from lms.models import MentorAssignment, Organisation

    region = Organisation(kind="region", name="Regio Testland")
    board = Organisation(kind="board", name="Bestuur Noord", parent=region)
    other_board = Organisation(kind="board", name="Bestuur Zuid", parent=region)
    school = Organisation(kind="school", name="Het Noorderlicht", sector="vo", parent=board)
    other_school = Organisation(kind="school", name="De Zuiderzon", sector="po",
                                parent=other_board)
    db.session.add_all([region, board, other_board, school, other_school])
    people = {
        "learner": add_user("learner", [("learner", school)]),
        "other_learner": add_user("other_learner", [("learner", school)]),
        "far_learner": add_user("far_learner", [("learner", other_school)]),
        "mentor": add_user("mentor", [("mentor", school)]),
        "other_mentor": add_user("other_mentor", [("mentor", school)]),
        "schoolopleider": add_user("schoolopleider", [("schoolopleider", school),
                                                      ("learner", school)]),
        "other_schoolopleider": add_user("other_schoolopleider",
                                         [("schoolopleider", other_school)]),
        "coordinator": add_user("coordinator", [("coordinator", board)]),
        "other_coordinator": add_user("other_coordinator", [("coordinator", other_board)]),
        "author": add_user("author", [("author", region)]),
        "admin": add_user("admin", [("admin", region)]),
    }
    db.session.flush()
    db.session.add(MentorAssignment(mentor=people["mentor"], learner=people["learner"]))
    db.session.add(MentorAssignment(mentor=people["other_mentor"],
                                    learner=people["other_learner"]))
    db.session.commit()
    return World(region.id, board.id, other_board.id, school.id, other_school.id,
                 {k: v.id for k, v in people.items()})


class Auth:
    """Log in and out through the real login form."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, who: str = "learner", password: str = PASSWORD, **kwargs):
        return self.client.post("/inloggen", data={"email": f"{who}@example.org",
                                                "password": password}, **kwargs)

    def logout(self):
        return self.client.post("/uitloggen")


# --- courses --------------------------------------------------------------------------------

KIT_COURSE = {
    "course.md": """
        ---
        id: kit-cursus
        title: Cursus uit de testkit
        audience: [learner]
        hours: 1
        ---
        Een kleine cursus om mee te testen.
        """,
    "01-welkom.md": "---\nid: welkom\ntitle: Welkom\ntype: page\n---\nWelkom.\n",
    "02-verdieping.md": "---\nid: verdieping\ntitle: Verdieping\ntype: page\n---\nMeer.\n",
    "03-afsluiting.md": "---\nid: afsluiting\ntitle: Afsluiting\ntype: page\n---\nKlaar.\n",
}


def write_course(root: Path, files: dict[str, str], folder: str | None = None) -> Path:
    """Write course files (name → text, dedented) into ``root/<folder>``; returns ``root``.
    The folder defaults to the course id found in ``course.md``."""
    if folder is None:
        text = textwrap.dedent(files["course.md"])
        folder = next(line.split(":", 1)[1].strip() for line in text.splitlines()
                      if line.startswith("id:"))
    target = root / folder
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def import_course(app: Flask, root: Path, files: dict[str, str] | None = None) -> dict[str, int]:
    """Write (default: the kit's course) and import a course tree with ``app``'s plugins;
    returns lesson ids by slug."""
    from sqlalchemy import select

    from lms.content.importer import import_directory
    from lms.extensions import db
    from lms.models.content import Lesson

    files = files or KIT_COURSE
    with app.app_context():
        import_directory(write_course(root, files))
        return {slug: id_ for slug, id_ in db.session.execute(select(Lesson.slug, Lesson.id))}


# --- fixtures ------------------------------------------------------------------------------


def _migrate(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")


def _dispose(app: Flask) -> None:
    from lms import changes
    from lms.extensions import db

    changes.close(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # an open connection left behind fails the run (ResourceWarning)


def truncate_all(app: Flask) -> None:
    """Empty every table of ``app``'s metadata (PostgreSQL: between tests)."""
    import sqlalchemy as sa

    from lms.extensions import db

    with app.app_context():
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def lms_config() -> dict[str, Any]:
    """Extra configuration for every app the kit builds (override it in your conftest.py,
    e.g. ``{"PLUGINS_DIRS": "..."}`` for a plugin that is a folder, not an installed package)."""
    return {}


@pytest.fixture(scope="session")
def db_template(tmp_path_factory, lms_config) -> Path | str:
    """Migrate once per session (every branch head); tests start from a copy or a truncation."""
    import sqlalchemy as sa

    from lms import create_app

    base = tmp_path_factory.mktemp("template")
    config = {**TEST_CONFIG, **lms_config, "INSTANCE_PATH": base}
    if PG_URL:
        engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as conn:  # fail, never skip, when the server is missing
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
                conn.commit()
        finally:
            engine.dispose()
        app = create_app({**config, "DATABASE_URL": PG_URL})
        _migrate(app)
        _dispose(app)
        return PG_URL
    path = base / "template.sqlite"
    app = create_app({**config, "DATABASE_URL": f"sqlite:///{path}"})
    _migrate(app)
    _dispose(app)
    return path


@pytest.fixture
def app_factory(tmp_path, db_template, lms_config) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's database; keyword arguments override the test config."""
    from lms import create_app

    if PG_URL:
        url = PG_URL
    else:
        target = tmp_path / "test.sqlite"
        shutil.copy(db_template, target)
        url = f"sqlite:///{target}"
    built: list[Flask] = []

    def factory(**overrides) -> Flask:
        config = {**TEST_CONFIG, **lms_config, "INSTANCE_PATH": tmp_path / "instance",
                  "DATABASE_URL": url, **overrides}
        app = create_app(config)
        built.append(app)
        return app

    yield factory
    if PG_URL and built:
        truncate_all(built[0])
    for app in built:
        _dispose(app)


@pytest.fixture
def app(app_factory) -> Flask:
    """An app with every installed plugin on this test's database."""
    return app_factory()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app) -> World:
    """A region with boards, schools and one person per role (see ``make_world``)."""
    with app.app_context():
        return make_world()


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def lms_course(app, tmp_path) -> dict[str, int]:
    """The kit's course (three page lessons) imported; lesson ids by slug."""
    return import_course(app, tmp_path / "kit-courses")
