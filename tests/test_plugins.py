"""The plugin platform: where plugins come from, choosing them, failing loudly, templates and
static files, the CLI listing, failing listeners, and plugin migrations."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from lms import create_app
from lms.cli import LmsGroup
from lms.extensions import db
from lms.models.progress import ProgressEvent
from lms.plugins import PluginError
from leerpad_plugins.testing import import_course
from tests.test_migrations import _own_database

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "certificate"
FIXTURES = Path(__file__).resolve().parent / "plugin_fixtures"


def dirs(*extra: Path) -> str:
    return ":".join(str(p) for p in extra)


def infos(app) -> dict:
    return dict(app.extensions["lms.pm"].lms_plugins)


@pytest.fixture
def entry_point(tmp_path, monkeypatch):
    """The example plugin installed the way pip would: a dist-info with an entry point."""
    site = tmp_path / "site"
    dist = site / "leerpad_certificate-1.0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: leerpad-certificate\n"
                                   "Version: 1.0.0\n")
    (dist / "entry_points.txt").write_text("[lms]\ncertificate = leerpad_certificate\n")
    monkeypatch.syspath_prepend(str(EXAMPLE))
    monkeypatch.syspath_prepend(str(site))
    return site


def test_bundled_plugins_load_by_default(app):
    """Quiz, reflection and assignment are there out of the box, next to the built-ins."""
    found = infos(app)
    for name in ("quiz", "reflection", "assignment"):
        assert found[name].source == "entry point leerpad" and found[name].version == "1.0"
    assert found["csv_export"].source == "built-in"


def test_plugin_from_a_directory_loads(app_factory, client):
    """A plugin package in a PLUGINS_DIRS folder is loaded, with its pages and templates."""
    app = app_factory(PLUGINS_DIRS=dirs(EXAMPLE))
    info = infos(app)["leerpad_certificate"]
    assert info.source.startswith("directory ") and info.version == "1.0.0"
    assert "lms_nav_items" in info.hooks
    assert "certificate.index" in app.view_functions


def test_plugin_from_an_entry_point_loads(app_factory, entry_point, world):
    """An installed distribution with an 'lms' entry point is loaded under its entry point name."""
    app = app_factory()
    info = infos(app)["certificate"]
    assert (info.source, info.version) == ("entry point leerpad-certificate", "1.0.0")
    client = app.test_client()
    client.post("/inloggen", data={"email": "learner@example.org", "password": "correct horse battery"})
    page = client.get("/plugins/certificate/")
    assert page.status_code == 200
    assert 'href="/plugins/certificate/"' in page.get_data(as_text=True)  # its nav item
    with client.get("/plugins/certificate/static/certificate.css") as css:
        assert css.status_code == 200 and b".certificate" in css.data


def test_allow_list_keeps_only_the_named_plugins(app_factory, entry_point):
    """With PLUGINS set, only the listed entry-point and directory plugins load."""
    app = app_factory(PLUGINS="quiz,certificate", PLUGINS_DIRS=dirs(EXAMPLE))
    found = infos(app)
    assert {"quiz", "certificate"} <= set(found)
    assert not {"reflection", "assignment", "leerpad_certificate"} & set(found)
    assert "page" in found  # built-ins are not subject to the allow-list


def test_disabled_plugins_are_not_loaded(app_factory):
    """DISABLED_PLUGINS turns off a bundled plugin, and its lesson type with it."""
    from lms.content.validate import activity_types

    app = app_factory(DISABLED_PLUGINS="reflection, csv_export")
    assert not {"reflection", "csv_export"} & set(infos(app))
    assert "reflection" not in activity_types(app.extensions["lms.pm"])
    assert "quiz" in activity_types(app.extensions["lms.pm"])


def test_misspelt_hook_stops_start_up_naming_it(app_factory):
    """A typo in a hook name aborts start-up with the plugin, the hook and a suggestion."""
    with pytest.raises(PluginError) as failed:
        app_factory(PLUGINS_DIRS=dirs(FIXTURES / "misspelt_dir"))
    message = str(failed.value)
    assert "'misspelt'" in message and "'lms_nav_item'" in message
    assert "did you mean 'lms_nav_items'" in message


def test_plugin_that_fails_to_import_names_itself(app_factory):
    """A plugin that cannot be imported stops start-up with its name and the reason."""
    with pytest.raises(PluginError, match=r"plugin 'broken_import' .*failed to import.*"
                                          r"leerpad_module_that_does_not_exist"):
        app_factory(PLUGINS_DIRS=dirs(FIXTURES / "broken_dir"))


def test_failing_listener_keeps_the_event_and_the_page(app_factory, world, tmp_path, caplog):
    """A listener that raises is logged with its plugin's name; the progress stays stored
    and the learner's "mark as done" still works."""
    app = app_factory(PLUGINS_DIRS=dirs(FIXTURES / "listener_dir"))
    import_course(app, tmp_path / "courses")
    client = app.test_client()
    client.post("/inloggen", data={"email": "learner@example.org", "password": "correct horse battery"})
    with caplog.at_level(logging.ERROR):
        response = client.post("/cursussen/plugintest/lezen/afgerond")
    assert response.status_code == 302
    assert "'failing_listener'" in caplog.text and "listener exploded" in caplog.text
    with app.app_context():
        verbs = db.session.scalars(select(ProgressEvent.verb)).all()
    assert verbs == ["completed"]
    page = client.get("/cursussen/plugintest/lezen")
    assert page.status_code == 200


