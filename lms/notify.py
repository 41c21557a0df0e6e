"""Notifications: create them (idempotently), word them in the reader's language, e-mail them.

Domain code calls ``notify(...)`` inside its transaction and ``deliver(...)`` after commit,
which queues the e-mail (the ``notify.email`` job, run by the worker): e-mail goes out only
when ``MAIL_SERVER`` is configured, a failed send leaves ``emailed_at`` empty and fails the
job so it is retried with back-off, and every quarter of an hour the worker sends what is
still unsent from the last day (``notify.unsent``). ``lms notify send`` sends at once.

A person who chose the weekly digest (``User.email_digest``) gets no e-mail per notification:
on Monday morning the ``notify.digest`` job sends them one e-mail with every notification they
have neither read nor been e-mailed about (of the last four weeks), and marks those e-mailed.
Everyone reads every notification in the inbox (``/meldingen``).
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from werkzeug.routing import BuildError
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import case, func, select, update

from lms.extensions import db
from lms.jobs import enqueue, job, periodic, weekly_at
from lms.mail import mail_configured, send_mail
from lms.models.accounts import User
from lms.models.base import utcnow
from lms.models.notifications import Notification

log = logging.getLogger(__name__)


def link(endpoint: str, **values) -> str:
    """The site-relative URL of a page, with or without a request (CLI reminders)."""
    try:
        return current_app.url_map.bind("").build(endpoint, values)
    except BuildError:
        return ""


def notify(user: User | int, kind: str, *, params: dict | None = None, link: str = "",
           key: str | None = None, subject: User | int | None = None) -> Notification | None:
    """Add a notification for ``user`` to the session; None when ``key`` was already used."""
    user_id = user if isinstance(user, int) else user.id
    if key is not None:
        exists = db.session.scalar(
            select(Notification.id).where(Notification.user_id == user_id, Notification.key == key)
        )
        if exists is not None:
            return None
    note = Notification(user_id=user_id, kind=kind, params=dict(params or {}), link=link, key=key,
                        subject_id=subject if isinstance(subject, int) or subject is None
                        else subject.id)
    db.session.add(note)
    return note


def notify_many(items: list[dict]) -> list[Notification]:
    """Add many keyed notifications (dicts of ``notify``'s arguments) with one look-up for the
    keys already used; returns the new ones."""
    wanted = {(i["user"], i["key"]): i for i in items}
    if not wanted:
        return []
    taken = {tuple(row) for row in db.session.execute(
        select(Notification.user_id, Notification.key)
        .where(Notification.key.in_({key for _user, key in wanted})))}
    fresh = [Notification(user_id=user, kind=i["kind"], params=dict(i.get("params") or {}),
                          link=i.get("link", ""), key=key)
             for (user, key), i in wanted.items() if (user, key) not in taken]
    db.session.add_all(fresh)
    return fresh


def message(note: Notification) -> str:
    """The notification's sentence in the current locale."""
    p = {k: v for k, v in (note.params or {}).items()}
    if p.get("date"):
        try:
            p["date"] = format_date(date.fromisoformat(p["date"]), "long")
        except ValueError:
            pass
    texts = {
        "sign_off_requested": lambda: _("%(learner)s asks you to sign off “%(item)s”.",
                                        learner=p.get("learner", "?"), item=p.get("item", "?")),
        "item_returned": lambda: _("“%(item)s” was returned to you with feedback.",
                                   item=p.get("item", "?")),
        "item_approved": lambda: _("“%(item)s” was approved.", item=p.get("item", "?")),
        "deadline_soon": lambda: _("The deadline of %(track)s is %(date)s.",
                                   track=p.get("track", "?"), date=p.get("date", "?")),
        "credential_expiring": lambda: _("Your credential “%(credential)s” expires on %(date)s.",
                                         credential=p.get("credential", "?"),
                                         date=p.get("date", "?")),
        "report_ready": lambda: _("The report of %(organisation)s is ready to download.",
                                  organisation=p.get("organisation", "?")),
    }
    text = texts.get(note.kind)
    return text() if text else note.kind


def unread_for(user: User, limit: int = 10) -> list[Notification]:
    """The newest unread notifications of ``user`` (one query)."""
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ))


INBOX_PAGE = 50


