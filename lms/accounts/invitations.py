"""Invitations: a signed, expiring link with which a new person sets their password.

The token carries the user's ``auth_version``; setting a password bumps it, so a link works
once. It is signed with the app's secret key (itsdangerous) and expires after
``INVITATION_MAX_AGE`` seconds. When SMTP is configured the e-mail is a job
(``invitation.send``, run by the worker and retried with back-off), so a slow or unreachable
mail server never holds up the page; otherwise the link is shown to the person who invited.
With ``JOBS_IMMEDIATE`` (no queue: tests) it is sent at once, and a failed send shows the link.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from lms import mail
from lms.accounts.passwords import check_new_password
from lms.accounts.sessions import end_all_sessions
from lms.extensions import db
from lms.jobs import enqueue, job, runs_at_once
from lms.models import User, audit

log = logging.getLogger(__name__)
SALT = "lms.invitation"
# Where links point when there is no request to take the host from (the CLI).
FALLBACK_BASE_URL = "http://localhost:5000"

EXPIRED, USED, INVALID = "expired", "used", "invalid"


class InvitationError(Exception):
    """The link cannot be used: expired, used already, or not a valid invitation."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        if self.reason == EXPIRED:
            return _("This invitation has expired. Ask the person who invited you for a new one.")
        if self.reason == USED:
            return _("This invitation has already been used. Log in with your password, or ask "
                     "for a new invitation.")
        return _("This invitation link is not valid. Check that you copied the whole link.")


class _Signer(TimestampSigner):
    """A timestamp signer that can date a token (issue it "in the past")."""

    def __init__(self, *args, issued_at: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.issued_at = issued_at

    def get_timestamp(self) -> int:
        return self.issued_at if self.issued_at is not None else super().get_timestamp()


def _serializer(issued_at: datetime | None = None) -> URLSafeTimedSerializer:
    stamp = None if issued_at is None else int(issued_at.timestamp())
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT, signer=_Signer,
                                  signer_kwargs={"issued_at": stamp})


def invitation_token(user: User, issued_at: datetime | None = None) -> str:
    """A token for ``user`` (flushed, so it has an id and auth_version)."""
    return _serializer(issued_at).dumps({"user": user.id, "version": user.auth_version or 0})


def invited_user(token: str) -> User:
    """The person a valid, unexpired, unused token belongs to; else InvitationError."""
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["INVITATION_MAX_AGE"]))
    except SignatureExpired:
        raise InvitationError(EXPIRED) from None
    except BadData:
        raise InvitationError(INVALID) from None
    if (not isinstance(data, dict) or not isinstance(data.get("user"), int)
            or not isinstance(data.get("version"), int)):
        raise InvitationError(INVALID)
    user = db.session.get(User, data["user"])
    if user is None or not user.active:
        raise InvitationError(INVALID)
    if (user.auth_version or 0) != data["version"]:
        raise InvitationError(USED)
    return user


def accept_invitation(token: str, password: str, confirm: str) -> User:
    """Set the invitee's password (which ends the link's validity); the caller commits."""
    user = invited_user(token)
    check_new_password(password, confirm, user)
    user.set_password(password)
    end_all_sessions(user)  # a new link is also how a forgotten password is reset
    audit("account.activate", actor=user, subject=user, object_type="user", object_id=user.id)
    return user


def invitation_link(token: str, base_url: str | None = None) -> str:
    """The absolute URL of the set-password page: on ``base_url``, else BASE_URL, else the
    current request's host."""
    base = base_url or current_app.config.get("BASE_URL")
    if has_request_context() and not base:
        return url_for("auth.invitation", token=token, _external=True)
    with current_app.test_request_context(base_url=base or FALLBACK_BASE_URL):
        return url_for("auth.invitation", token=token, _external=True)


def _base_url() -> str:
    """Where links point: BASE_URL, else the address (with any path prefix) the current page
    was asked on."""
    base = current_app.config.get("BASE_URL")
    if not base and has_request_context():
        base = request.url_root
    return (base or FALLBACK_BASE_URL).rstrip("/")


QUEUED, EMAILED, HANDOVER = "queued", "emailed", "handover"


@dataclass(frozen=True)
class Invitation:
    """A sent, queued, or to be handed over invitation (``delivery`` says which)."""

    user: User
    link: str
    delivery: str

    @property
    def emailed(self) -> bool:
        """The link goes by e-mail (sent, or queued for the worker): not shown to the inviter."""
        return self.delivery in (QUEUED, EMAILED)


def _message(user: User, link: str) -> tuple[str, str]:
    days = max(1, int(current_app.config["INVITATION_MAX_AGE"]) // 86400)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Your Leerpad account")
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.name),
            _("An account on Leerpad has been created for you. Choose your password with this "
              "link (valid for %(days)d days, and only once):", days=days),
            link,
            _("If you did not expect this e-mail, you can ignore it."),
        ])
    return subject, body


@job("invitation.send")
def send_invitation(user_id: int, version: int, base_url: str) -> bool:
    """The job: e-mail a fresh link to ``user_id``, unless the account has been deactivated or
    has a new password since it was queued (its ``auth_version`` changed, so the invitation is
    used up); False when skipped. Raises when the send failed (retried).
    The token is made here, so no usable link waits in the queue or the failed-jobs list."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or (user.auth_version or 0) != version:
        return False
    link = invitation_link(invitation_token(user), base_url)
    subject, body = _message(user, link)
    mail.send_mail(user.email, subject, body)
    return True


def deliver_invitation(user: User, inviter: User | None = None) -> Invitation:
    """Queue the invitation e-mail when SMTP is configured; the link is returned either way.
    Without a queue (``JOBS_IMMEDIATE``) the e-mail is sent here, and a failed send (logged, not
    raised) leaves the link to be handed over, as does a queue that cannot be reached."""
    link = invitation_link(invitation_token(user))
    delivery = HANDOVER
    if mail.mail_configured():
        args = (user.id, user.auth_version or 0, _base_url())
        if runs_at_once():
            try:
                send_invitation(*args)
                delivery = EMAILED
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("invitation for user %s not e-mailed: %s", user.id, exc)
        elif enqueue("invitation.send", *args):
            delivery = QUEUED
    audit("account.invite", actor=inviter, subject=user, object_type="user", object_id=user.id,
          detail={"emailed": delivery != HANDOVER, "delivery": delivery})
    return Invitation(user, link, delivery)
