"""A person logs in with a real browser, using only the keyboard."""
from __future__ import annotations

import pytest

from lms.testing import PASSWORD

pytestmark = pytest.mark.browser


def test_learner_logs_in_with_the_keyboard(page):
    """Tab reaches the skip link first, then the form; Enter logs in and the home page greets."""
    page.goto("/inloggen")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("E-mailadres").focus()
    page.keyboard.type("learner@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Welkom, Learner"


def test_wrong_password_keeps_the_person_on_the_login_page(page):
    """A wrong password shows an error on the login page and logs nobody in."""
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill("learner@example.org")
    page.get_by_label("Wachtwoord").fill("not the password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/inloggen")
    assert page.locator("h1").inner_text() == "Inloggen"
    page.goto("/")
    assert "/inloggen" in page.url  # still anonymous: sent back to log in
