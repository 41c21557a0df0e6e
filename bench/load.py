"""Load test: Leerpad under ``lms serve`` (gunicorn) next to a hello-world Flask app served
with the same gunicorn settings, on the L data set, on SQLite and on PostgreSQL.

    python bench/load.py                       # L data, both databases (generates once)
    python bench/load.py --size M --databases sqlite --skip-generate
    python bench/load.py --skip-generate --postgresql-url postgresql://postgres@127.0.0.1/x

One command gives every target's figure for both databases, measured in one run beside the
hello-world: the lesson page's share of hello-world throughput (first visits, and revisits
that send the page's ETag back and get 304), and p50/p95/p99 at 500 active learners.

For each database it measures, with wrk and bench/wrk_session.lua:
1. throughput: a closed loop (no think time) on logged-in lesson pages — asked again, each
   learner's page comes from the worker's kept copy (lms.web.pagecache), with no query
   while the database's change signal vouches for its check (lms.changes) —
   the same pages built every time (a second server with PAGE_CACHE_BYTES=0, the same
   logins), the pages revisited with If-None-Match (a browser's copy confirmed with 304),
   then hello-world; the ratio is Leerpad's share of what the same gunicorn set-up serves
   at most;
2. latency at 500 active learners: each learner asks for a page (lesson, course, home, path)
   about every 10 s, i.e. 50 requests/s sent at a fixed rate (an open loop, so a slow answer
   does not slow the senders down) by a thread pool in this script, a new connection each;
3. errors: non-2xx answers and socket errors in both runs;
and checks that the GET load wrote nothing (row counts of the tables a request could write).
Prints a table; with --write, replaces the "Load" section of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import http.cookiejar
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LUA = HERE / "wrk_session.lua"
PASSWORD = "bench-password"
SECRET = "bench-load-secret"
PG_BASE = "postgresql://postgres@127.0.0.1:5432"
# Tables a GET request could write to if it did something wrong.
WATCHED = ("progress_event", "lesson_state", "course_state", "track_state", "audit_event",
           "notification", "enrolment", "api_token")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return
        except urllib.error.HTTPError:  # it answers (a redirect to /inloggen, say): it is up
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server on port {port} did not answer within {seconds} s")


def database_url(kind: str, data_dir: Path, size: str, postgresql_url: str | None = None) -> str:
    if kind == "sqlite":
        return f"sqlite:///{data_dir / f'{size}.sqlite'}"
    return postgresql_url or f"{PG_BASE}/bench_{size.lower()}"


def engine_for(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def ensure_data(kind: str, url: str, size: str, skip: bool) -> float | None:
    """Generate the data set unless it is there and --skip-generate; returns seconds taken."""
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            name = url.rsplit("/", 1)[1]
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
                skip = False
    elif not Path(url.removeprefix("sqlite:///")).exists():
        skip = False
    if skip:
        return None
    started = time.monotonic()
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--size", size,
                    "--database-url", url, "--reset"], check=True, cwd=ROOT)
    return time.monotonic() - started


def data_shape(url: str) -> dict[str, int]:
    engine = engine_for(url)
    with engine.connect() as conn:
        shape = {
            "learners": conn.scalar(sa.text(
                "SELECT count(*) FROM user_account WHERE email LIKE 'learner%@bench.example'")),
            "lessons": conn.scalar(sa.text("SELECT count(*) FROM lesson")),
            "events": conn.scalar(sa.text("SELECT count(*) FROM progress_event")),
        }
    engine.dispose()
    return shape


def watched_counts(url: str) -> dict[str, int]:
    engine = engine_for(url)
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        counts = {t: conn.scalar(sa.text(f'SELECT count(*) FROM "{t}"'))  # nosec B608 (fixed names)
                  for t in WATCHED if t in names}
    engine.dispose()
    return counts


def learner_pages(url: str, n: int) -> list[tuple[str, list[str]]]:
    """(email, [lesson, course, home, path URLs]) for n learners who have started a lesson."""
    engine = engine_for(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("""
            SELECT u.email, c.slug, l.slug FROM user_account u
            JOIN (SELECT user_id, max(id) AS last FROM lesson_state GROUP BY user_id) m
              ON m.user_id = u.id
            JOIN lesson_state s ON s.id = m.last
            JOIN lesson l ON l.id = s.lesson_id JOIN course c ON c.id = l.course_id
            WHERE u.email LIKE 'learner%@bench.example' ORDER BY u.id LIMIT :n"""),
            {"n": n}).all()
    engine.dispose()
    return [(email, [f"/cursussen/{c}/{les}", f"/cursussen/{c}", "/", "/leerpad"])
            for email, c, les in rows]


def log_in(port: int, email: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    html = opener.open(f"{base}/inloggen", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    page = opener.open(f"{base}/inloggen", data.encode(), timeout=30).read().decode()
    if "/uitloggen" not in page:
        raise SystemExit(f"logging in {email} failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def etag_of(port: int, cookie: str, path: str) -> str:
    """The ETag a learner's browser keeps for a page, once a revisit with it is confirmed
    (304); empty when the page has none or the revisit got a whole page."""
    def get(headers: dict[str, str]):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Cookie": cookie, **headers})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response

    etag = get({}).getheader("ETag", "")
    if not etag or get({"If-None-Match": etag}).status != 304:
        raise SystemExit(f"a revisit of {path} with its ETag was not answered 304")
    return etag


def wrk(port: int, targets: Path, threads: int, connections: int, seconds: int
        ) -> dict[str, float]:
    env = dict(os.environ, WRK_TARGETS=str(targets))
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(LUA), f"http://127.0.0.1:{port}/"],
        env=env, capture_output=True, text=True)
    if "RESULT" not in out.stdout:
        raise SystemExit(f"wrk failed: {out.stdout}{out.stderr}")
    found = dict(re.findall(r"(\w+)=(\d+)", out.stdout.split("RESULT", 1)[1]))
    r = {k: int(v) for k, v in found.items()}
    return {
        "rps": r["requests"] / (r["duration_us"] / 1e6),
        "requests": r["requests"],
        "errors": r["errors_status"] + r["errors_connect"] + r["errors_read"]
        + r["errors_timeout"],
        "p50": r["p50_us"] / 1000, "p95": r["p95_us"] / 1000, "p99": r["p99_us"] / 1000,
    }


def open_loop(port: int, targets: Path, rate: float, seconds: int) -> dict[str, float]:
    """Requests at a fixed rate whatever the answers (an open loop: wrk's delay() think time
    gave p50s of ~200 ms for pages that take 8 ms, as its timer and gunicorn's closed
    connections disagree); each latency runs from the planned start, so queueing counts."""
    import random
    import threading

    lines = [line.split("\t") for line in targets.read_text().splitlines()]
    random.Random(1).shuffle(lines)
    latencies, errors, lock = [], [0], threading.Lock()

    def one(planned: float, cookie: str, path: str) -> None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            conn.close()
            ok = 200 <= response.status < 300
        except OSError:
            ok = False
        took = time.perf_counter() - planned
        with lock:
            latencies.append(took)
            errors[0] += not ok

    began = time.perf_counter()
    total = int(rate * seconds)
    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        for i in range(total):
            planned = began + i / rate
            pause = planned - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            cookie, path = lines[i % len(lines)]
            pool.submit(one, planned, cookie, path)
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"rps": len(latencies) / elapsed, "requests": len(latencies), "errors": errors[0],
            "p50": pct(50), "p95": pct(95), "p99": pct(99)}


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


def run_database(kind: str, args, data_dir: Path) -> dict:
    url = database_url(kind, data_dir, args.size, args.postgresql_url)
    generated = ensure_data(kind, url, args.size, args.skip_generate)
    shape = data_shape(url)
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_SECRET_KEY=SECRET,
               LMS_INSTANCE_PATH=str(data_dir / "instance"),
               LMS_LOGIN_LIMIT="100000 per minute")  # 500 logins from one address
    lms_port, hello_port, built_port = free_port(), free_port(), free_port()
    lms_command = str(Path(sys.executable).parent / "lms")
    lms = start([lms_command, "serve", "--port", str(lms_port), "--workers", str(args.workers)],
                env)
    hello = start([sys.executable, str(Path(__file__)), "--serve-hello", str(hello_port),
                   "--workers", str(args.workers)], env)
    try:
        wait_for(lms_port, lms, 120)
        wait_for(hello_port, hello)
        learners = learner_pages(url, args.learners)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            cookies = list(pool.map(lambda e: log_in(lms_port, e), [e for e, _ in learners]))
        lesson_targets = data_dir / f"{kind}-lessons.tsv"
        mixed_targets = data_dir / f"{kind}-mixed.tsv"
        lesson_targets.write_text("".join(f"{c}\t{pages[0]}\n"
                                          for c, (_, pages) in zip(cookies, learners)))
        mixed_targets.write_text("".join(f"{c}\t{p}\n" for c, (_, pages) in
                                         zip(cookies, learners) for p in pages))
        revisit_targets = data_dir / f"{kind}-revisits.tsv"
        revisit_targets.write_text("".join(
            f"{c}\t{pages[0]}\t{etag_of(lms_port, c, pages[0])}\n"
            for c, (_, pages) in zip(cookies, learners)))
        hello_targets = data_dir / "hello.tsv"
        hello_targets.write_text("none=1\t/\n")  # one anonymous path, same script
        before = watched_counts(url)
        wrk(lms_port, lesson_targets, 2, 8, 3)  # warm up every worker
        wrk(hello_port, hello_targets, 2, 8, 3)
        lesson = wrk(lms_port, lesson_targets, 2, args.connections, args.seconds)
        revisit = wrk(lms_port, revisit_targets, 2, args.connections, args.seconds)
        hello_r = wrk(hello_port, hello_targets, 2, args.connections, args.seconds)
        active = open_loop(lms_port, mixed_targets, args.learners / 10, args.seconds * 2)
        stop(lms)  # the same cores for the server that builds every page
        built_server = start([lms_command, "serve", "--port", str(built_port), "--workers",
                              str(args.workers)], dict(env, LMS_PAGE_CACHE_BYTES="0"))
        try:
            wait_for(built_port, built_server, 120)
            wrk(built_port, lesson_targets, 2, 8, 3)
            built = wrk(built_port, lesson_targets, 2, args.connections, args.seconds)
        finally:
            stop(built_server)
        after = watched_counts(url)
    finally:
        stop(lms)
        stop(hello)
    return {"kind": kind, "shape": shape, "generated": generated, "lesson": lesson,
            "built": built, "revisit": revisit, "hello": hello_r, "active": active, "writes": {
                t: after[t] - before[t] for t in before if after[t] != before[t]}}


def serve_hello(port: int, workers: int) -> None:
    """Serve bench/hello_app.py with exactly the options ``lms serve`` gives gunicorn."""
    sys.path.insert(0, str(HERE))
    from hello_app import app

    from lms.commands.gunicorn_server import LeerpadServer
    from lms.commands.serve import gunicorn_options

    class HelloServer(LeerpadServer):
        def load(self):
            return app

    HelloServer(gunicorn_options("127.0.0.1", port, workers)).run()


def report(results: list[dict], args) -> str:
    lines = [
        "## Load",
        "",
        f"Measured {date.today().isoformat()} with `python bench/load.py --size {args.size}` "
        f"on the dev machine ({os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}); wrk and both servers share those cores. Both apps run "
        f"under the same gunicorn options (`lms.commands.serve.gunicorn_options`: "
        f"{args.workers} sync workers, access log on). Targets (DESIGN.md §6): a logged-in "
        "lesson page at ≥ 30 % of hello-world throughput; p95 ≤ 50 ms at 500 active learners.",
        "",
        "| database | learners / lessons / events | lesson page req/s: kept / built "
        "| revisit (304) req/s | hello-world req/s | ratio: kept / built / revisit "
        "| 500 learners: req/s | p50 | p95 | p99 | errors | rows written by GETs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        s, lesson, hello, active = r["shape"], r["lesson"], r["hello"], r["active"]
        revisit, built = r["revisit"], r["built"]

        def share(x: dict) -> str:
            return f"{x['rps'] / hello['rps']:.0%}" if hello["rps"] else "—"

        errors = lesson["errors"] + built["errors"] + revisit["errors"] + active["errors"]
        writes = ", ".join(f"{t} +{n}" for t, n in r["writes"].items()) or "none"
        lines.append(
            f"| {r['kind']} | {s['learners']:,} / {s['lessons']:,} / {s['events']:,} "
            f"| {lesson['rps']:.0f} / {built['rps']:.0f} | {revisit['rps']:.0f} "
            f"| {hello['rps']:.0f} | {share(lesson)} / {share(built)} / {share(revisit)} "
            f"| {active['rps']:.0f} "
            f"| {active['p50']:.1f} ms | {active['p95']:.1f} ms | {active['p99']:.1f} ms "
            f"| {errors} | {writes} |")
    lines += [
        "",
        f"Throughput: closed loop, {args.connections} connections, {args.seconds} s each, lesson "
        f"pages of {args.learners} logged-in learners (real logins), measured with wrk: "
        "*kept*, each learner's page asked again and given from the worker's kept copy, "
        "without a query while the database's change signal vouches for its check "
        "(`lms.changes`); *built*, the same requests to a server with "
        "`PAGE_CACHE_BYTES=0`, which builds every page; *revisit*, each learner's ETag sent "
        "(If-None-Match), as a browser does for a page it keeps, answered 304. "
        f"Latency: {args.learners} learners each asking for a page every 10 s = "
        f"{args.learners / 10:.0f} requests/s at a fixed rate for {args.seconds * 2} s "
        "(lesson, course, home and path pages of those learners in turn, a new connection "
        "each), timed from each request's planned start so queueing counts.",
    ]
    return "\n".join(lines) + "\n"


def write_results(section: str) -> None:
    path = HERE / "RESULTS.md"
    text = path.read_text()
    if "## Load" in text:
        head, rest = text.split("## Load", 1)
        tail = rest[rest.find("\n## "):] if "\n## " in rest else ""
        text = head + section.rstrip("\n") + "\n" + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="L", choices=["S", "M", "L"])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--data-dir", default="/tmp/leerpad-bench", type=Path)
    parser.add_argument("--skip-generate", action="store_true",
                        help="reuse a data set generated by an earlier run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--postgresql-url", default=None,
                        help=f"the PostgreSQL database (default {PG_BASE}/bench_<size>)")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--serve-hello", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_hello:
        return serve_hello(args.serve_hello, args.workers)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt install wrk)")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    results = [run_database(kind, args, args.data_dir) for kind in args.databases.split(",")]
    section = report(results, args)
    print(section)
    if args.write:
        write_results(section)


if __name__ == "__main__":
    main()
