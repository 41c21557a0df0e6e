"""Notifications: on the home page and by e-mail through a real SMTP server on loopback."""
from __future__ import annotations

import socket
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from lms.commands.privacy import notify_group
from lms.extensions import db
from lms.models import Credential, User
from lms.models.base import utcnow
from lms.models.notifications import Notification
from lms.tracking import record_progress
from lms.tracking.tracks import enrol
from tests import builders
from tests.supervision_data import login_as
from lms.clock import today as clock_today  # the learners' day, as the app's


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


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
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mail_app(app_factory, smtp):
    _inbox, port = smtp
    return app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="https://leerpad.test")


def _world(app):
    from lms.testing import make_world

    with app.app_context():
        return make_world()


def test_submission_emails_the_mentor_and_return_emails_the_learner(mail_app, smtp):
    """Submitting work e-mails the learner's mentor; returning it e-mails the learner."""
    inbox, _port = smtp
    world = _world(mail_app)
    with mail_app.app_context():
        course = builders.course("opdrachten", ["taak"], lesson_type="page")
        lesson = builders.lesson(course, "taak")
        learner = db.session.get(User, world.users["learner"])
        course_id = course.id
        record_progress(learner, lesson, "submitted")
        record_progress(learner, lesson, "submitted")  # a second attempt: a new notification
    mentor_mail = inbox.to("mentor@example.org")
    assert len(mentor_mail) == 2
    assert "Learner" in mentor_mail[0]["Subject"] and "Les taak" in mentor_mail[0]["Subject"]
    assert "https://leerpad.test/begeleiding/aftekenen" in mentor_mail[0].get_content()
    assert inbox.to("other_mentor@example.org") == []
    with mail_app.app_context():
        learner = db.session.get(User, world.users["learner"])
        lesson = builders.lesson(db.session.get(builders.Course, course_id), "taak")
        record_progress(learner, lesson, "returned", result={"response": "meer diepgang"})
    learner_mail = inbox.to("learner@example.org")
    assert len(learner_mail) == 1
    with mail_app.app_context():
        stored = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
        assert all(n.emailed_at is not None for n in stored)


def test_daily_reminders_for_deadlines_and_credentials_are_sent_once(mail_app, smtp):
    """`lms notify deadlines` e-mails a deadline within 30 days and an expiring credential, once."""
    inbox, _port = smtp
    world = _world(mail_app)
    with mail_app.app_context():
        course = builders.course("kort", 1)
        track = builders.track("zij-instroom", [course], duration_months=24)
        learner = db.session.get(User, world.users["learner"])
        other = db.session.get(User, world.users["other_learner"])
        enrol(learner, track=track, at=utcnow() - timedelta(days=715))  # due in about 15 days
        enrol(other, track=track)  # due in two years: no reminder
        db.session.add(Credential(user_id=other.id, name="Bewijs BRLO",
                                  expires_at=clock_today() + timedelta(days=60)))
        db.session.commit()
    runner = mail_app.test_cli_runner()
    first = runner.invoke(notify_group, ["deadlines"])
    assert first.exit_code == 0, first.output
    assert "2 reminder(s) created, 2 e-mail(s) sent." in first.output
    second = runner.invoke(notify_group, ["deadlines"])
    assert "0 reminder(s) created, 0 e-mail(s) sent." in second.output
    assert len(inbox.to("learner@example.org")) == 1
    assert "Zij Instroom" in inbox.to("learner@example.org")[0]["Subject"]
    assert "Bewijs BRLO" in inbox.to("other_learner@example.org")[0]["Subject"]


def _handed_in_while_mail_is_down(app_factory):
    """An app whose SMTP server does not answer, in which the learner handed in a task (the
    mentor's notification is created, its e-mail not sent)."""
    down = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    world = _world(down)
    with down.app_context():
        course = builders.course("opdrachten", ["taak"])
        learner = db.session.get(User, world.users["learner"])
        record_progress(learner, builders.lesson(course, "taak"), "submitted")
    return down


