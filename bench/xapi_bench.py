"""xAPI delivery benchmark: statements/s on a backfill, and the lag under load, against a real
LRS (ralph's LRS server with its file-system backend, on loopback).

    python bench/xapi_bench.py [--size M] [--database-url URL] [--batch 1000]
                               [--learners 500] [--seconds 30]

1. Generates the data set (bench/generate.py; the database is emptied first).
2. Starts ralph (a Basic-auth user from ``ralph auth``) on a free port.
3. Backfill: moves the cursor to the start and times ``xapi.deliver`` sending every progress
   event (statements/s), and, apart, how fast Leerpad builds statements without sending.
   CPU seconds per 1,000 statements are counted for Leerpad (this process) and ralph apart:
   on a shared, busy machine they move far less than wall-clock rates.
4. Lag: starts a real ``lms worker`` and records events at the load of bench/load.py's
   ``--learners`` active learners (one page every 10 s each, every page counted as a learning
   event: ``learners / 10`` events per second, an upper bound) for ``--seconds``, from a few
   threads at a fixed rate (an open loop, as page requests would); the lag of an event is the
   time from its commit until the LRS accepted it (the delivery cursor passed it).
5. The same lag run against a second, empty ralph store: what the file-system backend's scan
   of a large store adds to every POST, apart from what Leerpad adds.

ralph's file-system backend reads its whole statements file on every POST to find duplicate
ids, so a backfill costs about N²/(2 × batch) statement reads: at 100 per POST an M backfill
takes hours, at 1,000 per POST minutes. Everything is printed by one command, with the load
average before and after.
"""
from __future__ import annotations

import argparse
import concurrent.futures
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
from datetime import date
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
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


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


def backfill(app, ralph: subprocess.Popen) -> dict:
    from sqlalchemy import func, select

    from leerpad_plugins.xapi import delivery
    from lms.extensions import db
    from lms.models.progress import ProgressEvent

    with app.app_context():
        events = db.session.scalar(select(func.count(ProgressEvent.id)))
        started = time.perf_counter()
        cpu = time.process_time()
        here = delivery.platform()
        built = 0
        for start in range(0, events, 1000):
            rows = list(db.session.scalars(select(ProgressEvent).order_by(ProgressEvent.id)
                                           .offset(start).limit(1000)))
            built += len(delivery.progress_statements(rows, set(), here))
        build_seconds = time.perf_counter() - started
        build_cpu = time.process_time() - cpu
        delivery.backfill()
        ralph_cpu = cpu_seconds(ralph.pid)
        cpu = time.process_time()
        started = time.perf_counter()
        sent = delivery.deliver("default")
        seconds = time.perf_counter() - started
        leerpad_cpu = time.process_time() - cpu
        ralph_cpu = cpu_seconds(ralph.pid) - ralph_cpu
    return {"events": events, "sent": sent, "seconds": round(seconds, 1),
            "per_second": round(sent / seconds), "build_per_second": round(built / build_seconds),
            "build_cpu_per_1000": round(build_cpu / built * 1000, 3),
            "leerpad_cpu_per_1000": round(leerpad_cpu / sent * 1000, 3),
            "ralph_cpu_per_1000": round(ralph_cpu / sent * 1000, 3)}


def lag(app, url: str, data: Path, ralph: subprocess.Popen, learners: int,
        seconds: int, tag: str = "bench") -> dict:
    from sqlalchemy import select

    from leerpad_plugins.xapi.models import XapiCursor
    from lms.extensions import db
    from lms.models import User
    from lms.models.content import Lesson
    from lms.tracking import record_progress

    rate = learners / 10  # bench/load.py: each active learner asks for a page every 10 s
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_DATABASE_URL": app.config["DATABASE_URL"],
                "LMS_INSTANCE_PATH": app.instance_path, "LMS_SECRET_KEY": app.config["SECRET_KEY"],
                "LMS_BASE_URL": app.config["BASE_URL"], "LMS_XAPI_LRS_URL": url,
                "LMS_XAPI_LRS_USERNAME": USER, "LMS_XAPI_LRS_PASSWORD": PASSWORD,
                "LMS_XAPI_BATCH_SIZE": str(app.config["XAPI_BATCH_SIZE"]),
                "LMS_JOBS_POLL_SECONDS": "0.1"})
    with (data / f"worker-{tag}.log").open("w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "lms.commands.worker", "--threads", "2"],
                                  env=env, stdout=log, stderr=log)
    committed: dict[int, float] = {}
    arrived: dict[int, float] = {}
    done = threading.Event()
    stop_at = [float("inf")]

    def watch() -> None:
        with app.app_context():
            while not done.is_set() or len(arrived) < len(committed):
                cursor = db.session.scalar(select(XapiCursor.event_cursor)
                                           .where(XapiCursor.lrs == "default")) or 0
                db.session.rollback()
                now = time.perf_counter()
                for event_id in [e for e in list(committed) if e not in arrived and e <= cursor]:
                    arrived[event_id] = now
                if done.is_set() and time.perf_counter() - stop_at[0] > 120:
                    return
                time.sleep(0.02)

    def record(i: int, person_id: int, lesson_id: int) -> float:
        with app.app_context():
            person = db.session.get(User, person_id)
            lesson = db.session.get(Lesson, lesson_id)
            t0 = time.perf_counter()
            event = record_progress(person, lesson, "experienced", key=f"{tag}-{i}")
            committed[event.id] = time.perf_counter()
            return committed[event.id] - t0

    try:
        time.sleep(8)  # the worker's start-up
        with app.app_context():
            people = list(db.session.scalars(select(User.id).where(
                User.email.like("learner%")).limit(learners)))
            lessons = list(db.session.scalars(select(Lesson.id).limit(200)))
        worker_cpu, ralph_cpu = cpu_seconds(worker.pid), cpu_seconds(ralph.pid)
        sent_before = _sent(app)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        rnd = random.Random(7)
        n = int(rate * seconds)
        futures = []
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            begin = time.perf_counter()
            for i in range(n):
                time.sleep(max(0.0, begin + i / rate - time.perf_counter()))
                futures.append(pool.submit(record, i, rnd.choice(people), rnd.choice(lessons)))
        request_times = sorted(f.result() for f in futures)
        recorded_in = time.perf_counter() - begin
        stop_at[0] = time.perf_counter()
        done.set()
        watcher.join(150)
        worker_cpu = cpu_seconds(worker.pid) - worker_cpu
        ralph_cpu = cpu_seconds(ralph.pid) - ralph_cpu
        statements = _sent(app) - sent_before
    finally:
        worker.terminate()
        worker.wait(30)
    lags = sorted(arrived[e] - committed[e] for e in arrived)
    return {"events": len(committed), "delivered": len(arrived), "rate": rate,
            "achieved_rate": round(len(committed) / recorded_in, 1),
            "p50": statistics.median(lags), "p95": lags[int(len(lags) * 0.95) - 1],
            "max": lags[-1], "record_p95_ms": request_times[int(n * 0.95) - 1] * 1000,
            "statements": statements,
            "worker_cpu_per_1000": round(worker_cpu / max(statements, 1) * 1000, 3),
            "ralph_cpu_per_1000": round(ralph_cpu / max(statements, 1) * 1000, 3)}


