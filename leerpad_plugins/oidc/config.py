"""The OpenID Connect providers an administrator configured (``OIDC_PROVIDERS``).

``OIDC_PROVIDERS`` is a JSON list (``LMS_OIDC_PROVIDERS`` in the environment, or a Python
list in the instance ``config.py``); each entry names one provider::

    {"name": "surfconext", "title": "SURFconext",
     "button": {"nl": "Inloggen met je instellingsaccount", "en": "Log in with your institution account"},
     "issuer": "https://connect.surfconext.nl", "client_id": "...", "client_secret": "...",
     "scopes": ["openid", "email", "profile"], "trust_email": false, "userinfo": true,
     "jit": {"organisation_claim": "schac_home_organization",
             "organisations": {"noorderlicht.nl": 4},
             "role_claim": "eduperson_affiliation",
             "roles": {"employee": ["learner"], "student": ["learner"]}}}

A mistake stops start-up with one line naming the provider and the field. Secrets are never
shown: ``lms plugins --settings`` hides the setting and the admin page leaves them out.
"""
from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Flask

from lms.models.accounts import ROLES

SETTING = "OIDC_PROVIDERS"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
DEFAULT_SCOPES = ("openid", "email", "profile")
# eduPerson affiliations that make someone a learner when the admin maps no roles themselves.
DEFAULT_ROLES = {"employee": ("learner",), "staff": ("learner",), "faculty": ("learner",),
                 "student": ("learner",)}
# Claims never make an administrator: that stays a decision made inside Leerpad.
NEVER_FROM_CLAIMS = {"admin"}


class ProviderConfigError(ValueError):
    """OIDC_PROVIDERS is not usable; the message names the provider and the field."""


@dataclass(frozen=True)
class JitRule:
    """Just-in-time accounts: which claim value means which organisation, which affiliation
    which roles there. Without ``role_claim`` everyone from a mapped organisation is a
    learner."""

    organisation_claim: str
    organisations: dict[str, int]
    role_claim: str | None = None
    roles: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_ROLES))


@dataclass(frozen=True)
class Provider:
    name: str
    title: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    button: dict[str, str] = field(default_factory=dict)
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    trust_email: bool = False
    userinfo: bool = True
    jit: JitRule | None = None

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def button_text(self, locale: str) -> str | None:
        """The configured button text in ``locale`` (Dutch, then any, when missing)."""
        return self.button.get(locale) or self.button.get("nl") or next(
            iter(self.button.values()), None)

    def public(self) -> dict:
        """What the admin page shows: everything but the secret."""
        return {"name": self.name, "title": self.title, "issuer": self.issuer,
                "client_id": self.client_id, "scopes": list(self.scopes),
                "trust_email": self.trust_email, "jit": self.jit}


def _problem(index: int, entry: object, message: str) -> ProviderConfigError:
    name = entry.get("name") if isinstance(entry, dict) else None
    who = f"provider {name!r}" if isinstance(name, str) else f"provider #{index + 1}"
    return ProviderConfigError(f"{SETTING}: {who}: {message}")


