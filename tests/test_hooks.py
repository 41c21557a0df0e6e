"""One test per hook in lms/hookspecs.py, through the bundled plugins, the certificate example
and tests/plugin_fixtures/hookcheck_dir; a meta-test fails when a hook has no test here."""
from __future__ import annotations

import inspect
import logging
import sys
from pathlib import Path

import pytest
from flask import render_template_string
import sqlalchemy as sa
from sqlalchemy import select

from lms import hookspecs
from lms.access import can
from lms.content.validate import activity_types, check_directory
from lms.extensions import db
from lms.models.accounts import User
from lms.models.content import Lesson
from lms.plugins import PluginError, collect, get_pm
from lms.tracking import record_progress
from leerpad_plugins.testing import import_course, write_course
from lms.testing import PASSWORD
from lms.clock import today as clock_today  # the learners' day, as the app's

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "certificate"
HOOKCHECK = Path(__file__).resolve().parent / "plugin_fixtures" / "hookcheck_dir"
HOOKS = sorted(name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
               if name.startswith("lms_"))


@pytest.fixture
def full_app(app_factory):
    """The bundled plugins, the certificate example and the hookcheck plugin."""
    return app_factory(PLUGINS_DIRS=f"{EXAMPLE}:{HOOKCHECK}")


def _login(app, who="learner"):
    client = app.test_client()
    client.post("/inloggen", data={"email": f"{who}@example.org", "password": PASSWORD})
    client.post("/taal", data={"lang": "en"})
    return client


def _complete_course(app, tmp_path, who_id):
    """Complete every required lesson of the test course for ``who_id`` (through tracking)."""
    ids = import_course(app, tmp_path / "courses")
    with app.app_context():
        user = db.session.get(User, who_id)
        for slug in ("lezen", "toets", "terugblik", "opdracht", "eindopdracht"):
            record_progress(user, db.session.get(Lesson, ids[slug]),
                            "passed" if slug == "toets" else "completed")
            if slug in ("opdracht", "eindopdracht"):
                record_progress(user, db.session.get(Lesson, ids[slug]), "approved")
    return ids


def test_every_hook_has_a_test_here():
    """Adding a hook without a test in this file fails the suite."""
    names = {name for name, _ in inspect.getmembers(sys.modules[__name__], inspect.isfunction)}
    missing = [hook for hook in HOOKS if not any(n.startswith(f"test_{hook}") for n in names)]
    assert missing == []


def test_lms_startup_can_stop_the_app(app_factory):
    """A plugin's start-up check runs with the app, and raising stops start-up."""
    app = app_factory(PLUGINS_DIRS=str(HOOKCHECK))
    assert app.name in sys.modules["lms_plugin_hookcheck"].STARTED
    with pytest.raises(RuntimeError, match="HOOKCHECK_REFUSE"):
        app_factory(PLUGINS_DIRS=str(HOOKCHECK), HOOKCHECK_REFUSE=True)


def test_lms_register_blueprints_adds_pages(full_app, world):
    """A plugin's blueprint serves its pages (the certificate list)."""
    page = _login(full_app).get("/plugins/certificate/")
    assert page.status_code == 200 and "My certificates of attendance" in page.get_data(as_text=True)


def test_lms_register_commands_adds_a_cli_command(full_app):
    """A plugin command runs from the `lms` command line."""
    from flask.cli import ScriptInfo

    from lms.cli import LmsGroup

    result = full_app.test_cli_runner().invoke(LmsGroup(), ["hookcheck-hello"],
                                               obj=ScriptInfo(create_app=lambda: full_app))
    assert "hello from a plugin command" in result.output


def test_lms_migration_locations_joins_the_alembic_heads(app):
    """Each bundled plugin's branch is a head that `upgrade heads` applied."""
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        script = ScriptDirectory.from_config(config)
        applied = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    for branch in ("quiz", "reflection", "assignment"):
        head = script.get_revision(f"{branch}@head")  # one head per branch, or this raises
        assert head.revision in applied


