"""Security headers, login loading, the login throttle's keys and the SQLite connection
settings."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from datetime import timedelta
from itertools import chain

from flask import Flask, abort, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.datastructures import MultiDict

from lms.extensions import login_manager

# The key in Flask's session cookie that holds this login's secret (lms.accounts.sessions).
SESSION_SECRET = "_sid"

# A browser in which someone logged in before keeps a signed cookie naming those accounts (as
# keyed digests, never the address itself). See "Login throttle" in docs/accounts.md.
KNOWN_BROWSER_COOKIE = "lms_known"
KNOWN_BROWSER_MAX_AGE = timedelta(days=180)
KNOWN_BROWSER_ACCOUNTS = 10

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


# Sent on every response that reached the browser over HTTPS: browsers then refuse plain HTTP
# for this host for a year. Not includeSubDomains: other hosts of a school may not have HTTPS.
HSTS = "max-age=31536000"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure() if has_request_context() else super().get_cookie_secure(app)


def init_app(app: Flask) -> None:
    if app.config.get("HTTPS"):
        # Served over HTTPS (whatever a proxy says): Secure cookies, HSTS, https:// links.
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                          PREFERRED_URL_SCHEME="https")
    app.session_interface = SessionInterface()
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
        if app.config.get("HTTPS") or request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
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


# --- the login throttle --------------------------------------------------------------------
# Three counters of failed logins (Flask-Limiter, see lms.web.auth.login):
#   LOGIN_LIMIT          one account from one address (or from one known browser),
#   LOGIN_ADDRESS_LIMIT  one address, any account,
#   LOGIN_ACCOUNT_LIMIT  one account, any address.
# A browser the account logged in from before keeps its own first counter and is exempt from
# the other two, so guessing elsewhere does not lock the owner out of their own browser.


def login_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:320]


def _account_digest(email: str) -> str:
    """A keyed digest of an e-mail address: throttle keys and cookies hold no addresses."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, b"login:" + email.encode(), hashlib.sha256).hexdigest()[:32]


def _known_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.secret_key), salt="lms.known-browser")


def _known_browser() -> tuple[str, list[str]] | None:
    """(browser id, account digests) from this request's known-browser cookie, if valid."""
    if "known_browser" not in g:
        g.known_browser = None
        raw = request.cookies.get(KNOWN_BROWSER_COOKIE)
        if raw and len(raw) < 4096:
            try:
                data = _known_serializer().loads(raw)
            except BadData:
                data = None
            if (isinstance(data, dict) and isinstance(data.get("id"), str)
                    and isinstance(data.get("accounts"), list)
                    and all(isinstance(a, str) for a in data["accounts"])):
                g.known_browser = (data["id"], data["accounts"])
    return g.known_browser


def known_browser_for_login() -> bool:
    """Has the account in the submitted form been logged in to from this browser before?"""
    known = _known_browser()
    return known is not None and _account_digest(login_email()) in known[1]


def login_pair_key() -> str:
    account = _account_digest(login_email())
    if known_browser_for_login():
        return f"login:{account}:browser:{_known_browser()[0]}"
    return f"login:{account}:address:{get_remote_address()}"


def login_address_key() -> str:
    return f"login-address:{get_remote_address()}"


def login_account_key() -> str:
    return f"login-account:{_account_digest(login_email())}"


def remember_browser(response, email: str) -> None:
    """After a successful login: this browser is known to ``email``'s account from now on."""
    known = _known_browser()
    browser_id, accounts = known if known else (secrets.token_urlsafe(12), [])
    digest = _account_digest(email.strip().lower())
    accounts = [a for a in accounts if a != digest][-(KNOWN_BROWSER_ACCOUNTS - 1):] + [digest]
    response.set_cookie(
        KNOWN_BROWSER_COOKIE, _known_serializer().dumps({"id": browser_id, "accounts": accounts}),
        max_age=int(KNOWN_BROWSER_MAX_AGE.total_seconds()), path="/inloggen", httponly=True,
        samesite="Lax", secure=cookie_secure())


def cookie_secure() -> bool:
    """Mark cookies Secure: always when HTTPS is configured, else when this request came in
    over HTTPS (directly, or as a trusted proxy says with PROXY_FIX)."""
    config = current_app.config
    return bool(config.get("HTTPS") or config.get("SESSION_COOKIE_SECURE") or request.is_secure)
