"""Administration in words: the audit log per action in Dutch and English, found by a name;
the people list with roles and schools; Dutch role names in the CSV import."""
from __future__ import annotations

import html
import re

from lms.accounts.people_import import read_people
from lms.extensions import db
from lms.privacy.audit_log import ACTIONS
from tests import builders
from tests.supervision_data import login_as


def test_audit_log_words_each_action_and_finds_people_by_name(app, world):
    """No raw codes in the visible text, the same entries in Dutch, found by part of a name
    or an e-mail address (no account numbers)."""
    mentor = app.test_client()
    login_as(mentor, "mentor")
    mentor.get(f"/begeleiding/deelnemer/{world.users['learner']}")
    admin = app.test_client()
    login_as(admin, "admin")
    admin.post(f"/beheer/mensen/{world.users['far_learner']}/rollen",
               data={"organisation": world.board, "role": "coordinator"})
    page = admin.get("/beheer/auditlog?zoek=learn").get_data(as_text=True)
    assert "account number" not in page and 'type="number"' not in page
    assert 'id="zoek"' in page and "name or e-mail address" in page
    rows = re.findall(r'<tr data-action="([^"]+)"[^>]*>(.*?)</tr>', page, re.S)
    seen = {action: html.unescape(re.sub(r"<[^>]+>", " ", text)) for action, text in rows}
    assert set(seen) == {"personal_data.view", "role.add"}
    assert "Looked at personal data" in seen["personal_data.view"]
    assert "the learner's page (mentor)" in seen["personal_data.view"]
    assert "Gave a role" in seen["role.add"]
    for text in seen.values():
        assert "personal_data.view" not in text and "mentor.learner" not in text
    by_mail = admin.get("/beheer/auditlog?zoek=far_learner@example").get_data(as_text=True)
    assert re.findall(r'data-action="([^"]+)"', by_mail) == ["role.add"]
    admin.post("/taal", data={"lang": "nl"})
    dutch = admin.get("/beheer/auditlog?zoek=learn").get_data(as_text=True)
    assert "Looked at personal data" not in dutch and "Gave a role" not in dutch
    assert admin.get("/beheer/auditlog?zoek=%25_").status_code == 200  # wildcards are literal


def test_every_core_audit_action_has_words():
    """Every action the core and the bundled plugins write has its wording."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    written = set()
    for path in [*root.glob("lms/**/*.py"), *root.glob("leerpad_plugins/**/*.py")]:
        written |= set(re.findall(r'\baudit\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text()))
    assert written and sorted(written - set(ACTIONS)) == []


def test_people_list_has_roles_and_schools_and_a_role_filter(app, world):
    """Each person with their (capitalised) roles and organisations; narrowed by role."""
    client = app.test_client()
    login_as(client, "admin")
    page = client.get("/beheer/mensen?q=schoolopleider").get_data(as_text=True)
    row = re.search(r'>Schoolopleider</a></td>.*?</tr>', page, re.S)[0]
    assert "Learner, Schoolopleider" in row and "Het Noorderlicht" in row
    mentors = client.get("/beheer/mensen?rol=mentor").get_data(as_text=True)
    names = re.findall(r'/beheer/mensen/\d+">([^<]+)</a>', mentors)
    assert names == ["Mentor", "Other Mentor"]
    assert "2 people" in mentors


def test_csv_import_takes_dutch_and_english_role_names(app, world):
    """deelnemer/learner, werkplekbegeleider/mentor, … all work; the help lists them."""
    rows = ["naam,e-mail,school,rol"]
    names = ["deelnemer", "learner", "werkplekbegeleider", "mentor", "schoolopleider",
             "leidinggevende", "coördinator", "coordinator", "auteur", "author", "beheerder",
             "admin", "Deelnemer"]
    for i, role in enumerate(names):
        rows.append(f"Persoon {i},p{i}@example.org,Het Noorderlicht,{role}")
    with app.test_request_context():
        people, problems = read_people("\n".join(rows).encode())
        assert problems == []
        assert [p.role for p in people] == [
            "learner", "learner", "mentor", "mentor", "schoolopleider", "leidinggevende",
            "coordinator", "coordinator", "author", "author", "admin", "admin", "learner"]
        _people, problems = read_people(
            "naam,e-mail,school,rol\nX,x@example.org,Het Noorderlicht,tovenaar\n".encode())
    assert "deelnemer, werkplekbegeleider" in problems[0].message
    client = app.test_client()
    login_as(client, "admin")
    help_page = client.get("/beheer/mensen/importeren").get_data(as_text=True)
    for dutch in ("deelnemer", "werkplekbegeleider", "leidinggevende", "coördinator",
                  "auteur", "beheerder"):
        assert f"<code>{dutch}</code>" in help_page


def test_role_names_are_capitalised(app, world):
    """Role names on pages start with a capital: Deelnemer, Werkplekbegeleider."""
    client = app.test_client()
    login_as(client, "schoolopleider", lang="nl")
    with app.app_context():
        builders.user("schoolopleider").locale = "nl"
        db.session.commit()
    account = client.get("/account").get_data(as_text=True)
    roles = re.findall(r"<li>([^<—]+) — Het Noorderlicht</li>", account)
    assert roles and all(role.strip()[0].isupper() for role in roles), roles
