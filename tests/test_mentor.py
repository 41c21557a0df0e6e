"""The mentor's pages: their learners, the sign-off queue and competence confirmations."""
from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db
from lms.models import AuditEvent, MentorAssignment
from lms.models.confirmations import CompetenceConfirmation
from lms.models.content import Competence, CompetenceFramework
from lms.models.notifications import Notification
from tests.supervision_data import MARKER, count_queries, login_as, seed_school


def _framework():
    fw = CompetenceFramework(slug="velon", title="VELON")
    fw.competences.append(Competence(code="agogisch", title="Agogisch bekwaam"))
    db.session.add(fw)
    db.session.commit()


def test_mentor_sees_only_their_own_learners(app, client, world):
    """The mentor's list shows the learners assigned to them and nobody else."""
    with app.app_context():
        seed_school(world, 8)
    login_as(client, "mentor")
    html = client.get("/begeleiding").get_data(as_text=True)
    assert "Learner" in html and "Other Learner" not in html
    assert "Deelnemer 000" in html and "Deelnemer 001" not in html  # every 4th is theirs
    assert "Deelnemer 004" in html
    assert "<progress" in html


def test_mentor_cannot_open_another_mentors_learner(client, world):
    """A learner assigned to another mentor does not exist for this mentor."""
    login_as(client, "mentor")
    assert client.get(f"/begeleiding/deelnemer/{world.users['learner']}").status_code == 200
    assert client.get(f"/begeleiding/deelnemer/{world.users['other_learner']}").status_code == 404
    assert client.get(f"/begeleiding/deelnemer/{world.users['far_learner']}").status_code == 404


def test_viewing_a_learner_is_audited(app, client, world):
    """Opening a learner's page leaves an audit row: who looked at whom, and what."""
    login_as(client, "mentor")
    client.get(f"/begeleiding/deelnemer/{world.users['learner']}")
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEvent.actor_id, AuditEvent.subject_id,
                                            AuditEvent.object_type, AuditEvent.action)).all()
    assert (world.users["mentor"], world.users["learner"], "mentor.learner",
            "personal_data.view") in rows


def test_competence_confirmation_round_trip(app, client, world):
    """A learner asks, the mentor returns it with feedback, the learner is told; then approved."""
    with app.app_context():
        _framework()
    login_as(client, "learner")
    sent = client.post("/begeleiding/bevestiging-aanvragen", data={
        "mentor": world.users["mentor"], "competence": "velon:agogisch",
        "note": f"Ik heb {MARKER} gedaan"})
    assert sent.status_code == 302
    again = client.post("/begeleiding/bevestiging-aanvragen", data={
        "mentor": world.users["mentor"], "competence": "velon:agogisch", "note": "nog eens"})
    assert "already asked" in again.get_data(as_text=True)
    client.post("/uitloggen")
    with app.app_context():
        item = db.session.scalars(sa.select(CompetenceConfirmation)).one()
        note = db.session.scalars(sa.select(Notification)).one()
        assert (note.user_id, note.kind) == (world.users["mentor"], "sign_off_requested")
        item_id = item.id

    login_as(client, "other_mentor")
    assert client.get(f"/begeleiding/bevestigingen/{item_id}").status_code == 404
    client.post("/uitloggen")

    login_as(client, "mentor")
    queue = client.get("/begeleiding/aftekenen").get_data(as_text=True)
    assert "velon:agogisch" in queue
    page = client.get(f"/begeleiding/bevestigingen/{item_id}").get_data(as_text=True)
    assert MARKER in page
    empty = client.post(f"/begeleiding/bevestigingen/{item_id}",
                        data={"decision": "return", "feedback": ""})
    assert empty.status_code == 200 and "Say what is missing" in empty.get_data(as_text=True)
    back = client.post(f"/begeleiding/bevestigingen/{item_id}",
                       data={"decision": "return", "feedback": "Voeg een voorbeeld toe"})
    assert back.status_code == 302
    with app.app_context():
        kinds = db.session.execute(sa.select(Notification.user_id, Notification.kind)).all()
    assert (world.users["learner"], "item_returned") in kinds
    client.post("/uitloggen")

    login_as(client, "learner")
    mine = client.get("/begeleiding/mijn-bevestigingen").get_data(as_text=True)
    assert "Voeg een voorbeeld toe" in mine
    home = client.get("/").get_data(as_text=True)
    assert "“velon:agogisch” was returned to you with feedback." in home


def test_learner_cannot_ask_someone_who_is_not_their_mentor(app, client, world):
    """Asking a mentor who does not guide you is refused with a message."""
    with app.app_context():
        _framework()
    login_as(client, "learner")
    response = client.post("/begeleiding/bevestiging-aanvragen", data={
        "mentor": world.users["other_mentor"], "competence": "velon:agogisch", "note": "x"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CompetenceConfirmation.id))) == 0


def test_mentor_page_query_count_is_constant(app, client, world):
    """The mentor's list costs the same number of queries for 5 learners as for 60."""
    login_as(client, "mentor")
    counts = []
    for size, prefix in ((5, "klein"), (55, "groot")):
        with app.app_context():
            seeded = seed_school(world, size, prefix=prefix)
            for pid in seeded.learners:
                if not db.session.scalar(sa.select(MentorAssignment.id).where(
                        MentorAssignment.learner_id == pid)):
                    db.session.add(MentorAssignment(mentor_id=world.users["mentor"], learner_id=pid))
            db.session.commit()
        client.get("/begeleiding")
        with count_queries(app) as statements:
            html = client.get("/begeleiding").get_data(as_text=True)
        counts.append(len(statements))
    assert html.count('href="/begeleiding/deelnemer/') >= 60
    assert counts[0] == counts[1] <= 12, counts


def test_people_without_a_mentor_role_are_refused(client, world):
    """Learners and coordinators do not reach the mentor pages."""
    for who in ("learner", "coordinator", "author"):
        login_as(client, who)
        assert client.get("/begeleiding").status_code == 403
        assert client.get("/begeleiding/aftekenen").status_code == 403
        client.post("/uitloggen")


def test_mentor_reads_shared_reflections_only_and_sees_the_plugin_queue(app, client, world):
    """The mentor reads what was shared with them, never private entries, and finds the
    submitted assignment in their queue with a link to the plugin's sign-off page."""
    from tests.supervision_data import seed_written_work

    with app.app_context():
        written = seed_written_work(app, world.users["learner"])
    login_as(client, "mentor")
    page = client.get(f"/begeleiding/deelnemer/{world.users['learner']}").get_data(as_text=True)
    assert f"Gedeeld {MARKER}" in page and f"Privé {MARKER}" not in page
    overview = client.get("/begeleiding").get_data(as_text=True)
    assert MARKER not in overview
    queue = client.get("/begeleiding/aftekenen").get_data(as_text=True)
    assert f"/plugins/assignment/inleveringen/{written.submission}" in queue
    client.post("/uitloggen")
    login_as(client, "other_mentor")
    assert client.get(f"/begeleiding/deelnemer/{world.users['learner']}").status_code == 404
    assert f"/submissions/{written.submission}" not in client.get("/begeleiding/aftekenen").get_data(as_text=True)
