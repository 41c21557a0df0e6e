"""Scale-out: app servers behind a reverse proxy, sharing one PostgreSQL and one Redis.

The cluster tests start two `lms serve` instances (gunicorn): sessions and rate limits hold
across both, and killing one with SIGKILL in the middle of a progress load neither loses an
acknowledged event nor stores one twice. They run in the PostgreSQL run
(LMS_TEST_DATABASE_URL), with Redis from LMS_TEST_REDIS_URL; in CI a missing Redis fails
them instead of skipping them.
"""
from __future__ import annotations

import os
import re
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from limits import parse_many
from sqlalchemy.engine import make_url

from lms import create_app
from lms.config import DEFAULTS
from lms.extensions import db
from lms.models.portfolio import ApiToken
from lms.tracking.record import idempotency_key
from tests import builders
from lms.testing import PG_URL
from tests.scale_support import (Browser, Instance, LoadLog, Sent, lms_command, post_progress,
                                 request, run_client)
from lms.testing import PASSWORD, make_world

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
LEARNERS = ("learner", "other_learner", "far_learner")
LESSONS = 4
CLIENTS_PER_LEARNER = 2  # two clients of one learner race for the same completions
REQUESTS_PER_CLIENT = 45


# --- behind a reverse proxy ------------------------------------------------------------------


def _bad_login(client, email: str, proxy: str, forwarded_for: str):
    return client.post("/inloggen", data={"email": email, "password": "not the password"},
                       headers={"X-Forwarded-For": forwarded_for},
                       environ_base={"REMOTE_ADDR": proxy})


def _throttled_app(app_factory, **config):
    app = app_factory(RATELIMIT_ENABLED=True, **config)
    with app.app_context():
        make_world()
    return app, min(item.amount for item in parse_many(app.config["LOGIN_LIMIT"]))


def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit(app_factory):
    """With PROXY_FIX=1 the throttle counts the address nginx forwards, not nginx's own."""
    app, limit = _throttled_app(app_factory, PROXY_FIX=1)
    client = app.test_client()
    for _ in range(limit):
        assert _bad_login(client, "learner@example.org", "10.0.0.1",
                          "198.51.100.7").status_code == 200
    assert _bad_login(client, "learner@example.org", "10.0.0.1", "198.51.100.7").status_code == 429
    # Another teacher behind the same proxy is not affected.
    assert _bad_login(client, "learner@example.org", "10.0.0.1", "198.51.100.8").status_code == 200


def test_without_proxy_fix_a_forged_forwarded_for_does_not_evade_the_limit(app_factory):
    """Without PROXY_FIX, X-Forwarded-For is ignored: a client cannot pick its own address."""
    app, limit = _throttled_app(app_factory)
    client = app.test_client()
    for attempt in range(limit):
        assert _bad_login(client, "learner@example.org", "203.0.113.5",
                          f"198.51.100.{attempt}").status_code == 200
    assert _bad_login(client, "learner@example.org", "203.0.113.5",
                      "198.51.100.99").status_code == 429


# --- the deployment guide --------------------------------------------------------------------


def test_deployment_guide_names_only_real_settings_and_all_of_them():
    """Every LMS_* variable and setting in docs/deployment.md exists, and each one is there."""
    guide = (Path(__file__).resolve().parent.parent / "docs" / "deployment.md").read_text()
    named = set(re.findall(r"\bLMS_([A-Z][A-Z0-9_]+)", guide))
    table = {name for row in re.findall(r"^\| (`[A-Z].*?) \|", guide, re.M)
             for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}
    assert (named | table) - {"INSTANCE_PATH"} <= set(DEFAULTS)
    assert set(DEFAULTS) <= table


