"""The plugin guide stays true to the code: every hook documented, no stale sections, and the
example plugin's packaging matches what the guide says."""
from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

from lms import hookspecs

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
HOOKS = {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
         if name.startswith("lms_")}


def _sections() -> dict[str, str]:
    """Hook sections of the guide: ``### lms_name`` heading → its text."""
    text = GUIDE.read_text(encoding="utf-8")
    parts = re.split(r"^### (lms_\w+)\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_hook_has_a_section_in_the_guide():
    """A plugin author finds every hook in docs/plugins.md."""
    assert sorted(set(HOOKS) - set(_sections())) == []


def test_guide_documents_no_hook_that_does_not_exist():
    """A renamed or removed hook does not linger in the guide."""
    assert sorted(set(_sections()) - set(HOOKS)) == []


def test_each_section_shows_parameters_and_an_example():
    """Each hook section names every parameter, has an example, and flags firstresult hooks."""
    for name, text in _sections().items():
        spec = HOOKS[name]
        for parameter in inspect.signature(spec).parameters:
            assert f"`{parameter}" in text, f"{name}: parameter {parameter} undocumented"
        assert "```python" in text and f"def {name}(" in text, f"{name}: no example"
        firstresult = spec.lms_spec.get("firstresult", False)  # set by the hookspec marker
        assert ("firstresult" in text) == firstresult, f"{name}: firstresult note"


def test_every_hook_spec_has_a_docstring():
    """The hook catalogue in code documents each hook too."""
    assert [name for name, fn in HOOKS.items() if not (fn.__doc__ or "").strip()] == []


def test_example_plugin_packaging_matches_the_guide():
    """The example's entry point (group, name, module) is the one the guide tells you to use."""
    project = tomllib.loads((ROOT / "docs/examples/certificate/pyproject.toml").read_text())
    assert project["project"]["entry-points"]["lms"] == {"certificate": "leerpad_certificate"}
    guide = GUIDE.read_text(encoding="utf-8")
    assert '[project.entry-points.lms] certificate = "leerpad_certificate"' in guide
    from lms.plugins import ENTRY_POINT_GROUP

    assert ENTRY_POINT_GROUP == "lms"
