"""The schema comes only from migrations: models and migrations agree, and they round-trip."""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from lms import create_app
from lms.extensions import db
from lms.testing import PG_URL


def _differences(app) -> list:
    """What `flask db migrate` would write for this app's database (empty when in sync)."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=app.extensions["migrate"].configure_args)
        return compare_metadata(context, db.metadata)


def _tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


@contextmanager
def _own_database(tmp_path):
    """A database nobody else uses: a fresh SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"
        return
    name = f"lms_roundtrip_{uuid.uuid4().hex[:12]}"
    server = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def test_models_match_migrations(app):
    """A database built only by migrations has exactly the tables and columns the code expects."""
    assert _differences(app) == []


def test_upgrade_downgrade_upgrade_round_trip(tmp_path):
    """Every migration can be undone and re-applied, so an operator can roll back an upgrade."""
    with _own_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url,
                          "TESTING": True, "SECRET_KEY": "roundtrip"})
        try:
            with app.app_context():
                upgrade(revision="heads")
            migrated = _tables(app)
            assert {"user_account", "organisation", "alembic_version"} <= migrated
            with app.app_context():
                downgrade(revision="base")
            assert _tables(app) - {"alembic_version"} == set()
            with app.app_context():
                upgrade(revision="heads")
            assert _tables(app) == migrated
            assert _differences(app) == []
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