# --- two instances ----------------------------------------------------------------------------


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def redis_url():
    """Redis must answer; the test's limiter keys are removed afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
        problem = None
    except redis.exceptions.RedisError as exc:
        problem = f"Redis at {REDIS_URL} does not answer ({exc}); set LMS_TEST_REDIS_URL"
    if problem:
        client.close()
        _unavailable(problem)
    prefix = f"lms-scale-{uuid.uuid4().hex[:8]}"
    yield REDIS_URL, prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="module")
def database_url():
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    if not PG_URL:
        pytest.skip("needs PostgreSQL: set LMS_TEST_DATABASE_URL (runs in the PostgreSQL run)")
    server = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"lms_scale_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(drivername="postgresql", database=name).render_as_string(
                hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Cluster:
    a: Instance
    b: Instance
    url: str
    login_limit: int
    user_ids: dict[str, int]
    tokens: dict[str, str]
    lesson_ids: dict[str, int]  # "schaal/l1" -> id


def _seed(url: str, instance: Path) -> tuple[dict, dict, dict, int]:
    """People, one course, a personal API token per learner; and the configured login limit."""
    app = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": url})
    try:
        with app.app_context():
            world = make_world()
            course = builders.course("schaal", LESSONS)
            lesson_ids = {lesson.object_id: lesson.id for lesson in course.lessons}
            tokens = {}
            for who in LEARNERS:
                token, secret = ApiToken.issue(world.users[who], "load test")
                db.session.add(token)
                tokens[who] = secret
            db.session.commit()
            limit = min(item.amount for item in parse_many(app.config["LOGIN_LIMIT"]))
            return world.users, tokens, lesson_ids, limit
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def cluster(database_url, redis_url, tmp_path_factory):
    """Migrate the fresh database as on deploy, seed it, then start instances A and B."""
    storage, prefix = redis_url
    work = tmp_path_factory.mktemp("scale")
    base_env = {**os.environ, "LMS_DATABASE_URL": database_url,
                "LMS_INSTANCE_PATH": str(work / "seed-instance")}
    subprocess.run([*lms_command(), "db", "upgrade"], env=base_env, check=True,
                   capture_output=True, timeout=120)
    users, tokens, lesson_ids, limit = _seed(database_url, work / "seed-instance")
    instances = []
    try:
        for name in ("A", "B"):
            env = {**base_env,
                   "LMS_INSTANCE_PATH": str(work / f"instance-{name}"),  # nothing shared on disk
                   "LMS_SECRET_KEY": "scale-out-shared-secret",
                   "LMS_RATELIMIT_STORAGE": storage,
                   "LMS_RATELIMIT_KEY_PREFIX": prefix,
                   "LMS_PROXY_FIX": "1"}  # as behind nginx: the client is X-Forwarded-For
            instances.append(Instance(name, env, work))
        for instance in instances:
            instance.wait_ready()
        yield Cluster(*instances, database_url, limit, users, tokens, lesson_ids)
    finally:
        for instance in instances:
            instance.stop()


@pytest.mark.postgres
def test_a_session_started_on_one_instance_works_on_the_other(cluster):
    """Log in on A (with a CSRF token B handed out), then B shows the logged-in pages."""
    a, b = cluster.a, cluster.b
    browser = Browser(forwarded_for="192.0.2.10")
    assert browser.send(b, "GET", "/account").status == 302  # not logged in yet
    assert browser.login(a, "learner@example.org", PASSWORD, csrf_from=b).status == 302
    account = browser.send(b, "GET", "/account")
    assert account.status == 200
    assert "learner@example.org" in account.body
    # Logging out on B ends the session on A as well: it lives in the cookie, not a server.
    token = browser.csrf_token(a, "/account")
    assert browser.send(b, "POST", "/uitloggen", {"csrf_token": token}).status == 302
    assert browser.send(a, "GET", "/account").status == 302


@pytest.mark.postgres
def test_a_password_change_on_one_instance_ends_sessions_on_the_other(cluster):
    """Changing the password on B logs out the same person's other session, used on A."""
    a, b = cluster.a, cluster.b
    laptop, phone = Browser(forwarded_for="192.0.2.11"), Browser(forwarded_for="192.0.2.12")
    for browser in (laptop, phone):
        assert browser.login(a, "schoolopleider@example.org", PASSWORD).status == 302
    token = phone.csrf_token(b, "/account")
    new = "a brand new passphrase"
    changed = phone.send(b, "POST", "/account/wachtwoord", {
        "csrf_token": token, "current": PASSWORD, "password": new, "confirm": new})
    assert changed.status == 302
    assert phone.send(a, "GET", "/account").status == 200  # the changing session stays
    assert laptop.send(a, "GET", "/account").status == 302  # the other one has ended


@pytest.mark.postgres
def test_failed_logins_are_counted_across_both_instances(cluster):
    """LOGIN_LIMIT failed logins on one account from one address, spread over A and B,
    throttle that account from that address on both; nobody else is locked out."""
    a, b, limit = cluster.a, cluster.b, cluster.login_limit
    victim, bystander = "mentor@example.org", "coordinator@example.org"
    attacker = Browser(forwarded_for="192.0.2.20")
    for attempt in range(limit):
        target = (a, b)[attempt % 2]
        answer = attacker.login(target, victim, "wrong password")
        assert answer.status == 200, f"attempt {attempt + 1} of {limit} on {target.name}"
    for target in (a, b):
        assert attacker.login(target, victim, "wrong password").status == 429
        assert attacker.login(target, victim, PASSWORD).status == 429  # even the right one
    # The victim, from their own address, is not locked out...
    assert Browser(forwarded_for="192.0.2.21").login(b, victim, PASSWORD).status == 302
    # ...nor is a colleague at the attacker's address (the address limit is far higher).
    assert Browser(forwarded_for="192.0.2.20").login(a, bystander, PASSWORD).status == 302


def _plans(cluster) -> list[tuple[str, list[Sent]]]:
    """Per client: mostly 'experienced' with its own key, every fourth a keyless 'completed'
    that the learner's other client sends too (so both instances race to store it)."""
    plans = []
    for who in LEARNERS:
        for client in range(CLIENTS_PER_LEARNER):
            number = len(plans)
            plan = []
            for index in range(REQUESTS_PER_CLIENT):
                if index % 4 == 0:
                    lesson = f"schaal/l{(index // 4) % LESSONS + 1}"
                    plan.append(Sent(number, cluster.user_ids[who], lesson, "completed", None))
                else:
                    lesson = f"schaal/l{index % LESSONS + 1}"
                    plan.append(Sent(number, cluster.user_ids[who], lesson, "experienced",
                                     f"c{number}-{index}"))
            plans.append((who, plan))
    return plans


