"""The nominations plugin, tested with Leerpad's test kit only (``lms.testing``, a pytest plugin
installed with Leerpad). The kit builds every app with all installed plugins and migrates
every Alembic head, so this plugin's table exists in each test's database."""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from leerpad_nominations.models import Nomination
from lms.access import can
from lms.cli import main
from lms.extensions import db
from lms.models import Organisation, User
from lms.plugins import get_pm, plugin_infos
from lms.testing import PASSWORD

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
WIDGET = re.compile(r'<section class="card nominations-widget".*?</section>', re.S)


def form_url(learner_id: int) -> str:
    return f"/plugins/nominations/deelnemer/{learner_id}"


def nominate(client, learner_id: int, motivation: str = "Legt begrippen helder uit."):
    return client.post(form_url(learner_id), data={"motivation": motivation})


def stored(app) -> list[tuple[int, int | None, str]]:
    with app.app_context():
        return [(n.learner_id, n.nominated_by_id, n.motivation)
                for n in db.session.scalars(select(Nomination).order_by(Nomination.id))]


def test_loaded_from_its_entry_point(app):
    """`lms plugins` shows the plugin as installed from its distribution, with its hooks."""
    info = {i.name: i for i in plugin_infos(app)}["nominations"]
    assert info.source == "entry point leerpad-nominations"
    assert {"lms_permission", "lms_learner_sections", "lms_dashboard_widgets", "lms_settings",
            "lms_personal_data", "lms_erase_personal_data"} <= set(info.hooks)


def test_the_kit_applied_the_plugins_migration_branch(app):
    """The branch is a head, its table matches the model, and it rolls back and forth."""
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts=app.extensions["migrate"].configure_args)
            heads = set(context.get_current_heads())
            differences = compare_metadata(context, db.metadata)
        assert "nominations_0001" in heads
        assert [d for d in differences if "nominations_nomination" in repr(d)] == []
        downgrade(revision="nominations@base")
        assert "nominations_nomination" not in sa.inspect(db.engine).get_table_names()
        upgrade(revision="heads")
        assert "nominations_nomination" in sa.inspect(db.engine).get_table_names()


def test_mentor_nominates_their_learner(app, client, auth, world):
    """The mentor fills in the form and finds the nomination on their own list."""
    learner = world.users["learner"]
    auth.login("mentor")
    assert "Motivatie" in client.get(form_url(learner)).get_data(as_text=True)
    response = nominate(client, learner)
    assert response.status_code == 302 and response.location.endswith("/plugins/nominations/")
    assert stored(app) == [(learner, world.users["mentor"], "Legt begrippen helder uit.")]
    own_list = client.get("/plugins/nominations/").get_data(as_text=True)
    assert "Legt begrippen helder uit." in own_list


def test_an_empty_motivation_is_a_form_error(app, client, auth, world):
    """The form says what is missing and stores nothing."""
    auth.login("mentor")
    page = nominate(client, world.users["learner"], "   ")
    assert page.status_code == 200 and "Schrijf waarom" in page.get_data(as_text=True)
    assert stored(app) == []


def test_only_the_learners_mentor_or_schoolopleider_may_nominate(app, client, auth, world):
    """The rule (lms_permission, action nominations.create): strangers get 404, people who
    know the learner but are not their mentor or schoolopleider get 403."""
    learner = world.users["learner"]
    for who, learner_id, status in [("other_mentor", learner, 404),
                                    ("mentor", world.users["far_learner"], 404),
                                    ("learner", learner, 403),
                                    ("coordinator", learner, 403),
                                    ("mentor", 99999, 404),
                                    ("schoolopleider", learner, 302)]:
        auth.login(who)
        assert nominate(client, learner_id).status_code == status, (who, learner_id)
        auth.logout()
    assert stored(app) == [(learner, world.users["schoolopleider"], "Legt begrippen helder uit.")]
    with app.app_context():
        people = {who: db.session.get(User, uid) for who, uid in world.users.items()}
        assert can(people["mentor"], "nominations.create", people["learner"])
        assert not can(people["other_mentor"], "nominations.create", people["learner"])
        assert not can(people["admin"], "nominations.create", people["learner"])