def test_lms_activity_types_are_known_to_the_linter(full_app, tmp_path):
    """Lesson types come from plugins, and their validate() reports bad front matter."""
    types = activity_types(get_pm(full_app))
    assert {"page", "quiz", "reflection", "assignment", "checkbox"} <= set(types)
    root = write_course(tmp_path / "courses")
    (root / "plugintest" / "06-vink.md").write_text(
        "---\nid: vink\ntitle: Vink\ntype: checkbox\n---\nVink aan.\n", encoding="utf-8")
    with full_app.app_context():
        problems = check_directory(root)
    assert [(p.field, p.message) for p in problems if p.is_error] == \
        [("statement", "say what to tick")]


def test_lms_markdown_extensions_render_sanitised(full_app, tmp_path):
    """A plugin's Markdown extension is used at import, and its output is still sanitised."""
    root = write_course(tmp_path / "courses")
    (root / "plugintest" / "01-lezen.md").write_text(
        "---\nid: lezen\ntitle: Lezen\ntype: page\n---\nDe PO-raad.\n\n*[PO]: primair onderwijs\n",
        encoding="utf-8")
    from lms.content.importer import import_directory

    with full_app.app_context():
        import_directory(root)
        html = db.session.scalar(select(Lesson.html).where(Lesson.slug == "lezen"))
    assert "*[PO]" not in html  # the abbr extension consumed the definition
    assert "<script" not in html and "onclick" not in html


def test_lms_course_loaded_problems_block_the_check(full_app, tmp_path):
    """A course hook's problem is reported like any other front-matter problem."""
    root = write_course(tmp_path / "courses")
    course = root / "plugintest" / "course.md"
    course.write_text(course.read_text().replace("Plugins in de praktijk", "PLUGINS"))
    with full_app.app_context():
        problems = check_directory(root)
    assert ("title", "titles may not shout") in [(p.field, p.message) for p in problems]


def test_lms_progress_recorded_listener_sees_committed_events(full_app, world, tmp_path, caplog):
    """The certificate listener runs after each event and notices a completed course."""
    with caplog.at_level(logging.INFO):
        _complete_course(full_app, tmp_path, world.users["learner"])
    assert any("certificate ready" in r.getMessage() for r in caplog.records)


def test_lms_lesson_is_complete_lets_a_plugin_decide(full_app, world, tmp_path):
    """A plugin's completion rule runs before the core's: opening an 'instant' lesson completes it."""
    ids = import_course(full_app, tmp_path / "courses")
    with full_app.app_context():
        lesson = db.session.get(Lesson, ids["lezen"])
        lesson.slug = "instant"
        db.session.commit()
        user = db.session.get(User, world.users["learner"])
        record_progress(user, db.session.get(Lesson, ids["lezen"]), "experienced")
        other = db.session.get(Lesson, ids["terugblik"])
        record_progress(user, other, "experienced")
        from lms.models.progress import LessonState

        states = dict(db.session.execute(select(LessonState.lesson_id, LessonState.status)).all())
    assert states == {ids["lezen"]: "completed", ids["terugblik"]: "in_progress"}


def test_lms_nav_items_show_in_the_menu(full_app, world):
    """Plugin navigation items appear in the main menu, in order."""
    html = _login(full_app).get("/").get_data(as_text=True)
    logbook, certificates = html.find("/plugins/reflection/logboek"), html.find("/plugins/certificate/")
    assert 0 < logbook < certificates


def test_lms_admin_links_follow_the_core_admin_pages_in_order(full_app, world):
    """The bundled plugins' admin pages are listed on /admin after the core's, lowest order
    first (xAPI 60, school login 70)."""
    html = _login(full_app, "admin").get("/beheer/").get_data(as_text=True)
    menu = html[html.index('<ul class="admin-menu">'):]
    jobs, xapi, oidc = (menu.find(f'href="{url}"') for url in
                        ("/beheer/taken/", "/plugins/xapi/", "/plugins/oidc/beheer"))
    assert 0 < jobs < xapi < oidc


