"""The openbadges plugin's pages.

Public (no login), because verifiers and wallets fetch them: the DID document, the status
list, the achievements and frameworks credentials point at, and a credential's page at
``/bewijzen/<uuid>`` when its holder made it public (404 otherwise). The IRIs signed into
credentials (all but the public page) are for good, so they are short and stable.

For the signed-in person (under ``/plugins/openbadges/``): their own credentials with the
downloads and the public-page choice; for admins and schoolopleiders, revoking and renewing.
Credentials are named by their uuid in the query or the form, checked by ``lms.access``.
"""
from __future__ import annotations

import json
import re

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.access import can, org_role_ids, record_views, require
from lms.extensions import db
from lms.models import CompetenceFramework, RoleAssignment, Track, User

from . import issuing
from .achievement import achievement, EXTENSIONS_CONTEXT
from .baking import bake_png, badge_png
from .did import did_document
from .models import HOLDER_NAMES, BadgeCredential
from .status_list import status_list_credential

bp = Blueprint("openbadges", __name__)

STATUS_LABELS = {
    "valid": _l("Valid"),
    "expiring": _l("Valid, expires soon"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}
MESSAGES = {
    "revoked": lambda: _("This credential has been revoked."),
    "renewed": lambda: _("This credential has already been renewed."),
    "not due": lambda: _("A credential can be renewed from 90 days before it expires."),
    "gone": lambda: _("The track or the holder's account no longer exists."),
    "reason": lambda: _("Write down why the credential is revoked."),
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MANAGE_LIMIT = 500


def _row_or_404(value: str | None) -> BadgeCredential:
    value = (value or "").strip().lower()
    if not UUID.match(value):
        abort(404)
    row = db.session.scalar(select(BadgeCredential).where(BadgeCredential.uuid == value))
    if row is None:
        abort(404)
    return row


def _json(data: dict, media_type: str = "application/json") -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype=media_type)


# --- public: what credentials point at -----------------------------------------------------


@bp.get("/.well-known/did.json")
@bp.get("/did.json")
def did_json():
    """The issuer's DID document (did:web): every signing key, current first."""
    response = _json(did_document(), "application/did+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/openbadges/status/revocation")
def status_list():
    """The revocation status list, a signed BitstringStatusListCredential (VC-JWT)."""
    response = Response(status_list_credential(), mimetype="application/vc+jwt")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _credential_track(slug: str) -> Track:
    track = db.session.scalar(select(Track).where(Track.slug == slug[:64]))
    if track is None or not track.credential_name:
        abort(404)
    return track


@bp.get("/openbadges/achievements/<slug>")
def achievement_json(slug: str):
    """The achievement a track's credentials are for, as OB 3.0 describes it."""
    track = _credential_track(slug)
    data = {"@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                         EXTENSIONS_CONTEXT],
            **achievement(track, track.credential_name)}
    response = _json(data, "application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/openbadges/achievements/<slug>/image.png")
def achievement_image(slug: str):
    _credential_track(slug)
    response = Response(badge_png(slug), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/openbadges/competences")
def competences():
    """Every competence framework; each competence has ``framework:code`` as its anchor, the
    address credentials align their achievements with."""
    frameworks = db.session.scalars(select(CompetenceFramework)
                                    .where(CompetenceFramework.kind == "competences")
                                    .order_by(CompetenceFramework.title)).all()
    return render_template("openbadges/competences.html", frameworks=frameworks)


@bp.get("/bewijzen/<uuid:token>")
def public_page(token):
    """The credential's public page, when its holder made it public; 404 otherwise."""
    row = db.session.scalar(select(BadgeCredential).where(BadgeCredential.uuid == str(token)))
    if row is None or not row.public or not row.token:
        abort(404)
    state = issuing.status(row)
    return render_template("openbadges/public.html", row=row, state=state,
                           state_label=STATUS_LABELS["valid" if state == "expiring" else state],
                           holder=issuing.holder_display(row),
                           issuer=issuing.issuer_profile(row.user)["name"],
                           track=row.track)


# --- the holder ------------------------------------------------------------------------


@bp.get("/plugins/openbadges/")
@login_required
def mine():
    """The signed-in person's credentials (one query, one more per renewed credential)."""
    rows = db.session.scalars(select(BadgeCredential)
                              .where(BadgeCredential.user_id == current_user.id)
                              .order_by(BadgeCredential.valid_from.desc(),
                                        BadgeCredential.id.desc())).all()
    renewed = {row.renewal_of_id for row in rows if row.renewal_of_id}
    return render_template("openbadges/mine.html", rows=rows, renewed=renewed,
                           status=issuing.status, labels=STATUS_LABELS,
                           may_manage=can(current_user, "openbadges.manage"))


def _file_name(row: BadgeCredential, extension: str) -> str:
    slug = row.track.slug if row.track is not None else "credential"
    return f"{slug}-{row.uuid[:8]}.{extension}"


@bp.get("/plugins/openbadges/download")
@login_required
def download():
    """The holder's credential: ``format=json`` (a VC 2.0 EnvelopedVerifiableCredential
    around the VC-JWT), ``jwt`` (the VC-JWT itself) or ``png`` (the baked badge)."""
    if "credential" not in request.args:
        return redirect(url_for("openbadges.mine"))
    row = _row_or_404(request.args.get("credential"))
    require(current_user, "openbadges.own", row)
    if not row.token:
        abort(404)
    kind = request.args.get("format", "json")
    if kind == "png":
        body, media_type = bake_png(badge_png(row.track.slug if row.track else row.uuid),
                                    row.token), "image/png"
    elif kind == "jwt":
        body, media_type = row.token, "application/vc+jwt"
    elif kind == "json":
        body = json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"],
                           "id": f"data:application/vc+jwt,{row.token}",
                           "type": "EnvelopedVerifiableCredential"}, indent=2)
        media_type, kind = "application/json", "json"
    else:
        abort(404)
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_file_name(row, kind)}"')
    return response


