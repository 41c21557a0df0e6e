"""Shared fixtures: an app on a migrated database (SQLite, or PostgreSQL when
LMS_TEST_DATABASE_URL is set), a client, a CLI runner and people in every role."""
from __future__ import annotations

import os
import shutil

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.extensions import db
from tests.support import Auth, make_world

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL")


def _migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")


@pytest.fixture(scope="session")
def db_template(tmp_path_factory):
    """Migrate once per session; each test starts from a copy (SQLite) or a truncation (PostgreSQL)."""
    base = tmp_path_factory.mktemp("template")
    if PG_URL:
        engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as conn:  # fail, never skip, when the server is missing
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
                conn.commit()
        finally:
            engine.dispose()
        app = create_app({"INSTANCE_PATH": base, "DATABASE_URL": PG_URL, "TESTING": True})
        _migrate(app)
        with app.app_context():
            db.engine.dispose()  # an open connection left here fails the run (ResourceWarning)
        return PG_URL
    path = base / "template.sqlite"
    app = create_app({"INSTANCE_PATH": base, "DATABASE_URL": f"sqlite:///{path}", "TESTING": True})
    _migrate(app)
    with app.app_context():
        db.engine.dispose()
    return path


def _truncate_all(app) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        names = ", ".join(f'"{t}"' for t in tables)
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_factory(tmp_path, db_template):
    """Build apps on this test's database; extra config overrides the test defaults."""
    if PG_URL:
        url = PG_URL
    else:
        target = tmp_path / "test.sqlite"
        shutil.copy(db_template, target)
        url = f"sqlite:///{target}"
    built = []

    def factory(**overrides):
        config = {
            "INSTANCE_PATH": tmp_path / "instance",
            "DATABASE_URL": url,
            "TESTING": True,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",  # scrypt is tested on its own
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
        config.update(overrides)
        app = create_app(config)
        built.append(app)
        return app

    yield factory
    for app in built:
        if PG_URL:
            _truncate_all(app)
            break
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """A region with a board and two schools, and one person per role."""
    with app.app_context():
        return make_world()


@pytest.fixture
def auth(client):
    return Auth(client)
