"""Configuration: defaults, then instance/config.py, then LMS_* environment variables."""
from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from lms.clock import check_time_zone

DEFAULTS: dict[str, object] = {
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    "COURSES_DIR": None,
    "COURSE_FILE_MAX_BYTES": 1_000_000,  # larger course files are refused unread
    "COURSE_RENDER_SECONDS": 10,  # time to render one course file
    "PLUGINS_DIRS": None,
    "PLUGINS": None,
    "DISABLED_PLUGINS": "",
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_SENDER": "leerpad@localhost",
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    # Empty: a SQLite file in the instance folder, shared by this host's workers; redis://...
    # for several hosts.
    "RATELIMIT_STORAGE": "",
    # When the shared store (Redis) is down, throttle per process instead of failing logins.
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "LOGIN_LIMIT": "5 per minute",  # failed logins on one account from one address
    "LOGIN_ADDRESS_LIMIT": "30 per 10 minutes",  # from one address, all accounts
    "LOGIN_ACCOUNT_LIMIT": "20 per hour",  # on one account, browsers new to it
    "INVITATION_MAX_AGE": int(timedelta(days=7).total_seconds()),
    "MIN_PASSWORD_LENGTH": 10,
    # werkzeug's method string; tests use a cheap one, production keeps scrypt.
    "PASSWORD_HASH_METHOD": "scrypt",
    "HOURS_CYCLE_YEARS": 4,
    "HOURS_BENCHMARK": 160,
    # Where the learners live: their "today", deadlines, expiry and the hours of a year.
    "TIMEZONE": "Europe/Amsterdam",
    # A coordinator's workbook covering more learners than this is prepared by the worker.
    "REPORT_EXPORT_QUEUE_LEARNERS": 20000,
    "HOURS_RULES_FILE": None,  # None: the shipped rules (lms.hours_rules)
    "RETENTION_DAYS": 730,
    "MENTOR_MAX_LEARNERS": 8,
    # Request bodies above this many bytes are refused (413) before they are read: the largest
    # assignment file a lesson may allow (100 MB) plus 1 MB for the form around it.
    "MAX_CONTENT_LENGTH": 101 * 1024 * 1024,
    "MAX_FORM_LENGTH": 1024 * 1024,  # the same, for requests to URLs that take no upload
    # PostgreSQL: a pooled connection idle longer than this is checked before use
    # (lms.connections); 0 checks on every use.
    "DATABASE_PING_IDLE_SECONDS": 1.0,
    "BASE_URL": "",
    "SESSION_COOKIE_SECURE": False,
    "HTTPS": False,  # served over HTTPS: Secure cookies and HSTS on every response
    "PROXY_FIX": 0,  # reverse proxies in front whose X-Forwarded-For/-Proto are trusted
    # Lesson pages kept per worker process (lms.web.pagecache); 0 keeps none.
    "PAGE_CACHE_BYTES": 32 * 1024 * 1024,
    # A kept page's check is remembered until the database signals a change (lms.changes).
    "PAGE_CHANGE_SIGNALS": True,
    "PAGE_CHANGE_LISTEN_URL": None,  # PostgreSQL: where to LISTEN (default: DATABASE_URL)
    # Background jobs (lms.jobs): SQLite in the instance folder unless a Redis URL is set.
    "JOBS_REDIS_URL": None,
    "JOBS_SQLITE_PATH": None,
    "JOBS_QUEUE_NAME": "leerpad",
    "JOBS_POLL_SECONDS": 0.5,
    "JOBS_IMMEDIATE": None,  # None: on under TESTING only
    "BABEL_DEFAULT_LOCALE": "nl",
    "LANGUAGES": ["nl", "en"],
}

# Values read from the environment are strings; these keys are converted.
_INT_KEYS = {"MAIL_PORT", "INVITATION_MAX_AGE", "MIN_PASSWORD_LENGTH", "HOURS_CYCLE_YEARS",
             "HOURS_BENCHMARK", "RETENTION_DAYS", "MENTOR_MAX_LEARNERS", "PROXY_FIX",
             "COURSE_FILE_MAX_BYTES", "COURSE_RENDER_SECONDS",
             "REPORT_EXPORT_QUEUE_LEARNERS", "PAGE_CACHE_BYTES"}
_FLOAT_KEYS = {"DATABASE_PING_IDLE_SECONDS"}
_BOOL_KEYS = {"JOBS_IMMEDIATE", "MAIL_USE_TLS", "SESSION_COOKIE_SECURE", "TESTING", "DEBUG",
              "HTTPS", "RATELIMIT_SWALLOW_ERRORS", "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED",
              "PAGE_CHANGE_SIGNALS"}
ENV_PREFIX = "LMS_"


def _from_env(key: str, raw: str) -> object:
    if key in _INT_KEYS:
        return int(raw)
    if key in _FLOAT_KEYS:
        return float(raw)
    if key in _BOOL_KEYS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if raw.startswith(("[", "{")):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def load_config(app: Flask, overrides: dict | None = None) -> None:
    """Fill app.config in order of precedence: defaults, instance file, environment, overrides."""
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, raw in os.environ.items():
        if name.startswith(ENV_PREFIX):
            key = name[len(ENV_PREFIX):]
            app.config[key] = _from_env(key, raw)
    if overrides:
        app.config.update(overrides)
    _derive(app)


def _derive(app: Flask) -> None:
    instance = Path(app.instance_path)
    cfg = app.config
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _instance_secret(instance)
    if not cfg["DATABASE_URL"]:
        instance.mkdir(parents=True, exist_ok=True)
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'leerpad.sqlite'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(cfg["DATABASE_URL"])
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        cfg["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {"timeout": 30})
    if cfg["PLUGINS_DIRS"] is None:
        # Drop-in plugins: one folder per instance, made empty on first start.
        folder = instance / "plugins"
        folder.mkdir(parents=True, exist_ok=True)
        cfg["PLUGINS_DIRS"] = str(folder)
    cfg["RATELIMIT_STORAGE_URI"] = cfg["RATELIMIT_STORAGE"]
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["REMEMBER_COOKIE_HTTPONLY"] = True
    cfg["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    cfg["REMEMBER_COOKIE_SECURE"] = cfg["SESSION_COOKIE_SECURE"]
    cfg["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path) / "translations")
    cfg["TIMEZONE"] = check_time_zone(cfg["TIMEZONE"])


def _normalise_db_url(url: str) -> str:
    # psycopg 3 is the only PostgreSQL driver we ship.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance: Path) -> str:
    """Create a random secret key once and keep it in the instance folder."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
