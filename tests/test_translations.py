"""Leerpad speaks Dutch by default and English on request, with a complete Dutch catalogue."""
from __future__ import annotations

import io

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from lms.translations import HERE, LANGUAGES, catalogue, extract, untranslated


def _frozen(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _messages(catalog) -> dict:
    return {_frozen(m.id): _frozen(m.string) for m in catalog if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    """The committed .mo holds exactly what messages.po says, so no edit is lost at deploy time."""
    with catalogue(language).open("rb") as fh:
        source = read_po(fh)
    compiled = io.BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    with (HERE / language / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        committed = read_mo(fh)
    assert _messages(committed) == _messages(read_mo(compiled)), (
        f"{language}/messages.mo is stale: run `python -m lms.translations update`")


def test_every_message_has_a_dutch_translation(tmp_path):
    """Every text in the code and templates is shown in Dutch, never left in English."""
    missing = untranslated(extract(tmp_path / "messages.pot"), "nl")
    print("\n".join(f"untranslated: {msgid!r}" for msgid in missing))
    assert not missing, (
        f"{len(missing)} msgid(s) lack a Dutch translation (listed above); run "
        "`python -m lms.translations update`, fill lms/translations/nl/LC_MESSAGES/messages.po, "
        "run the update again")


def test_login_page_is_dutch_by_default_and_english_on_request(client):
    """A visitor sees the login page in Dutch and can switch it to English."""
    page = client.get("/inloggen").get_data(as_text=True)
    assert "Inloggen" in page and "Wachtwoord" in page
    assert '<html lang="nl">' in page
    switched = client.post("/taal", data={"lang": "en", "next": "/inloggen"}, follow_redirects=True)
    page = switched.get_data(as_text=True)
    assert "Log in" in page and "Password" in page
    assert "Inloggen" not in page
    assert '<html lang="en">' in page
