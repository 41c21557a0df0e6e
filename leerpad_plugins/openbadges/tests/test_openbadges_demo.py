"""The demo data shows the three states of a signed credential: the demo learners'
credentials are signed, their public pages are on, and a visitor without an account sees one
valid, one expired and one revoked."""
from __future__ import annotations

from sqlalchemy import select

from lms.content import SHIPPED_COURSES
from lms.content.importer import import_directory
from lms.demo import create_demo_data
from lms.extensions import db
from lms.models import User

from leerpad_plugins.openbadges.models import BadgeCredential
from leerpad_plugins.openbadges.testing import BASE_URL

EXPECTED = {"certificaat": ("valid", "Geldig"),
            "certificaat-verlopen": ("expired", "Verlopen"),
            "certificaat-ingetrokken": ("revoked", "Ingetrokken")}


def test_the_demo_has_a_valid_an_expired_and_a_revoked_credential(app, client):
    from leerpad_plugins.openbadges.issuing import status

    with app.test_request_context(base_url=BASE_URL):
        import_directory(SHIPPED_COURSES)
        logins = {login.key: login for login in create_demo_data()}
        pages = {}
        for key, (state, _label) in EXPECTED.items():
            user = db.session.scalar(select(User).where(User.email == logins[key].email))
            row = db.session.scalar(select(BadgeCredential)
                                    .where(BadgeCredential.user_id == user.id))
            assert row is not None and row.token and row.public, key
            assert status(row) == state, key
            pages[key] = f"/bewijzen/{row.uuid}"
    for key, (_state, label) in EXPECTED.items():
        response = client.get(pages[key])  # a visitor without an account
        assert response.status_code == 200, key
        shown = response.get_data(as_text=True).split('id="credential-status"', 1)[1]
        assert label in shown.split("</p>", 1)[0], key
