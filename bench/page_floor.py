"""Where a logged-in page's CPU goes, layer by layer, in-process: the same app with a few
extra routes that stop at each layer, so the lesson page can be compared with the floor the
framework sets under it.

    python bench/page_floor.py --database-url sqlite:////tmp/leerpad-bench/L.sqlite

Layers, each including the ones above it (bar the first): bench/hello_app.py, the
hello-world that bench/load.py compares with (Flask and the test client alone); an anonymous
route that returns a word (Flask,
the extensions' before/after-request work and the test client); a logged-in route (the
session cookie and the user with roles: one query); the navigation as the plugins give it;
the base layout with an empty page; the real lesson page of one generated learner, built
every time (an app with PAGE_CACHE_BYTES=0); and the same page asked again, given from the
worker's kept copy (lms.web.pagecache), with no query while the change signal vouches for
its check (lms.changes).
Prints ms of CPU of this process per request (the median of --rounds rounds).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import SECRET, learner_pages  # noqa: E402
from page_profile import login  # noqa: E402
from hello_app import app as hello_app  # noqa: E402


def build_app(database_url: str, **config):
    from flask import render_template
    from flask_login import current_user, login_required

    from lms import create_app
    from lms.web.revalidation import navigation

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, **config})
    empty_page = app.jinja_env.from_string(
        "{% extends 'base.html' %}{% block content %}.{% endblock %}")

    @app.get("/_floor/anonymous")
    def anonymous():
        return "ok"

    @app.get("/_floor/user")
    @login_required
    def user():
        return current_user.name

    @app.get("/_floor/navigation")
    @login_required
    def nav():
        return str(len(navigation()))

    @app.get("/_floor/layout")
    @login_required
    def layout():
        return render_template(empty_page)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    email, urls = learner_pages(args.database_url, 1)[0]
    app = build_app(args.database_url)
    leerpad = app.test_client()
    login(leerpad, email)
    builds = build_app(args.database_url, PAGE_CACHE_BYTES=0).test_client()
    login(builds, email)
    layers = [("hello-world", hello_app.test_client(), "/"),
              *((name, leerpad, url) for name, url in (
              ("anonymous route", "/_floor/anonymous"), ("logged-in route", "/_floor/user"),
              ("+ navigation", "/_floor/navigation"), ("+ base layout", "/_floor/layout"))),
              ("lesson page, built", builds, urls[0]), ("lesson page, kept", leerpad, urls[0])]
    print(f"learner {email}; {args.requests} requests × {args.rounds} rounds per layer")
    previous = 0.0
    for name, client, url in layers:
        for _ in range(50):
            assert client.get(url).status_code == 200, url
        rounds = []
        for _ in range(args.rounds):
            started = time.process_time()
            for _ in range(args.requests):
                client.get(url)
            rounds.append((time.process_time() - started) / args.requests * 1000)
        cpu = statistics.median(rounds)
        print(f"{name:18} {url:32} {cpu:6.3f} ms CPU  ({cpu - previous:+.3f})")
        previous = cpu
    return 0


if __name__ == "__main__":
    sys.exit(main())
