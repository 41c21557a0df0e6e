"""The bundled plugins' tests: the fixtures of the Leerpad test kit (``lms.testing``, loaded
as a pytest plugin), the plugins' test course, and English pages so tests read the source
messages."""
import pytest

from leerpad_plugins.testing import course  # noqa: F401  (a fixture)
from lms.testing import Auth


class EnglishAuth(Auth):
    """Logs in and chooses English."""

    def login(self, who: str = "learner", **kwargs):
        response = super().login(who, **kwargs)
        self.client.post("/taal", data={"lang": "en"})
        return response


@pytest.fixture
def auth(client):
    return EnglishAuth(client)
