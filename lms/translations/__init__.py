"""Message catalogues (Dutch first, English = the msgids) and the commands that maintain them.

``python -m lms.translations update`` extracts every string from lms/ and leerpad_plugins/, merges it
into each language's messages.po and compiles the .mo files Flask-Babel reads. ``check`` lists
the Dutch msgids that still need a translation. Both need a source checkout (babel.cfg).
"""
from __future__ import annotations

from contextlib import chdir
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
POT = HERE / "messages.pot"
LANGUAGES = ("nl", "en")
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "_n:1,2")


def _pybabel(*args: str) -> None:
    status = CommandLineInterface().run(["pybabel", "-q", *args])
    if status:
        raise SystemExit(f"pybabel {args[0]} failed (exit {status})")


def extract(pot: Path = POT) -> Catalog:
    """Extract every msgid from lms/ and leerpad_plugins/ (as mapped by babel.cfg) into ``pot``."""
    config = ROOT / "babel.cfg"
    if not config.exists():
        raise SystemExit(f"{config} not found: run this from a source checkout of Leerpad.")
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    # babel.cfg's patterns are relative to the checkout, so extraction runs from there.
    with chdir(ROOT):
        _pybabel("extract", "-F", "babel.cfg", *keywords, "--project", "Leerpad",
                 "--copyright-holder", "Leerpad contributors", "--sort-by-file",
                 "-o", str(pot), ".")
    with pot.open("rb") as fh:
        return read_po(fh)


def catalogue(language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / "messages.po"


def update() -> None:
    """Extract, merge into every language's messages.po, and compile the .mo files."""
    extract()
    for language in LANGUAGES:
        command = "update" if catalogue(language).exists() else "init"
        # No fuzzy guesses: a new or changed text gets an empty translation, listed by `check`.
        extra = (["--ignore-obsolete", "--no-fuzzy-matching", "--no-wrap"] if command == "update"
                 else ["--no-wrap"])
        _pybabel(command, "-i", str(POT), "-d", str(HERE), "-l", language, *extra)
    _pybabel("compile", "-d", str(HERE))


def untranslated(template: Catalog, language: str = "nl") -> list[str]:
    """Msgids of ``template`` that have no complete, non-fuzzy translation in ``language``."""
    with catalogue(language).open("rb") as fh:
        translated = read_po(fh)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = translated.get(message.id, message.context)
        strings = found.string if found else None
        forms = strings if isinstance(strings, (list, tuple)) else [strings]
        if found is None or found.fuzzy or not all(forms):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing
