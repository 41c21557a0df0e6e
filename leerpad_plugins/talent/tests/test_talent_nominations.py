"""Talent nominations through the web, as each role: nominate, accept (the path suggests the
track), decline, hide, withdraw; and the motivation stays between nominee and nominator."""
from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from leerpad_plugins.talent.models import Nomination

from leerpad_plugins.talent.testing import everything_seen, login

MARKER = "MOTIVATIE-7f3a9c-ALLEEN-VOOR-TWEE"


def _nominate(client, world, who="learner", role="werkplekbegeleider", motivation=MARKER,
              **extra):
    return client.post("/plugins/talent/nominaties",
                       data={"person_id": world.users[who], "role": role,
                             "motivation": motivation, **extra})


def _nomination(app, **where) -> Nomination | None:
    with app.app_context():
        found = db.session.scalars(select(Nomination).filter_by(**where)).first()
        if found is not None:
            db.session.expunge(found)
        return found


def _decide(client, nomination_id, decision):
    return client.post("/plugins/talent/nominaties/besluit",
                       data={"nomination_id": nomination_id, "decision": decision})


def test_mentor_nominates_and_the_nominee_reads_it(app, client, people):
    """The nominee sees the nomination with its motivation; the nominator sees it too."""
    login(client, "mentor")
    page = client.get("/plugins/talent/").get_data(as_text=True)
    assert "Nominate a talent" in page and "Learner" in page
    assert "Far Learner" not in page  # only people of the mentor's own school
    assert _nominate(client, people).status_code == 302
    mine = client.get("/plugins/talent/").get_data(as_text=True)
    assert MARKER in mine and "Not answered yet" in mine
    login(client, "learner")
    page = client.get("/plugins/talent/").get_data(as_text=True)
    assert MARKER in page and "Nominated by Mentor, Het Noorderlicht" in page
    assert "Nominate a talent" not in page  # a learner does not nominate


def test_accepting_suggests_the_track_on_the_path(app, client, people, track):
    """After accepting, Mijn leerpad links the werkplekbegeleider track; once the person
    follows it, the suggestion goes."""
    login(client, "schoolopleider")
    _nominate(client, people)
    nomination = _nomination(app, nominee_id=people.users["learner"])
    login(client, "learner")
    path = client.get("/leerpad").get_data(as_text=True)
    assert "Someone nominated you as a talent." in path
    assert "/leerroutes/werkplekbegeleider" not in path
    _decide(client, nomination.id, "accept")
    assert _nomination(app, id=nomination.id).status == "accepted"
    path = client.get("/leerpad").get_data(as_text=True)
    assert "You accepted a nomination: Workplace mentor (werkplekbegeleider)." in path
    assert 'href="/leerroutes/werkplekbegeleider"' in path
    assert MARKER not in path  # the path shows the suggestion, not the motivation
    client.post("/leerroutes/werkplekbegeleider/inschrijven")
    assert 'Suggested track:' not in client.get("/leerpad").get_data(as_text=True)


def test_the_track_mapping_is_a_setting(app_factory, people, track):
    """TALENT_TRACKS decides which track a role suggests; an unmapped role suggests none."""
    app = app_factory(TALENT_TRACKS="ambassadeur=werkplekbegeleider")
    client = app.test_client()
    login(client, "leidinggevende")
    for role in ("ambassadeur", "werkplekbegeleider"):
        _nominate(client, people, role=role)
    login(client, "learner")
    for nomination in db_ids(app, people.users["learner"]):
        _decide(client, nomination, "accept")
    path = client.get("/leerpad").get_data(as_text=True)
    assert path.count('href="/leerroutes/werkplekbegeleider"') == 1
    assert "You accepted a nomination: Ambassador for the teaching profession." in path


def db_ids(app, nominee_id):
    with app.app_context():
        return list(db.session.scalars(select(Nomination.id)
                                       .where(Nomination.nominee_id == nominee_id)))


def test_decline_hide_and_show_again(app, client, people):
    """Declining is recorded; a hidden nomination leaves the overview and the path, and can
    be shown again."""
    login(client, "leidinggevende")
    _nominate(client, people, role="opleiding", nlqf_target="6",
              motivation="Jij zou de pabo goed aankunnen.")
    nomination = _nomination(app, nominee_id=people.users["learner"])
    assert nomination.nlqf_target == 6
    login(client, "learner")
    _decide(client, nomination.id, "decline")
    assert _nomination(app, id=nomination.id).status == "declined"
    _decide(client, nomination.id, "hide")
    page = client.get("/plugins/talent/").get_data(as_text=True)
    assert "pabo goed aankunnen" not in page and "Show hidden nominations (1)" in page
    hidden = client.get("/plugins/talent/?verborgen=1").get_data(as_text=True)
    assert "pabo goed aankunnen" in hidden
    _decide(client, nomination.id, "show")
    assert "pabo goed aankunnen" in client.get("/plugins/talent/").get_data(as_text=True)


