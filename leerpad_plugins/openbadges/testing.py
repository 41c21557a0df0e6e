"""Helpers of the openbadges plugin's tests: the test course with a credential, earning it
through the real tracking code, and fetching the platform's URLs as a verifier would."""
from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.testing import PASSWORD

BASE_URL = "https://leerpad.example.org"
FRAMEWORK = """\
id: testkader
title: Testkader leraren
kind: competences
description: Een kader om mee te testen.
items:
  - code: pedagogisch
    title: Pedagogisch bekwaam
    description: Zorgt voor een veilige leeromgeving.
  - code: vakdidactisch
    title: Vakdidactisch bekwaam
    description: Maakt de vakinhoud leerbaar.
"""
COURSE = {
    "course.md": """
        ---
        id: begeleiden-basis
        title: Begeleiden in de praktijk
        audience: [learner]
        hours: 24
        nlqf: 6
        competences: [testkader:pedagogisch, testkader:vakdidactisch]
        ---
        Een korte cursus voor beginnende begeleiders.
        """,
    "01-start.md": "---\nid: start\ntitle: Start\ntype: page\n---\nBegin hier.\n",
}
TRACK = """---
id: begeleider
title: Leerroute begeleider
summary: Word een stevige begeleider op de werkvloer.
audience: [learner]
nlqf: 6
credential:
  name: Basistraining begeleider afgerond
  validity_years: 4
courses:
  - course: begeleiden-basis
    required: true
---
Voor wie gaat begeleiden.
"""


def complete_track(app, user_id: int, track_id: int):
    """Enrol the person in the track and complete its lesson through the tracking code (the
    core issues the credential, the plugin signs it); returns the signed credential's uuid."""
    from lms.models import Lesson, Track, User
    from lms.tracking import record_progress
    from lms.tracking.tracks import enrol

    from leerpad_plugins.openbadges.models import BadgeCredential

    with app.test_request_context(base_url=BASE_URL):
        user = db.session.get(User, user_id)
        enrol(user, track=db.session.get(Track, track_id))
        db.session.commit()
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "start"))
        record_progress(user, lesson, "completed")
        return db.session.scalar(select(BadgeCredential.uuid)
                                 .where(BadgeCredential.user_id == user_id)
                                 .order_by(BadgeCredential.id.desc()))



def login(client, who: str) -> None:
    """Log in as ``who`` through the real form (Dutch pages, the default)."""
    client.post("/uitloggen")
    response = client.post("/inloggen", data={"email": f"{who}@example.org", "password": PASSWORD})
    assert response.status_code == 302, who


def fetcher(client):
    """A download function for openbadgeslib that answers the platform's URLs through the
    test client (as a verifier on the internet would fetch them), and nothing else."""
    def download(url: str) -> bytes:
        assert url.startswith(BASE_URL + "/"), url
        response = client.get(url[len(BASE_URL):])
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data()
    return download
