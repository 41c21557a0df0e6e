"""Browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright,
and axe-core injected into pages for accessibility checks.

One browser per session; one live server (with its own database, the shipped courses and
the test world) per module. Each test gets a fresh browser context (no shared cookies).
In CI (CI=true) a missing Chromium or axe-core fails the run instead of skipping it.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.content import SHIPPED_COURSES
from lms import create_app
from lms.extensions import db
from lms.testing import PG_URL, truncate_all as _truncate_all

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
AXE_CANDIDATES = [
    os.environ.get("LMS_AXE_JS", ""),
    str(ROOT / "node_modules/axe-core/axe.min.js"),
    "/tmp/axe/node_modules/axe-core/axe.min.js",
]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--force-color-profile=srgb",
]
VIEWPORT = {"width": 1280, "height": 800}


def _missing(what: str):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} not installed")


@pytest.fixture(scope="session")
def axe_source() -> str:
    for candidate in AXE_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text()
    _missing("axe-core (npm install --prefix /tmp/axe axe-core@4, or set LMS_AXE_JS)")


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        _missing(f"Chromium at {CHROMIUM} (apt-get install chromium, or set LMS_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python (pip install -e '.[test]')")

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _answered_whole(app):
    """Each response read into memory and closed before werkzeug sends it: when Chromium drops
    a connection half-way (it navigates on), werkzeug's development server does not close the
    response, and an open static file would turn into a ResourceWarning in some later test."""
    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()
    return wsgi


class LiveServer:
    """The app served by werkzeug on a free loopback port, in a daemon thread."""

    def __init__(self, app, host="127.0.0.1"):
        self.app = app
        self.server = make_server(host, 0, _answered_whole(app), threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def courses_dir() -> Path:
    """The course tree the module's app imports (override to import a copy)."""
    return SHIPPED_COURSES


@pytest.fixture(scope="module")
def live_app(db_template, tmp_path_factory, courses_dir):
    """The app with CSRF on, the shipped courses imported and the test world: as a person
    would use it. The module's database is a copy of the migrated template (SQLite) or the
    PostgreSQL test database, emptied afterwards."""
    from lms.content.importer import import_directory
    from lms.testing import make_world

    base = tmp_path_factory.mktemp("live")
    if PG_URL:
        url = PG_URL
    else:
        shutil.copy(db_template, base / "live.sqlite")
        url = f"sqlite:///{base / 'live.sqlite'}"
    app = create_app({
        "INSTANCE_PATH": base / "instance", "DATABASE_URL": url, "TESTING": True,
        "SECRET_KEY": "browser-test-key", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False,
        "COURSES_DIR": str(courses_dir),
    })
    with app.app_context():
        app.extensions["tests.world"] = make_world()
        import_directory(courses_dir)
        db.session.remove()
    yield app
    if PG_URL:
        _truncate_all(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def world(live_app):
    """Ids of the live app's organisations and people (see ``lms.testing.make_world``)."""
    return live_app.extensions["tests.world"]


@pytest.fixture(scope="module")
def live_server(live_app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture
def new_page(browser, live_server):
    """Open more pages, each in its own browser context (one person each)."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="nl-NL",
                                      viewport=VIEWPORT, accept_downloads=True)
        contexts.append(context)
        opened = context.new_page()
        opened.set_default_timeout(5_000)
        return opened

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
