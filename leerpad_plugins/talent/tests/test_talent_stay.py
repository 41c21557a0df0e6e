"""Stay conversations from planning to the goals the teacher chooses; the manager's notes
never reach anyone else; reminders for the next conversation; counts for coordinators."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEvent, DevelopmentGoal, RoleAssignment
from leerpad_plugins.talent.models import ManagerNote, StayConversation, StayOutcome
from leerpad_plugins.talent.testing import everything_seen, login
from lms.clock import today as clock_today  # the learners' day, as the app's

NOTE_MARKER = "NOTITIE-b41d-ALLEEN-LEIDINGGEVENDE"


def _plan(client, world, who="learner", day=None):
    day = day or clock_today() + timedelta(days=14)
    return client.post("/plugins/talent/stay-gesprekken",
                       data={"teacher_id": world.users[who], "planned_for": day.isoformat()})


def _conversation_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(StayConversation.id).order_by(StayConversation.id.desc()))


def _outcome_ids(app, conversation_id) -> dict[str, int]:
    with app.app_context():
        return {o.text: o.id for o in db.session.scalars(
            select(StayOutcome).where(StayOutcome.conversation_id == conversation_id))}


def _held_conversation(app, client, people):
    """Planned, prepared by the teacher, held, outcomes and private notes by the manager."""
    login(client, "leidinggevende")
    assert _plan(client, people).status_code == 302
    cid = _conversation_id(app)
    login(client, "learner")
    client.post("/plugins/talent/stay-gesprek/uitkomsten",
                data={"conversation_id": cid, "text": "Minder surveillances in periode 3"})
    login(client, "leidinggevende")
    client.post("/plugins/talent/stay-gesprek/status",
                data={"conversation_id": cid, "action": "held",
                      "held_on": clock_today().isoformat()})
    client.post("/plugins/talent/stay-gesprek/uitkomsten",
                data={"conversation_id": cid, "text": "Cursus werkplekbegeleider volgen"})
    client.post("/plugins/talent/stay-gesprek/notities",
                data={"conversation_id": cid, "text": f"Twijfelt over blijven. {NOTE_MARKER}"})
    return cid


def test_from_planning_to_goals_the_teacher_chooses(app, client, people):
    """Both see the agenda; after the conversation the teacher, not the manager, turns
    outcomes into POP goals that are theirs; the manager never learns which."""
    login(client, "leidinggevende")
    page = client.get("/plugins/talent/stay-gesprekken").get_data(as_text=True)
    assert "Plan a stay conversation" in page and "Learner" in page
    assert "Far Learner" not in page
    cid = _held_conversation(app, client, people)
    url = f"/plugins/talent/stay-gesprek?gesprek={cid}"
    manager_view = client.get(url).get_data(as_text=True)
    assert "What keeps you here?" in manager_view and NOTE_MARKER in manager_view
    outcomes = _outcome_ids(app, cid)
    assert set(outcomes) == {"Minder surveillances in periode 3",
                             "Cursus werkplekbegeleider volgen"}
    make_goal = "/plugins/talent/stay-gesprek/doel"
    assert client.post(make_goal, data={"outcome_id": outcomes["Cursus werkplekbegeleider volgen"]
                                        }).status_code == 404  # not the manager's to decide
    login(client, "learner")
    teacher_view = client.get(url).get_data(as_text=True)
    assert "What keeps you here?" in teacher_view
    assert "Cursus werkplekbegeleider volgen" in teacher_view
    assert NOTE_MARKER not in teacher_view and "Your private notes" not in teacher_view
    client.post(make_goal, data={"outcome_id": outcomes["Cursus werkplekbegeleider volgen"]})
    client.post(make_goal, data={"outcome_id": outcomes["Cursus werkplekbegeleider volgen"]})
    with app.app_context():
        goals = db.session.scalars(select(DevelopmentGoal)).all()
        assert [(g.user_id, g.title) for g in goals] == [
            (people.users["learner"], "Cursus werkplekbegeleider volgen")]
    assert "Cursus werkplekbegeleider volgen" in client.get("/leerpad").get_data(as_text=True)
    login(client, "leidinggevende")
    assert "in your POP" not in client.get(url).get_data(as_text=True)
    with app.app_context():
        audited = db.session.scalars(select(AuditEvent.object_type).where(
            AuditEvent.actor_id == people.users["leidinggevende"],
            AuditEvent.subject_id == people.users["learner"])).all()
        assert "talent.stay" in audited  # the manager's look at the teacher's conversation
        assert not db.session.scalars(select(AuditEvent.id).where(
            AuditEvent.actor_id == people.users["learner"],
            AuditEvent.object_type.like("talent.%"))).all()  # looking at one's own: not


def test_only_the_two_of_them_open_the_conversation(app, client, people):
    """Anyone else finds no conversation (404), admin included; only the manager records it
    as held or writes notes; teacher and manager remove only their own outcomes."""
    cid = _held_conversation(app, client, people)
    url = f"/plugins/talent/stay-gesprek?gesprek={cid}"
    for who in ("mentor", "schoolopleider", "coordinator", "admin", "other_leidinggevende",
                "other_learner"):
        login(client, who)
        assert client.get(url).status_code == 404, who
        assert client.post("/plugins/talent/stay-gesprek/notities",
                           data={"conversation_id": cid, "text": "x"}).status_code == 404, who
    login(client, "learner")
    for path, data in (("status", {"action": "cancel"}), ("notities", {"text": "x"})):
        assert client.post(f"/plugins/talent/stay-gesprek/{path}",
                           data={"conversation_id": cid, **data}).status_code == 404
    outcomes = _outcome_ids(app, cid)
    remove = "/plugins/talent/stay-gesprek/uitkomsten/verwijderen"
    assert client.post(remove, data={"outcome_id": outcomes["Cursus werkplekbegeleider volgen"]
                                     }).status_code == 403
    assert client.post(remove, data={"outcome_id": outcomes["Minder surveillances in periode 3"]
                                     }).status_code == 302
    assert list(_outcome_ids(app, cid)) == ["Cursus werkplekbegeleider volgen"]


def test_planning_is_for_the_leidinggevende_of_that_school(app, client, people):
    """A mentor cannot plan; a leidinggevende cannot plan with someone of another school, nor
    a date years away."""
    login(client, "mentor")
    assert _plan(client, people).status_code == 403
    login(client, "leidinggevende")
    assert _plan(client, people, who="far_learner").status_code == 404
    _plan(client, people, day=clock_today() + timedelta(days=3 * 365))
    _plan(client, people, who="leidinggevende")
    with app.app_context():
        assert db.session.scalar(select(StayConversation.id)) is None


def test_the_manager_notes_never_reach_anyone_else(app, client, people):
    """The notes marker is on no page, report or export of the teacher, the coordinator, the
    admin or the teacher's mentor; it is in the manager's own data export."""
    cid = _held_conversation(app, client, people)
    extra = [f"/plugins/talent/stay-gesprek?gesprek={cid}",
             f"/coordinatie/{people.board}/rapport.xlsx"]
    with app.test_request_context():
        extra += [f"/coordinatie/{people.board}/{table}.csv"
                  for table in ("tracks", "programmes", "hours", "deadlines")]
    for who in ("learner", "coordinator", "admin", "mentor", "schoolopleider"):
        login(client, who)
        seen = everything_seen(app, client, people, extra)
        assert not [url for url, (status, _) in seen.items() if status >= 500], who
        assert [url for url, (_, text) in seen.items() if NOTE_MARKER in text] == [], who
    login(client, "leidinggevende")
    seen = everything_seen(app, client, people)
    assert NOTE_MARKER in seen["POST /account/gegevens/download"][1]


def test_coordinators_see_conversations_per_school_and_quarter(app, client, people):
    """The coordinator's report counts held conversations per school and quarter, no names."""
    _held_conversation(app, client, people)
    today = clock_today()
    login(client, "coordinator")
    report = client.get(f"/coordinatie/{people.board}").get_data(as_text=True)
    assert "Stay conversations held per school and quarter" in report
    assert f"{today.year}-Q{(today.month - 1) // 3 + 1}" in report
    assert "Learner" not in report.split("Talent and retention", 1)[1].split("</section>", 1)[0]
    login(client, "other_coordinator")
    other = client.get(f"/coordinatie/{people.other_board}").get_data(as_text=True)
    assert "No stay conversations held in this organisation yet." in other


