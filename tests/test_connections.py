"""PostgreSQL connections that went stale while idle in the pool are replaced before a
request gets them (lms.connections); one in steady use is not checked."""
from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import exc, text

from lms.extensions import db
from lms.testing import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's connections only")


def _pooled_backend(app) -> int:
    """The server process behind the pool's connection, which then goes back to the pool."""
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
    return pid


def _end_backend(pid: int) -> None:
    """End a connection from the server's side, as a restart or failover does."""
    with psycopg.connect(PG_URL, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def test_an_idle_connection_ended_by_the_server_is_replaced(app_factory):
    app = app_factory(DATABASE_PING_IDLE_SECONDS=0.05)
    ended = _pooled_backend(app)
    _end_backend(ended)
    time.sleep(0.2)  # idle longer than the setting: checked on checkout
    with app.app_context():
        assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != ended


def test_a_connection_in_steady_use_is_not_checked(app_factory):
    """Within the idle time the connection is used as it is: a server that ended it fails
    that one use, and the pool is replaced for the next."""
    app = app_factory(DATABASE_PING_IDLE_SECONDS=60)
    ended = _pooled_backend(app)
    _end_backend(ended)
    with app.app_context():
        with pytest.raises(exc.OperationalError):
            db.session.execute(text("SELECT 1"))
        db.session.remove()
    with app.app_context():
        assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != ended
