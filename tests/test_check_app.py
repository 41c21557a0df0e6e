"""`lms courses check` without the whole app (lms.content.check_app): on an author's machine
(no database to compare with) it loads the configuration and the plugins' content hooks only
— no models, views or database layer — and finds exactly what the whole app finds."""
from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

from lms.content.check_app import CONTENT_ENTRY_POINT_GROUP, CORE_CONTENT_PLUGINS, NO_CONTENT_HOOKS
from lms.plugins import ENTRY_POINT_GROUP
from tests.test_cli import _env, _lms_command

CONTENT_HOOKS = ("lms_activity_types", "lms_course_loaded", "lms_markdown_extensions")

_CHECK_AND_MODULES = """
import json, sys
from lms.cli import main
try:
    main(["courses", "check", sys.argv[1]])
except SystemExit as exit:
    code = exit.code
print(json.dumps([code, sorted(sys.modules)]))
"""


def _folder(tmp_path: Path) -> Path:
    """A course with a quiz (a plugin's type), a page, and a lesson of an unknown type."""
    course = tmp_path / "cursussen" / "toets"
    course.mkdir(parents=True)
    (course / "course.md").write_text("---\nid: toets\ntitle: Toets\n---\nOver toetsen.\n")
    (course / "01-lezen.md").write_text("---\nid: lezen\ntitle: Lezen\ntype: page\n---\nTekst.\n")
    (course / "02-quiz.md").write_text(
        "---\nid: vragen\ntitle: Vragen\ntype: quiz\nquestions:\n  - id: een\n"
        "    text: Eén?\n    kind: single\n    options:\n      - text: Ja\n        correct: true\n"
        "      - text: Nee\n---\nBeantwoord.\n")
    (course / "03-kapot.md").write_text("---\nid: kapot\ntitle: Kapot\ntype: quizz\n---\nX.\n")
    return tmp_path / "cursussen"


def test_a_check_without_a_database_loads_no_models_views_or_database_layer(tmp_path):
    folder = _folder(tmp_path)
    result = subprocess.run([sys.executable, "-c", _CHECK_AND_MODULES, str(folder)],
                            env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    output, _, last = result.stdout.rstrip().rpartition("\n")
    code, modules = json.loads(last)
    assert code == 1, result.stderr
    assert ("toets/03-kapot.md:4: type: unknown lesson type 'quizz' "
            "(known: assignment, page, quiz, reflection)") in output
    assert "1 error(s), 0 warning(s)" in output
    loaded = set(modules)
    assert not {m for m in loaded if m.startswith(("lms.models", "sqlalchemy", "alembic",
                                                     "flask_sqlalchemy", "lms.web"))}
    assert not {m for m in loaded if m.startswith("leerpad_plugins.")
                and m.rsplit(".", 1)[1] in {"models", "views"}}
    assert not {m for m in loaded if m.startswith(("leerpad_plugins.oidc",
                                                     "leerpad_plugins.openbadges"))}


def test_with_a_database_the_check_builds_the_app_and_finds_the_same(tmp_path):
    """A database to compare with (here a migrated SQLite file) means the whole app: the same
    problems, found the way every other command works."""
    folder = _folder(tmp_path)
    env = _env(tmp_path)
    light = subprocess.run([*_lms_command(), "courses", "check", str(folder)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert subprocess.run([*_lms_command(), "db", "upgrade"], env=env, capture_output=True,
                          timeout=300).returncode == 0
    assert (tmp_path / "instance" / "leerpad.sqlite").exists()
    whole = subprocess.run([*_lms_command(), "courses", "check", str(folder)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert light.returncode == whole.returncode == 1
    assert light.stdout == whole.stdout and "quizz" in light.stdout


def test_the_light_plugins_are_the_ones_the_app_calls_for_content(tmp_path, monkeypatch):
    """Every plugin the app loads from entry points declares what a check loads of it, and
    the check's plugin set implements the content hooks exactly where the app's does."""
    from lms import create_app
    from lms.content.check_app import content_app

    for key in [key for key in os.environ if key.startswith("LMS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    light_app = content_app()
    assert light_app is not None
    app = create_app()
    pm = app.extensions["lms.pm"]
    declared = {ep.name: ep.value for ep in importlib.metadata.entry_points(
        group=CONTENT_ENTRY_POINT_GROUP)}
    in_app = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert in_app <= set(declared)
    whole = {hook: sorted(impl.plugin_name for impl in getattr(pm.hook, hook).get_hookimpls())
             for hook in CONTENT_HOOKS}
    light_pm = light_app.extensions["lms.pm"]
    light = {hook: sorted(impl.plugin_name for impl in getattr(light_pm.hook, hook)
                          .get_hookimpls()) for hook in CONTENT_HOOKS}
    assert light == whole
    assert {name.rsplit(".", 1)[1] for name in CORE_CONTENT_PLUGINS} <= set(whole[
        "lms_activity_types"])
    for name, value in declared.items():
        if value.endswith(":NO_CONTENT_HOOKS"):
            assert all(name not in plugins for plugins in whole.values()), name
    with app.app_context():
        from lms.extensions import db

        db.engine.dispose()
    assert NO_CONTENT_HOOKS  # the declaration's value loads as this marker


def test_a_plugin_folder_with_a_plugin_means_the_whole_app(tmp_path, monkeypatch):
    """A plugin in PLUGINS_DIRS declares nothing for checks: the check builds the app."""
    from lms.content.check_app import content_app

    for key in [key for key in os.environ if key.startswith("LMS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    assert content_app() is not None
    (tmp_path / "instance" / "plugins").mkdir(parents=True, exist_ok=True)
    (tmp_path / "instance" / "plugins" / "eigen.py").write_text("")
    assert content_app() is None
