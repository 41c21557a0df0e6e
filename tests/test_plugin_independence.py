"""The core never needs a bundled plugin: with quiz, reflection or assignment disabled, and
its table out of reach, every page of every role answers without a 5xx."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.testing import PASSWORD, make_world
from tests.route_walk import get_routes, seed, walk, write_walk_plugin

BUNDLED = {"quiz": "quiz_attempt", "reflection": "reflection_entry",
           "assignment": "assignment_submission"}
ROLES = ("learner", "mentor", "schoolopleider", "coordinator", "author", "admin")


def _rename(app, old: str, new: str) -> None:
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text(f'ALTER TABLE "{old}" RENAME TO "{new}"'))
        db.engine.dispose()


@pytest.mark.parametrize("plugin", sorted(BUNDLED))
def test_every_page_of_every_role_works_without_a_bundled_plugin(app_factory, tmp_path, plugin):
    """Disable one bundled plugin and hide its table: no page of any role fails, and the data
    download and an erasure work, so the core reads no plugin table and expects no plugin's
    routes."""
    full = app_factory()
    with full.app_context():
        world = make_world()
    values = seed(full, world)
    app = app_factory(DISABLED_PLUGINS=plugin,
                      PLUGINS_DIRS=str(write_walk_plugin(tmp_path / "walk")))
    routes = get_routes(walk(app, values))
    assert not any(r.endpoint.startswith(f"{plugin}.") for r in routes)
    table = BUNDLED[plugin]
    _rename(app, table, f"{table}_hidden")
    try:
        failures = []
        for who in ROLES:
            client = app.test_client()
            login = client.post("/inloggen", data={"email": f"{who}@example.org",
                                                "password": PASSWORD})
            assert login.status_code == 302, who
            for route in routes:
                response = client.get(route.url)
                status = response.status_code
                response.close()  # static files are streamed
                if status >= 500:
                    failures.append(f"{who} GET {route.url}: {status}")
        assert failures == []
        learner = app.test_client()
        learner.post("/inloggen", data={"email": "learner@example.org", "password": PASSWORD})
        download = learner.post("/account/gegevens/download")
        assert download.status_code == 200 and download.mimetype == "application/zip"
        admin = app.test_client()
        admin.post("/inloggen", data={"email": "admin@example.org", "password": PASSWORD})
        erased = admin.post(f"/beheer/privacy/{world.users['other_learner']}/verwijderen",
                            data={"confirm": "other_learner@example.org"})
        assert erased.status_code == 302
    finally:
        _rename(app, f"{table}_hidden", table)