def _key(cluster, sent: Sent) -> str:
    # Keyed and keyless 'completed' events do not depend on the time.
    return idempotency_key(sent.user_id, cluster.lesson_ids[sent.lesson], sent.verb, None,
                           sent.key, at=None)


@pytest.mark.postgres
def test_killing_an_instance_mid_load_loses_and_duplicates_nothing(cluster):
    """Clients post progress alternately to A and B; A is SIGKILLed mid-load and the clients
    go on with B. Every acknowledged event is stored exactly once; nothing twice."""
    a, b = cluster.a, cluster.b
    plans = _plans(cluster)
    total = sum(len(plan) for _, plan in plans)
    log, down = LoadLog(), set()
    clients = [threading.Thread(target=run_client,
                                args=(n, plan, cluster.tokens[who], [a, b], down, log))
               for n, (who, plan) in enumerate(plans)]
    for client in clients:
        client.start()
    while True:  # kill A once a third of the load has been acknowledged
        with log.lock:
            if len(log.acked) >= total // 3 or not any(c.is_alive() for c in clients):
                acked_before_kill = len(log.acked)
                break
        time.sleep(0.01)
    killed_at = datetime.now(timezone.utc).replace(tzinfo=None)
    a.kill()
    down.add(a.name)
    for client in clients:
        client.join(timeout=60)
    assert not any(client.is_alive() for client in clients)

    # The kill really happened mid-load, and B carried on alone.
    assert a.process.returncode == -9
    with pytest.raises(OSError):
        request(a, "GET", "/inloggen", timeout=2)
    assert acked_before_kill < total
    assert {name for _, name, _ in log.acked[:acked_before_kill]} == {"A", "B"}
    assert sum(name == "B" for _, name, _ in log.acked[acked_before_kill:]) > total // 2
    # Only A failed, and only by going away; B answered every request with 2xx, so each
    # request A left unanswered was acknowledged by B on the client's retry.
    assert {name for _, name, _ in log.failed} <= {"A"}
    assert not [error for *_, error in log.failed if error.startswith("HTTP")]
    assert len(log.acked) == len(log.sent) == total

    # A client that lost A's answer sends the same request to B: it gets the stored event.
    token_of = {cluster.user_ids[who]: token for who, token in cluster.tokens.items()}
    acked_by_a = [(sent, event_id) for sent, name, event_id in log.acked if name == "A"]
    for sent, event_id in acked_by_a:
        replay = post_progress(b, token_of[sent.user_id], sent)
        assert replay.status == 201 and replay.json()["event"]["id"] == event_id

    engine = sa.create_engine(make_url(cluster.url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT id, idempotency_key, user_id, lesson_id, verb, timestamp"
                " FROM progress_event"
            )).all()
            completed_states = set(conn.execute(sa.text(
                "SELECT user_id, lesson_id FROM lesson_state WHERE status = 'completed'")).all())
            course_counts = dict(conn.execute(sa.text(
                "SELECT user_id, completed_lessons FROM course_state")).all())
    finally:
        engine.dispose()

    stored = Counter(row.idempotency_key for row in rows)
    ids = {row.idempotency_key: row.id for row in rows}
    sent_keys = {_key(cluster, sent) for sent in log.sent}
    # Every acknowledged event is there exactly once, as the event the client was shown.
    for sent, name, event_id in log.acked:
        key = _key(cluster, sent)
        assert stored[key] == 1, (sent, name)
        assert ids[key] == event_id, (sent, name)
    # Nothing is stored twice, and nothing is stored that no client sent.
    assert max(stored.values()) == 1
    assert set(stored) <= sent_keys
    assert max(Counter((r.user_id, r.lesson_id) for r in rows if r.verb == "completed")
               .values()) == 1
    # The derived state agrees with the event log.
    completed_events = {(r.user_id, r.lesson_id) for r in rows if r.verb == "completed"}
    assert completed_states == completed_events
    for who in LEARNERS:
        user_id = cluster.user_ids[who]
        assert course_counts[user_id] == sum(1 for u, _ in completed_events if u == user_id)

    cut_off = [sent for sent, _, error in log.failed if "Refused" not in error]
    # Stored as naive UTC.
    times = {row.idempotency_key: row.timestamp.replace(tzinfo=None) for row in rows}
    stored_by_a = [s for s in cut_off if s.key and times[_key(cluster, s)] < killed_at]
    print(f"\nscale-out: {total} requests, {acked_before_kill} acknowledged before the kill; "
          f"{len(log.failed)} left unacknowledged by A ({len(cut_off)} cut off in flight, "
          f"{len(stored_by_a)} of those already stored by A) and retried on B; "
          f"{len(acked_by_a)} answers of A replayed on B; {len(rows)} events stored")
