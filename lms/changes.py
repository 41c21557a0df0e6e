"""Change signals: whether anything a kept lesson page's check read may have changed since,
told without a query.

A kept lesson page is confirmed by one query (``lms.readmodels.versions.lesson_check``). Its
answer is remembered with a *stamp* taken just before it was asked; while ``stamp(person)``
gives the same value, nothing that query reads has changed for that person and the answer
still holds, so the page is given without asking the database (``lms.web.revalidation``).
A stamp of None vouches for nothing: the query is asked.

- SQLite: ``PRAGMA data_version`` on a connection of the worker's own (one per thread)
  changes whenever any other connection commits to the file — another process, or this one.
  Exact and synchronous: a commit that has returned is seen by the next request.
- PostgreSQL: triggers on every table the check reads (migration 0090) ``NOTIFY
  leerpad_pages`` with the person's id (``*`` for content) when their transaction commits; a
  thread in each worker listens on a connection of its own and stamps the people named. A
  commit by this process stamps everyone at once (synchronously, the engine's ``commit``
  event), and a person's own writes through another worker are seen through the write
  counter in their session cookie (``count_write``). A change by someone else (a mentor's
  sign-off, an administrator ending sessions) reaches other workers as fast as PostgreSQL
  delivers a notification, milliseconds; while the listening connection is down, or has not
  answered for ``SILENCE_SECONDS``, nothing is vouched for.

``PAGE_CHANGE_SIGNALS = False`` turns both off (every kept page is checked by its query).
"""
from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, current_app, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

EXTENSION = "lms.change_signal"
CHANNEL = "leerpad_pages"
LISTENER = "leerpad-change-listener"  # the thread's name and its connection's application_name
WRITES = "_writes"  # the session's write counter
HEARTBEAT_SECONDS = 1.0  # the listener proves its connection alive this often
SILENCE_SECONDS = 10.0  # a listener not heard from for this long vouches for nothing


class FileVersion:
    """SQLite: the database file's ``data_version`` as seen from this thread's connection."""

    def __init__(self, path: str) -> None:
        self.uri = Path(path).resolve().as_uri() + "?mode=ro"
        self._local = threading.local()
        self._ids = itertools.count(1)

    def stamp(self, user_id: int) -> tuple[int, int] | None:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            try:
                local.conn = sqlite3.connect(self.uri, uri=True)
            except sqlite3.Error:
                return None
            # Versions of different connections are not comparable: name the connection.
            local.pid, local.id = os.getpid(), next(self._ids)
        try:
            return local.id, local.conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            local.pid = None
            return None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.pid = None


class Notifications:
    """PostgreSQL: the people named by ``NOTIFY leerpad_pages`` since the worker listened."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._pid: int | None = None
        self._stop = threading.Event()
        self._starting = threading.Lock()
        self._count = itertools.count(1)  # next() is atomic: every change gets its own value
        self.listens = 0  # how often a connection has started listening
        self._reset()

    def _reset(self) -> None:
        self.everyone = next(self._count)
        self.people: dict[int, int] = {}
        self.alive = False
        self.heard = 0.0

    def stamp(self, user_id: int) -> tuple[int, int] | None:
        if self._pid != os.getpid():
            self._start()  # lazily, in the worker (after a fork): this request asks
        if not self.alive or time.monotonic() - self.heard > SILENCE_SECONDS:
            return None
        return self.everyone, self.people.get(user_id, 0)

    def changed(self, user_id: int | None = None) -> None:
        """Someone's (None: anyone's) checked facts may have changed."""
        if user_id is None:
            self.everyone = next(self._count)
        else:
            self.people[user_id] = next(self._count)

    def _start(self) -> None:
        with self._starting:  # one listener, even when two threads of a worker ask first
            if self._pid == os.getpid():
                return
            self._reset()
            self._stop = threading.Event()
            threading.Thread(target=self._listen, args=(self._stop,), daemon=True,
                             name=LISTENER).start()
            self._pid = os.getpid()

    def _listen(self, stop: threading.Event) -> None:
        import psycopg

        delay = 0.5
        while not stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, application_name=LISTENER,
                                     keepalives=1, keepalives_idle=5, keepalives_interval=2,
                                     keepalives_count=3) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.changed()  # what was checked before this connection listened is void
                    self.heard, self.alive, delay = time.monotonic(), True, 0.5
                    self.listens += 1
                    while not stop.is_set():
                        for note in conn.notifies(timeout=HEARTBEAT_SECONDS):
                            self._heard(note.payload)
                        conn.execute("SELECT 1")
                        self.heard = time.monotonic()
            except Exception as error:  # any failure: listen again, vouching for nothing
                if not stop.is_set():
                    log.warning("change listener: %s; pages are checked by query", error)
            finally:
                self.alive = False
                self.changed()
            stop.wait(delay)
            delay = min(delay * 2, 30.0)

    def _heard(self, payload: str) -> None:
        self.changed(int(payload) if payload.isdigit() else None)

    def close(self) -> None:
        self._stop.set()
        self._pid = None


def init_app(app: Flask) -> None:
    """Set up this app's signal (none with ``PAGE_CHANGE_SIGNALS`` off or no page cache)."""
    from lms.extensions import db

    if not app.config.get("PAGE_CHANGE_SIGNALS", True) or not app.config.get("PAGE_CACHE_BYTES"):
        return
    with app.app_context():
        engine = db.engine
    signal = _signal_for(engine, app.config.get("PAGE_CHANGE_LISTEN_URL"))
    if signal is None:
        return
    app.extensions[EXTENSION] = signal
    if isinstance(signal, Notifications):
        event.listen(engine, "commit", lambda conn: signal.changed())
    app.after_request(_count_write)


def _signal_for(engine: Engine, listen_url: str | None) -> FileVersion | Notifications | None:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        return FileVersion(path)
    if url.get_backend_name() == "postgresql":
        # Behind PgBouncer in transaction mode LISTEN hears nothing: listen on the server.
        return Notifications(listen_url or url.set(drivername="postgresql").render_as_string(
            hide_password=False))
    return None


def signal(app: Flask | None = None) -> FileVersion | Notifications | None:
    return (app or current_app).extensions.get(EXTENSION)


def _count_write(response):
    """A logged-in request that may have written counts in its session cookie: the next page
    this person asks of any worker is checked by query, not by a stamp taken before."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and "_user_id" in session:
        session[WRITES] = (session.get(WRITES, 0) + 1) % 2**31
    return response


def writes() -> int:
    return session.get(WRITES, 0)


def close(app: Flask) -> None:
    """Stop listening and close this app's signal connections (tests build many apps)."""
    found = app.extensions.pop(EXTENSION, None)
    if found is not None:
        found.close()
