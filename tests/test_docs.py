"""The plugin guide stays true to the code: every hook documented with its exact signature,
no stale sections, no ``lms.…`` name the code does not have, models, core revisions, verbs and
value types as they are, the examples packaged as the guide says, and its quick start runs."""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from lms import activities, hookspecs

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLES = sorted(p.parent for p in (ROOT / "docs" / "examples").glob("*/pyproject.toml"))
REVISIONS = ROOT / "lms" / "migrations" / "versions"
HOOKS = {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
         if name.startswith("lms_")}


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _sections() -> dict[str, str]:
    """Hook sections of the guide: ``### lms_name`` heading → its text, up to the next heading."""
    parts = re.split(r"^(#{2,3} .*)$", _guide(), flags=re.M)
    return {heading[4:].strip(): text for heading, text in zip(parts[1::2], parts[2::2])
            if re.fullmatch(r"### lms_\w+\s*", heading)}


def signature(name: str) -> str:
    """The hook's signature as the guide must show it, generated from lms/hookspecs.py."""
    sig = inspect.signature(HOOKS[name])
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


def _table_rows(header: str) -> list[list[str]]:
    """The body cells of the Markdown table whose header line is ``header``."""
    text = _guide()
    rows = []
    for line in text[text.index(header):].splitlines():
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[2:]  # without the header and its rule


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_every_hook_has_a_section_in_the_guide():
    """A plugin author finds every hook in docs/plugins.md."""
    assert sorted(set(HOOKS) - set(_sections())) == []


def test_guide_documents_no_hook_that_does_not_exist():
    """A renamed or removed hook does not linger in the guide."""
    assert sorted(set(_sections()) - set(HOOKS)) == []


def test_each_section_shows_the_exact_signature():
    """The signature line is the one in lms/hookspecs.py, names, types and return."""
    for name, text in _sections().items():
        assert f"`{signature(name)}`" in text, f"{name}: expected `{signature(name)}`"


def test_each_section_shows_parameters_and_an_example():
    """Each hook section names every parameter, has an example, and flags firstresult hooks."""
    for name, text in _sections().items():
        spec = HOOKS[name]
        for parameter in inspect.signature(spec).parameters:
            assert f"`{parameter}` —" in text, f"{name}: parameter {parameter} undocumented"
        assert "```python" in text and f"def {name}(" in text, f"{name}: no example"
        firstresult = spec.lms_spec.get("firstresult", False)  # set by the hookspec marker
        assert ("firstresult" in text) == firstresult, f"{name}: firstresult note"


def test_every_hook_spec_has_a_docstring():
    """The hook catalogue in code documents each hook too."""
    assert [name for name, fn in HOOKS.items() if not (fn.__doc__ or "").strip()] == []


