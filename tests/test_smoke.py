"""The app starts, serves the login page and lets a person in."""


def test_login_page_renders(client):
    """The login page is served to anonymous visitors in Dutch by default."""
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert "<h1>Inloggen</h1>" in response.get_data(as_text=True)


def test_login_and_home(client, world, auth):
    """A person with the right password reaches the home page with their name."""
    response = auth.login("learner")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Learner" in home.get_data(as_text=True)
