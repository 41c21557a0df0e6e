"""Revocation as a W3C Bitstring Status List, hosted by the platform.

Every credential holds a random position (``status_index``) in one list; the bit is set
when it is revoked. The list credential (``BitstringStatusListCredential``) is built and
signed when asked for, from the rows, so it is never stale and a GET writes nothing. It is
valid for a day, so a replayed old copy cannot hide a later revocation. The list starts at
the minimum size of 131,072 positions (16 KB) and grows by that much when half full, so
positions stay hard to guess.
"""
from __future__ import annotations

import base64
import gzip
import secrets
from datetime import timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.models.base import utcnow

from .did import base_url, issuer_did
from .models import BadgeCredential
from .signing import sign

LIST_BITS = 131_072
VALID_FOR = timedelta(days=1)


def list_url() -> str:
    return f"{base_url()}/openbadges/status/revocation"


def list_bits(used: int) -> int:
    """The list's length for ``used`` positions: at most half of it taken."""
    return LIST_BITS * (1 + (2 * used) // LIST_BITS)


def new_index() -> int:
    """A random free position (the row's unique key settles a race)."""
    used = set(db.session.scalars(select(BadgeCredential.status_index)))
    size = list_bits(len(used) + 1)
    while True:
        index = secrets.randbelow(size)
        if index not in used:
            return index


def status_entry(index: int) -> dict:
    """The ``credentialStatus`` of the credential at ``index``."""
    url = list_url()
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(index),
            "statusListCredential": url}


def encoded_list(revoked: list[int], bits: int) -> str:
    """Multibase base64url (``u``) of the GZIP-compressed bitstring, first bit = index 0."""
    raw = bytearray(bits // 8)
    for index in revoked:
        raw[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(raw), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def status_list_credential() -> str:
    """The signed status list (a VC-JWT). One query."""
    total, highest, revoked = 0, 0, []
    for index, revoked_at in db.session.execute(
            select(BadgeCredential.status_index, BadgeCredential.revoked_at)):
        total, highest = total + 1, max(highest, index)
        if revoked_at is not None:
            revoked.append(index)
    bits = max(list_bits(total), (highest // LIST_BITS + 1) * LIST_BITS)
    now = utcnow().replace(microsecond=0)
    until = now + VALID_FOR
    url, did = list_url(), issuer_did()
    claims = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "validUntil": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation",
                              "encodedList": encoded_list(revoked, bits)},
        "iss": did, "jti": url, "nbf": int(now.timestamp()), "iat": int(now.timestamp()),
        "exp": int(until.timestamp()),
    }
    return sign(claims)