def _sent(app) -> int:
    from sqlalchemy import select

    from leerpad_plugins.xapi.models import XapiCursor
    from lms.extensions import db

    with app.app_context():
        return db.session.scalar(select(XapiCursor.sent).where(XapiCursor.lrs == "default")) or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--database-url")
    parser.add_argument("--data-dir", default="/tmp/leerpad-xapi-bench", type=Path)
    parser.add_argument("--learners", type=int, default=500,
                        help="active learners of the lag run (learners / 10 events per second)")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=1000, help="statements per POST")
    args = parser.parse_args()
    from generate import generate

    shutil.rmtree(args.data_dir, ignore_errors=True)
    args.data_dir.mkdir(parents=True)
    url = args.database_url or f"sqlite:///{args.data_dir / 'bench.sqlite'}"
    load_before = load_average()
    print(f"load average before: {load_before}; {os.cpu_count()} CPUs", flush=True)
    shape = generate(args.size, url, reset=True)
    ralph, lrs_url = start_ralph(args.data_dir)
    try:
        from lms import create_app

        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": args.data_dir / "instance",
                          "BASE_URL": "https://bench.leerpad.test", "XAPI_LRS_URL": lrs_url,
                          "XAPI_LRS_USERNAME": USER, "XAPI_LRS_PASSWORD": PASSWORD,
                          "XAPI_BATCH_SIZE": args.batch, "JOBS_IMMEDIATE": False,
                          "SECRET_KEY": "bench-secret"})
        filled = backfill(app, ralph)
        print(f"backfill: {filled}; load average {load_average()}", flush=True)
        under_load = lag(app, lrs_url, args.data_dir, ralph, args.learners, args.seconds)
        print(f"lag: {under_load}; load average {load_average()}", flush=True)
    finally:
        ralph.terminate()
        ralph.wait(30)
    # The same load against a second, empty LRS store: what the file-system backend's scan of
    # the backfilled store adds to every POST, apart from what Leerpad adds.
    (args.data_dir / "empty").mkdir()
    ralph, empty_url = start_ralph(args.data_dir / "empty")
    try:
        empty = lag(app, empty_url, args.data_dir, ralph, args.learners, args.seconds,
                    tag="empty")
        print(f"lag, empty LRS store: {empty}; load average {load_average()}", flush=True)
    finally:
        ralph.terminate()
        ralph.wait(30)
    kind = "postgresql" if url.startswith("postgres") else "sqlite"
    print("\n| date | database | size | events | batch | backfill statements/s | "
          "CPU s per 1,000 (Leerpad + ralph) | built/s (no LRS) | load | lag p50 | lag p95 | "
          "lag max | lag CPU s per 1,000 (worker + ralph) | lag p50 / p95, empty LRS store | "
          "record_progress p95 | load average |")
    print(f"| {date.today()} | {kind} | {args.size} | {filled['events']:,} | {args.batch} | "
          f"{filled['per_second']:,} | {filled['leerpad_cpu_per_1000']:.2f} + "
          f"{filled['ralph_cpu_per_1000']:.2f} | {filled['build_per_second']:,} | "
          f"{args.learners} learners: {under_load['rate']:g}/s × {args.seconds} s "
          f"(reached {under_load['achieved_rate']:g}/s) | {under_load['p50']:.2f} s | "
          f"{under_load['p95']:.2f} s | {under_load['max']:.2f} s | "
          f"{under_load['worker_cpu_per_1000']:.2f} + {under_load['ralph_cpu_per_1000']:.2f} | "
          f"{empty['p50']:.2f} s / {empty['p95']:.2f} s | "
          f"{under_load['record_p95_ms']:.1f} ms | {load_before} → {load_average()} |")
    print(f"(generation {shape['seconds']} s; {under_load['delivered']} of "
          f"{under_load['events']} events seen delivered)")


if __name__ == "__main__":
    main()
