"""Fixtures of the talent plugin's tests: the kit's world plus a leidinggevende per school,
and a track the plugin suggests."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Organisation
from lms.testing import add_user, import_course

TRACK_COURSE = {
    "course.md": """
        ---
        id: begeleiden-basis
        title: Begeleiden in de praktijk
        audience: [mentor]
        hours: 2
        ---
        Een korte cursus voor beginnende werkplekbegeleiders.
        """,
    "01-start.md": "---\nid: start\ntitle: Start\ntype: page\n---\nBegin hier.\n",
}
TRACK = """---
id: werkplekbegeleider
title: Leerroute werkplekbegeleider
audience: [mentor]
courses:
  - course: begeleiden-basis
    required: true
---
Voor wie gaat begeleiden.
"""


@pytest.fixture
def people(app, world):
    """The kit's world with a leidinggevende at each school (``leidinggevende`` leads the
    school of ``learner``, ``mentor`` and ``schoolopleider``)."""
    with app.app_context():
        school = db.session.get(Organisation, world.school)
        other_school = db.session.get(Organisation, world.other_school)
        managers = {"leidinggevende": add_user("leidinggevende", [("leidinggevende", school)]),
                    "other_leidinggevende": add_user("other_leidinggevende",
                                                     [("leidinggevende", other_school)])}
        db.session.commit()
        world.users.update({who: user.id for who, user in managers.items()})
    return world


@pytest.fixture
def track(app, tmp_path):
    """A track with the slug TALENT_TRACKS suggests for werkplekbegeleider; its id."""
    from lms.models import Track

    root = tmp_path / "talent-courses"
    (root / "tracks").mkdir(parents=True)
    (root / "tracks" / "werkplekbegeleider.md").write_text(TRACK, encoding="utf-8")
    import_course(app, root, TRACK_COURSE)
    with app.app_context():
        return db.session.scalar(select(Track.id).where(Track.slug == "werkplekbegeleider"))
