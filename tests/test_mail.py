"""Invitations go out by SMTP when MAIL_SERVER is set (a real SMTP server on loopback)."""
from __future__ import annotations

import re
import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from lms.mail import send_mail


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content,
                                                                    policy=default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture
def mail_app(app_factory, smtp):
    from lms.testing import make_world

    port, _ = smtp
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SENDER="leerpad@regio.example",
                      BASE_URL="https://leerpad.regio.example")
    with app.app_context():
        world = make_world()
    return app, world


def test_send_mail_delivers_a_message(mail_app, smtp):
    """send_mail hands a plain-text message with sender, recipient and subject to the server."""
    _, inbox = smtp
    app, _world = mail_app
    with app.app_context():
        send_mail("someone@example.org", "Onderwerp", "Hallo daar")
    (recipients, message), = inbox.messages
    assert recipients == ["someone@example.org"]
    assert message["From"] == "leerpad@regio.example"
    assert message["Subject"] == "Onderwerp"
    assert message.get_content().strip() == "Hallo daar"


def test_invitation_is_emailed_and_its_link_works(mail_app, smtp):
    """An invited person receives the link by e-mail (not shown to the admin) and can use it."""
    _, inbox = smtp
    app, world = mail_app
    client = app.test_client()
    client.post("/inloggen", data={"email": "admin@example.org", "password": "correct horse battery"})
    response = client.post("/beheer/mensen/nieuw", data={
        "name": "Per Post", "email": "per.post@example.org",
        "organisation": world.school, "role": "learner"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/uitnodiging/" not in page
    (recipients, message), = inbox.messages
    assert recipients == ["per.post@example.org"]
    body = message.get_content()
    assert "Per Post" in body
    link = re.search(r"https://leerpad\.regio\.example(/uitnodiging/\S+)", body)
    assert link, body
    client.post("/uitloggen")
    assert client.get(link[1]).status_code == 200
    done = client.post(link[1], data={"password": "mijn eigen wachtwoord",
                                      "confirm": "mijn eigen wachtwoord"})
    assert done.status_code == 302


def test_unreachable_mail_server_falls_back_to_showing_the_link(app_factory):
    """When the SMTP server cannot be reached, the admin is shown the link instead of an error."""
    from lms.testing import make_world

    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    with app.app_context():
        world = make_world()
    client = app.test_client()
    client.post("/inloggen", data={"email": "admin@example.org", "password": "correct horse battery"})
    response = client.post("/beheer/mensen/nieuw", data={
        "name": "Geen Post", "email": "geen.post@example.org", "organisation": world.school,
        "role": "learner"})
    assert response.status_code == 200
    assert "/uitnodiging/" in response.get_data(as_text=True)
