"""The issuer's identifier: ``did:web`` of the platform's own address.

``did:web:<host>`` resolves to ``https://<host>/.well-known/did.json`` (a platform served
under a path, ``https://<host>/leerpad``, is ``did:web:<host>:leerpad`` with its document at
``/leerpad/did.json``). The address is ``BASE_URL``, else the current request's host; set
``BASE_URL`` in production, since every credential names its issuer for good.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request

from .keys import all_keys, signing_key

FALLBACK_BASE_URL = "http://localhost:5000"


def base_url() -> str:
    """The platform's public address, without a trailing slash."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return FALLBACK_BASE_URL


def issuer_did(base: str | None = None) -> str:
    """``did:web`` of ``base`` (default: the platform's address); the port is %-encoded."""
    parts = urlsplit(base or base_url())
    host = parts.hostname or "localhost"
    if parts.port:
        host = f"{host}:{parts.port}"
    segments = [quote(host, safe="")] + [quote(s, safe="") for s in parts.path.split("/") if s]
    return "did:web:" + ":".join(segments)


def verification_method(fragment: str, did: str | None = None) -> str:
    return f"{did or issuer_did()}#{fragment}"


def did_document() -> dict:
    """The DID document: every key ever used, the signing key first (a JWT without ``kid``
    and the status list are checked against the first one)."""
    signing_key()  # so a new platform publishes a key before it has signed anything
    did = issuer_did()
    methods = [{"id": verification_method(k.fragment, did), "type": "JsonWebKey2020",
                "controller": did, "publicKeyJwk": k.public_jwk()} for k in all_keys()]
    return {
        "@context": ["https://www.w3.org/ns/did/v1",
                     "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