def test_lms_plugins_lists_version_source_and_hooks(app_factory, entry_point):
    """`lms plugins` shows each plugin's version, where it came from and its hooks."""
    from flask.cli import ScriptInfo

    from lms.commands.plugins import plugins_command

    app = app_factory()
    result = app.test_cli_runner().invoke(plugins_command, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    quiz = next(i for i, line in enumerate(lines) if line.startswith("quiz "))
    assert "1.0" in lines[quiz] and "entry point leerpad" in lines[quiz]
    assert "lms_activity_types" in lines[quiz + 1] and "lms_lesson_is_complete" in lines[quiz + 1]
    assert any(line.startswith("certificate ") and "entry point leerpad-certificate" in line
               for line in lines)
    assert any(line.startswith("page ") and "built-in" in line for line in lines)
    as_json = app.test_cli_runner().invoke(plugins_command, ["--json"],
                                           obj=ScriptInfo(create_app=lambda: app))
    assert '"name": "quiz"' in as_json.output


def test_plugin_static_files_are_served_by_name(app_factory, tmp_path):
    """A plugin package's static/ folder is served at /plugins/<name>/static/, nothing else."""
    package = tmp_path / "extra" / "banner"
    (package / "static").mkdir(parents=True)
    (package / "templates" / "banner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "static" / "banner.css").write_text(".banner { color: red; }")
    (package / "templates" / "banner" / "hello.html").write_text("hello {{ who }}")
    app = app_factory(PLUGINS_DIRS=dirs(tmp_path / "extra"))
    client = app.test_client()
    with client.get("/plugins/banner/static/banner.css") as css:
        assert css.data == b".banner { color: red; }"
    assert client.get("/plugins/banner/static/missing.css").status_code == 404
    assert client.get("/plugins/nobody/static/banner.css").status_code == 404
    assert client.get("/plugins/banner/static/../__init__.py").status_code == 404
    from flask import render_template

    with app.test_request_context():
        assert render_template("banner/hello.html", who="teacher") == "hello teacher"


def test_plugin_migrations_apply_and_roll_back(tmp_path):
    """`upgrade heads` creates every plugin's tables; a plugin branch rolls back on its own."""
    with _own_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url,
                          "TESTING": True, "SECRET_KEY": "plugins"})

        def tables() -> set[str]:
            with app.app_context():
                return set(sa.inspect(db.engine).get_table_names())

        try:
            with app.app_context():
                upgrade(revision="heads")
            plugin_tables = {"quiz_attempt", "reflection_entry", "assignment_submission"}
            assert plugin_tables <= tables()
            for branch, table in (("quiz", "quiz_attempt"), ("reflection", "reflection_entry"),
                                  ("assignment", "assignment_submission")):
                with app.app_context():
                    downgrade(revision=f"{branch}@base")
                assert table not in tables() and "lesson" in tables()
            assert not plugin_tables & tables()
            with app.app_context():
                upgrade(revision="heads")
                heads = {row[0] for row in db.session.execute(
                    sa.text("SELECT version_num FROM alembic_version"))}
                db.session.remove()
            assert plugin_tables <= tables()
            with app.app_context():
                from alembic.script import ScriptDirectory

                script = ScriptDirectory.from_config(
                    app.extensions["migrate"].migrate.get_config())
                expected = {script.get_revision(f"{branch}@head").revision
                            for branch in ("quiz", "reflection", "assignment")}
            assert expected <= heads
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_plugin_commands_reach_the_lms_cli(app_factory):
    """A plugin's command is found by the `lms` command line (loaded lazily with the app)."""
    from flask.cli import ScriptInfo

    app = app_factory(PLUGINS_DIRS=dirs(FIXTURES / "hookcheck_dir"))
    group = LmsGroup()
    result = app.test_cli_runner().invoke(group, ["hookcheck-hello"],
                                          obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "hello from a plugin command" in result.output


def test_events_are_counted_per_event_not_per_listener(app_factory, world, tmp_path):
    """Two apps with different plugins in one process do not share plugin managers."""
    plain = app_factory(DISABLED_PLUGINS="quiz")
    full = app_factory()
    assert "quiz" not in infos(plain) and "quiz" in infos(full)
    with full.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgressEvent)) == 0


