"""The bundled plugins' tests use the core test fixtures (app, client, world, auth) and the
plugin test course."""
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import pytest  # noqa: E402

from tests.conftest import app, app_factory, db_template, runner, world  # noqa: E402,F401
from tests.support import Auth  # noqa: E402
from tests.plugin_fixtures.activities import course  # noqa: E402,F401

class EnglishAuth(Auth):
    """Logs in and chooses English, so tests read the source messages."""

    def login(self, who: str = "learner", **kwargs):
        response = super().login(who, **kwargs)
        self.client.post("/lang", data={"lang": "en"})
        return response


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(client):
    return EnglishAuth(client)
