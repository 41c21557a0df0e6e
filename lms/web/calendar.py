"""The personal calendar feed: the page to make, renew or end the secret address, and the
feed itself (no login: the address is the key)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.access import require
from lms.calendar import base_url, feed_document, feed_of, feed_owner, issue_feed, revoke_feed
from lms.extensions import db

bp = Blueprint("calendar", __name__, url_prefix="/agenda")


class EmptyForm(FlaskForm):
    """Just the CSRF token."""


def _page(token: str | None = None):
    url = None
    if token is not None:
        url = base_url(request) + url_for("calendar.feed", feed_token=token)
    html = render_template("notifications/calendar.html", feed=feed_of(current_user), url=url)
    # The address is a secret: never cached, never sent on as a Referer.
    return html, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.get("")
@login_required
def feed_page():
    """Whether the person has a calendar address, and the buttons to make or end one."""
    require(current_user, "calendar.manage", current_user)
    return _page()


@bp.post("/adres")
@login_required
def renew():
    """Make a new address (the old one stops working) and show it, once."""
    require(current_user, "calendar.manage", current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = issue_feed(current_user)
    db.session.commit()
    return _page(token)


@bp.post("/uit")
@login_required
def turn_off():
    require(current_user, "calendar.manage", current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if revoke_feed(current_user):
        db.session.commit()
        flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("calendar.feed_page"))


@bp.get("/<string(maxlength=100):feed_token>.ics")
def feed(feed_token: str):
    """The feed: deadlines and expiry dates of the address's owner (writes nothing)."""
    owner = feed_owner(feed_token)
    if owner is None:
        abort(404)
    return Response(feed_document(owner, base_url(request)), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="leerpad.ics"',
                             "Cache-Control": "private, max-age=900",
                             "Referrer-Policy": "no-referrer"})
