"""Oversized request bodies against a real server: ``lms serve`` (gunicorn, 2 sync workers,
SQLite in a scratch instance), attacked over raw sockets on 127.0.0.1.

    python bench/dos.py              # prints a table
    python bench/dos.py --write      # and replaces the "Oversized requests" section of RESULTS.md

Attacks (each on its own, while a visitor asks GET /inloggen every 100 ms on fresh connections):
1. anonymous POST /inloggen announcing 1 GiB (Content-Length), then sending 1 kB every 50 ms;
2. anonymous POST /inloggen, chunked, 1 GiB as fast as the socket takes it;
3. two parallel POSTs of a "3 GiB" file (announced) to an assignment whose lesson allows 10 MB;
4. the same two uploads chunked, as fast as possible.
For each: time until the 413 arrived (or "none" within the time-out), what the client had sent
by then, and the visitor's slowest GET /inloggen during the attack and its failures.

The code served is this checkout's (``PYTHONPATH`` is set to it), so running the script from
an older checkout measures that version.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GIB = 1024 ** 3
TIMEOUT = 20.0  # seconds an attack may run before it counts as "no answer"
BOUNDARY = "benchdos"
COURSE = {
    "course.md": "---\nid: dos\ntitle: Belastingproef\n---\nEen cursus voor de meting.\n",
    "01-opdracht.md": ("---\nid: opdracht\ntitle: Opdracht\ntype: assignment\n"
                       "submission:\n  text: true\n  file: {max_mb: 10, types: [pdf]}\n---\n"
                       "Lever een bestand in.\n"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lms(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from lms.cli import main; main()", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, check=True)


def get_login(port: int, timeout: float = 10.0) -> tuple[int | None, float]:
    """(status, seconds) of one GET /inloggen on a new connection."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(b"GET /inloggen HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
    except OSError:
        status = None
    return status, time.monotonic() - start


class Visitor(threading.Thread):
    """GET /inloggen every 100 ms; remembers the slowest answer and the failures."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port, self.stop, self.times, self.failures = port, threading.Event(), [], 0

    def run(self) -> None:
        while not self.stop.is_set():
            status, seconds = get_login(self.port)
            self.times.append(seconds)
            if status != 200:
                self.failures += 1
            self.stop.wait(0.1)


def attack(port: int, path: str, *, announced: int | None, slow: bool,
           start: bytes = b"", cookie: str = "", size: int | None = None) -> dict:
    """One POST; returns the seconds until a status line came back, the status, and what
    the client sent until then."""
    headers = [f"POST {path} HTTP/1.1", "Host: localhost",
               f"Content-Type: multipart/form-data; boundary={BOUNDARY}"]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    headers.append(f"Content-Length: {announced}" if announced is not None
                   else "Transfer-Encoding: chunked")
    conn = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sent = [0]
    done = threading.Event()

    def send() -> None:
        piece = b"x" * (1024 if slow else 65536)
        try:
            conn.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())
            body = [start] if start else []
            total = size or announced or GIB
            while not done.is_set() and sent[0] < total:
                data = body.pop() if body else piece
                if announced is None:
                    data = f"{len(data):x}\r\n".encode() + data + b"\r\n"
                conn.sendall(data)
                sent[0] += len(data)
                if slow:
                    time.sleep(0.05)
            if announced is None and not done.is_set():
                conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass

    began = time.monotonic()
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    status, seconds = None, None
    try:
        first = conn.recv(64)
        if first.startswith(b"HTTP/"):
            status, seconds = int(first.split(b" ", 2)[1]), time.monotonic() - began
    except OSError:
        pass
    done.set()
    conn.close()
    sender.join(5)
    return {"status": status, "seconds": seconds, "sent": sent[0]}


def scenario(port: int, attacks: list[dict], repeat: int = 1) -> dict:
    """Run the attacks together ``repeat`` times; every attack's answers and times, and the
    visitor's slowest request over all runs."""
    runs = [_once(port, attacks) for _ in range(repeat)]
    return {"attacks": [a for run in runs for a in run["attacks"]],
            "visitor_max": max(run["visitor_max"] for run in runs),
            "visitor_failures": sum(run["visitor_failures"] for run in runs),
            "visitor_requests": sum(run["visitor_requests"] for run in runs)}