def _secure_enough(url: str) -> bool:
    """https, or http on this machine only (a provider started by tests or for development)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _strings(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) and v for v in value)


def _jit(index: int, entry: dict, raw: object) -> JitRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _problem(index, entry, "jit must be an object")
    unknown = set(raw) - {"organisation_claim", "organisations", "role_claim", "roles"}
    if unknown:
        raise _problem(index, entry, f"jit: unknown field(s) {', '.join(sorted(unknown))}")
    claim = raw.get("organisation_claim")
    if not isinstance(claim, str) or not claim:
        raise _problem(index, entry, "jit.organisation_claim must name a claim, "
                                     "e.g. schac_home_organization")
    organisations = raw.get("organisations")
    if (not isinstance(organisations, dict) or not organisations
            or not all(isinstance(k, str) and k and isinstance(v, int) and not isinstance(v, bool)
                       and v > 0 for k, v in organisations.items())):
        raise _problem(index, entry, "jit.organisations must map claim values to organisation "
                                     "ids, e.g. {\"noorderlicht.nl\": 4}")
    role_claim = raw.get("role_claim")
    if role_claim is not None and (not isinstance(role_claim, str) or not role_claim):
        raise _problem(index, entry, "jit.role_claim must name a claim or be left out")
    roles_raw = raw.get("roles")
    if roles_raw is None:
        roles = dict(DEFAULT_ROLES)
    else:
        if not isinstance(roles_raw, dict) or not roles_raw:
            raise _problem(index, entry, "jit.roles must map claim values to lists of roles")
        roles = {}
        for value, granted in roles_raw.items():
            if isinstance(granted, str):
                granted = [granted]
            if not _strings(granted) or not granted:
                raise _problem(index, entry, f"jit.roles[{value!r}] must be a list of roles")
            wrong = [r for r in granted if r not in ROLES]
            if wrong:
                raise _problem(index, entry, f"jit.roles[{value!r}]: unknown role(s) "
                                             f"{', '.join(wrong)} (known: {', '.join(ROLES)})")
            never = [r for r in granted if r in NEVER_FROM_CLAIMS]
            if never:
                raise _problem(index, entry, f"jit.roles[{value!r}]: {never[0]} is never "
                                             "granted from claims; give it inside Leerpad")
            roles[value] = tuple(dict.fromkeys(granted))
    return JitRule(claim, dict(organisations), role_claim, roles)


def parse_providers(raw: object) -> list[Provider]:
    """The providers in ``raw`` (a list, or its JSON text); ProviderConfigError when wrong."""
    if raw in (None, "", []):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ProviderConfigError(f"{SETTING} is not valid JSON: {exc}") from None
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        raise ProviderConfigError(f"{SETTING} must be a list of providers")
    providers: list[Provider] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise _problem(index, entry, "each provider must be an object")
        known = {"name", "title", "button", "issuer", "client_id", "client_secret", "scopes",
                 "trust_email", "userinfo", "jit"}
        unknown = set(entry) - known
        if unknown:
            raise _problem(index, entry, f"unknown field(s) {', '.join(sorted(unknown))}")
        for required in ("name", "title", "issuer", "client_id", "client_secret"):
            if not isinstance(entry.get(required), str) or not entry[required].strip():
                raise _problem(index, entry, f"{required} is required")
        name = entry["name"]
        if not NAME.match(name):
            raise _problem(index, entry, "name must be lowercase letters, digits, - or _ "
                                         "(at most 40), e.g. surfconext")
        if any(p.name == name for p in providers):
            raise _problem(index, entry, "name is used twice")
        if not _secure_enough(entry["issuer"]):
            raise _problem(index, entry, "issuer must be an https URL")
        button = entry.get("button") or {}
        if isinstance(button, str):
            button = {"nl": button}
        if not isinstance(button, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v for k, v in button.items()):
            raise _problem(index, entry, "button must be a text or {\"nl\": ..., \"en\": ...}")
        scopes = entry.get("scopes", list(DEFAULT_SCOPES))
        if isinstance(scopes, str):
            scopes = scopes.split()
        if not _strings(scopes) or "openid" not in scopes:
            raise _problem(index, entry, "scopes must be a list that includes openid")
        for flag in ("trust_email", "userinfo"):
            if not isinstance(entry.get(flag, False), bool):
                raise _problem(index, entry, f"{flag} must be true or false")
        providers.append(Provider(
            name=name, title=entry["title"].strip(), issuer=entry["issuer"].strip(),
            client_id=entry["client_id"].strip(), client_secret=entry["client_secret"],
            button=dict(button), scopes=tuple(dict.fromkeys(scopes)),
            trust_email=entry.get("trust_email", False), userinfo=entry.get("userinfo", True),
            jit=_jit(index, entry, entry.get("jit"))))
    return providers


def load(app: Flask) -> dict[str, Provider]:
    """Parse the app's providers once (at start-up) and keep them on the app."""
    providers = {p.name: p for p in parse_providers(app.config.get(SETTING))}
    app.extensions["oidc.providers"] = providers
    return providers


def providers(app: Flask) -> dict[str, Provider]:
    """The app's providers by name, in configured order."""
    found = app.extensions.get("oidc.providers")
    return found if found is not None else load(app)
