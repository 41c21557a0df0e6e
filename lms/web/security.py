"""Security headers, login loading and the SQLite connection settings."""
from __future__ import annotations

import sqlite3
from itertools import chain

from flask import Flask, abort, request, session
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.datastructures import MultiDict

from lms.extensions import login_manager

# The key in Flask's session cookie that holds this login's secret (lms.accounts.sessions).
SESSION_SECRET = "_sid"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops:
        # Behind N trusted proxies the client's address (login throttle) and scheme come from
        # their X-Forwarded-For and X-Forwarded-Proto; without it those headers are ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    from lms.accounts.passwords import dummy_hash

    dummy_hash(app.config.get("PASSWORD_HASH_METHOD") or "scrypt")  # see authenticate()
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        # The cookie names the person and their auth_version (a password change bumps it) and
        # carries this login's secret; the login counts only while its row exists.
        from lms.accounts.sessions import session_user

        user_id, _, version = session_id.partition(".")
        if not (user_id.isdigit() and version.isdigit()) or int(user_id) > 2**31 - 1:
            return None
        user = session_user(int(user_id), session.get(SESSION_SECRET))
        if user is None or user.auth_version != int(version):
            return None
        return user

    @app.before_request
    def refuse_nul():
        # PostgreSQL cannot store U+0000 in text; refuse it up front instead of failing mid-write.
        if _has_nul():
            abort(400, _("Your input contains an invalid character (U+0000). Remove it and "
                         "try again."))

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _has_nul() -> bool:
    if "\x00" in request.path or _nul_in(request.args):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.is_json:
        data = request.get_data(cache=True)
        return b"\x00" in data or b"\\u0000" in data
    return _nul_in(request.form) or any(
        "\x00" in (upload.filename or "") for upload in request.files.values())


def _nul_in(values: MultiDict) -> bool:
    return any("\x00" in value for value in chain.from_iterable(values.listvalues()))