def test_lms_dashboard_widgets_render_for_a_scope(full_app, world):
    """A plugin's widget is offered for the home dashboard and not for other scopes."""
    client = _login(full_app)
    with client.application.test_request_context():
        from flask_login import login_user

        with full_app.app_context():
            login_user(db.session.get(User, world.users["learner"]))
            home = render_template_string('{% for w in dashboard_widgets("home") %}{{ w }}{% endfor %}')
            coordinator = collect(get_pm().hook.lms_dashboard_widgets(
                user=db.session.get(User, world.users["learner"]), scope="coordinator",
                organisation=None))
    assert "certificate" in home
    assert not any("certificate" in str(w) for w in coordinator)


def test_lms_path_sections_show_on_the_path_page(full_app, world, tmp_path):
    """The certificate section appears on the learner's path page with the completed course."""
    _complete_course(full_app, tmp_path, world.users["learner"])
    html = _login(full_app).get("/leerpad").get_data(as_text=True)
    assert "Certificates of attendance" in html and "/plugins/certificate/plugintest" in html
    certificate = _login(full_app).get("/plugins/certificate/plugintest")
    assert certificate.status_code == 200 and "Learner" in certificate.get_data(as_text=True)
    assert _login(full_app, "other_learner").get("/plugins/certificate/plugintest").status_code == 404


def test_lms_exporters_offer_csv_and_plugin_formats(full_app):
    """CSV is built in (comma separated, BOM when served, formulas neutralised); plugins add more."""
    with full_app.app_context():
        exporters = {e.name: e for e in collect(get_pm().hook.lms_exporters())}
    assert {"csv", "lines"} <= set(exporters)
    csv = exporters["csv"]
    text = csv.export([{"naam": "Zoë", "uren": 3}, {"naam": "=SUM(A1)", "uren": None}])
    assert text == "naam,uren\r\nZoë,3\r\n'=SUM(A1),\r\n"
    assert text.encode(csv.encoding).startswith(b"\xef\xbb\xbf")
    assert csv.export([[1, 2]], headers=["a", "b"]) == "a,b\r\n1,2\r\n"


def test_lms_permission_adds_rules_but_not_past_privacy(full_app, world):
    """A plugin can allow a new action, but cannot open someone's private reflections."""
    with full_app.test_request_context(), full_app.app_context():
        mentor = db.session.get(User, world.users["mentor"])
        learner = db.session.get(User, world.users["learner"])
        assert can(mentor, "hookcheck.peek", learner)
        assert not can(mentor, "reflection.view", learner)


def test_unknown_hook_is_refused(app_factory):
    """Implementing a hook that is not in the catalogue is an error, not silently ignored."""
    with pytest.raises(PluginError):
        app_factory(PLUGINS_DIRS=str(HOOKCHECK.parent / "misspelt_dir"))


def test_lms_dashboard_widgets_know_the_organisation_shown(full_app, world):
    """A widget on the coordinator's and the schoolopleider's page gets the organisation whose
    subtree the page shows; home gets None."""
    coordinator = _login(full_app, "coordinator").get(f"/coordinatie/{world.board}")
    assert '<p class="hookcheck-org">coordinator: Bestuur Noord</p>' in coordinator.get_data(as_text=True)
    school = _login(full_app, "schoolopleider").get(f"/schoolopleider/{world.school}")
    assert ('<p class="hookcheck-org">schoolopleider: Het Noorderlicht</p>'
            in school.get_data(as_text=True))
    assert "hookcheck-org" not in _login(full_app).get("/").get_data(as_text=True)


