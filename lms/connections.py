"""PostgreSQL connections checked before use when they may have gone stale.

A pooled connection that sat idle may have been closed by a database restart, a failover or
a proxy's idle timeout; handing it to a request would fail that request. SQLAlchemy's
``pool_pre_ping`` checks every connection on every checkout, one round trip each time — on a
busy worker that is ~10 % of a cheap page. Here a connection is checked (``SELECT 1``) only
when it was last used more than ``DATABASE_PING_IDLE_SECONDS`` ago (0: on every checkout); a
failed check makes the pool replace it with a new one (``DisconnectionError``). A database
that goes away while a connection is in steady use fails that request; SQLAlchemy then
replaces the whole pool, so the next request gets a working connection.
"""
from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

LAST_USED = "lms.last_used"


def init_app(app: Flask) -> None:
    from lms.extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        return  # a file: nothing to go stale
    watch(engine, float(app.config.get("DATABASE_PING_IDLE_SECONDS") or 0))


def watch(engine: Engine, idle_seconds: float) -> None:
    """Check ``engine``'s connections on checkout when idle longer than ``idle_seconds``."""

    @event.listens_for(engine.pool, "connect")  # a new connection needs no check
    @event.listens_for(engine.pool, "checkin")
    def _stamp(dbapi_connection, record) -> None:
        record.info[LAST_USED] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _check(dbapi_connection, record, proxy) -> None:
        last = record.info.get(LAST_USED)
        if last is not None and time.monotonic() - last < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: this connection is unusable
            raise exc.DisconnectionError(str(error)) from error
