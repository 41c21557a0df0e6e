"""A storage for the ``limits`` library in one SQLite file, shared by every process that opens it.

Without Redis, Leerpad keeps its login-throttle counters here (``ratelimit.sqlite`` in the
instance folder), so the gunicorn workers of ``lms serve`` and several app processes on one
host count failed logins together. Registered as the scheme ``sqlite`` (``sqlite:////abs/path``
or ``sqlite:///relative/path``, as in SQLAlchemy's URLs); Flask-Limiter's ``fixed-window``
strategy (its default) is supported.

Each counter is one row; incrementing is a single ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` statement, which SQLite runs atomically across processes (WAL mode, a busy
timeout). Expired rows are removed now and then.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from limits.storage import Storage

SCHEME = "sqlite"
_CLEAN_EVERY = 200  # increments between two removals of expired counters (per process)


def sqlite_uri(path: Path | str) -> str:
    """The storage URI for a file, e.g. ``sqlite:////var/lib/leerpad/ratelimit.sqlite``."""
    return f"{SCHEME}:///{Path(path).resolve()}"


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 timeout: float = 5.0, **options):
        parsed = urlparse(uri or "")
        path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
        if not path:
            raise ValueError(f"{uri!r}: name the file, e.g. sqlite:////var/lib/leerpad/ratelimit.sqlite")
        self.path = path
        self.timeout = float(timeout)
        self._local = threading.local()
        self._increments = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked worker opens its own)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, "
                     "value INTEGER NOT NULL, expires_at REAL NOT NULL)")
        conn.execute("CREATE INDEX IF NOT EXISTS counter_expires_at ON counter (expires_at)")
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        conn = self._connection()
        value = conn.execute(
            "INSERT INTO counter (key, value, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET "
            " value = CASE WHEN counter.expires_at <= ? THEN excluded.value"
            "              ELSE counter.value + excluded.value END,"
            " expires_at = CASE WHEN counter.expires_at <= ? THEN excluded.expires_at"
            "                   ELSE counter.expires_at END "
            "RETURNING value",
            (key, amount, now + expiry, now, now)).fetchone()[0]
        self._increments += 1
        if self._increments % _CLEAN_EVERY == 0:
            conn.execute("DELETE FROM counter WHERE expires_at <= ?", (now,))
        return int(value)

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT value FROM counter WHERE key = ? AND expires_at > ?",
            (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._connection().execute(
            "SELECT expires_at FROM counter WHERE key = ? AND expires_at > ?",
            (key, now)).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1 FROM counter LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))
