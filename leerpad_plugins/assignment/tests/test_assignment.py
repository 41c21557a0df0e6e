"""The assignment plugin end to end: hand in, sign off or return, files, who may review."""
from __future__ import annotations

import io

from sqlalchemy import select

from lms.extensions import db
from leerpad_plugins.assignment.activity import validate
from leerpad_plugins.assignment.models import AssignmentSubmission
from leerpad_plugins.testing import LESSON_URL, lesson_state


def test_front_matter_is_validated():
    """Authors see a wrong sign-off role and a bad file rule, by field."""
    assert validate({"sign_off": "mentor", "submission": {"text": True}}) == []
    fields = {f for f, _ in validate({"sign_off": "boss",
                                      "submission": {"file": {"max_mb": 0, "types": ["PDF"]}}})}
    assert fields == {"sign_off", "submission.file.max_mb", "submission.file.types[0]"}


def _submit(client, course, slug="opdracht", **data):
    return client.post(f"/plugins/assignment/lessen/{course[slug]}/inleveringen", data=data,
                       content_type="multipart/form-data", follow_redirects=True)


def _only_submission(app):
    with app.app_context():
        return db.session.scalars(select(AssignmentSubmission.id)
                                  .order_by(AssignmentSubmission.id.desc())).first()


def test_mentor_signs_off_and_that_completes_the_lesson(app, client, auth, world, course):
    """Handing in does not complete the lesson; the mentor's approval does."""
    learner = world.users["learner"]
    auth.login("learner")
    _submit(client, course, text="Mijn lesopzet", file=(io.BytesIO(b"%PDF-1.4 x"), "opzet.pdf"))
    assert lesson_state(app, learner, course["opdracht"])[0] == "in_progress"
    submission = _only_submission(app)
    auth.logout()
    auth.login("mentor")
    queue = client.get("/begeleiding/aftekenen").get_data(as_text=True)
    assert "Praktijkopdracht" in queue
    review = client.get(f"/plugins/assignment/inleveringen/{submission}").get_data(as_text=True)
    assert "Mijn lesopzet" in review and "opzet.pdf" in review
    file = client.get(f"/plugins/assignment/inleveringen/{submission}/bestand")
    assert file.data == b"%PDF-1.4 x" and "attachment" in file.headers["Content-Disposition"]
    client.post(f"/plugins/assignment/inleveringen/{submission}/besluit",
                data={"decision": "approve"})
    status, verbs = lesson_state(app, learner, course["opdracht"])
    assert status == "completed" and {"submitted", "approved"} <= set(verbs)
    assert "Praktijkopdracht" not in client.get("/begeleiding/aftekenen").get_data(as_text=True)


def test_returned_work_can_be_handed_in_again(app, client, auth, world, course):
    """A return needs feedback, the learner sees it, hands in again, and is not complete yet."""
    learner = world.users["learner"]
    auth.login("learner")
    _submit(client, course, text="Eerste poging")
    first = _only_submission(app)
    page = _submit(client, course, text="Nog een keer")
    assert "waiting for sign-off" in page.get_data(as_text=True) or \
        _only_submission(app) == first
    auth.logout()
    auth.login("mentor")
    client.post(f"/plugins/assignment/inleveringen/{first}/besluit", data={"decision": "return"})
    with app.app_context():
        assert db.session.get(AssignmentSubmission, first).status == "submitted"
    client.post(f"/plugins/assignment/inleveringen/{first}/besluit",
                data={"decision": "return", "feedback": "Voeg een lesdoel toe."})
    auth.logout()
    auth.login("learner")
    html = client.get(LESSON_URL.format(slug="opdracht")).get_data(as_text=True)
    assert "Voeg een lesdoel toe." in html
    _submit(client, course, text="Met lesdoel")
    assert _only_submission(app) != first
    status, verbs = lesson_state(app, learner, course["opdracht"])
    assert status == "in_progress" and "returned" in verbs


def test_schoolopleider_sign_off_is_not_the_mentors(app, client, auth, world, course):
    """With sign_off: schoolopleider the school's schoolopleider reviews, the mentor cannot."""
    auth.login("learner")
    _submit(client, course, slug="eindopdracht", text="Eindverslag")
    submission = _only_submission(app)
    auth.logout()
    auth.login("mentor")
    assert client.get(f"/plugins/assignment/inleveringen/{submission}").status_code == 404
    assert client.post(f"/plugins/assignment/inleveringen/{submission}/besluit",
                       data={"decision": "approve"}).status_code == 404
    auth.logout()
    auth.login("schoolopleider")
    assert "Eindopdracht" in client.get("/begeleiding/aftekenen").get_data(as_text=True)
    client.post(f"/plugins/assignment/inleveringen/{submission}/besluit", data={"decision": "approve"})
    assert lesson_state(app, world.users["learner"], course["eindopdracht"])[0] == "completed"


def test_strangers_cannot_see_or_download(app, client, auth, world, course):
    """Other mentors, learners and coordinators get a 404 for someone's submission and file."""
    auth.login("learner")
    _submit(client, course, text="Privé", file=(io.BytesIO(b"hello"), "notes.txt"))
    submission = _only_submission(app)
    auth.logout()
    for who in ("other_mentor", "other_learner", "coordinator", "other_schoolopleider"):
        auth.login(who)
        assert client.get(f"/plugins/assignment/inleveringen/{submission}").status_code == 404, who
        assert client.get(f"/plugins/assignment/inleveringen/{submission}/bestand").status_code == 404, who
        auth.logout()


def test_file_rules_from_front_matter(app, client, auth, world, course):
    """A wrong file type or a too large file is a clear error and stores nothing."""
    auth.login("learner")
    page = _submit(client, course, file=(io.BytesIO(b"MZ"), "virus.exe"))
    assert page.status_code == 200 and "not allowed" in page.get_data(as_text=True)
    page = _submit(client, course, file=(io.BytesIO(b"x" * (1024 * 1024 + 1)), "big.pdf"))
    assert "too large" in page.get_data(as_text=True)
    page = _submit(client, course, text="   ")
    assert "before handing in" in page.get_data(as_text=True)
    assert _only_submission(app) is None
