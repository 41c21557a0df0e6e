"""Kept lesson pages across two app servers (gunicorn, each with its workers) on one
PostgreSQL: a page instance B gives from its kept copy follows what happens through A — the
learner's own progress at once (their session counts the write), and a change written by any
other process as soon as B's listeners hear PostgreSQL's notification (lms.changes).

Its own cluster (the fixtures of tests/test_scale_out.py, a new database), so that the
progress written here stays out of that module's exact count of stored events."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from lms.testing import PASSWORD
from tests.scale_support import Browser
from tests.test_scale_out import cluster, database_url, redis_url  # noqa: F401  (fixtures)

LESSON = "/cursussen/schaal/l1"
MARK_DONE = "Markeer als afgerond"


def _pages(browser: Browser, instance, times: int) -> list[str]:
    answers = [browser.send(instance, "GET", LESSON) for _ in range(times)]
    assert all(answer.status == 200 for answer in answers), [a.status for a in answers]
    return [answer.body for answer in answers]


@pytest.mark.postgres
def test_a_page_kept_on_one_instance_follows_changes_made_elsewhere(cluster):
    a, b = cluster.a, cluster.b
    learner = Browser(forwarded_for="192.0.2.30")
    assert learner.login(a, "far_learner@example.org", PASSWORD).status == 302
    # Built, checked and remembered, then given from the kept copy, by each of B's workers.
    assert all(MARK_DONE in page for page in _pages(learner, b, 8))

    token = learner.csrf_token(a, LESSON)
    assert learner.send(a, "POST", f"{LESSON}/afgerond", {"csrf_token": token}).status == 302
    learner.send(a, "GET", LESSON)  # shows (and so ends) the "marked as done" message
    # B's very next answers show it done: no waiting for a notification.
    assert not any(MARK_DONE in page for page in _pages(learner, b, 4))

    # Another process renames the learner: B's workers hear it from PostgreSQL.
    engine = sa.create_engine(make_url(cluster.url).set(drivername="postgresql+psycopg"))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE user_account SET name = 'Ver Weg Hernoemd' "
                                 "WHERE id = :id"), {"id": cluster.user_ids["far_learner"]})
    finally:
        engine.dispose()
    deadline, streak = time.monotonic() + 10, 0
    while streak < 6:  # every worker of B, whichever answers
        assert time.monotonic() < deadline, "B kept giving the page with the old name"
        streak = streak + 1 if "Ver Weg Hernoemd" in _pages(learner, b, 1)[0] else 0
        time.sleep(0.01)