def _started(app, who_id, months_ago):
    with app.app_context():
        started = datetime.now(timezone.utc) - timedelta(days=int(months_ago * 30.5))
        for role in db.session.scalars(select(RoleAssignment).where(
                RoleAssignment.user_id == who_id)):
            role.created_at = started
        db.session.commit()


def test_reminders_for_the_first_and_the_next_conversation(app, client, people):
    """A teacher is due 3 months after starting (overdue after 6); once planned they leave the
    list; a year after the last one they are due again. The home page says how many."""
    learner, other = people.users["learner"], people.users["other_learner"]
    _started(app, learner, 4)
    _started(app, other, 1)
    for who in ("mentor", "schoolopleider"):
        _started(app, people.users[who], 20)
    login(client, "leidinggevende")
    page = client.get("/plugins/talent/stay-gesprekken").get_data(as_text=True)
    due = page.split("Due for a stay conversation", 1)[1].split("</section>", 1)[0]
    assert "Learner" in due and "Other Learner" not in due and "status-late" in due
    home = client.get("/").get_data(as_text=True)
    assert "3 teachers are due for a stay conversation (2 overdue)" in home
    _plan(client, people)
    cid = _conversation_id(app)
    due = client.get("/plugins/talent/stay-gesprekken").get_data(as_text=True).split(
        "Due for a stay conversation", 1)[1].split("</section>", 1)[0]
    assert ">Learner<" not in due.replace(" <span", "<span")
    with app.app_context():
        conversation = db.session.get(StayConversation, cid)
        conversation.status, conversation.held_on = "held", clock_today() - timedelta(days=340)
        db.session.commit()
    due = client.get("/plugins/talent/stay-gesprekken").get_data(as_text=True).split(
        "Due for a stay conversation", 1)[1]
    assert "Learner" in due.split("</section>", 1)[0]


