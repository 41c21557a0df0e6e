"""The notifications inbox (read and unread, mark all read) and the weekly digest e-mail, sent
by the job queue to a real SMTP server on loopback instead of one e-mail per notification."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models.base import utcnow
from lms.models.notifications import Notification
from tests import builders
from tests.supervision_data import count_queries, login_as
from tests.test_mail import _free_port, smtp  # noqa: F401  (smtp is a fixture)


def _notes(app, who: str, count: int, *, read: int = 0) -> list[int]:
    """``count`` approvals for ``who``, the first ``read`` of them read, oldest first."""
    from lms.notify import notify

    with app.app_context():
        person = builders.user(who)
        notes = []
        for i in range(count):
            note = notify(person, "item_approved", params={"item": f"Opdracht {i:02d}"},
                          link=f"/cursussen/c/l{i}")
            note.created_at = utcnow() - timedelta(minutes=count - i)
            if i < read:
                note.read_at = utcnow()
            notes.append(note)
        db.session.commit()
        return [n.id for n in notes]


def test_inbox_lists_read_and_unread_newest_first(app, world, client):
    """Every notification, newest first, unread ones marked; a filter shows only the unread;
    the page writes nothing."""
    _notes(app, "learner", 3, read=1)
    _notes(app, "other_learner", 1)
    login_as(client, "learner")
    with count_queries(app) as statements:
        html = client.get("/meldingen").get_data(as_text=True)
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    items = re.findall(r'<li class="(unread|read)">.*?“(Opdracht \d+)”', html, re.S)
    assert items == [("unread", "Opdracht 02"), ("unread", "Opdracht 01"),
                     ("read", "Opdracht 00")]
    assert "2 unread" in html and "Opdracht 00" in html
    unread = client.get("/meldingen?alleen=ongelezen").get_data(as_text=True)
    assert "Opdracht 02" in unread and "Opdracht 00" not in unread
    assert 'href="/meldingen"' in client.get("/").get_data(as_text=True)  # header and widget


def test_mark_one_and_mark_all_read(app, world, client):
    """One notification, then all of them (only one's own), are marked read."""
    ids = _notes(app, "learner", 3)
    other = _notes(app, "other_learner", 1)
    login_as(client, "learner")
    client.post("/meldingen/gelezen", data={"id": ids[0], "next": "/meldingen"})
    client.post("/meldingen/gelezen", data={"id": other[0]})  # not hers: nothing happens
    with app.app_context():
        read = {n.id for n in db.session.scalars(
            select(Notification).where(Notification.read_at.is_not(None)))}
    assert read == {ids[0]}
    response = client.post("/meldingen/gelezen", data={"next": "/meldingen"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "All notifications are marked as read." in html and "0 unread" in html
    with app.app_context():
        assert db.session.get(Notification, other[0]).read_at is None


def test_inbox_pages(app, world, client):
    """Fifty notifications a page, with links to the next and previous page."""
    _notes(app, "learner", 55)
    login_as(client, "learner")
    first = client.get("/meldingen").get_data(as_text=True)
    assert first.count('<li class="unread">') == 50 and "Page 1 of 2" in first
    second = client.get("/meldingen?pagina=2").get_data(as_text=True)
    assert second.count('<li class="unread">') == 5 and 'rel="prev"' in second
    assert client.get("/meldingen?pagina=999999999999").status_code == 200


def test_digest_setting_on_the_account_page(app, world, client):
    """The account page offers one e-mail per notification or one a week; the choice sticks."""
    login_as(client, "learner")
    account = client.get("/account").get_data(as_text=True)
    assert 'name="email" value="each" checked' in account
    client.post("/meldingen/instellingen", data={"email": "weekly"})
    account = client.get("/account").get_data(as_text=True)
    assert 'name="email" value="weekly" checked' in account
    with app.app_context():
        assert builders.user("learner").email_digest is True
    assert client.post("/meldingen/instellingen", data={"email": "daily"}).status_code == 400


@pytest.fixture
def mail_app(app_factory, smtp):  # noqa: F811
    from lms.testing import make_world

    port, _ = smtp
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_SENDER="leerpad@regio.example",
                      BASE_URL="https://leerpad.regio.example")
    with app.app_context():
        world = make_world()
        builders.user("learner").locale = "en"
        builders.user("other_learner").locale = "en"
        builders.user("other_learner").email_digest = True
        db.session.commit()
    return app, world


def _deliver(app, who: str, items: list[str]) -> None:
    from lms.notify import deliver, notify

    with app.app_context():
        person = builders.user(who)
        notes = [notify(person, "item_approved", params={"item": item}, link="/leerpad")
                 for item in items]
        db.session.commit()
        deliver(notes)


def test_weekly_digest_replaces_one_mail_per_notification(mail_app, smtp):  # noqa: F811
    """Without the digest each notification is an e-mail; with it nothing goes out until the
    weekly job sends one e-mail with all of them, once."""
    from lms.jobs import get_queue
    from lms.notify import email_unsent_recent, send_digests

    app, _world = mail_app
    _, inbox = smtp
    _deliver(app, "learner", ["Eerste"])
    _deliver(app, "other_learner", ["Alpha", "Beta"])
    assert [rcpt for rcpt, _m in inbox.messages] == [["learner@example.org"]]
    with app.app_context():
        assert email_unsent_recent() == 0  # the quarter-hourly catch-up leaves digests alone
        get_queue().lms_tasks["notify.digest"]  # the job is registered with the queue
        assert send_digests() == 1
        assert send_digests() == 0  # marked e-mailed: nothing twice
        unsent = db.session.scalar(select(Notification.id).where(
            Notification.emailed_at.is_(None)))
    assert unsent is None
    (recipients, message), = inbox.messages[1:]
    assert recipients == ["other_learner@example.org"]
    assert message["Subject"] == "Leerpad: 2 new notifications this week"
    body = message.get_content()
    assert "“Alpha” was approved." in body and "“Beta” was approved." in body
    assert body.index("Beta") < body.index("Alpha")  # newest first
    assert "https://leerpad.regio.example/leerpad" in body
    assert "https://leerpad.regio.example/meldingen" in body
    assert "https://leerpad.regio.example/account" in body


def test_digest_leaves_out_read_notifications(mail_app, smtp):  # noqa: F811
    """What the person already read in the inbox is not e-mailed."""
    from lms.notify import mark_read, send_digests

    app, _world = mail_app
    _, inbox = smtp
    _deliver(app, "other_learner", ["Gelezen"])
    with app.app_context():
        mark_read(builders.user("other_learner"))
        assert send_digests() == 0
    assert inbox.messages == []


def test_reminders_of_digest_readers_do_not_fail_the_daily_job(mail_app, smtp):  # noqa: F811
    """The daily reminder job counts only what should have gone out one by one."""
    from lms.reminders import unsent_reminders

    app, _world = mail_app
    with app.app_context():
        db.session.add(Notification(user_id=builders.user("other_learner").id,
                                    kind="deadline_soon", params={}, link=""))
        db.session.commit()
        assert unsent_reminders() == 0


def test_a_failed_digest_is_retried_for_the_rest(app_factory):
    """With the mail server down the job fails (to be retried) and marks nothing."""
    from lms.notify import MailNotSent, send_digests
    from lms.testing import make_world

    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    with app.app_context():
        make_world()
        builders.user("learner").email_digest = True
        db.session.commit()
    _deliver(app, "learner", ["Iets"])
    with app.app_context():
        with pytest.raises(MailNotSent):
            send_digests()
        assert db.session.scalar(select(Notification.emailed_at)) is None


def test_digest_runs_on_monday_morning_dutch_time():
    """The schedule: Mondays at 07:00 in the Netherlands, summer and winter time alike."""
    from lms.jobs import JOBS

    import lms.notify  # noqa: F401  (registers the job)

    due = JOBS["notify.digest"].schedule
    assert due(datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc))  # Monday 07:00 CET
    assert due(datetime(2026, 6, 1, 5, 0, tzinfo=timezone.utc))  # Monday 07:00 CEST
    assert not due(datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc))
    assert not due(datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc))  # a Tuesday
