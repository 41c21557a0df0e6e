"""xAPI delivery benchmark: statements/s on a backfill, and the lag under load, against a real
LRS (ralph's LRS server with its file-system backend, on loopback).

    python bench/xapi_bench.py [--size S] [--database-url URL] [--rate 20] [--seconds 20]
                               [--batch 100] [--write]

1. Generates the data set (bench/generate.py; the database is emptied first).
2. Starts ralph (a Basic-auth user from ``ralph auth``) on a free port.
3. Backfill: moves the cursor to the start and times ``xapi.deliver`` sending every progress
   event (statements/s), and, apart, how fast Leerpad builds statements without sending.
4. Lag: starts a real ``lms worker`` and records ``--rate`` events per second for
   ``--seconds`` from random learners (as their page requests would); the lag of an event is
   the time from its commit until the LRS accepted it (the delivery cursor passed it).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LAUNCH = (
    "import sys, uvicorn\n"
    "from ralph.backends.data.base import BaseOperationType\n"
    "from ralph.backends.lrs.fs import FSLRSBackend\n"
    "FSLRSBackend.default_operation_type = BaseOperationType.APPEND\n"
    "uvicorn.run('ralph.api:app', host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')\n"
)
USER, PASSWORD = "bench", "bench-lrs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_ralph(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_APP_DIR": str(folder),
           "RALPH_AUTH_FILE": str(folder / "auth.json"),
           "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data")}
    ralph = Path(sys.executable).parent / "ralph"
    subprocess.run([str(ralph), "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-A", "bench",
                    f"http://127.0.0.1:{port}/", "-w"], env=env, check=True,
                   capture_output=True)
    log = (folder / "ralph.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, str(port)], env=env, stdout=log,
                            stderr=log)
    url = f"http://127.0.0.1:{port}/xAPI/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__heartbeat__", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.2)
    raise SystemExit("ralph did not start")


def backfill(app) -> dict:
    from sqlalchemy import func, select

    from leerpad_plugins.xapi import delivery
    from lms.extensions import db
    from lms.models.progress import ProgressEvent

    with app.app_context():
        events = db.session.scalar(select(func.count(ProgressEvent.id)))
        started = time.perf_counter()
        here = delivery.platform()
        built = 0
        for start in range(0, events, 1000):
            rows = list(db.session.scalars(select(ProgressEvent).order_by(ProgressEvent.id)
                                           .offset(start).limit(1000)))
            built += len(delivery.progress_statements(rows, set(), here))
        build_seconds = time.perf_counter() - started
        delivery.backfill()
        started = time.perf_counter()
        sent = delivery.deliver("default")
        seconds = time.perf_counter() - started
    return {"events": events, "sent": sent, "seconds": round(seconds, 1),
            "per_second": round(sent / seconds), "build_per_second": round(built / build_seconds)}


def lag(app, url: str, data: Path, rate: float, seconds: int) -> dict:
    from sqlalchemy import select

    from leerpad_plugins.xapi.models import XapiCursor
    from lms.extensions import db
    from lms.models import User
    from lms.models.content import Lesson
    from lms.tracking import record_progress

    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_DATABASE_URL": app.config["DATABASE_URL"],
                "LMS_INSTANCE_PATH": app.instance_path, "LMS_SECRET_KEY": app.config["SECRET_KEY"],
                "LMS_BASE_URL": app.config["BASE_URL"], "LMS_XAPI_LRS_URL": url,
                "LMS_XAPI_LRS_USERNAME": USER, "LMS_XAPI_LRS_PASSWORD": PASSWORD,
                "LMS_JOBS_POLL_SECONDS": "0.1"})
    with (data / "worker.log").open("w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "lms.commands.worker", "--threads", "2"],
                                  env=env, stdout=log, stderr=log)
    committed: dict[int, float] = {}
    arrived: dict[int, float] = {}
    done = threading.Event()

    def watch() -> None:
        with app.app_context():
            while not done.is_set() or len(arrived) < len(committed):
                cursor = db.session.scalar(select(XapiCursor.event_cursor)
                                           .where(XapiCursor.lrs == "default")) or 0
                db.session.rollback()
                now = time.perf_counter()
                for event_id in [e for e in committed if e not in arrived and e <= cursor]:
                    arrived[event_id] = now
                if done.is_set() and time.perf_counter() - stop_at > 60:
                    return
                time.sleep(0.02)

    try:
        time.sleep(8)  # the worker's start-up
        with app.app_context():
            learners = list(db.session.scalars(select(User.id).where(
                User.email.like("learner%")).limit(500)))
            lessons = list(db.session.scalars(select(Lesson.id).limit(200)))
        watcher = threading.Thread(target=watch, daemon=True)
        stop_at = float("inf")
        watcher.start()
        rnd = random.Random(7)
        begin = time.perf_counter()
        request_times = []
        n = int(rate * seconds)
        for i in range(n):
            planned = begin + i / rate
            time.sleep(max(0.0, planned - time.perf_counter()))
            with app.app_context():
                person = db.session.get(User, rnd.choice(learners))
                lesson = db.session.get(Lesson, rnd.choice(lessons))
                t0 = time.perf_counter()
                event = record_progress(person, lesson, "experienced", key=f"bench-{i}")
                request_times.append(time.perf_counter() - t0)
                committed[event.id] = time.perf_counter()
        stop_at = time.perf_counter()
        done.set()
        watcher.join(90)
    finally:
        worker.terminate()
        worker.wait(30)
    lags = sorted(arrived[e] - committed[e] for e in arrived)
    return {"events": len(committed), "delivered": len(arrived), "rate": rate,
            "p50": statistics.median(lags), "p95": lags[int(len(lags) * 0.95) - 1],
            "max": lags[-1], "record_p95_ms": sorted(request_times)[int(n * 0.95) - 1] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="S", choices=["S", "M", "L"])
    parser.add_argument("--database-url")
    parser.add_argument("--data-dir", default="/tmp/leerpad-xapi-bench", type=Path)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    from generate import generate

    shutil.rmtree(args.data_dir, ignore_errors=True)
    args.data_dir.mkdir(parents=True)
    url = args.database_url or f"sqlite:///{args.data_dir / 'bench.sqlite'}"
    shape = generate(args.size, url, reset=True)
    ralph, lrs_url = start_ralph(args.data_dir)
    try:
        from lms import create_app

        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": args.data_dir / "instance",
                          "BASE_URL": "https://bench.leerpad.test", "XAPI_LRS_URL": lrs_url,
                          "XAPI_LRS_USERNAME": USER, "XAPI_LRS_PASSWORD": PASSWORD,
                          "XAPI_BATCH_SIZE": args.batch, "JOBS_IMMEDIATE": False,
                          "SECRET_KEY": "bench-secret"})
        filled = backfill(app)
        print(f"backfill: {filled}", flush=True)
        under_load = lag(app, lrs_url, args.data_dir, args.rate, args.seconds)
        print(f"lag: {under_load}", flush=True)
    finally:
        ralph.terminate()
        ralph.wait(30)
    kind = "postgresql" if url.startswith("postgres") else "sqlite"
    row = (f"| {kind} | {args.size} | {filled['events']:,} | {args.batch} | "
           f"{filled['per_second']:,} | {filled['build_per_second']:,} | "
           f"{under_load['rate']:g}/s × {args.seconds} s | {under_load['p50']:.2f} s | "
           f"{under_load['p95']:.2f} s | {under_load['max']:.2f} s | "
           f"{under_load['record_p95_ms']:.1f} ms |")
    print(row)
    print(f"(generation {shape['seconds']} s)")


if __name__ == "__main__":
    main()
