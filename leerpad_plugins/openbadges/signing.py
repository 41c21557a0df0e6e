"""Signing with joserfc: compact JWS (VC-JWT) with the platform's Ed25519 key.

The JOSE header names the algorithm ``EdDSA`` and the key (``kid`` = the DID verification
method). RFC 9864 deprecates the name ``EdDSA`` in favour of ``Ed25519`` and joserfc warns
about it, but Open Badges 3.0 verifiers (openbadgeslib, PyJWT, wallets) accept only
``EdDSA`` for Ed25519 keys today: this registry allows that one algorithm, without the
warning. The signature itself is joserfc's.
"""
from __future__ import annotations

from joserfc import jwt
from joserfc.jws import JWSRegistry

from .did import verification_method
from .keys import SigningKey, signing_key

ALGORITHM = "EdDSA"


class _EdDSA(type(JWSRegistry.algorithms[ALGORITHM])):  # joserfc's EdDSA
    security_warning = None  # deliberately chosen: see the module docstring


class _Registry(JWSRegistry):
    algorithms = {**JWSRegistry.algorithms, ALGORITHM: _EdDSA()}


REGISTRY = _Registry(algorithms=[ALGORITHM])


def sign(claims: dict, key: SigningKey | None = None) -> str:
    """``claims`` as a compact JWT signed by the signing key."""
    key = key or signing_key()
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": verification_method(key.fragment)}
    return jwt.encode(header, claims, key.key, algorithms=[ALGORITHM], registry=REGISTRY)
