"""A real LRS for the xapi plugin's tests: ralph's LRS server (``ralph.api``, the app that
``ralph runserver -b fs`` serves) with its file-system backend, on a free loopback port, with
a Basic-auth user made by ``ralph auth``. Started once per session; ``lrs.stop()`` /
``lrs.start()`` take it down and up again on the same port and data.

ralph 5.1's file-system backend refuses every write after the first one to its statements
file (operation type ``create``): the server is started with that backend set to append,
which is the only change; the API, its validation and its duplicate/conflict checks are
ralph's own. In CI (``CI=true``) a missing ralph fails the tests instead of skipping them.
"""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

USER, PASSWORD = "leerpad", "lrs-geheim"
LAUNCH = (
    "import sys, uvicorn\n"
    "from ralph.backends.data.base import BaseOperationType\n"
    "from ralph.backends.lrs.fs import FSLRSBackend\n"
    "FSLRSBackend.default_operation_type = BaseOperationType.APPEND\n"
    "uvicorn.run('ralph.api:app', host='127.0.0.1', port=int(sys.argv[1]), "
    "log_level='warning')\n"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RalphLrs:
    """A ralph LRS process on loopback, and a small client to read statements back."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI/"
        self.env = {**os.environ, "RALPH_RUNSERVER_BACKEND": "fs",
                    "RALPH_AUTH_FILE": str(folder / "auth.json"), "RALPH_APP_DIR": str(folder),
                    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data")}
        self.proc: subprocess.Popen | None = None

    def create_user(self) -> None:
        ralph = Path(sys.executable).parent / "ralph"
        subprocess.run([str(ralph), "auth", "-u", USER, "-p", PASSWORD, "-s", "all",
                        "-A", "leerpad-tests", f"http://127.0.0.1:{self.port}/", "-w"],
                       env=self.env, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        with (self.folder / "server.log").open("a") as log:
            self.proc = subprocess.Popen([sys.executable, "-c", LAUNCH, str(self.port)],
                                         env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.folder / "server.log").read_text()[-2000:])
            try:
                self.get("statements", limit=1)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError("ralph did not answer within 30 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None

    def _request(self, path: str) -> dict:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"})
        # always http://127.0.0.1: the LRS this test started
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310
            return json.loads(response.read())

    def get(self, resource: str = "statements", **params) -> dict:
        from urllib.parse import urlencode

        query = f"?{urlencode(params)}" if params else ""
        return self._request(f"/xAPI/{resource}{query}")

    def statements(self, home: str) -> list[dict]:
        """Every statement stored whose actor (a learner, or the platform when voiding) has
        its account at ``home`` (one test's platform), oldest first."""
        found, page = [], self.get("statements", limit=100, ascending="true")
        while True:
            found += page["statements"]
            more = page.get("more")
            if not more:
                break
            page = self._request(more)
        return [s for s in found
                if s.get("actor", {}).get("account", {}).get("homePage", "").startswith(home)]


@pytest.fixture(scope="session")
def lrs(tmp_path_factory):
    """The session's ralph LRS (fails in CI, skips elsewhere, when ralph is missing)."""
    try:  # not ralph.api itself: importing it reads the backend from the environment
        import ralph.backends.lrs.fs  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"ralph-malph[cli,lrs] is not installed: {exc}", pytrace=False)
        pytest.skip("ralph-malph[cli,lrs] is not installed")
    server = RalphLrs(tmp_path_factory.mktemp("ralph"))
    server.create_user()
    server.start()
    yield server
    server.stop()