def test_lms_path_sections_know_who_is_looking(full_app, world):
    """Path sections get the viewer: the learner on their own page, the mentor on theirs."""
    own = _login(full_app).get("/leerpad").get_data(as_text=True)
    assert '<p class="hookcheck-path">Learner, seen by Learner</p>' in own
    mentor = _login(full_app, "mentor").get(f"/leerpad/{world.users['learner']}")
    assert '<p class="hookcheck-path">Learner, seen by Mentor</p>' in mentor.get_data(as_text=True)


def test_lms_learner_sections_show_on_supervisors_learner_pages(full_app, world):
    """The mentor's and the schoolopleider's page about one learner carry plugin sections."""
    learner = world.users["learner"]
    mentor = _login(full_app, "mentor").get(f"/begeleiding/deelnemer/{learner}")
    assert mentor.status_code == 200
    assert "Mentor looks at Learner (mentor)" in mentor.get_data(as_text=True)
    school = _login(full_app, "schoolopleider").get(
        f"/schoolopleider/{world.school}/deelnemer/{learner}")
    assert "Schoolopleider looks at Learner (schoolopleider)" in school.get_data(as_text=True)
    refused = _login(full_app, "other_mentor").get(f"/begeleiding/deelnemer/{learner}")
    assert refused.status_code in (403, 404) and "looks at" not in refused.get_data(as_text=True)


def test_lms_progress_recorded_gets_the_objects_and_a_registration_uuid(full_app, world,
                                                                        tmp_path):
    """Listeners get the learner, lesson, course and track objects and the enrolment's UUID;
    a reviewer's feedback never travels in the event's result."""
    import uuid

    from lms.models.progress import Enrolment
    from lms.tracking.tracks import enrol

    seen = sys.modules["lms_plugin_hookcheck"].SEEN_EVENTS
    seen.clear()
    ids = import_course(full_app, tmp_path / "courses")
    with full_app.app_context():
        user = db.session.get(User, world.users["learner"])
        lesson = db.session.get(Lesson, ids["lezen"])
        enrol(user, course=lesson.course)
        registration = db.session.scalar(select(Enrolment.uuid))
        record_progress(user, lesson, "experienced")
    assert uuid.UUID(registration).version == 4
    assert seen == [("experienced", "learner@example.org", "lezen", "plugintest", None,
                     registration, None)]

    client = _login(full_app)
    client.post(f"/plugins/assignment/lessen/{ids['opdracht']}/inleveringen",
                data={"text": "Mijn lesopzet"})
    mentor = _login(full_app, "mentor")
    with full_app.app_context():
        from leerpad_plugins.assignment.models import AssignmentSubmission

        submission = db.session.scalar(select(AssignmentSubmission.id))
    mentor.post(f"/plugins/assignment/inleveringen/{submission}/besluit",
                data={"decision": "return", "feedback": "Geheime feedback"})
    assert [verb for verb, *_ in seen][-2:] == ["submitted", "returned"]
    assert all("Geheime" not in repr(event) for event in seen)


