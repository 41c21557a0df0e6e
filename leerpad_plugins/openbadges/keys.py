"""The platform's signing keys: Ed25519, created once and kept in a folder.

Each key is one JSON file (a private JWK plus its creation time) in ``OPENBADGES_KEYS_DIR``,
default ``<instance>/openbadges-keys``. The newest key signs (or the one named by
``OPENBADGES_SIGNING_KEY``); every key in the folder stays published in the DID document, so
credentials signed with an older key keep verifying after a rotation (``lms openbadges
rotate-key``). Keys are generated and used through joserfc; nothing here does cryptography
by hand.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from joserfc.jwk import OKPKey

from lms.models.base import utcnow

SUFFIX = ".jwk.json"


@dataclass(frozen=True)
class SigningKey:
    """One key: ``fragment`` names it in the DID document (``did:web:…#<fragment>``)."""

    fragment: str
    created: str
    key: OKPKey

    def public_jwk(self) -> dict:
        return dict(self.key.as_dict(private=False))


def keys_dir() -> Path:
    configured = current_app.config.get("OPENBADGES_KEYS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "openbadges-keys"


def _read(path: Path) -> SigningKey:
    data = json.loads(path.read_text(encoding="utf-8"))
    key = OKPKey.import_key(data["jwk"])
    return SigningKey(fragment=path.name[:-len(SUFFIX)], created=data["created"], key=key)


def all_keys() -> list[SigningKey]:
    """Every key in the folder, the signing key first, then newest to oldest."""
    folder = keys_dir()
    if not folder.is_dir():
        return []
    found = sorted((_read(path) for path in folder.glob(f"*{SUFFIX}")),
                   key=lambda k: (k.created, k.fragment), reverse=True)
    wanted = current_app.config.get("OPENBADGES_SIGNING_KEY")
    if wanted:
        chosen = [k for k in found if k.fragment == wanted]
        if not chosen:
            raise RuntimeError(f"OPENBADGES_SIGNING_KEY {wanted!r} is not in {folder}")
        found = chosen + [k for k in found if k.fragment != wanted]
    return found


def create_key() -> SigningKey:
    """A new Ed25519 key in the folder (readable by the owner only); it signs from now on."""
    folder = keys_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = OKPKey.generate_key("Ed25519")
    fragment = key.thumbprint()
    created = utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    path = folder / f"{fragment}{SUFFIX}"
    data = json.dumps({"created": created, "jwk": key.as_dict(private=True)})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(data)
    return SigningKey(fragment=fragment, created=created, key=key)


def signing_key() -> SigningKey:
    """The key that signs now; the first one is created on first use."""
    found = all_keys()
    if found:
        return found[0]
    create_key()
    # Another worker may have created one at the same moment: sign with whichever is newest.
    return all_keys()[0]
