"""CPU per page, in-process: a learner's lesson page (and course, home, path pages) through
Flask's test client, on a generated data set, with the queries per page and an optional
cProfile listing.

    python bench/page_profile.py --database-url sqlite:////tmp/leerpad-bench/L.sqlite
    python bench/page_profile.py --database-url postgresql://postgres@127.0.0.1:5432/bench_l \\
        --pages 300 --profile 25

It logs in one generated learner (the same pages bench/load.py asks for) and asks for each
page ``--pages`` times after a warm-up; prints ms of CPU per page (this process: the
database server's share is only in the wall time beside it), the queries per page and the
Python function calls per page (cProfile: deterministic, unlike times on a shared machine).
The lesson page three ways: asked again (the worker's kept copy after one check,
lms.web.pagecache), built every time (an app with PAGE_CACHE_BYTES=0) and a revisit that
sends its ETag back (If-None-Match: a 304).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import PASSWORD, SECRET, learner_pages  # noqa: E402


def login(client, email: str) -> None:
    html = client.get("/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    page = client.post("/inloggen", data={"csrf_token": token, "email": email,
                                       "password": PASSWORD}, follow_redirects=True)
    if "/uitloggen" not in page.get_data(as_text=True):
        raise SystemExit(f"logging in {email} failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N costliest functions (cumulative) of the lesson page")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from lms import create_app
    from lms.extensions import db

    email, urls = learner_pages(args.database_url, 1)[0]
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": SECRET})
    client = app.test_client()
    login(client, email)
    builds_app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": SECRET,
                             "PAGE_CACHE_BYTES": 0})
    builds = builds_app.test_client()
    login(builds, email)
    engines = []
    for each in (app, builds_app):
        with each.app_context():
            engines.append(db.engine)
    queries = [0]

    def count(*_) -> None:
        queries[0] += 1

    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    print(f"learner {email}; {args.pages} requests per page after 20 warm-up requests")
    etag = client.get(urls[0]).headers.get("ETag", "")
    pages = [(client, urls[0], "lesson, kept", {}), (builds, urls[0], "lesson, built", {}),
             (client, urls[0], "revisit", {"If-None-Match": etag})]
    pages += [(client, url, name, {})
              for url, name in zip(urls[1:], ("course", "home", "path"))]
    for browser, url, name, headers in pages:
        for _ in range(20):
            assert browser.get(url, headers=headers).status_code in (200, 304), url
        queries[0] = 0
        started, wall = time.process_time(), time.perf_counter()
        for _ in range(args.pages):
            browser.get(url, headers=headers)
        cpu = (time.process_time() - started) / args.pages * 1000
        wall = (time.perf_counter() - wall) / args.pages * 1000
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(50):
            browser.get(url, headers=headers)
        profiler.disable()
        calls = pstats.Stats(profiler).total_calls / 50
        print(f"{name:13} {url:40} {cpu:6.2f} ms CPU/page {wall:6.2f} ms wall "
              f"{queries[0] / args.pages:.0f} queries {calls:8,.0f} calls")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.pages):
            client.get(urls[0])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
