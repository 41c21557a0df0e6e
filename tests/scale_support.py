"""Helpers for the scale-out test: real `lms serve` instances, a tiny cookie-keeping HTTP
client and a progress load generator that logs which requests were acknowledged."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lms_command() -> list[str]:
    """`lms` from the running interpreter's environment (the venv under test)."""
    script = Path(sys.executable).with_name("lms")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from lms.cli import main; main()"]


class Instance:
    """One app server: `lms serve` (gunicorn master and workers) in its own process group."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, workers: int = 2):
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [*lms_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers)],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the login page answers (the command migrates first, then forks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log()}")
            try:
                if request(self, "GET", "/inloggen").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {timeout}s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, like a crashed machine."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def json(self):
        return json.loads(self.body)


def request(instance: Instance, method: str, path: str, *, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 10.0) -> Response:
    """One request on a new connection (a killed server shows up as an OSError)."""
    conn = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return Response(answer.status, answer.headers, answer.read().decode("utf-8", "replace"))
    finally:
        conn.close()


class Browser:
    """Keeps cookies itself, so one cookie can be shown to any instance; follows no redirects.
    ``forwarded_for`` is the client address a reverse proxy would report."""

    def __init__(self, forwarded_for: str):
        self.cookies: dict[str, str] = {}
        self.forwarded_for = forwarded_for

    def send(self, instance: Instance, method: str, path: str,
             form: dict | None = None) -> Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "X-Forwarded-For": self.forwarded_for, "User-Agent": "scale-out-test"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = request(instance, method, path, body=body, headers=headers)
        for raw in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return response

    def csrf_token(self, instance: Instance, path: str = "/inloggen") -> str:
        page = self.send(instance, "GET", path)
        found = CSRF_FIELD.search(page.body)
        assert page.status == 200 and found, f"no CSRF token on {path}: {page.status}"
        return found.group(1)

    def login(self, instance: Instance, email: str, password: str,
              csrf_from: Instance | None = None) -> Response:
        token = self.csrf_token(csrf_from or instance)
        return self.send(instance, "POST", "/inloggen",
                         {"csrf_token": token, "email": email, "password": password})


@dataclass(frozen=True)
class Sent:
    """One progress request as the client sent it."""

    client: int
    user_id: int
    lesson: str
    verb: str
    key: str | None


@dataclass
class LoadLog:
    """The load generator's own record: what was sent, what was acknowledged (2xx), where."""

    sent: list[Sent] = field(default_factory=list)
    # (request, instance, event id) and (request, instance, error)
    acked: list[tuple[Sent, str, int]] = field(default_factory=list)
    failed: list[tuple[Sent, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_progress(instance: Instance, token: str, sent: Sent) -> Response:
    body = {"object": sent.lesson, "verb": sent.verb}
    if sent.key is not None:
        body["key"] = sent.key
    return request(instance, "POST", "/api/v1/progress", body=json.dumps(body).encode(),
                   headers={"Authorization": f"Bearer {token}",
                            "Content-Type": "application/json"})


def run_client(number: int, plan: list[Sent], token: str, instances: list[Instance],
               down: set[str], log: LoadLog) -> None:
    """Send the plan alternately to the instances; a request that fails (no answer) is logged
    unacknowledged and retried once, with the same key, on an instance still up."""
    for index, sent in enumerate(plan):
        with log.lock:
            log.sent.append(sent)
        targets = [instances[(index + number) % len(instances)]]
        targets += [other for other in instances if other is not targets[0]]
        for target in targets:
            if target.name in down:
                continue
            try:
                response = post_progress(target, token, sent)
            except (OSError, http.client.HTTPException) as exc:  # refused, reset, cut off
                with log.lock:
                    log.failed.append((sent, target.name, repr(exc)))
                continue
            with log.lock:
                if 200 <= response.status < 300:
                    log.acked.append((sent, target.name, response.json()["event"]["id"]))
                else:
                    log.failed.append((sent, target.name, f"HTTP {response.status}"))
            break