def test_the_interval_is_a_setting(app_factory, people):
    """With TALENT_STAY_INTERVAL_MONTHS=24 a conversation 11 months ago is not due yet."""
    app = app_factory(TALENT_STAY_INTERVAL_MONTHS="24")
    assert app.config["TALENT_STAY_INTERVAL_MONTHS"] == 24
    with app.app_context():
        db.session.add(StayConversation(
            teacher_id=people.users["learner"], manager_id=people.users["leidinggevende"],
            organisation_id=people.school, planned_for=clock_today() - timedelta(days=335),
            held_on=clock_today() - timedelta(days=335), status="held"))
        db.session.commit()
    from leerpad_plugins.talent import stay
    from lms.models import User

    with app.app_context():
        manager = db.session.get(User, people.users["leidinggevende"])
        assert people.users["learner"] not in {d.teacher_id for d in
                                               stay.due_for(manager, clock_today())}


def test_notes_are_the_managers_alone_in_the_database(app, client, people):
    """The notes are stored apart, owned by the manager (so no schema walk hands them to the
    teacher)."""
    cid = _held_conversation(app, client, people)
    with app.app_context():
        note = db.session.scalar(select(ManagerNote).where(ManagerNote.conversation_id == cid))
        assert note.manager_id == people.users["leidinggevende"] and NOTE_MARKER in note.text
