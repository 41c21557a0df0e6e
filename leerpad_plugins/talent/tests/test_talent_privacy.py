"""Talent data as personal data: each person's export holds their own share (the teacher's
never the manager's notes), erasure removes it, and the retention period is applied."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import User
from lms.plugins import get_pm
from leerpad_plugins.talent import privacy
from leerpad_plugins.talent.models import (Ambassador, ManagerNote, Nomination,
                                           StayConversation, StayOutcome)
from lms.clock import today as clock_today  # the learners' day, as the app's

NOTE = "NOTITIE-9e2c-PRIVE"
MOTIVATION = "MOTIVATIE-5d1b"


def _seed(app, people) -> None:
    """A nomination (accepted, listed as ambassador) and a held conversation with an outcome
    and the manager's note, all about ``learner``."""
    u = people.users
    with app.app_context():
        db.session.add(Nomination(nominee_id=u["learner"], nominator_id=u["mentor"],
                                  organisation_id=people.school, role="ambassadeur",
                                  motivation=MOTIVATION, status="accepted", hidden=False))
        db.session.add(Ambassador(user_id=u["learner"], organisation_id=people.school,
                                  activities=["open-dag"], offer="Vertellen"))
        conversation = StayConversation(teacher_id=u["learner"], manager_id=u["leidinggevende"],
                                        organisation_id=people.school, status="held",
                                        planned_for=clock_today(), held_on=clock_today())
        conversation.outcomes.append(StayOutcome(text="Meer tijd voor begeleiding",
                                                 added_by="manager"))
        db.session.add(conversation)
        db.session.flush()
        db.session.add(ManagerNote(conversation_id=conversation.id, manager_id=u["leidinggevende"],
                                   text=NOTE))
        db.session.commit()


def _data(app, who_id) -> dict:
    with app.app_context():
        user = db.session.get(User, who_id)
        found = {}
        for result in get_pm(app).hook.lms_personal_data(user=user):
            found.update({k: v for k, v in (result or {}).items() if k.startswith("talent_")})
        return json.loads(json.dumps(found))  # JSON-serialisable, as the export needs


def test_each_person_exports_their_own_share(app, people):
    """Nominee: the nomination with its motivation, the listing, the conversation and its
    outcomes but not the notes. Nominator: what they wrote. Manager: their notes."""
    _seed(app, people)
    learner = _data(app, people.users["learner"])
    assert learner["talent_nominations_received"][0]["motivation"] == MOTIVATION
    assert learner["talent_ambassador"][0]["activities"] == ["open-dag"]
    conversation = learner["talent_stay_conversations"][0]
    assert conversation["with"] == "Leidinggevende"
    assert conversation["outcomes"][0]["text"] == "Meer tijd voor begeleiding"
    assert NOTE not in json.dumps(learner)
    mentor = _data(app, people.users["mentor"])
    assert mentor["talent_nominations_made"][0]["motivation"] == MOTIVATION
    manager = _data(app, people.users["leidinggevende"])
    assert manager["talent_stay_conversations_held"][0]["my_notes"] == NOTE
    assert MOTIVATION not in json.dumps(manager)
    assert _data(app, people.users["coordinator"]) == {}


def test_the_download_of_my_data_keeps_the_notes_with_the_manager(app, client, people):
    """The core's "download my data" zip of the teacher never holds the manager's notes."""
    from leerpad_plugins.talent.testing import login, readable

    _seed(app, people)
    login(client, "learner")
    teacher = readable(client.post("/account/gegevens/download"))
    assert NOTE not in teacher
    login(client, "leidinggevende")
    assert NOTE in readable(client.post("/account/gegevens/download"))


def _zip_json(response) -> dict:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return json.loads(archive.read("data.json"))