def test_drop_in_plugin_in_the_instance_folder_loads(app_factory, tmp_path):
    """With PLUGINS_DIRS unset, `<instance>/plugins` exists after the first start and a
    plugin module dropped there is loaded on the next."""
    instance = tmp_path / "own-instance"
    app_factory(INSTANCE_PATH=instance, PLUGINS_DIRS=None)
    folder = instance / "plugins"
    assert folder.is_dir() and not any(folder.iterdir())
    (folder / "dropin.py").write_text(
        "from lms import hookimpl\n__version__ = '0.3'\n\n"
        "@hookimpl\ndef lms_nav_items(user):\n    return None\n")
    found = infos(app_factory(INSTANCE_PATH=instance, PLUGINS_DIRS=None))
    assert found["dropin"].source == f"directory {folder}" and found["dropin"].version == "0.3"


def test_nothing_in_the_package_looks_next_to_the_source_checkout():
    """The installed package finds its migrations, courses and plugins inside itself: no
    `parent.parent` look-ups of the checkout's folders are left in lms/."""
    import re

    import lms
    from lms import MIGRATIONS
    from lms.content import SHIPPED_COURSES

    package = Path(lms.__file__).resolve().parent
    assert MIGRATIONS.parent == package and SHIPPED_COURSES.parent == package
    pattern = re.compile(r"(parent\.parent|parents\[\d\]).*(plugins|courses|migrations)"
                         r"|root / \"(plugins|courses|migrations)")
    offenders = [f"{path.relative_to(package)}:{number}"
                 for path in package.rglob("*.py")
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


def test_a_clash_names_both_sources_and_either_can_be_disabled(app_factory, entry_point,
                                                               tmp_path):
    """The same name from an entry point and a folder: one line saying how to disable either
    source; a source-qualified name in DISABLED_PLUGINS or PLUGINS picks one."""
    import shutil

    folder = tmp_path / "plugins"
    shutil.copytree(EXAMPLE / "leerpad_certificate", folder / "certificate")
    with pytest.raises(PluginError) as refused:
        app_factory(PLUGINS_DIRS=str(folder))
    message = str(refused.value)
    assert "\n" not in message
    assert ("LMS_DISABLED_PLUGINS=entrypoint:certificate or "
            "LMS_DISABLED_PLUGINS=dir:certificate") in message
    only_folder = infos(app_factory(PLUGINS_DIRS=str(folder),
                                    DISABLED_PLUGINS="entrypoint:certificate"))
    assert only_folder["certificate"].source == f"directory {folder}"
    only_entry = infos(app_factory(PLUGINS_DIRS=str(folder), DISABLED_PLUGINS="dir:certificate"))
    assert only_entry["certificate"].source == "entry point leerpad-certificate"
    allowed = infos(app_factory(PLUGINS_DIRS=str(folder), PLUGINS="entrypoint:certificate"))
    assert allowed["certificate"].source == "entry point leerpad-certificate"
    assert "quiz" not in allowed  # the allow-list still keeps everything else out


def test_a_wrong_argument_name_is_one_line(app_factory, tmp_path):
    """A hook function taking an argument its hook does not offer: which hook, which argument,
    which are allowed."""
    folder = tmp_path / "wrongarg"
    folder.mkdir()
    (folder / "wrongarg.py").write_text(
        "from lms import hookimpl\n\n@hookimpl\ndef lms_dashboard_widgets(usr, scope):\n"
        "    return None\n")
    with pytest.raises(PluginError) as refused:
        app_factory(PLUGINS_DIRS=str(folder))
    assert str(refused.value) == (
        "plugin 'wrongarg': lms_dashboard_widgets() takes 'usr', which the hook does not "
        "offer (allowed: user, scope, organisation)")


def test_two_plugins_with_one_blueprint_name_is_one_line(app_factory, entry_point):
    """The certificate example installed and also dropped in under another name: the second
    blueprint called 'certificate' is refused with both owners named."""
    with pytest.raises(PluginError) as refused:
        app_factory(PLUGINS_DIRS=str(EXAMPLE))
    assert str(refused.value) == (
        "plugin 'certificate': a blueprint named 'certificate' is already registered by "
        "plugin 'leerpad_certificate'; rename it or disable one of the two plugins")


@pytest.mark.parametrize("setting", [
    {"LMS_XAPI_LRSS": '[{"url": "https://lrs.example.org/xapi/"}]'},  # and no BASE_URL
    {"LMS_OIDC_PROVIDERS": "[{"},
])
def test_a_bundled_plugins_configuration_mistake_is_one_line_at_the_command_line(tmp_path,
                                                                                   setting):
    """A setting a bundled plugin refuses in lms_startup stops the command with one line
    naming the plugin, not a traceback."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=str(tmp_path / "instance"), **setting)
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from lms.cli import main; sys.exit(main())",
         "plugins"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "xapi: set BASE_URL" in lines[0] or "plugin 'oidc': OIDC_PROVIDERS" in lines[0]