def test_mail_is_retried_when_the_server_was_down(app_factory, smtp):
    """A notification created while SMTP is unreachable is sent by `lms notify send` later."""
    inbox, port = smtp
    down = _handed_in_while_mail_is_down(app_factory)
    with down.app_context():
        assert db.session.scalar(sa.select(Notification.emailed_at)) is None
    up = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    result = up.test_cli_runner().invoke(notify_group, ["send"])
    assert "1 e-mail(s) sent." in result.output
    assert len(inbox.to("mentor@example.org")) == 1


def test_notifications_show_on_the_home_page_until_read(app, client, world):
    """Without SMTP the home page shows the notification, and it disappears once read."""
    with app.app_context():
        course = builders.course("opdrachten", ["taak"])
        learner = db.session.get(User, world.users["learner"])
        record_progress(learner, builders.lesson(course, "taak"), "submitted")
        note_id = db.session.scalar(sa.select(Notification.id))
    login_as(client, "mentor")
    home = client.get("/").get_data(as_text=True)
    assert "Learner asks you to sign off “Les taak”." in home
    client.post("/meldingen/gelezen", data={"id": note_id})
    assert "asks you to sign off" not in client.get("/").get_data(as_text=True)


def test_someone_else_cannot_mark_my_notification_read(app, client, world):
    """Marking another person's notification as read changes nothing."""
    with app.app_context():
        db.session.add(Notification(user_id=world.users["mentor"], kind="item_returned",
                                    params={"item": "x"}))
        db.session.commit()
        note_id = db.session.scalar(sa.select(Notification.id))
    login_as(client, "learner")
    client.post("/meldingen/gelezen", data={"id": note_id})
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is None


def test_notify_send_without_smtp_fails_clearly(runner):
    """`lms notify send` says SMTP is not configured instead of pretending to send."""
    result = runner.invoke(notify_group, ["send"])
    assert result.exit_code != 0
    assert "MAIL_SERVER is not configured" in result.output


def test_schoolopleider_sign_off_goes_to_the_schools_schoolopleiders(app, client, world):
    """An assignment signed off by the schoolopleider notifies them, not the mentor."""
    with app.app_context():
        course = builders.course("brlo", ["portfolio"])
        lesson = builders.lesson(course, "portfolio")
        lesson.settings = {"sign_off": "schoolopleider"}
        db.session.commit()
        record_progress(db.session.get(User, world.users["learner"]), lesson, "submitted")
        recipients = set(db.session.scalars(sa.select(Notification.user_id)))
    assert recipients == {world.users["schoolopleider"]}


def test_two_senders_meeting_on_one_notification_send_it_once(app_factory, smtp):
    """The queued job and the quarter-hourly sweep can both have read a notification as
    unsent; the one that sends second finds it claimed and sends nothing."""
    from lms.notify import _send_each, send_unsent

    inbox, port = smtp
    _handed_in_while_mail_is_down(app_factory)
    up = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with up.app_context():
        read_first = list(db.session.scalars(
            sa.select(Notification).where(Notification.emailed_at.is_(None))))
        assert len(read_first) == 1
        with up.app_context():  # the other sender, on its own session, goes first
            assert send_unsent() == 1
        assert _send_each(read_first) == (0, 0)
    assert len(inbox.to("mentor@example.org")) == 1


def test_a_failed_send_leaves_the_notification_unsent_for_the_retry(app_factory, smtp):
    """A claim is given back when the server does not take the message."""
    from lms.notify import _send_each

    down = _handed_in_while_mail_is_down(app_factory)
    with down.app_context():
        notes = list(db.session.scalars(sa.select(Notification)))
        assert _send_each(notes) == (0, 1)
        assert db.session.scalar(sa.select(Notification.emailed_at)) is None
