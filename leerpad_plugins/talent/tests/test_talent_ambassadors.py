"""The ambassador list: opt-in after accepting a nomination, read and exported by the
coordinators of the region, audited, and left at any time."""
from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEvent
from leerpad_plugins.talent.models import Ambassador, Nomination
from leerpad_plugins.talent.testing import login

JOIN = "/plugins/talent/ambassadeur"


def _accepted_nomination(app, client, people, who="learner"):
    login(client, "mentor")
    client.post("/plugins/talent/nominaties", data={
        "person_id": people.users[who], "role": "ambassadeur", "motivation": "Jij kunt vertellen."})
    with app.app_context():
        nomination_id = db.session.scalar(select(Nomination.id).where(
            Nomination.nominee_id == people.users[who]))
    login(client, who)
    client.post("/plugins/talent/nominaties/besluit",
                data={"nomination_id": nomination_id, "decision": "accept"})


def _listed(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Ambassador.user_id)))


def test_only_people_who_accepted_can_join(app, client, people):
    """Without an accepted nomination there is no opt-in and joining is refused."""
    login(client, "other_learner")
    assert "Put me on the list" not in client.get("/plugins/talent/").get_data(as_text=True)
    client.post(JOIN, data={"activities": ["open-dag"], "action": "join"})
    assert _listed(app) == []
    _accepted_nomination(app, client, people)
    assert "Put me on the list" in client.get("/plugins/talent/").get_data(as_text=True)
    client.post(JOIN, data={"activities": [], "action": "join"})  # no activity chosen
    assert _listed(app) == []
    client.post(JOIN, data={"activities": ["open-dag", "onderwijskeuzedag", "bogus"],
                            "offer": "Gastles over mijn overstap naar het onderwijs"})
    assert _listed(app) == [people.users["learner"]]
    with app.app_context():
        assert db.session.scalar(select(Ambassador.activities)) == ["open-dag", "onderwijskeuzedag"]


def test_coordinators_read_and_export_the_list_per_activity(app, client, people):
    """The board's coordinator sees the ambassador with what they offer, filters by activity
    and exports CSV; every look is audited; the other board's coordinator and learners don't."""
    _accepted_nomination(app, client, people)
    client.post(JOIN, data={"activities": ["onderwijskeuzedag"], "offer": "Gastles geven"})
    login(client, "coordinator")
    page = client.get(f"/plugins/talent/ambassadeurs/{people.board}").get_data(as_text=True)
    assert "Learner" in page and "learner@example.org" in page and "Gastles geven" in page
    none = client.get(f"/plugins/talent/ambassadeurs/{people.board}?activiteit=open-dag")
    assert "Nobody is on the list for this activity yet." in none.get_data(as_text=True)
    export = client.get(f"/plugins/talent/ambassadeurs/{people.board}/export.csv"
                        "?activiteit=onderwijskeuzedag")
    assert export.mimetype == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    text = export.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Name,E-mail,School")
    assert "learner@example.org" in text and "Gastles geven" in text
    with app.app_context():
        audited = db.session.scalars(select(AuditEvent.object_type).where(
            AuditEvent.actor_id == people.users["coordinator"],
            AuditEvent.subject_id == people.users["learner"])).all()
    assert {"talent.ambassador", "talent.ambassador_export"} <= set(audited)
    assert client.get("/plugins/talent/ambassadeurs").status_code in (200, 302)
    login(client, "other_coordinator")
    assert client.get(f"/plugins/talent/ambassadeurs/{people.board}").status_code == 403
    other = client.get(f"/plugins/talent/ambassadeurs/{people.other_board}").get_data(as_text=True)
    assert "learner@example.org" not in other
    for who in ("learner", "mentor", "leidinggevende"):
        login(client, who)
        assert client.get(f"/plugins/talent/ambassadeurs/{people.board}").status_code == 403, who
        assert client.get(f"/plugins/talent/ambassadeurs/{people.board}/export.csv"
                          ).status_code == 403, who


def test_leaving_the_list(app, client, people):
    """Taking oneself off the list removes the listing at once."""
    _accepted_nomination(app, client, people)
    client.post(JOIN, data={"activities": ["schoolbezoek"]})
    client.post(JOIN, data={"action": "leave"})
    assert _listed(app) == []
    login(client, "coordinator")
    page = client.get(f"/plugins/talent/ambassadeurs/{people.board}").get_data(as_text=True)
    assert "learner@example.org" not in page


def test_names_of_nominees_who_did_not_join_never_show(app, client, people):
    """A coordinator sees counts of accepted nominations, never the names, unless the
    person joined the ambassador list."""
    _accepted_nomination(app, client, people, who="other_learner")
    login(client, "coordinator")
    report = client.get(f"/coordinatie/{people.board}").get_data(as_text=True)
    widget = report.split("Talent and retention", 1)[1].split("</section>", 1)[0]
    assert "Ambassador for the teaching profession" in widget and "Other Learner" not in widget
    ambassadors = client.get(f"/plugins/talent/ambassadeurs/{people.board}").get_data(as_text=True)
    assert "Other Learner" not in ambassadors
