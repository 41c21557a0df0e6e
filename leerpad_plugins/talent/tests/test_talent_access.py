"""Who opens which talent page; every action needs its CSRF token; the conversation guide;
the plugin's hooks (navigation, sections, settings) as the platform uses them."""
from __future__ import annotations

from lms.testing import PASSWORD
from leerpad_plugins.talent.testing import login

ROLES = ("learner", "mentor", "schoolopleider", "leidinggevende", "coordinator",
         "other_coordinator", "author", "admin")
EVERYONE = frozenset(ROLES)


def _pages(people) -> dict[str, frozenset[str]]:
    """URL → who gets 200 (others 403 or 404)."""
    return {
        "/plugins/talent/": EVERYONE,
        "/plugins/talent/stay-gesprekken": EVERYONE,
        "/plugins/talent/gespreksleidraad": EVERYONE,
        "/plugins/talent/gespreksleidraad.md": EVERYONE,
        f"/plugins/talent/ambassadeurs/{people.board}": frozenset({"coordinator", "admin"}),
        f"/plugins/talent/ambassadeurs/{people.board}/export.csv": frozenset({"coordinator",
                                                                              "admin"}),
        f"/plugins/talent/ambassadeurs/{people.region}": frozenset({"admin"}),
    }


def test_each_role_gets_200_exactly_where_allowed(app, client, people):
    """The matrix of talent pages and roles."""
    wrong = []
    for who in ROLES:
        login(client, who)
        for url, allowed in _pages(people).items():
            status = client.get(url).status_code
            expected = {200} if who in allowed else {403, 404}
            if status not in expected:
                wrong.append(f"{who} {url}: {status}")
        index = client.get("/plugins/talent/ambassadeurs").status_code
        if index not in ({200, 302} if who in {"coordinator", "other_coordinator", "admin"}
                         else {403}):
            wrong.append(f"{who} /plugins/talent/ambassadeurs: {index}")
    assert wrong == []
    client.post("/uitloggen")
    assert client.get("/plugins/talent/").status_code == 302  # to the login page


def test_every_action_needs_its_csrf_token(app_factory, people):
    """With CSRF protection on (as in production), a POST without the token changes nothing."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login_page = client.get("/inloggen").get_data(as_text=True)
    token = login_page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/inloggen", data={"email": "mentor@example.org", "password": PASSWORD,
                                "csrf_token": token})
    for url in ("/plugins/talent/nominaties", "/plugins/talent/nominaties/besluit",
                "/plugins/talent/nominaties/intrekken", "/plugins/talent/ambassadeur",
                "/plugins/talent/stay-gesprekken", "/plugins/talent/stay-gesprek/status",
                "/plugins/talent/stay-gesprek/uitkomsten",
                "/plugins/talent/stay-gesprek/uitkomsten/verwijderen",
                "/plugins/talent/stay-gesprek/doel", "/plugins/talent/stay-gesprek/notities"):
        assert client.post(url, data={"person_id": people.users["learner"], "role": "ambassadeur",
                                      "motivation": "x"}).status_code == 400, url
    page = client.get("/plugins/talent/").get_data(as_text=True)
    assert "Geen voordrachten." in page  # the mentor sees Dutch (the default)
    assert 'name="csrf_token"' in page


def test_the_guide_in_both_languages(app, client, people):
    """The guide is Dutch first, English for English readers, and downloadable as text."""
    login(client, "learner", lang="nl")
    page = client.get("/plugins/talent/gespreksleidraad").get_data(as_text=True)
    assert "Wat houdt je hier?" in page and '<html lang="nl">' in page
    download = client.get("/plugins/talent/gespreksleidraad.md")
    assert download.mimetype == "text/markdown"
    assert download.get_data(as_text=True).startswith("# Gespreksleidraad stay-gesprek")
    login(client, "learner", lang="en")
    assert "What keeps you here?" in client.get("/plugins/talent/gespreksleidraad").get_data(
        as_text=True)


def test_the_navigation_link_and_the_sections_of_others(app, client, people):
    """Everyone gets the Talent link; a mentor's page about their learner offers to nominate;
    the learner's path section is theirs only (a mentor opening the path sees none)."""
    login(client, "mentor")
    assert 'href="/plugins/talent/"' in client.get("/").get_data(as_text=True)
    learner_page = client.get(f"/begeleiding/deelnemer/{people.users['learner']}")
    assert f"/plugins/talent/?voordragen={people.users['learner']}" in learner_page.get_data(
        as_text=True)
    client.post("/plugins/talent/nominaties", data={
        "person_id": people.users["learner"], "role": "schoolopleider", "motivation": "Goed!"})
    path = client.get(f"/leerpad/{people.users['learner']}").get_data(as_text=True)
    assert "nominated you" not in path
    login(client, "learner")
    assert "Someone nominated you as a talent." in client.get("/leerpad").get_data(as_text=True)


def test_settings_are_declared_with_defaults(app):
    """The plugin's settings have usable values without any configuration."""
    assert app.config["TALENT_STAY_INTERVAL_MONTHS"] == 12
    assert app.config["TALENT_STAY_FIRST_FROM_MONTHS"] == 3
    assert app.config["TALENT_STAY_FIRST_BY_MONTHS"] == 6
    assert app.config["TALENT_RETENTION_DAYS"] == 730
    assert "werkplekbegeleider=werkplekbegeleider" in app.config["TALENT_TRACKS"]


def test_the_pages_are_dutch_first(app, client, people):
    """In Dutch (the default) the talent pages speak Dutch."""
    login(client, "leidinggevende", lang="nl")
    page = client.get("/plugins/talent/").get_data(as_text=True)
    assert '<html lang="nl">' in page and "Talent en groei" in page and "Talent voordragen" in page
    page = client.get("/plugins/talent/stay-gesprekken").get_data(as_text=True)
    assert "Een stay-gesprek plannen" in page and "Toe aan een stay-gesprek" in page
