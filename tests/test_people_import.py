"""Bulk import of people from CSV: every bad row reported by line, nothing imported unless
every row is right (web page, command line and the domain function)."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from lms.accounts.people_import import read_people
from lms.commands.users import users_group
from lms.extensions import db
from lms.models import AuditEvent, RoleAssignment, User

GOOD = ("naam;e-mail;school;rol\n"
        "Anne Jansen;anne@school.example;Het Noorderlicht;learner\n"
        "Bram Smit;BRAM@school.example;de zuiderzon;mentor\n"
        "Chris Ünal;chris@school.example;Het Noorderlicht;schoolopleider\n")

BAD = ("name,email,school,role\n"                                   # line 1
       "Anne Jansen,anne@school.example,Het Noorderlicht,learner\n"  # 2 fine
       ",missing@school.example,Het Noorderlicht,learner\n"          # 3 missing name
       "Bad Mail,not-an-address,Het Noorderlicht,learner\n"          # 4 bad e-mail
       "Anne Again,ANNE@school.example,Het Noorderlicht,learner\n"   # 5 duplicate in file
       "Old Hand,mentor@example.org,Het Noorderlicht,mentor\n"       # 6 existing account
       "\n"                                                          # 7 blank: skipped
       "Nowhere,nowhere@school.example,Atlantis College,learner\n"   # 8 unknown school
       "Wizard,wizard@school.example,De Zuiderzon,wizard\n"          # 9 unknown role
       "Fine Too,fine@school.example,De Zuiderzon,learner\n")        # 10 fine

EXPECTED_LINES = [3, 4, 5, 6, 8, 9]


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_read_people_reports_every_bad_row_by_line(app, world):
    """Each bad row is reported once, with its line number and the reason."""
    with app.test_request_context():
        rows, problems = read_people(BAD.encode())
    assert [p.line for p in problems] == EXPECTED_LINES
    text = {p.line: p.message for p in problems}
    assert text[3].startswith("name:")
    assert text[4].startswith("email:") and "not-an-address" in text[4]
    assert text[5].startswith("email:") and "2" in text[5]
    assert text[6].startswith("email:") and "mentor@example.org" in text[6]
    assert text[8].startswith("school:") and "Atlantis College" in text[8]
    assert text[9].startswith("role:") and "wizard" in text[9]


def test_bom_semicolons_dutch_headings_and_case_are_accepted(app, world):
    """Excel's "CSV UTF-8" with semicolons and Dutch headings reads correctly."""
    with app.test_request_context():
        rows, problems = read_people("\ufeff".encode() + GOOD.encode())
    assert problems == []
    assert [(r.line, r.email, r.school.name, r.role) for r in rows] == [
        (2, "anne@school.example", "Het Noorderlicht", "learner"),
        (3, "bram@school.example", "De Zuiderzon", "mentor"),
        (4, "chris@school.example", "Het Noorderlicht", "schoolopleider")]
    assert rows[2].name == "Chris Ünal"


def test_file_level_problems(app, world):
    """A missing column, an empty file, a non-UTF-8 file or a NUL character is reported, not a
    crash (PostgreSQL cannot store NUL)."""
    with app.test_request_context():
        _, missing = read_people(b"name,email,school\nA,a@x.example,Het Noorderlicht\n")
        _, empty = read_people(b"")
        _, header_only = read_people(b"name,email,school,role\n")
        _, latin1 = read_people("name,email,school,role\nJosé,j@x.example,X,learner\n"
                                .encode("latin-1"))
        _, nul = read_people(b"name,email,school,role\nA\x00,a@x.example,Het Noorderlicht,"
                             b"learner\n")
    assert [p.line for p in missing] == [1] and "role" in missing[0].message
    assert [p.line for p in empty] == [1]
    assert [p.line for p in header_only] == [1]
    assert [p.line for p in latin1] == [2] and "UTF-8" in latin1[0].message
    assert [p.line for p in nul] == [2] and "U+0000" in nul[0].message