def test_lms_settings_are_declared_typed_and_only_needed_to_serve(app_factory, tmp_path):
    """Declared settings get defaults and types; a missing setting needed to serve stops
    `create_app(serve=True)` and `lms serve` with one line, and nothing else."""
    import os
    import subprocess

    from lms import create_app

    app = app_factory(PLUGINS_DIRS=str(HOOKCHECK))
    assert app.config["HOOKCHECK_LIMIT"] == 3 and app.config["HOOKCHECK_TOKEN"] is None
    assert app_factory(PLUGINS_DIRS=str(HOOKCHECK), HOOKCHECK_LIMIT="7").config["HOOKCHECK_LIMIT"] == 7
    with pytest.raises(PluginError, match="LMS_HOOKCHECK_LIMIT='seven' is not a valid int"):
        app_factory(PLUGINS_DIRS=str(HOOKCHECK), HOOKCHECK_LIMIT="seven")
    with pytest.raises(PluginError, match="plugin 'hookcheck' needs LMS_HOOKCHECK_TOKEN to serve"):
        create_app({**app.config, "INSTANCE_PATH": tmp_path / "serve"}, serve=True)

    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=str(tmp_path / "cli"), LMS_PLUGINS_DIRS=str(HOOKCHECK))
    lms = [sys.executable, "-c", "import sys; from lms.cli import main; sys.exit(main())"]

    def run(*args):
        return subprocess.run([*lms, *args], env=env, capture_output=True, text=True, timeout=120)

    from lms.content import SHIPPED_COURSES

    assert run("courses", "check", str(SHIPPED_COURSES)).returncode == 0
    listing = run("plugins", "--settings")
    assert listing.returncode == 0
    assert "hookcheck: LMS_HOOKCHECK_TOKEN (str, required to serve) = not set" in listing.stdout
    serve = run("serve", "--port", "1")
    assert serve.returncode == 1
    assert serve.stderr.strip().splitlines() == [
        "Error: plugin 'hookcheck' needs LMS_HOOKCHECK_TOKEN to serve (the token of the checked "
        "service); set it in the environment or in the instance config.py"]
    env["LMS_HOOKCHECK_TOKEN"] = "geheim"
    assert "LMS_HOOKCHECK_TOKEN (str, required to serve) = set (hidden)" in run(
        "plugins", "--settings").stdout


# --- logging in and the account page (hooks used by the oidc plugin) ------------------------

LOGIN_HOOKS_PLUGIN = '''
from markupsafe import Markup, escape
from lms import hookimpl


@hookimpl
def lms_login_options(invitation):
    suffix = " for invitation " + escape(invitation) if invitation else ""
    return Markup('<p id="other-way">Log in another way' + suffix + '</p>')


@hookimpl
def lms_password_login_refused(user):
    if user.email == "mentor@example.org":
        return "Your school wants the other way; use it below."
    return None


@hookimpl
def lms_account_sections(user):
    return Markup('<section id="extra-account">Extra for ') + user.name + Markup('</section>')


@hookimpl
def lms_logout_redirect(user):
    return "/goodbye" if user.email == "learner@example.org" else "https://elsewhere.example/"
'''


@pytest.fixture
def login_hooks_app(app_factory, tmp_path, world):
    """An app with a plugin implementing the login and account hooks (in English)."""
    folder = tmp_path / "login_hooks"
    folder.mkdir()
    (folder / "loginhooks.py").write_text(LOGIN_HOOKS_PLUGIN, encoding="utf-8")
    app = app_factory(PLUGINS_DIRS=str(folder))
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.locale = "en"
        db.session.commit()
    return app


def test_lms_login_options_show_on_the_login_and_invitation_pages(login_hooks_app, world):
    """Other ways to log in appear under the password form, with the invitation on its page."""
    from lms.accounts.invitations import invitation_token

    client = login_hooks_app.test_client()
    assert "Log in another way</p>" in client.get("/inloggen").get_data(as_text=True)
    with login_hooks_app.app_context():
        token = invitation_token(db.session.get(User, world.users["learner"]))
    page = client.get(f"/uitnodiging/{token}").get_data(as_text=True)
    assert f"Log in another way for invitation {token}" in page


def test_lms_password_login_refused_keeps_the_person_out(login_hooks_app, world):
    """A refusal after a correct password shows the plugin's message and logs nobody in; a
    wrong password still gets the one message; others log in as usual."""
    client = login_hooks_app.test_client()
    client.post("/taal", data={"lang": "en"})
    refused = client.post("/inloggen", data={"email": "mentor@example.org", "password": PASSWORD})
    assert refused.status_code == 403
    page = refused.get_data(as_text=True)
    assert "Your school wants the other way" in page and 'id="other-way"' in page
    assert client.get("/").status_code == 302  # still anonymous
    wrong = client.post("/inloggen", data={"email": "mentor@example.org", "password": "nope"})
    assert "other way; use" not in wrong.get_data(as_text=True)
    assert _login(login_hooks_app, "learner").get("/").status_code == 200


