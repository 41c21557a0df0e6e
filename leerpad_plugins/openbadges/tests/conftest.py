"""Fixtures of the openbadges plugin's tests: a track with a credential (a course aligned to
two competences of a framework), the platform at a fixed address, and a credential earned
through the real tracking code."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.testing import import_course

from leerpad_plugins.openbadges.testing import BASE_URL, COURSE, FRAMEWORK, TRACK, complete_track


@pytest.fixture
def app(app_factory):
    """The app at a fixed public address (the issuer is did:web:leerpad.example.org)."""
    return app_factory(BASE_URL=BASE_URL)


@pytest.fixture
def track(app, tmp_path):
    """The track with a credential, imported with its course and framework; its id."""
    from lms.models import Track

    root = tmp_path / "badge-courses"
    (root / "tracks").mkdir(parents=True)
    (root / "frameworks").mkdir()
    (root / "tracks" / "begeleider.md").write_text(TRACK, encoding="utf-8")
    (root / "frameworks" / "testkader.yml").write_text(FRAMEWORK, encoding="utf-8")
    import_course(app, root, COURSE)
    with app.app_context():
        return db.session.scalar(select(Track.id).where(Track.slug == "begeleider"))


@pytest.fixture
def issued(app, world, track):
    """The world's learner completed the track: the uuid of their signed credential."""
    return complete_track(app, world.users["learner"], track)