def test_web_import_reports_problems_and_imports_nothing(app, client, world, auth):
    """Uploading a file with bad rows lists every one by line number and creates nobody."""
    before = _user_count(app)
    auth.login("admin")
    response = client.post("/beheer/mensen/importeren", data={
        "file": (io.BytesIO(BAD.encode()), "mensen.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for line in EXPECTED_LINES:
        assert f"mensen.csv:{line}<" in page, line
    assert "mensen.csv:2<" not in page and "mensen.csv:10<" not in page
    assert _user_count(app) == before


def test_web_import_creates_everyone_with_invitations(app, client, world, auth):
    """A correct file creates every person with their role and shows their invitation links."""
    before = _user_count(app)
    auth.login("admin")
    response = client.post("/beheer/mensen/importeren", data={
        "file": (io.BytesIO(("\ufeff" + GOOD).encode()), "mensen.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("/uitnodiging/") == 3
    assert _user_count(app) == before + 3
    with app.app_context():
        bram = db.session.scalar(select(User).where(User.email == "bram@school.example"))
        assert [(r.role, r.organisation.name) for r in bram.roles] == [("mentor", "De Zuiderzon")]
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "account.create")) == 3
        assert db.session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "people.import")) == {"people": 3}
    link = re.search(r"https?://[^/]+(/uitnodiging/[^<]+)<", page)[1]
    auth.logout()
    assert client.get(link).status_code == 200


def test_cli_import_reports_file_and_line_and_exits_1(app, runner, world, tmp_path):
    """`lms users import` prints FILE:LINE: message for every problem, exits 1, imports nobody."""
    before = _user_count(app)
    path = tmp_path / "people.csv"
    path.write_text(BAD, encoding="utf-8")
    result = runner.invoke(users_group, ["import", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(f"{path}:")]
    assert [int(line.split(":")[1]) for line in lines] == EXPECTED_LINES
    assert all(re.match(rf"^{re.escape(str(path))}:\d+: (name|email|school|role): ", line)
               for line in lines)
    assert _user_count(app) == before


def test_cli_import_creates_people_and_prints_links(app, runner, world, tmp_path):
    """A good file is imported by the CLI, which prints each person's invitation link."""
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    result = runner.invoke(users_group, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 people imported" in result.output
    assert len(re.findall(r"^\S+@school\.example  http://\S+/uitnodiging/\S+$", result.output,
                          re.M)) == 3
    with app.app_context():
        roles = db.session.scalars(select(RoleAssignment.role).join(User).where(
            User.email.like("%@school.example"))).all()
    assert sorted(roles) == ["learner", "mentor", "schoolopleider"]


def test_cli_creates_the_first_admin(app, runner, world):
    """`lms users create` makes an account that can log in at once (password asked twice)."""
    result = runner.invoke(users_group, ["create", "--email", "root@example.org", "--name",
                                 "Root", "--role", "admin", "--org", "regio testland"],
                           input="a long admin password\na long admin password\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.post("/inloggen", data={"email": "root@example.org",
                                       "password": "a long admin password"}).status_code == 302
    assert client.get("/beheer/").status_code == 200


def test_cli_create_refuses_bad_input(app, runner, world):
    """A short password, an unknown organisation or a taken address creates nothing."""
    before = _user_count(app)
    short = runner.invoke(users_group, ["create", "--email", "a@example.org", "--name", "A",
                                "--role", "learner", "--org", "Het Noorderlicht",
                                "--password", "short"])
    unknown = runner.invoke(users_group, ["create", "--email", "b@example.org", "--name", "B",
                                  "--role", "learner", "--org", "Atlantis",
                                  "--password", "long enough password"])
    taken = runner.invoke(users_group, ["create", "--email", "learner@example.org", "--name",
                                "C", "--role", "learner", "--org", "Het Noorderlicht",
                                "--password", "long enough password"])
    assert short.exit_code != 0 and "10" in short.output
    assert unknown.exit_code != 0 and "Atlantis" in unknown.output
    assert taken.exit_code != 0 and "already" in taken.output
    assert _user_count(app) == before


def test_users_commands_are_part_of_lms():
    """`lms users create` and `lms users import` are reachable from the lms command."""
    from lms.cli import main

    assert set(main.commands["users"].commands) == {"create", "import"}