def _once(port: int, attacks: list[dict]) -> dict:
    visitor = Visitor(port)
    visitor.start()
    time.sleep(0.3)
    results: list[dict] = [{}] * len(attacks)

    def run(index: int) -> None:
        results[index] = attack(port, **attacks[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attacks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT + 10)
    time.sleep(0.3)
    visitor.stop.set()
    visitor.join(15)
    return {"attacks": results, "visitor_max": max(visitor.times, default=0.0),
            "visitor_failures": visitor.failures, "visitor_requests": len(visitor.times)}


def login_cookie(port: int, email: str, password: str) -> str:
    """Log in through the form (CSRF token from the page); the session cookie."""
    def request(raw: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(raw)
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        return data

    page = request(b"GET /inloggen HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    cookies = dict(re.findall(rb"Set-Cookie: ([^=]+)=([^;]*)", page))
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)[1].decode()
    from urllib.parse import urlencode

    body = urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    jar = "; ".join(f"{k.decode()}={v.decode()}" for k, v in cookies.items())
    answer = request(b"POST /inloggen HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     + f"Cookie: {jar}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    cookies.update(dict(re.findall(rb"Set-Cookie: ([^=]+)=([^;]*)", answer)))
    return "; ".join(f"{k.decode()}={v.decode()}" for k, v in cookies.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each attack")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="leerpad-dos-"))
    courses = scratch / "courses" / "dos"
    courses.mkdir(parents=True)
    for name, text in COURSE.items():
        (courses / name).write_text(text)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), LMS_INSTANCE_PATH=str(scratch / "instance"),
               LMS_DATABASE_URL=f"sqlite:///{scratch / 'dos.sqlite'}",
               LMS_SECRET_KEY="bench-dos-secret", LMS_COURSES_DIR=str(scratch / "courses"),
               # The bundled activity plugins only, so that older checkouts run the same set.
               LMS_PLUGINS='["quiz", "reflection", "assignment"]')
    lms("db", "upgrade", env=env)
    lms("courses", "import", str(scratch / "courses"), env=env)
    subprocess.run([sys.executable, "-c", (
        "from lms import create_app; from lms.extensions import db; "
        "from lms.models import Organisation; app = create_app(); app.app_context().push(); "
        "db.session.add(Organisation(kind='region', name='Bench')); db.session.commit()")],
        env=env, cwd=ROOT, check=True, capture_output=True)
    lms("users", "create", "--email", "bench@example.org", "--name", "Bench Learner",
        "--role", "learner", "--org", "Bench", "--password", "bench-password-123", env=env)
    lesson_id = int(subprocess.run(
        [sys.executable, "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("
         "\"select id from lesson where slug='opdracht'\").fetchone()[0])",
         str(scratch / "dos.sqlite")], capture_output=True, text=True, check=True).stdout)
    server = subprocess.Popen(
        [sys.executable, "-c", "from lms.cli import main; main()", "serve", "--host",
         "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while get_login(port, 2)[0] != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("lms serve did not start")
            time.sleep(0.3)
        cookie = login_cookie(port, "bench@example.org", "bench-password-123")
        upload = f"/plugins/assignment/lessen/{lesson_id}/inleveringen"
        file_part = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                     f'filename="groot.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode()
        for _ in range(4):  # warm both workers up: templates compiled, mappers configured
            attack(port, "/inloggen", announced=2 * 1024 * 1024, slow=True)
            attack(port, upload, announced=20 * 1024 * 1024, slow=True, cookie=cookie)
            get_login(port)
        idle = scenario(port, [])
        rows = [
            ("POST /inloggen announcing 1 GiB, sent slowly (1 kB / 50 ms)",
             scenario(port, [dict(path="/inloggen", announced=GIB, slow=True)], args.repeat)),
            ("POST /inloggen chunked, 1 GiB at full speed",
             scenario(port, [dict(path="/inloggen", announced=None, slow=False,
                                  start=file_part, size=GIB)], args.repeat)),
            ("2 × upload announcing 3 GiB to a 10 MB assignment (logged in)",
             scenario(port, [dict(path=upload, announced=3 * GIB, slow=False,
                                  start=file_part, cookie=cookie)] * 2, args.repeat)),
            ("2 × chunked 3 GiB upload to a 10 MB assignment (logged in)",
             scenario(port, [dict(path=upload, announced=None, slow=False,
                                  start=file_part, cookie=cookie, size=3 * GIB)] * 2,
                             args.repeat)),
        ]
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
        shutil.rmtree(scratch, ignore_errors=True)
    table = render(rows, idle, args.repeat, load)
    print(table)
    if args.write:
        write_results(table)


def _ms(seconds: float) -> str:
    return f"> {TIMEOUT:.0f} s" if seconds == float("inf") else f"{seconds * 1000:.0f} ms"


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def render(rows, idle, repeat: int, load: str) -> str:
    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True).stdout.strip() or "?"
    lines = [
        f"Measured {date.today():%Y-%m-%d} with `python bench/dos.py` at {revision} on the dev "
        f"machine ({os.cpu_count()} cores, CPython {platform.python_version()}): `lms serve` "
        "(gunicorn, 2 sync workers, SQLite) on 127.0.0.1, attacked over raw sockets while a "
        "visitor asks `GET /inloggen` every 100 ms on new connections; each attack runs "
        f"{repeat} times. Time-out per attack: {TIMEOUT:.0f} s. Idle, the visitor's slowest "
        f"`GET /inloggen` took {idle['visitor_max'] * 1000:.0f} ms. Load average while measuring: "
        f"{load}.",
        "",
        "| attack | answers | answered after: median (max) | client had sent (max) | visitor's slowest GET /inloggen | visitor failures |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, found in rows:
        answers = sorted({str(a["status"]) if a["status"] else "none" for a in found["attacks"]})
        statuses = f"{', '.join(answers)} ({len(found['attacks'])} requests)"
        times = sorted(a["seconds"] if a["seconds"] is not None else float("inf")
                       for a in found["attacks"])
        after = f"{_ms(times[len(times) // 2])} (max {_ms(times[-1])})"
        sent = _mb(max(a["sent"] for a in found["attacks"]))
        lines.append(f"| {name} | {statuses} | {after} | {sent} | "
                     f"{found['visitor_max'] * 1000:.0f} ms | {found['visitor_failures']} of "
                     f"{found['visitor_requests']} |")
    return "\n".join(lines) + "\n"


def write_results(table: str) -> None:
    path = HERE / "RESULTS.md"
    text = path.read_text()
    section = "## Oversized requests\n\n" + table
    pattern = re.compile(r"## Oversized requests\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section.rstrip("\n") + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
