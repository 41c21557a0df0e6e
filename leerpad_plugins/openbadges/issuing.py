"""Issuing, renewing and revoking Open Badges 3.0 credentials; their live status.

A credential is an ``OpenBadgeCredential`` (W3C Verifiable Credential 2.0) secured as a
VC-JWT: the JWT payload is the credential itself, with the registered claims ``iss``
(the issuer's ``did:web``), ``jti`` (the credential id), ``nbf``/``iat`` and, when it
expires, ``exp`` (OB 3.0 §8.2). The holder is named by a salted hash of their e-mail
address and their name, not by an account id.

Domain functions take and change rows; the caller commits.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import exists, select

from lms.access import learner_org_ids
from lms.clock import local_date, time_zone, today
from lms.extensions import db
from lms.models import Organisation, Track, User, audit
from lms.models.base import utcnow
from lms.models.progress import Credential
from lms.tracking.dates import add_years, validity_status

from .achievement import EXTENSIONS_CONTEXT, achievement
from .did import base_url, issuer_did
from .models import BadgeCredential
from .signing import sign
from .status_list import new_index, status_entry

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",  # 1EdTechJsonSchemaValidator2019
    EXTENSIONS_CONTEXT,
]
SCHEMA = {"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                "ob_v3p0_achievementcredential_schema.json",
          "type": "1EdTechJsonSchemaValidator2019"}


class BadgeError(ValueError):
    """An action on a credential that cannot be done; the message says why."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in the Netherlands (a credential's last valid day)."""
    start = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(time_zone()))
    return (start - timedelta(seconds=1)).astimezone(timezone.utc)


def region_of(user: User) -> Organisation | None:
    """The region above the person's first school (or any region on the platform)."""
    org_ids = sorted(learner_org_ids(user.id))
    org = db.session.get(Organisation, org_ids[0]) if org_ids else None
    while org is not None and org.parent is not None:
        org = org.parent
    return org or db.session.scalar(select(Organisation).where(Organisation.kind == "region")
                                    .order_by(Organisation.id).limit(1))


def issuer_profile(learner: User) -> dict[str, Any]:
    region = region_of(learner)
    name = current_app.config.get("OPENBADGES_ISSUER_NAME") or (
        region.name if region is not None else "Leerpad")
    return {"id": issuer_did(), "type": ["Profile"], "name": name,
            "url": current_app.config.get("OPENBADGES_ISSUER_URL") or f"{base_url()}/"}


