"""Outgoing e-mail over SMTP (stdlib smtplib), used only when MAIL_SERVER is configured.

Inside a web request, send with ``send_mail_later`` (the ``mail.send`` job): a slow or
unreachable SMTP server then costs the person nothing, and the worker retries with back-off.
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from lms.jobs import enqueue, job


def mail_configured() -> bool:
    """True when an SMTP server is configured; otherwise links are shown to the person acting."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message; raises OSError or smtplib.SMTPException on failure."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=10) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


@job("mail.send")
def _send_job(to: str, subject: str, body: str) -> None:
    send_mail(to, subject, body)


def send_mail_later(to: str, subject: str, body: str) -> bool:
    """Queue one message (the ``mail.send`` job); False when the queue cannot be reached."""
    return enqueue("mail.send", to, subject, body)