def test_a_route_needs_its_level_and_a_motivation_is_required(app, client, people):
    """A route without NLQF level, an empty motivation and a duplicate are refused."""
    login(client, "mentor")
    _nominate(client, people, role="opleiding")
    _nominate(client, people, motivation="   ")
    _nominate(client, people, role="koning")
    assert _nomination(app) is None
    _nominate(client, people)
    response = _nominate(client, people)
    assert response.status_code == 302
    assert len(db_ids(app, people.users["learner"])) == 1


def test_nobody_else_may_nominate_or_decide(app, client, people):
    """Learners and coordinators cannot nominate; a mentor cannot nominate someone of another
    school (404: that person does not exist for them); only the nominee decides."""
    for who in ("learner", "coordinator", "author"):
        login(client, who)
        assert _nominate(client, people, who="other_learner").status_code in (403, 404), who
    login(client, "mentor")
    assert _nominate(client, people, who="far_learner").status_code == 404
    assert _nominate(client, people, who="mentor").status_code == 403  # not oneself
    _nominate(client, people)
    nomination = _nomination(app)
    for who in ("mentor", "other_learner", "coordinator", "admin", "leidinggevende"):
        login(client, who)
        assert _decide(client, nomination.id, "accept").status_code == 404, who
    login(client, "learner")
    assert _decide(client, nomination.id, "crown").status_code == 400
    assert _decide(client, "99999999999", "accept").status_code == 404
    assert _nomination(app).status == "open"


def test_the_nominator_may_withdraw_an_unanswered_nomination(app, client, people):
    """Withdrawing deletes an open nomination; the nominee cannot withdraw, nor can anyone
    once it has been answered."""
    login(client, "mentor")
    _nominate(client, people)
    nomination = _nomination(app)
    login(client, "learner")
    withdraw = {"nomination_id": nomination.id}
    assert client.post("/plugins/talent/nominaties/intrekken", data=withdraw).status_code == 404
    login(client, "mentor")
    assert client.post("/plugins/talent/nominaties/intrekken", data=withdraw).status_code == 302
    assert _nomination(app) is None


def test_the_motivation_never_reaches_anyone_else(app, client, people, track):
    """A unique marker in the motivation appears on no page, export or report that a
    coordinator, the admin, another mentor or the leidinggevende can open; the nominee and
    the nominator do see it."""
    login(client, "mentor")
    _nominate(client, people)
    nomination = _nomination(app)
    login(client, "learner")
    _decide(client, nomination.id, "accept")
    client.post("/plugins/talent/ambassadeur", data={"activities": ["open-dag"],
                                                     "offer": "Ik vertel graag."})
    extra = ["/plugins/talent/?verborgen=1", f"/coordinatie/{people.board}/tracks.csv",
             f"/coordinatie/{people.board}/rapport.xlsx",
             f"/plugins/talent/ambassadeurs/{people.region}",
             f"/plugins/talent/ambassadeurs/{people.region}/export.csv"]
    for who in ("coordinator", "admin", "other_mentor", "leidinggevende", "other_learner",
                "schoolopleider"):
        login(client, who)
        seen = everything_seen(app, client, people, extra)
        assert not [url for url, (status, text) in seen.items() if status >= 500], who
        leaks = [url for url, (_, text) in seen.items() if MARKER in text]
        assert leaks == [], (who, leaks)
    for who in ("learner", "mentor"):
        login(client, who)
        assert MARKER in client.get("/plugins/talent/").get_data(as_text=True), who


def test_coordinators_count_nominated_accepted_and_started(app, client, people, track):
    """Per school and role: two nominated, one accepted, and that one started the suggested
    track; numbers only. The nominator's look at the answers is audited."""
    from lms.models import AuditEvent

    login(client, "mentor")
    _nominate(client, people)
    _nominate(client, people, who="schoolopleider")
    for who, decision in (("learner", "accept"), ("schoolopleider", "decline")):
        login(client, who)
        _decide(client, _nomination(app, nominee_id=people.users[who]).id, decision)
    login(client, "coordinator")
    widget = client.get(f"/coordinatie/{people.board}").get_data(as_text=True).split(
        "Talent and retention", 1)[1].split("</section>", 1)[0]
    row = widget.split("Workplace mentor (werkplekbegeleider)</td>", 1)[1].split("</tr>", 1)[0]
    assert row.replace(" ", "") == "<td>2</td><td>1</td><td>0</td>"
    login(client, "learner")
    client.post("/leerroutes/werkplekbegeleider/inschrijven")
    login(client, "coordinator")
    widget = client.get(f"/coordinatie/{people.board}").get_data(as_text=True).split(
        "Talent and retention", 1)[1].split("</section>", 1)[0]
    row = widget.split("Workplace mentor (werkplekbegeleider)</td>", 1)[1].split("</tr>", 1)[0]
    assert row.replace(" ", "") == "<td>2</td><td>1</td><td>1</td>"
    assert "Learner" not in widget and "Schoolopleider" not in widget and MARKER not in widget
    login(client, "mentor")
    client.get("/plugins/talent/")
    with app.app_context():
        audited = set(db.session.scalars(select(AuditEvent.subject_id).where(
            AuditEvent.actor_id == people.users["mentor"],
            AuditEvent.object_type == "talent.nomination")))
    assert audited == {people.users["learner"], people.users["schoolopleider"]}