def test_lms_account_sections_show_on_the_account_page(login_hooks_app, world):
    """A plugin's section is on the person's own account page, about them."""
    page = _login(login_hooks_app, "learner").get("/account").get_data(as_text=True)
    assert '<section id="extra-account">Extra for Learner</section>' in page


def test_lms_logout_redirect_is_followed_only_on_this_site(login_hooks_app, world):
    """The session ends either way; a path on this site is followed, another site is not."""
    learner = _login(login_hooks_app, "learner")
    response = learner.post("/uitloggen")
    assert response.location == "/goodbye"
    assert learner.get("/account").status_code == 302  # logged out
    other = _login(login_hooks_app, "schoolopleider")
    assert other.post("/uitloggen").location == "/inloggen"


def test_lms_learning_record_hears_each_fact_once_after_commit(app_factory, world, tmp_path):
    """Listeners hear of a completed course and track, the credential, an exemption, a
    confirmed competence, logged hours and a shared reflection: once each, after commit, with
    the objects, the enrolment's UUID and no free text; the facts are stored in the log."""
    from datetime import date

    from lms.mentoring import decide_confirmation
    from lms.models.confirmations import CompetenceConfirmation
    from lms.models.records import LearningRecordRow
    from lms.tracking.tracks import enrol, grant_exemption
    from tests import builders

    app = app_factory(PLUGINS_DIRS=str(Path(__file__).parent / "plugin_fixtures" / "records_dir"))
    heard = sys.modules["lms_plugin_recordlistener"].HEARD
    heard.clear()
    ids = import_course(app, tmp_path / "courses")
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        mentor = db.session.get(User, world.users["mentor"])
        short = builders.course("kort", ["een"])
        extra = builders.course("extra", 1)
        track = builders.track("starters", [short, extra], credential="Bewijs starters",
                               validity_years=3)
        enrolment = enrol(learner, track=track)
        grant_exemption(learner, track, extra, by=mentor, reason="Al gedaan op de pabo")
        assert [r.kind for r in heard] == ["exemption_granted"]  # the track is not done yet
        record_progress(learner, builders.lesson(short, "een"), "completed")
        record_progress(learner, builders.lesson(short, "een"), "completed")  # a repeat
        kinds = [r.kind for r in heard]
        assert kinds[0] == "exemption_granted"
        assert sorted(kinds[1:]) == ["course_completed", "credential_issued", "track_completed"]
        done = next(r for r in heard if r.kind == "track_completed")
        assert done.track.slug == "starters" and done.learner.id == learner.id
        assert done.registration == enrolment.uuid and done.result == {"completion": True}
        credential = next(r for r in heard if r.kind == "credential_issued")
        assert credential.object_name == "Bewijs starters" and "expires" in credential.result
        exemption = heard[0]
        assert exemption.course.slug == "extra" and exemption.result == {}
        assert "pabo" not in repr(exemption)  # the reason is free text: it stays home
        item = CompetenceConfirmation(learner_id=learner.id, mentor_id=mentor.id,
                                      competence="bekwaamheidseisen:pedagogisch", note="Zie map")
        db.session.add(item)
        db.session.commit()
        decide_confirmation(item, mentor, approve=True, feedback="Mooi onderbouwd")
        confirmed = heard[-1]
        assert (confirmed.kind, confirmed.object_type, confirmed.object_id) == (
            "competence_confirmed", "competence", "bekwaamheidseisen:pedagogisch")
        assert "Mooi" not in repr(confirmed) and "Zie map" not in repr(confirmed)
    client = _login(app)
    client.post("/leerpad/uren/nieuw", data={
        "day": clock_today().replace(day=1).isoformat(), "hours": "1.5", "category": "lezen",
        "description": "Boek over feedback", "evidence": ""})
    hours = heard[-1]
    assert hours.kind == "hours_logged" and hours.result["hours"] == 1.5
    assert "feedback" not in repr(hours.result)
    from leerpad_plugins.reflection import portfolio

    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        entry = portfolio.write_entry(learner, db.session.get(Lesson, ids["terugblik"]),
                                      "moment", "Mijn geheime gedachte")
        portfolio.set_shared(entry, True)
        portfolio.set_shared(entry, False)
        portfolio.set_shared(entry, True)  # sharing again is not a new record
        shared = [r for r in heard if r.kind == "reflection_shared"]
        assert len(shared) == 1 and shared[0].object_id == "plugintest/terugblik"
        assert "geheime" not in repr(shared[0])
        stored = db.session.scalars(select(LearningRecordRow.kind)
                                    .order_by(LearningRecordRow.id)).all()
    assert stored == [r.kind for r in heard]


