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

from lms.plugins import BUNDLED_DIR, import_plugin  # noqa: E402

# Import each bundled plugin once, as lms_plugin_<name> (how the app loads it). pytest also
# imports a test directory's package __init__.py (as "<name>"): point that name at the same
# module, or the plugin's tables would be defined twice.
for _name in ("quiz", "reflection", "assignment"):
    sys.modules[_name] = import_plugin(_name, BUNDLED_DIR / _name / "__init__.py")



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