def _resolves(dotted: str) -> bool:
    """Whether ``lms.a.b`` is a module or an attribute of one (modules are found, not run)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            found = None
        if found is None:
            continue
        if cut == len(parts):
            return True
        value = importlib.import_module(module)
        for attr in parts[cut:]:
            if not hasattr(value, attr):
                return False
            value = getattr(value, attr)
        return True
    return False


def test_every_lms_name_in_the_guide_exists():
    """The guide invents no API: each `lms.…` it names is a module or an attribute of one."""
    names = set(re.findall(r"`(lms(?:\.[A-Za-z_]\w*)+)", _guide()))
    assert len(names) > 20
    assert sorted(name for name in names if not _resolves(name)) == []


def test_value_types_have_every_field_documented():
    """Each field of Setting, LearningEvent, SignOffItem… is named in the guide."""
    text = _guide()
    for cls in (activities.ActivityType, activities.NavItem, activities.Exporter,
                activities.Setting, activities.SignOffItem, activities.LearningEvent):
        for field in dataclasses.fields(cls):
            assert re.search(rf"`[^`]*\b{field.name}\b[^`]*`", text), f"{cls.__name__}.{field.name}"
        assert f"`lms.activities.{cls.__name__}" in text or f"{cls.__name__}(" in text, cls


def test_models_table_names_real_models_tables_and_fields():
    """Every model row: the classes exist in lms.models with those tables, and every field
    named (outside parentheses, where values are given) is an attribute of one of them."""
    import lms.models

    rows = _table_rows("| model | table | main fields and relations |")
    assert len(rows) > 20
    for model_cell, table_cell, fields_cell in rows:
        models = [getattr(lms.models, name) for name in _ticked(model_cell)]
        assert sorted(m.__tablename__ for m in models) == sorted(_ticked(table_cell)), model_cell
        fields = _ticked(re.sub(r"\([^)]*\)", "", fields_cell))
        for field in (f for f in fields if f.isidentifier()):
            assert any(hasattr(m, field) for m in models), f"{model_cell}: {field}"


def _revision_file(revision: str) -> str:
    (path,) = REVISIONS.glob(f"{revision}_*.py")
    text = path.read_text(encoding="utf-8")
    assert re.search(rf"^revision = ['\"]{revision}['\"]", text, re.M), path
    return text


def test_core_revisions_table_says_what_each_revision_creates():
    """`depends_on` advice is true: each table (or column) is created by the revision named."""
    rows = _table_rows("| core revision | creates |")
    assert rows
    for revision_cell, created_cell in rows:
        (revision,) = _ticked(revision_cell)
        text = _revision_file(revision)
        for name in _ticked(created_cell):
            if "." in name:
                table, column = name.split(".")
                assert re.search(rf"add_column\(\s*['\"]{table}['\"]", text) or \
                    f"batch_alter_table('{table}'" in text or \
                    f'batch_alter_table("{table}"' in text, f"{revision}: {name}"
                assert f"'{column}'" in text or f'"{column}"' in text, f"{revision}: {name}"
            else:
                assert re.search(rf"create_table\(\s*['\"]{name}['\"]", text), f"{revision}: {name}"


def test_every_public_model_table_has_its_core_revision_in_the_guide():
    """A plugin pointing at any model of the models table finds the revision to depend on."""
    listed = {name for _, created in _table_rows("| core revision | creates |")
              for name in _ticked(created)}
    models = {table for _, tables, _ in _table_rows("| model | table | main fields and relations |")
              for table in _ticked(tables)}
    assert sorted(models - listed) == []


def test_result_table_covers_every_verb():
    """The per-verb `result` table has one row per verb the platform records."""
    from lms.models.progress import VERBS

    rows = _table_rows("| verb | recorded by | `result` |")
    assert [_ticked(verb)[0] for verb, _, _ in rows] == list(VERBS)


def test_examples_packaging_matches_the_guide():
    """Each example's entry point (group, name, module) is the one the guide shows."""
    from lms.plugins import ENTRY_POINT_GROUP

    assert ENTRY_POINT_GROUP == "lms"
    assert {p.name for p in EXAMPLES} >= {"certificate", "nominations"}
    guide = _guide()
    for example in EXAMPLES:
        project = tomllib.loads((example / "pyproject.toml").read_text(encoding="utf-8"))
        entry_points = project["project"]["entry-points"][ENTRY_POINT_GROUP]
        assert len(entry_points) == 1, example
        ((name, module),) = entry_points.items()
        assert f'[project.entry-points.lms] {name} = "{module}"' in guide, example.name
        assert f"docs/examples/{example.name}/" in guide
        assert (example / module / "__init__.py").exists()
        assert list((example / "tests").glob("test_*.py")), f"{example.name}: no tests"


def test_examples_use_only_the_test_kit():
    """The examples' tests import nothing from Leerpad's own test suite or bundled plugins."""
    for path in (ROOT / "docs" / "examples").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (tests|leerpad_plugins)\b", text, re.M), path


def _recipe():
    spec = importlib.util.spec_from_file_location("doc_recipe", ROOT / ".ci" / "doc_recipe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_start_is_a_complete_plugin_with_the_guides_entry_point():
    """The quick start's files are there, its pyproject registers it in the group lms."""
    files = _recipe().recipe_files(_guide())
    assert sorted(files) == ["hello/leerpad_hello/__init__.py", "hello/pyproject.toml",
                             "hello/tests/test_hello.py"]
    project = tomllib.loads(files["hello/pyproject.toml"])
    assert project["project"]["entry-points"]["lms"] == {"hello": "leerpad_hello"}
    for name, text in files.items():
        if name.endswith(".py"):
            compile(text, name, "exec")


def test_quick_start_tests_pass(tmp_path):
    """The quick start's own tests pass with the test kit (here as a folder plugin; CI also
    installs it with pip and runs the guide's commands as written)."""
    _recipe().main(GUIDE, tmp_path)
    folder = tmp_path / "hello"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env["LMS_PLUGINS_DIRS"] = str(folder)  # SQLite only: never the suite's PostgreSQL database
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--basetemp={tmp_path / 'pytest'}"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