def subject(learner: User) -> dict[str, Any]:
    """The holder: a salted SHA-256 of their e-mail address (OB 3.0 IdentityObject) and
    their name."""
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((learner.email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {"type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                 "identityHash": f"sha256${digest}", "salt": salt},
                {"type": "IdentityObject", "identityType": "name", "hashed": False,
                 "identityHash": learner.name}]}


def credential_claims(row: BadgeCredential, learner: User, track: Track) -> dict[str, Any]:
    """The credential document plus the JWT's registered claims."""
    credential_id = f"urn:uuid:{row.uuid}"
    body: dict[str, Any] = {
        "@context": CONTEXT,
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": row.name,
        "issuer": issuer_profile(learner),
        "validFrom": _iso(row.valid_from),
        "credentialSubject": {**subject(learner), "achievement": achievement(track, row.name)},
        "credentialStatus": status_entry(row.status_index),
        "credentialSchema": [SCHEMA],
    }
    claims = {**body, "iss": body["issuer"]["id"], "jti": credential_id,
              "nbf": int(row.valid_from.timestamp()), "iat": int(utcnow().timestamp())}
    if row.valid_until is not None:
        until = end_of_day(row.valid_until)
        body["validUntil"] = claims["validUntil"] = _iso(until)
        claims["exp"] = int(until.timestamp())
    return claims


def issue(learner: User, track: Track, *, name: str, valid_from: datetime,
          valid_until: date | None, credential_id: int | None = None,
          renewal_of: BadgeCredential | None = None, issued_by: User | None = None
          ) -> BadgeCredential:
    """Sign a new credential for ``learner`` and add its row (the caller commits)."""
    row = BadgeCredential(user_id=learner.id, credential_id=credential_id, track_id=track.id,
                          renewal_of=renewal_of, name=name[:200],
                          status_index=new_index(), valid_from=valid_from.replace(microsecond=0),
                          valid_until=valid_until,
                          issued_by_id=issued_by.id if issued_by is not None else None)
    if renewal_of is not None:  # the holder's choices carry over
        row.public, row.holder_name = renewal_of.public, renewal_of.holder_name
    db.session.add(row)
    db.session.flush()
    row.token = sign(credential_claims(row, learner, track))
    return row


def issue_for_credential(credential: Credential) -> BadgeCredential | None:
    """The signed credential for a core credential row (once; None when it has one already,
    or its track or learner is gone)."""
    if db.session.scalar(select(exists().where(
            BadgeCredential.credential_id == credential.id))):
        return None
    learner = db.session.get(User, credential.user_id)
    track = credential.track
    if learner is None or track is None or not learner.active:
        return None
    return issue(learner, track, name=credential.name, valid_from=credential.issued_at,
                 valid_until=credential.expires_at, credential_id=credential.id)


def issue_missing() -> int:
    """Sign every core credential that has no signed credential yet (after installing the
    plugin, or when a listener failed); returns how many. Commits."""
    done = 0
    for credential in db.session.scalars(
            select(Credential).where(~exists().where(
                BadgeCredential.credential_id == Credential.id)).order_by(Credential.id)):
        if issue_for_credential(credential) is not None:
            done += 1
    db.session.commit()
    return done


def status(row: BadgeCredential, on: date | None = None) -> str:
    """``revoked``, ``expired``, ``expiring`` (within 90 days) or ``valid``."""
    if row.revoked:
        return "revoked"
    return validity_status(row.valid_until, on or today())


def renewed(row: BadgeCredential) -> bool:
    return bool(db.session.scalar(select(exists().where(BadgeCredential.renewal_of_id == row.id))))


def renew(row: BadgeCredential, by: User) -> BadgeCredential:
    """Recertification: a new credential for the same track, valid from now for the track's
    validity; the old one stays as it was (and verifies as expired once its day passes)."""
    if row.revoked:
        raise BadgeError("revoked")
    if renewed(row):
        raise BadgeError("renewed")
    if status(row) == "valid":
        raise BadgeError("not due")
    track, learner = row.track, row.user
    if track is None or not learner.active:
        raise BadgeError("gone")
    now = utcnow()
    years = track.credential_validity_years
    until = add_years(local_date(now), years) if years else None
    new = issue(learner, track, name=track.credential_name or row.name, valid_from=now,
                valid_until=until, credential_id=row.credential_id, renewal_of=row,
                issued_by=by)
    audit("openbadges.renew", actor=by, subject=learner, object_type="openbadges_credential",
          object_id=new.uuid, detail={"renews": row.uuid})
    return new


def revoke(row: BadgeCredential, by: User | None, reason: str) -> None:
    """Revoke: the status list bit is set from now on. The reason is kept for the audit
    trail and never published."""
    if row.revoked:
        raise BadgeError("revoked")
    reason = (reason or "").strip()
    if by is not None and not reason:
        raise BadgeError("reason")
    row.revoked_at = utcnow()
    row.revoked_by_id = by.id if by is not None else None
    row.revocation_reason = reason[:2000]
    audit("openbadges.revoke", actor=by, subject=row.user, object_type="openbadges_credential",
          object_id=row.uuid)


def holder_display(row: BadgeCredential) -> str:
    """The holder's name as they chose to show it: in full, or as initials."""
    name = row.user.name or ""
    if row.holder_name == "initials":
        return " ".join(f"{part[0]}." for part in name.split() if part)
    return name


def due_for_renewal(user: User) -> list[BadgeCredential]:
    """The person's credentials that expire within 90 days or have expired, neither revoked
    nor renewed, newest first. One query."""
    from sqlalchemy.orm import aliased, joinedload

    from lms.tracking.dates import EXPIRING_DAYS

    newer = aliased(BadgeCredential)
    return list(db.session.scalars(
        select(BadgeCredential)
        .where(BadgeCredential.user_id == user.id, BadgeCredential.revoked_at.is_(None),
               BadgeCredential.valid_until.is_not(None),
               BadgeCredential.valid_until <= today() + timedelta(days=EXPIRING_DAYS),
               ~exists().where(newer.renewal_of_id == BadgeCredential.id))
        .options(joinedload(BadgeCredential.track))
        .order_by(BadgeCredential.valid_until)))
