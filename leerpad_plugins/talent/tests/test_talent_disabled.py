"""With DISABLED_PLUGINS=talent nothing of the plugin shows on any page or report of any
role, and no page fails, even though its tables and rows are still in the database."""
from __future__ import annotations

from datetime import date

from lms.extensions import db
from leerpad_plugins.talent.models import Ambassador, ManagerNote, Nomination, StayConversation
from leerpad_plugins.talent.testing import login, page_urls, readable
from lms.clock import today as clock_today  # the learners' day, as the app's

TRACES = ("/plugins/talent", "Talent", "talent", "Stay conversation", "stay conversation",
          "Ambassador", "MOTIVATIE-UIT", "NOTITIE-UIT")
ROLES = ("learner", "other_learner", "mentor", "schoolopleider", "leidinggevende",
         "coordinator", "author", "admin")


def _seed(app, people):
    u = people.users
    with app.app_context():
        db.session.add(Nomination(nominee_id=u["learner"], nominator_id=u["mentor"],
                                  organisation_id=people.school, role="werkplekbegeleider",
                                  motivation="MOTIVATIE-UIT", status="accepted", hidden=False))
        db.session.add(Ambassador(user_id=u["learner"], organisation_id=people.school,
                                  activities=["open-dag"], offer="Vertellen"))
        conversation = StayConversation(teacher_id=u["learner"], manager_id=u["leidinggevende"],
                                        organisation_id=people.school, status="planned",
                                        planned_for=clock_today())
        db.session.add(conversation)
        db.session.flush()
        db.session.add(ManagerNote(conversation_id=conversation.id,
                                   manager_id=u["leidinggevende"], text="NOTITIE-UIT"))
        db.session.commit()


def test_a_disabled_plugin_leaves_no_trace(app, app_factory, people, track):
    """Every page of every role, and the coordinator's exports: no 5xx, no talent text."""
    _seed(app, people)
    client = app.test_client()
    login(client, "learner")
    assert "Talent" in client.get("/leerpad").get_data(as_text=True)  # there when enabled
    disabled = app_factory(DISABLED_PLUGINS="talent")
    assert not any(rule.endpoint.startswith("talent.") for rule in disabled.url_map.iter_rules())
    client = disabled.test_client()
    reports = [f"/coordinatie/{people.board}/tracks.csv",
               f"/coordinatie/{people.board}/rapport.xlsx"]
    problems = []
    for who in ROLES:
        login(client, who)
        for url in [*page_urls(disabled, people), *reports]:
            response = client.get(url, follow_redirects=True)
            if response.status_code >= 500:
                problems.append(f"{who} GET {url}: {response.status_code}")
            text = readable(response)
            problems += [f"{who} GET {url}: {trace!r}" for trace in TRACES if trace in text]
        for url in ("/plugins/talent/", "/plugins/talent/stay-gesprekken"):
            assert client.get(url).status_code == 404
    assert problems == []