@dataclass
class Inbox:
    notes: list[Notification]
    unread: int
    total: int  # of the notes shown (all, or only the unread ones)
    page: int
    pages: int


def inbox(user: User, *, unread_only: bool = False, page: int = 1) -> Inbox:
    """One page of ``user``'s notifications, newest first, with the number unread (two
    queries)."""
    mine = Notification.user_id == user.id
    unread, total = db.session.execute(
        select(func.sum(case((Notification.read_at.is_(None), 1), else_=0)),
               func.count(Notification.id)).where(mine)).one()
    shown = unread if unread_only else total
    pages = max(1, -(-shown // INBOX_PAGE))
    page = min(max(1, page), pages)
    query = select(Notification).where(mine)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    notes = list(db.session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * INBOX_PAGE).limit(INBOX_PAGE)))
    return Inbox(notes, int(unread or 0), int(shown or 0), page, pages)


def set_digest(user: User, weekly: bool) -> None:
    """Choose one e-mail a week (True) or one per notification (False); commits."""
    user.email_digest = bool(weekly)
    db.session.commit()


def mark_read(user: User, note_id: int | None = None) -> int:
    """Mark one (or all) of ``user``'s notifications read; returns how many changed."""
    stmt = update(Notification).where(Notification.user_id == user.id,
                                      Notification.read_at.is_(None))
    if note_id is not None:
        stmt = stmt.where(Notification.id == note_id)
    result = db.session.execute(stmt.values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount or 0


# --- e-mail ----------------------------------------------------------------------------------


class MailNotSent(RuntimeError):
    """Some notifications could not be e-mailed (the job is retried)."""


def deliver(notes: list[Notification | None] | None) -> int:
    """Queue the e-mail of these (committed) notifications; returns how many were queued."""
    if not notes or not mail_configured():
        return 0
    ids = sorted({n.id for n in notes if n is not None and n.emailed_at is None})
    if ids:
        enqueue("notify.email", ids)
    return len(ids)


@job("notify.email")
def email_notifications(ids: list[int]) -> int:
    """The job: e-mail these notifications unless already e-mailed (so a retry sends only
    what is missing); fails when one could not be sent."""
    notes = list(db.session.scalars(
        select(Notification).where(Notification.id.in_(ids), Notification.emailed_at.is_(None))))
    sent, failed = _send_each(notes)
    if failed:
        raise MailNotSent(f"{failed} of {len(notes)} notification(s) not e-mailed")
    return sent


@periodic("notify.unsent", lambda moment: moment.minute % 15 == 0)
def email_unsent_recent() -> int:
    """Every quarter of an hour: e-mail what is still unsent from the last day (a queue that
    was unreachable, a job that failed for good)."""
    if not mail_configured():
        return 0
    since = utcnow() - timedelta(days=1)
    notes = list(db.session.scalars(
        select(Notification).where(Notification.emailed_at.is_(None),
                                   Notification.read_at.is_(None),
                                   Notification.created_at >= since)
        .order_by(Notification.id)))
    return _send_each(notes)[0]


def send_unsent(notes: list[Notification] | None = None) -> int:
    """E-mail the given (or every not yet e-mailed, unread) notifications now; returns how many
    were sent (``lms notify send``)."""
    if not mail_configured():
        return 0
    if notes is None:
        notes = list(db.session.scalars(
            select(Notification).where(Notification.emailed_at.is_(None), Notification.read_at.is_(None))
            .order_by(Notification.id)
        ))
    return _send_each([n for n in notes if n.emailed_at is None])[0]


def _send_each(notes: list[Notification]) -> tuple[int, int]:
    """Send each note, marking it e-mailed; commits. Returns (sent, failed)."""
    if not notes or not mail_configured():
        return 0, 0
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({n.user_id for n in notes}))
    )}
    sent = failed = 0
    for note in notes:
        user = users.get(note.user_id)
        if user is None or not user.active or user.email_digest:
            continue  # a digest reader gets it with the weekly e-mail
        if not _claim(note):
            continue  # another job of the worker (or another worker) is sending it
        try:
            _send(user, note)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("notification %s not e-mailed to user %s: %s", note.id, user.id, exc)
            _unclaim(note)
            failed += 1
            continue
        sent += 1
    db.session.commit()
    return sent, failed


