"""The administration pages: who may use them, and what admins do with them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AuditEvent, MentorAssignment, Organisation, RoleAssignment, User


def _page(response) -> str:
    return response.get_data(as_text=True)


def _admin_urls(app, world) -> list[tuple[str, str]]:
    """(method, url) for every route of the admin blueprint, with real ids filled in."""
    with app.app_context():
        pair = db.session.scalar(select(MentorAssignment.id))
        role = db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == world.users["learner"]))
    ids = {"org_id": world.school, "user_id": world.users["learner"], "role_id": role,
           "pair_id": pair}
    found = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            url = url_for(rule.endpoint, **{arg: ids[arg] for arg in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, url))
    return found


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (User, RoleAssignment, MentorAssignment, Organisation)}


@pytest.mark.parametrize("who", ["learner", "mentor", "schoolopleider", "author"])
def test_non_admins_get_403_on_every_admin_page(app, client, world, auth, who):
    """Learners (and other non-admins) are refused every admin page and action, changing nothing."""
    before = _counts(app)
    auth.login(who)
    urls = _admin_urls(app, world)
    assert len(urls) >= 15
    for method, url in urls:
        response = client.open(url, method=method, data={"name": "x", "email": "x@example.org",
                                                         "role": "admin", "active": "0"})
        assert response.status_code == 403, (method, url, response.status_code)
    assert _counts(app) == before


def test_coordinator_reaches_only_the_invitation_page(client, world, auth, app):
    """A coordinator may invite people, but every other admin page is refused."""
    auth.login("coordinator")
    for method, url in _admin_urls(app, world):
        expected = 200 if url == "/beheer/mensen/nieuw" else 403
        assert client.open(url, method=method).status_code == expected, (method, url)


def test_anonymous_visitors_are_sent_to_login(client, world, app):
    """Someone not logged in is asked to log in first."""
    for method, url in _admin_urls(app, world):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], url


def test_admin_pages_render(client, world, auth, app):
    """Every admin page opens for an admin."""
    auth.login("admin")
    for method, url in _admin_urls(app, world):
        if method == "GET":
            assert client.get(url).status_code == 200, url


# --- organisations -------------------------------------------------------------------------


def _org(app, name: str) -> Organisation | None:
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is not None:
            db.session.expunge(org)
        return org


def test_organisation_tree_is_listed_in_order(client, world, auth):
    """The organisations page shows the region, its boards and their schools as a tree."""
    auth.login("admin")
    page = _page(client.get("/beheer/organisaties"))
    order = [page.index(name) for name in
             ["Regio Testland", "Bestuur Noord", "Het Noorderlicht", "Bestuur Zuid", "De Zuiderzon"]]
    assert order == sorted(order)
    assert 'class="org-depth-2"' in page


def test_create_organisations_with_kind_rules(client, world, auth, app):
    """A board goes under a region and a school (with a sector) under a board; else a clear error."""
    auth.login("admin")
    ok = client.post("/beheer/organisaties", data={"kind": "board", "name": "Bestuur Oost",
                                                   "parent": world.region, "sector": ""})
    assert ok.status_code == 302
    board = _org(app, "Bestuur Oost")
    assert board.parent_id == world.region and board.kind == "board"
    school = client.post("/beheer/organisaties", data={"kind": "school", "name": "De Oosterkim",
                                                       "parent": board.id, "sector": "mbo"})
    assert school.status_code == 302
    assert _org(app, "De Oosterkim").sector == "mbo"
    region = client.post("/beheer/organisaties", data={"kind": "region", "name": "Regio Twee",
                                                       "parent": "", "sector": ""})
    assert region.status_code == 302
    for data, field in [
        ({"kind": "school", "name": "Fout 1", "parent": world.region, "sector": "po"}, "parent"),
        ({"kind": "board", "name": "Fout 2", "parent": world.board, "sector": ""}, "parent"),
        ({"kind": "board", "name": "Fout 3", "parent": "", "sector": ""}, "parent"),
        ({"kind": "region", "name": "Fout 4", "parent": world.region, "sector": ""}, "parent"),
        ({"kind": "school", "name": "Fout 5", "parent": world.board, "sector": ""}, "sector"),
        ({"kind": "board", "name": "Fout 6", "parent": world.region, "sector": "vo"}, "sector"),
    ]:
        response = client.post("/beheer/organisaties", data=data)
        assert response.status_code == 200, data
        assert f'id="{field}-error"' in _page(response), data
        assert _org(app, data["name"]) is None
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("organisation.create") == 3


def test_rename_and_move_a_school(client, world, auth, app):
    """An admin renames a school and moves it to another board, but not under a region."""
    auth.login("admin")
    renamed = client.post(f"/beheer/organisaties/{world.school}",
                          data={"name": "Het Nieuwe Noorderlicht", "sector": "vo"})
    assert renamed.status_code == 302
    assert _org(app, "Het Nieuwe Noorderlicht").id == world.school
    moved = client.post(f"/beheer/organisaties/{world.school}/verplaatsen",
                        data={"parent": world.other_board})
    assert moved.status_code == 302
    assert _org(app, "Het Nieuwe Noorderlicht").parent_id == world.other_board
    refused = client.post(f"/beheer/organisaties/{world.school}/verplaatsen",
                          data={"parent": world.region})
    assert refused.status_code == 200
    assert _org(app, "Het Nieuwe Noorderlicht").parent_id == world.other_board
    page = _page(client.get(f"/beheer/organisaties/{world.school}"))
    assert "Learner" in page and "Schoolopleider" in page  # people with a role there


# --- people --------------------------------------------------------------------------------


def test_people_search_and_pagination(client, world, auth, app):
    """The people list pages by 50 and finds people by part of their name or address."""
    with app.app_context():
        db.session.add_all([User(name=f"Docent {n:02d}", email=f"docent{n:02d}@school.example")
                            for n in range(60)])
        db.session.commit()
    auth.login("admin")
    first = _page(client.get("/beheer/mensen"))
    assert "71 personen" in first
    assert first.count('href="/beheer/mensen/') >= 50
    assert 'rel="next"' in first
    second = _page(client.get("/beheer/mensen?page=2"))
    assert 'rel="prev"' in second and 'rel="next"' not in second
    found = _page(client.get("/beheer/mensen", query_string={"q": "LEARNER"}))
    assert "far_learner@example.org" in found and "learner@example.org" in found
    assert "mentor@example.org" not in found
    assert "docent" not in _page(client.get("/beheer/mensen?q=%25_"))  # wildcards are literal
    assert client.get("/beheer/mensen?page=999").status_code == 200


def test_admin_creates_a_person_with_a_role(client, world, auth, app):
    """Creating a person makes an account with its role, an invitation link and audit rows."""
    auth.login("admin")
    response = client.post("/beheer/mensen/nieuw", data={
        "name": "Nieuwe Docent", "email": "Nieuw@School.example", "organisation": world.school,
        "role": "mentor"})
    assert response.status_code == 200
    assert "/uitnodiging/" in _page(response)
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == "nieuw@school.example"))
        assert person.password_hash is None
        assert [(r.role, r.organisation_id) for r in person.roles] == [("mentor", world.school)]
        actions = set(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_id == person.id)))
    assert {"account.create", "account.invite"} <= actions
    duplicate = client.post("/beheer/mensen/nieuw", data={
        "name": "Dubbel", "email": "NIEUW@school.example", "organisation": world.school,
        "role": "learner"})
    assert 'id="email-error"' in _page(duplicate)
    bad = client.post("/beheer/mensen/nieuw", data={
        "name": "Fout", "email": "not-an-address", "organisation": world.school,
        "role": "learner"})
    assert 'id="email-error"' in _page(bad)


def test_edit_a_person(client, world, auth, app):
    """An admin changes name, address and NLQF levels; a taken address is refused."""
    auth.login("admin")
    learner = world.users["learner"]
    saved = client.post(f"/beheer/mensen/{learner}", data={
        "name": "Lea Learner", "email": "lea@example.org", "nlqf_level": "5", "nlqf_target": "6"})
    assert saved.status_code == 302
    with app.app_context():
        person = db.session.get(User, learner)
        assert (person.name, person.email, person.nlqf_level, person.nlqf_target) == (
            "Lea Learner", "lea@example.org", 5, 6)
    taken = client.post(f"/beheer/mensen/{learner}", data={
        "name": "Lea", "email": "mentor@example.org", "nlqf_level": "", "nlqf_target": ""})
    assert taken.status_code == 200 and 'id="email-error"' in _page(taken)
    with app.app_context():
        assert db.session.get(User, learner).email == "lea@example.org"


def test_deactivate_and_reactivate(client, world, auth, app):
    """A deactivated person can no longer log in; admins cannot deactivate themselves."""
    auth.login("admin")
    learner = world.users["learner"]
    assert client.post(f"/beheer/mensen/{learner}/actief", data={"active": "0"}).status_code == 302
    other = client.application.test_client()
    assert other.post("/inloggen", data={"email": "learner@example.org",
                                      "password": "correct horse battery"}).status_code == 200
    client.post(f"/beheer/mensen/{world.users['admin']}/actief", data={"active": "0"})
    with app.app_context():
        assert db.session.get(User, world.users["admin"]).active
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_id == learner)).all()
    assert "account.deactivate" in actions
    client.post(f"/beheer/mensen/{learner}/actief", data={"active": "1"})
    assert other.post("/inloggen", data={"email": "learner@example.org",
                                      "password": "correct horse battery"}).status_code == 302


def test_add_and_remove_roles(client, world, auth, app):
    """Roles are given and taken per organisation, audited; the last admin role stays."""
    auth.login("admin")
    learner = world.users["learner"]
    added = client.post(f"/beheer/mensen/{learner}/rollen",
                        data={"organisation": world.other_school, "role": "mentor"})
    assert added.status_code == 302
    again = client.post(f"/beheer/mensen/{learner}/rollen",
                        data={"organisation": world.other_school, "role": "mentor"})
    assert again.status_code == 200 and 'id="role-error"' in _page(again)
    with app.app_context():
        role = db.session.scalar(select(RoleAssignment).where(
            RoleAssignment.user_id == learner, RoleAssignment.role == "mentor"))
        admin_role = db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.role == "admin"))
        role_id = role.id
    assert client.post(f"/beheer/mensen/{learner}/rollen/{role_id}/verwijderen").status_code == 302
    client.post(f"/beheer/mensen/{world.users['admin']}/rollen/{admin_role}/verwijderen")
    with app.app_context():
        assert db.session.get(RoleAssignment, role_id) is None
        assert db.session.get(RoleAssignment, admin_role) is not None
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_id == learner)).all()
    assert actions.count("role.add") == 1 and actions.count("role.remove") == 1
    # A role id of another person is not removed through this person's page.
    assert client.post(f"/beheer/mensen/{learner}/rollen/{admin_role}/verwijderen").status_code == 404


def test_link_and_unlink_mentor_and_learner(client, world, auth, app):
    """An admin pairs a mentor with a learner (from either side) and undoes it."""
    auth.login("admin")
    far = world.users["far_learner"]
    linked = client.post(f"/beheer/mensen/{far}/begeleiders", data={"mentor-email": "mentor@example.org"})
    assert linked.status_code == 302
    from_mentor = client.post(f"/beheer/mensen/{world.users['other_mentor']}/begeleiders",
                              data={"learner-email": "far_learner@example.org"})
    assert from_mentor.status_code == 302
    not_a_mentor = client.post(f"/beheer/mensen/{far}/begeleiders",
                               data={"mentor-email": "author@example.org"})
    assert not_a_mentor.status_code == 200 and 'id="mentor-email-error"' in _page(not_a_mentor)
    unknown = client.post(f"/beheer/mensen/{far}/begeleiders", data={"mentor-email": "x@example.org"})
    assert unknown.status_code == 200
    with app.app_context():
        pairs = {(p.mentor_id, p.id) for p in db.session.scalars(
            select(MentorAssignment).where(MentorAssignment.learner_id == far))}
    assert {m for m, _ in pairs} == {world.users["mentor"], world.users["other_mentor"]}
    pair_id = next(pid for m, pid in pairs if m == world.users["mentor"])
    page = _page(client.get(f"/beheer/mensen/{far}"))
    assert "Mentor" in page and "Other Mentor" in page
    assert client.post(f"/beheer/mensen/{far}/begeleiders/{pair_id}/verwijderen").status_code == 302
    with app.app_context():
        assert db.session.get(MentorAssignment, pair_id) is None
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_id == far)).all()
    assert actions.count("mentor.add") == 2 and actions.count("mentor.remove") == 1


def test_audit_log_shows_account_changes(client, world, auth):
    """The audit log, linked from the admin page, lists account creation and role changes."""
    auth.login("admin")
    assert "/beheer/auditlog" in _page(client.get("/beheer/"))
    client.post("/beheer/mensen/nieuw", data={"name": "Gevolgd", "email": "audit@example.org",
                                           "organisation": world.school, "role": "learner"})
    client.post(f"/beheer/mensen/{world.users['learner']}/rollen",
                data={"organisation": world.board, "role": "coordinator"})
    page = _page(client.get("/beheer/auditlog"))
    assert "account.create" in page and "role.add" in page and "Gevolgd" in page


def test_resend_invitation(client, world, auth, app):
    """An admin can give a person a new invitation link."""
    auth.login("admin")
    response = client.post(f"/beheer/mensen/{world.users['far_learner']}/uitnodiging")
    assert response.status_code == 200
    assert "/uitnodiging/" in _page(response)


def test_the_administration_page_links_every_admin_page_plugins_included(client, world, auth):
    """The queue of background jobs and the bundled plugins' own admin pages (xAPI delivery,
    school login) are one click from /admin, and each link opens."""
    import re

    auth.login("admin")
    client.post("/taal", data={"lang": "en"})
    page = _page(client.get("/beheer/"))
    links = dict((label, href) for href, label in
                 re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', page))
    for label, href in {"Background jobs": "/beheer/taken/",
                        "Learning records (xAPI)": "/plugins/xapi/",
                        "School login (OpenID Connect)": "/plugins/oidc/beheer"}.items():
        assert links.get(label, "").startswith(href), (label, links)
        assert client.get(links[label]).status_code == 200, label