def test_lms_sign_off_items_fill_the_one_queue(full_app, world, tmp_path):
    """Assignments (a plugin) and competences (the core) wait in one queue, oldest first,
    filtered by learner and kind; counts on the mentor's pages come from the same hook."""
    from datetime import timedelta

    from lms.models.base import utcnow
    from lms.models.confirmations import CompetenceConfirmation

    ids = import_course(full_app, tmp_path / "courses")
    learner, mentor = world.users["learner"], world.users["mentor"]
    with full_app.app_context():
        db.session.add(CompetenceConfirmation(
            learner_id=learner, mentor_id=mentor, competence="velon:agogisch", note="x",
            created_at=utcnow() - timedelta(days=3)))
        db.session.commit()
    _login(full_app).post(f"/plugins/assignment/lessen/{ids['opdracht']}/inleveringen",
                          data={"text": "Mijn lesopzet"})
    client = _login(full_app, "mentor")
    queue = client.get("/begeleiding/aftekenen").get_data(as_text=True)
    assert queue.index("velon:agogisch") < queue.index("Praktijkopdracht")  # oldest first
    only = client.get("/begeleiding/aftekenen?soort=assignment").get_data(as_text=True)
    assert "Praktijkopdracht" in only and "velon:agogisch" not in only
    nobody = client.get(f"/begeleiding/aftekenen?deelnemer={world.users['far_learner']}")
    assert "Praktijkopdracht" not in nobody.get_data(as_text=True)
    overview = client.get("/begeleiding").get_data(as_text=True)
    assert f'<a href="/begeleiding/aftekenen?deelnemer={learner}">2</a>' in overview
    other = _login(full_app, "other_mentor").get("/begeleiding/aftekenen").get_data(as_text=True)
    assert "Praktijkopdracht" not in other and "Nothing is waiting for you." in other
    with full_app.test_request_context():
        anyone = collect(get_pm().hook.lms_sign_off_items(reviewer=None, learner_ids=[learner]))
    assert sorted(item.kind for item in anyone) == ["assignment", "competence"]


def test_lms_sign_off_count_adds_up_in_one_query(app, world, tmp_path):
    """Every plugin's count expression is summed in one statement, equal to the queue's
    length; a plugin without a count makes the core count the whole list instead."""
    from lms.models.confirmations import CompetenceConfirmation
    from lms.plugins import sign_off_count, sign_off_items
    from tests.supervision_data import count_queries

    ids = import_course(app, tmp_path / "courses")
    learner, mentor = world.users["learner"], world.users["mentor"]
    with app.app_context():
        db.session.add(CompetenceConfirmation(learner_id=learner, mentor_id=mentor,
                                              competence="velon:agogisch", note="x"))
        db.session.commit()
    _login(app).post(f"/plugins/assignment/lessen/{ids['opdracht']}/inleveringen",
                     data={"text": "Mijn lesopzet"})
    with app.test_request_context():
        reviewer = db.session.get(User, mentor)
        counts = collect(get_pm().hook.lms_sign_off_count(reviewer=reviewer))
        assert len(counts) == 2  # the assignment plugin's and the core's
        with count_queries(app) as statements:
            assert sign_off_count(reviewer) == 2
        assert len(statements) == 1
        assert len(sign_off_items(reviewer)) == 2


