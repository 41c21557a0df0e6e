"""The login throttle's default store, a SQLite file in the instance folder, is shared by every
process of an installation: real processes increment it together without losing a count, and
two `lms serve` servers (two gunicorn workers each) on one instance folder throttle together.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from limits import parse_many
from limits.storage import storage_from_string

from lms import create_app
from lms.accounts.throttle import SQLiteStorage, sqlite_uri
from lms.extensions import db
from lms.testing import PASSWORD, make_world
from tests.scale_support import Browser, Instance, lms_command

INCREMENTS = 300
COUNT_IN_A_PROCESS = """
import sys
from limits.storage import storage_from_string
import lms.accounts.throttle  # registers sqlite://
store = storage_from_string(sys.argv[1])
for _ in range(int(sys.argv[2])):
    store.incr("shared-key", 3600)
"""


def test_the_scheme_is_registered_with_limits(tmp_path):
    """`sqlite:////path` names the storage for the `limits` library, as redis:// does."""
    store = storage_from_string(sqlite_uri(tmp_path / "counts.sqlite"))
    assert isinstance(store, SQLiteStorage)
    assert store.check()
    assert store.incr("k", 60) == 1 and store.incr("k", 60, amount=2) == 3
    assert store.get("k") == 3 and store.get("other") == 0
    assert time.time() < store.get_expiry("k") <= time.time() + 60
    store.clear("k")
    assert store.get("k") == 0


def test_a_window_ends_and_counting_starts_again(tmp_path):
    store = SQLiteStorage(sqlite_uri(tmp_path / "counts.sqlite"))
    assert store.incr("k", 1) == 1 and store.incr("k", 1) == 2
    time.sleep(1.1)
    assert store.get("k") == 0
    assert store.incr("k", 1) == 1


def test_processes_counting_at_the_same_time_lose_no_count(tmp_path):
    """Three processes increment one counter at once; every increment is there."""
    uri = sqlite_uri(tmp_path / "counts.sqlite")
    processes = [subprocess.Popen([sys.executable, "-c", COUNT_IN_A_PROCESS, uri,
                                   str(INCREMENTS)]) for _ in range(3)]
    for process in processes:
        assert process.wait(timeout=120) == 0
    assert SQLiteStorage(uri).get("shared-key") == 3 * INCREMENTS


def test_an_unusable_store_neither_fails_logins_nor_stops_throttling(app_factory, tmp_path):
    """When the file cannot be opened, each process counts on its own instead (in memory)."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store's folder should be")
    app = app_factory(RATELIMIT_ENABLED=True,
                      RATELIMIT_STORAGE=sqlite_uri(blocked / "ratelimit.sqlite"))
    with app.app_context():
        make_world()
    client = app.test_client()
    assert client.post("/inloggen", data={"email": "learner@example.org",
                                       "password": PASSWORD}).status_code == 302
    client.post("/uitloggen")
    limit = min(item.amount for item in parse_many(app.config["LOGIN_LIMIT"]))
    for _ in range(limit):
        assert client.post("/inloggen", data={"email": "mentor@example.org",
                                           "password": "wrong"}).status_code == 200
    assert client.post("/inloggen", data={"email": "mentor@example.org",
                                       "password": "wrong"}).status_code == 429


# --- two servers -----------------------------------------------------------------------------


def _seed(instance: Path) -> int:
    """Migrate the instance's SQLite database, add the world; returns LOGIN_LIMIT's amount."""
    env = {"LMS_INSTANCE_PATH": str(instance), "PATH": str(Path(sys.executable).parent)}
    subprocess.run([*lms_command(), "db", "upgrade"], env=env, check=True, capture_output=True,
                   timeout=120)
    app = create_app({"INSTANCE_PATH": instance, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    try:
        with app.app_context():
            make_world()
            return min(item.amount for item in parse_many(app.config["LOGIN_LIMIT"]))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _servers(instance: Path, work: Path, **extra: str) -> list[Instance]:
    env = {"LMS_INSTANCE_PATH": str(instance), "PATH": str(Path(sys.executable).parent),
           **extra}
    servers = []
    try:
        for name in ("A", "B"):  # one after the other: the first one migrates
            server = Instance(name, env, work, workers=2)
            servers.append(server)
            server.wait_ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def _guess(servers, limit: int) -> list[int]:
    """LOGIN_LIMIT wrong passwords for one account, alternately on A and B, then one more
    on each: their answers."""
    attacker = Browser(forwarded_for="ignored")  # no PROXY_FIX: the address is 127.0.0.1
    answers = [attacker.login(servers[n % 2], "mentor@example.org", "wrong password").status
               for n in range(limit)]
    return answers + [attacker.login(server, "mentor@example.org", "wrong password").status
                      for server in servers]


@pytest.mark.parametrize("storage, shared", [("", True), ("memory://", False)])
def test_two_servers_on_one_instance_folder_count_failed_logins_together(tmp_path, storage,
                                                                         shared):
    """Two `lms serve` (2 workers each) without Redis: LOGIN_LIMIT failed logins spread over
    both throttle both, because the counters are in the instance folder's ratelimit.sqlite.
    With RATELIMIT_STORAGE=memory:// (the old default) each worker counts alone and the
    same guesses are all answered."""
    instance = tmp_path / "instance"
    limit = _seed(instance)
    extra = {"LMS_RATELIMIT_STORAGE": storage} if storage else {}
    servers = _servers(instance, tmp_path, **extra)
    try:
        answers = _guess(servers, limit)
    finally:
        for server in servers:
            server.stop()
    assert answers[:limit] == [200] * limit
    if shared:
        assert answers[limit:] == [429, 429]
        assert (instance / "ratelimit.sqlite").exists()
    else:
        assert answers[limit:] == [200, 200]