@bp.post("/plugins/openbadges/openbaar")
@login_required
def set_public():
    """Make the credential's page public (with the name shown in full or as initials) or
    private again."""
    row = _row_or_404(request.form.get("credential"))
    require(current_user, "openbadges.own", row)
    choice = request.form.get("holder_name", row.holder_name)
    if choice in HOLDER_NAMES:
        row.holder_name = choice
    row.public = request.form.get("public") == "1" and bool(row.token)
    db.session.commit()
    flash(_("Your credential's public page is on.") if row.public
          else _("Your credential's public page is off."), "success")
    return redirect(url_for("openbadges.mine") + f"#c-{row.uuid}")


# --- admins and schoolopleiders -----------------------------------------------------------


def _managed_rows() -> list[BadgeCredential]:
    query = select(BadgeCredential).order_by(BadgeCredential.created_at.desc()).limit(MANAGE_LIMIT)
    if not current_user.is_admin:
        schools = org_role_ids(current_user, "schoolopleider")
        query = query.where(BadgeCredential.user_id.in_(
            select(RoleAssignment.user_id).where(RoleAssignment.organisation_id.in_(schools))))
    return list(db.session.scalars(query))


@bp.get("/plugins/openbadges/beheer")
@login_required
def manage():
    """Credentials of the people the viewer may revoke for; ``?credential=`` opens one."""
    value = request.args.get("credential")
    if value is None:
        require(current_user, "openbadges.manage")
        rows = [row for row in _managed_rows() if can(current_user, "openbadges.revoke", row)]
        return render_template("openbadges/manage.html", rows=rows, status=issuing.status,
                               labels=STATUS_LABELS)
    row = _row_or_404(value)
    require(current_user, "openbadges.revoke", row)
    record_views(current_user, [row.user_id], "openbadges_credential", row.uuid)
    db.session.commit()
    state = issuing.status(row)
    return render_template("openbadges/credential.html", row=row, state=state,
                           labels=STATUS_LABELS, renewed=issuing.renewed(row),
                           may_renew=state in ("expiring", "expired")
                           and can(current_user, "openbadges.renew", row))


@bp.post("/plugins/openbadges/intrekken")
@login_required
def revoke():
    row = _row_or_404(request.form.get("credential"))
    require(current_user, "openbadges.revoke", row)
    try:
        issuing.revoke(row, current_user, request.form.get("reason", ""))
    except issuing.BadgeError as exc:
        flash(MESSAGES[str(exc)](), "error")
        return redirect(url_for("openbadges.manage", credential=row.uuid))
    db.session.commit()
    flash(_("The credential has been revoked. Verifiers see it as revoked from now on."),
          "success")
    return redirect(url_for("openbadges.manage", credential=row.uuid))


@bp.post("/plugins/openbadges/vernieuwen")
@login_required
def renew():
    row = _row_or_404(request.form.get("credential"))
    require(current_user, "openbadges.renew", row)
    try:
        new = issuing.renew(row, current_user)
    except issuing.BadgeError as exc:
        flash(MESSAGES[str(exc)](), "error")
        return redirect(url_for("openbadges.manage", credential=row.uuid))
    db.session.commit()
    flash(_("A new credential has been issued; the old one stays valid until its last day."),
          "success")
    return redirect(url_for("openbadges.manage", credential=new.uuid))


def learner_rows(learner: User) -> list[BadgeCredential]:
    return list(db.session.scalars(select(BadgeCredential)
                                   .where(BadgeCredential.user_id == learner.id)
                                   .order_by(BadgeCredential.valid_from.desc())))