def _claim(note: Notification) -> bool:
    """Mark ``note`` e-mailed before sending it, if nobody has: the queued job and the
    quarter-hourly sweep can meet on the same note (so can two workers), and only the one whose
    update changed the row sends. Committed at once, one by one: a crash after a send does not
    send it again (a crash between claim and send leaves it unsent, still in the inbox)."""
    moment = utcnow()
    claimed = db.session.execute(
        update(Notification).where(Notification.id == note.id, Notification.emailed_at.is_(None))
        .values(emailed_at=moment).execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return claimed


def _unclaim(note: Notification) -> None:
    """The send failed: leave the note unsent again, for the job's retry or the sweep."""
    db.session.execute(update(Notification).where(Notification.id == note.id)
                       .values(emailed_at=None).execution_options(synchronize_session=False))
    db.session.commit()


def _compose(user: User, note: Notification) -> tuple[str, str]:
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = message(note)
        subject = _("Leerpad: %(text)s", text=text)
        body = text
        if note.link:
            base = (current_app.config.get("BASE_URL") or "").rstrip("/")
            body += "\n\n" + base + note.link
        body += "\n\n" + _("You receive this e-mail because you have an account on Leerpad.")
    return subject[:200], body


def _send(user: User, note: Notification) -> None:
    subject, body = _compose(user, note)
    send_mail(user.email, subject, body)


# --- the weekly digest -----------------------------------------------------------------------

DIGEST_WEEKS = 4  # older unsent notifications are left out of a digest
DIGEST_SHOWN = 50


@periodic("notify.digest", weekly_at(0, 7, 0))
def send_digests() -> int:
    """Every Monday at 07:00: one e-mail per digest reader with what they have neither read
    nor been e-mailed about; those are then marked e-mailed, so running it twice sends
    nothing twice. Fails (to be retried for the rest) when a send failed."""
    if not mail_configured():
        return 0
    since = utcnow() - timedelta(weeks=DIGEST_WEEKS)
    notes = list(db.session.scalars(
        select(Notification).join(User, User.id == Notification.user_id)
        .where(User.email_digest.is_(True), User.active.is_(True),
               Notification.emailed_at.is_(None), Notification.read_at.is_(None),
               Notification.created_at >= since)
        .order_by(Notification.user_id, Notification.created_at.desc(), Notification.id.desc())))
    per_user: dict[int, list[Notification]] = {}
    for note in notes:
        per_user.setdefault(note.user_id, []).append(note)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(per_user)))}
    sent = failed = 0
    for user_id, user_notes in per_user.items():
        user = users[user_id]
        subject, body = _compose_digest(user, user_notes)
        try:
            send_mail(user.email, subject, body)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("digest not e-mailed to user %s: %s", user.id, exc)
            failed += 1
            continue
        moment = utcnow()
        for note in user_notes:
            note.emailed_at = moment
        db.session.commit()  # person by person: a retry does not send anyone's digest twice
        sent += 1
    if failed:
        raise MailNotSent(f"{failed} of {len(per_user)} digest(s) not e-mailed")
    return sent


def _compose_digest(user: User, notes: list[Notification]) -> tuple[str, str]:
    """The digest's subject and plain-text body, in the reader's language."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        from flask_babel import ngettext

        subject = ngettext("Leerpad: %(num)d new notification this week",
                           "Leerpad: %(num)d new notifications this week", len(notes))
        lines = [_("Hello %(name)s,", name=user.name), "",
                 ngettext("This is what happened in Leerpad since your last e-mail "
                          "(%(num)d notification):",
                          "This is what happened in Leerpad since your last e-mail "
                          "(%(num)d notifications):", len(notes)), ""]
        for note in notes[:DIGEST_SHOWN]:
            lines.append(f"- {format_date(note.created_at.date(), 'medium')}: {message(note)}")
            if note.link:
                lines.append(f"  {base}{note.link}")
        if len(notes) > DIGEST_SHOWN:
            lines.append(_("… and %(num)d more.", num=len(notes) - DIGEST_SHOWN))
        lines += ["", _("All your notifications: %(url)s", url=base + link("notifications.inbox")),
                  _("You receive one e-mail a week because you chose so on your account page; "
                    "change it there: %(url)s", url=base + link("auth.account"))]
    return subject[:200], "\n".join(lines)