def test_lms_sign_off_count_falls_back_to_the_list(app, world):
    """With a plugin that gives items but no count, the whole list is counted."""
    from types import SimpleNamespace

    from lms import hookimpl
    from lms.activities import SignOffItem
    from lms.models.base import utcnow
    from lms.plugins import sign_off_count

    @hookimpl
    def lms_sign_off_items(reviewer, learner_ids):
        return [SignOffItem("portfolio", "Portfolio", world.users["learner"], "Learner", "Map",
                            utcnow(), "/")]

    get_pm(app).register(SimpleNamespace(lms_sign_off_items=lms_sign_off_items),
                         name="items_only")
    with app.test_request_context():
        assert sign_off_count(db.session.get(User, world.users["mentor"])) == 1


def test_lms_learner_columns_add_counts_to_supervisor_tables(full_app, world):
    """Plugin columns appear on the mentor's and the schoolopleider's tables of learners."""
    learner = world.users["learner"]
    mentor = _login(full_app, "mentor").get("/begeleiding").get_data(as_text=True)
    assert "<th scope=\"col\">Hookcheck stars</th>" in mentor and f"<td>mentor-{learner}</td>" in mentor
    assert "<th scope=\"col\">Shared reflections</th>" in mentor  # the reflection plugin's
    school = _login(full_app, "schoolopleider").get(f"/schoolopleider/{world.school}")
    assert f"<td>schoolopleider-{learner}</td>" in school.get_data(as_text=True)


def test_lms_personal_data_joins_the_export(full_app, world):
    """A plugin's answer is in the person's data download, bytes as files in the zip."""
    import io
    import json
    import zipfile

    response = _login(full_app).post("/account/gegevens/download")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    note = data["plugins"]["hookcheck"]["notes"][0]
    assert note["text"] == "hookcheck note of learner@example.org"
    assert archive.read(note["blob"]["file"]) == b"hookcheck-bytes"


def test_lms_erase_personal_data_runs_with_the_erasure(full_app, world):
    """Erasing a person asks every plugin to erase its own data about them."""
    erased = sys.modules["lms_plugin_hookcheck"].ERASED
    erased.clear()
    _login(full_app, "admin").post(f"/beheer/privacy/{world.users['learner']}/verwijderen",
                                   data={"confirm": "learner@example.org"})
    assert erased == [world.users["learner"]]


def test_lms_demo_region_lets_plugins_add_the_learners_work(app):
    """The demo region asks the plugins once for their part: the bundled ones write each
    learner's own reflections (shared only where the walk says) and their hand-ins, waiting
    exactly where the lesson is not completed yet."""
    from lms import hookimpl
    from lms.content import SHIPPED_COURSES
    from lms.content.importer import import_directory
    from lms.demo import create_demo_data

    regions = []

    class Recorder:
        @hookimpl
        def lms_demo_region(self, region):
            regions.append(region)

    get_pm(app).register(Recorder())
    with app.app_context():
        import_directory(SHIPPED_COURSES)
        create_demo_data()
        create_demo_data()  # made once
        work = [(w.user_id, w.lesson.id, w.lesson.type, w.completed, w.shared)
                for w in regions[0].work]
        entries = db.session.execute(sa.text(
            "SELECT user_id, lesson_id, shared FROM reflection_entry")).all()
        waiting = db.session.execute(sa.text(
            "SELECT user_id, lesson_id FROM assignment_submission WHERE status = 'submitted'"
        )).all()
    assert len(regions) == 1
    shared = {(uid, lid): is_shared for uid, lid, kind, _done, is_shared in work
              if kind == "reflection"}
    assert entries and all(shared[(uid, lid)] == bool(is_shared) for uid, lid, is_shared in entries)
    assert sorted(waiting) == sorted((uid, lid) for uid, lid, kind, done, _shared in work
                                     if kind == "assignment" and not done)