def test_the_form_needs_its_csrf_token(app_factory, world):
    """With CSRF protection on, as in production, a post without the form's token is refused."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()

    def token(url: str) -> str:
        return TOKEN.search(client.get(url).get_data(as_text=True))[1]

    client.post("/inloggen", data={"csrf_token": token("/inloggen"), "email": world.email("mentor"),
                                "password": PASSWORD})
    url = form_url(world.users["learner"])
    assert client.post(url, data={"motivation": "Zonder token"}).status_code == 400
    assert client.post(url, data={"csrf_token": token(url),
                                  "motivation": "Met token"}).status_code == 302
    assert [m for _, _, m in stored(app)] == ["Met token"]


def test_the_setting_limits_nominations_per_year(app, app_factory, world):
    """NOMINATIONS_MAX_PER_YEAR: declared with a default, converted from text, enforced."""
    assert app.config["NOMINATIONS_MAX_PER_YEAR"] == 3
    assert app_factory(NOMINATIONS_MAX_PER_YEAR="2").config["NOMINATIONS_MAX_PER_YEAR"] == 2
    strict = app_factory(NOMINATIONS_MAX_PER_YEAR=1)
    client = strict.test_client()
    client.post("/inloggen", data={"email": world.email("mentor"), "password": PASSWORD})
    assert nominate(client, world.users["learner"]).status_code == 302
    refused = client.post(form_url(world.users["learner"]), data={"motivation": "Nog een"},
                          follow_redirects=True)
    assert "al 1 nominaties gedaan" in refused.get_data(as_text=True)
    assert len(stored(strict)) == 1


def test_lms_plugins_lists_the_setting(runner):
    """`lms plugins --settings` shows the declared setting, its type and default."""
    result = runner.invoke(main, ["plugins", "--settings"])
    assert result.exit_code == 0, result.output
    assert "nominations: LMS_NOMINATIONS_MAX_PER_YEAR (int, default 3) = 3" in result.output


def test_supervisors_see_the_nominations_on_their_learner_page(client, auth, world):
    """lms_learner_sections: the mentor's and the schoolopleider's page about the learner."""
    learner = world.users["learner"]
    auth.login("mentor")
    nominate(client, learner)
    mentor_page = client.get(f"/begeleiding/deelnemer/{learner}").get_data(as_text=True)
    assert "Legt begrippen helder uit." in mentor_page and form_url(learner) in mentor_page
    auth.logout()
    auth.login("schoolopleider")
    school_page = client.get(f"/schoolopleider/{world.school}/deelnemer/{learner}")
    assert "Legt begrippen helder uit." in school_page.get_data(as_text=True)
    auth.logout()
    auth.login("other_mentor")
    other = client.get(f"/begeleiding/deelnemer/{learner}")
    assert other.status_code == 404 and "Legt begrippen" not in other.get_data(as_text=True)


def test_coordinator_widget_counts_per_school_and_shows_no_names(client, auth, world):
    """lms_dashboard_widgets with the organisation: counts per school of that subtree only."""
    learner = world.users["learner"]
    auth.login("mentor")
    nominate(client, learner, "Geheime motivatie")
    auth.logout()
    auth.login("schoolopleider")
    nominate(client, learner, "Nog een motivatie")
    auth.logout()
    auth.login("coordinator")
    widget = WIDGET.search(client.get(f"/coordinatie/{world.board}").get_data(as_text=True))[0]
    assert "<td>Het Noorderlicht</td><td>2</td>" in widget
    assert "De Zuiderzon" not in widget  # another board's school
    assert "motivatie" not in widget and "Learner" not in widget and "Mentor" not in widget
    auth.logout()
    auth.login("other_coordinator")
    page = client.get(f"/coordinatie/{world.other_board}").get_data(as_text=True)
    widget = WIDGET.search(page)[0]
    assert "<td>De Zuiderzon</td><td>0</td>" in widget and "Noorderlicht" not in widget


def test_personal_data_is_exported_and_erased(app, client, auth, world):
    """lms_personal_data lists both sides; lms_erase_personal_data deletes the learner's
    nominations and takes an erased nominator's name off the ones they made."""
    auth.login("mentor")
    nominate(client, world.users["learner"])
    nominate(client, world.users["learner"], "Tweede")
    with app.app_context():
        hook = get_pm(app).hook
        learner, mentor = (db.session.get(User, world.users[who]) for who in ("learner", "mentor"))
        exported = {k: v for part in hook.lms_personal_data(user=learner) if part
                    for k, v in part.items()}
        assert [row["nominated_by"] for row in exported["nominations received"]] == ["Mentor"] * 2
        made = {k: v for part in hook.lms_personal_data(user=mentor) if part
                for k, v in part.items()}["nominations made"]
        assert sorted(row["motivation"] for row in made) == ["Legt begrippen helder uit.", "Tweede"]
        hook.lms_erase_personal_data(user=mentor)
        db.session.commit()
    assert [by for _, by, _ in stored(app)] == [None, None]
    with app.app_context():
        get_pm(app).hook.lms_erase_personal_data(user=db.session.get(User, world.users["learner"]))
        db.session.commit()
    assert stored(app) == []


def test_the_widget_is_only_for_coordinators_of_that_organisation(app, world):
    """The widget asks lms.access itself, so a wrong caller gets nothing."""
    with app.test_request_context(), app.app_context():
        board = db.session.get(Organisation, world.board)
        learner = db.session.get(User, world.users["learner"])
        coordinator = db.session.get(User, world.users["coordinator"])
        widgets = get_pm(app).hook.lms_dashboard_widgets
        assert any("nominations-widget" in str(w) for w in widgets(
            user=coordinator, scope="coordinator", organisation=board))
        assert not any("nominations-widget" in str(w) for w in widgets(
            user=learner, scope="coordinator", organisation=board))