def _count(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def _erase(app, who_id) -> None:
    with app.app_context():
        get_pm(app).hook.lms_erase_personal_data(user=db.session.get(User, who_id))
        db.session.commit()


def test_erasing_the_teacher_removes_their_talent_data(app, people):
    """Nominations about them, the listing, conversations, outcomes and the notes about them
    go; nothing stays behind."""
    _seed(app, people)
    _erase(app, people.users["learner"])
    for model in (Nomination, Ambassador, StayConversation, StayOutcome, ManagerNote):
        assert _count(app, model) == 0, model.__name__


def test_erasing_the_manager_or_nominator_leaves_the_teacher_their_data(app, people):
    """The manager's notes are erased and their name is taken off the conversation; the
    nominator's name off the nomination; the teacher keeps both."""
    _seed(app, people)
    _erase(app, people.users["leidinggevende"])
    _erase(app, people.users["mentor"])
    assert _count(app, ManagerNote) == 0
    assert _count(app, StayConversation, manager_id=None) == 1
    assert _count(app, Nomination, nominator_id=None) == 1
    learner = _data(app, people.users["learner"])
    assert learner["talent_stay_conversations"][0]["with"] is None
    assert learner["talent_nominations_received"][0]["nominated_by"] is None


def test_erasing_through_the_admin_page(app, client, people):
    """Erasing a person on the admin page (the core calls ``lms_erase_personal_data``) leaves
    no talent row about them."""
    from leerpad_plugins.talent.testing import login

    _seed(app, people)
    login(client, "admin")
    response = client.post(f"/beheer/privacy/{people.users['learner']}/verwijderen",
                           data={"confirm": "learner@example.org"})
    assert response.status_code == 302
    with app.app_context():
        assert not db.session.get(User, people.users["learner"]).active
    for model in (Nomination, Ambassador, StayConversation, ManagerNote):
        assert _count(app, model) == 0, model.__name__


def test_the_download_of_my_data_holds_the_nominations(app, client, people):
    """The nominee's "download my data" zip holds the nominations about them (the core asks
    ``lms_personal_data``), under the plugin's name."""
    from leerpad_plugins.talent.testing import login

    _seed(app, people)
    login(client, "learner")
    data = _zip_json(client.post("/account/gegevens/download"))
    received = data["plugins"]["talent"]["talent_nominations_received"]
    assert received[0]["motivation"] == MOTIVATION
    assert "talent_nomination" not in data["tables"]  # the core walks its own tables only


def test_retention_deletes_old_talent_data(app, people):
    """`lms talent purge` deletes what was last changed longer than TALENT_RETENTION_DAYS
    ago and keeps the rest."""
    _seed(app, people)
    long_ago = datetime.now(timezone.utc) - timedelta(days=800)
    with app.app_context():
        db.session.add(Nomination(nominee_id=people.users["other_learner"],
                                  nominator_id=people.users["mentor"],
                                  organisation_id=people.school, role="schoolopleider",
                                  motivation="Oud", status="declined", hidden=True,
                                  created_at=long_ago, decided_at=long_ago))
        old = StayConversation(teacher_id=people.users["other_learner"],
                               manager_id=people.users["leidinggevende"],
                               organisation_id=people.school, status="held",
                               planned_for=long_ago.date(), held_on=long_ago.date(),
                               created_at=long_ago, updated_at=long_ago)
        db.session.add(old)
        db.session.flush()
        db.session.add(ManagerNote(conversation_id=old.id, text="oud",
                                   manager_id=people.users["leidinggevende"]))
        db.session.commit()
    from flask.cli import ScriptInfo

    from lms.cli import LmsGroup

    result = app.test_cli_runner().invoke(LmsGroup(), ["talent", "purge"],
                                          obj=ScriptInfo(create_app=lambda: app))
    assert "deleted 1 nominations, 1 stay conversations and 0 ambassador listings" in result.output
    assert _count(app, Nomination) == 1 and _count(app, StayConversation) == 1
    assert _count(app, ManagerNote) == 1
    with app.app_context():
        assert privacy.purge(1, now=datetime.now(timezone.utc) + timedelta(days=30)) == {
            "nominations": 1, "conversations": 1, "ambassadors": 1}
