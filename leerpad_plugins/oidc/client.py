"""Talking to the providers, with Authlib's Flask client.

Authlib does the protocol: discovery (``server_metadata_url``), the authorization code flow
with PKCE (S256), ``state`` and ``nonce`` kept in the session, the code exchange, and the ID
token's validation (its signature against the provider's JWKS, fetched again when the key id is
new; ``iss``, ``aud``, ``exp``/``iat`` and the ``nonce``). On top of that this module checks
what Authlib leaves to the application: that the discovery document is the configured issuer's,
that ``aud`` holds our client id, the RFC 9207 ``iss`` response parameter, and that the
userinfo answer is about the same ``sub``.

One Authlib registry per app; the providers' metadata is cached in it for ``METADATA_MAX_AGE``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, current_app, session
from joserfc.errors import JoseError

from .config import Provider, providers

HTTP_TIMEOUT = 10  # seconds for every request to a provider
METADATA_MAX_AGE = 3600  # seconds before the discovery document is read again
LEEWAY = 60  # seconds of clock difference allowed on exp/iat
FLOWS_KEY = "oidc_flows"  # session: the flows started in this browser, by state
MAX_FLOWS = 5  # flows kept per browser (several tabs); the oldest is dropped
FLOW_MAX_AGE = 900  # seconds a started login may take at the provider


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense (its discovery, JWKS or token
    endpoint); ``reason`` is for the audit log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LoginRejected(Exception):
    """The provider's answer is not a valid login: an error it sent back, a state that does not
    match, an ID token that fails validation. ``reason`` is a short key for the audit log."""

    def __init__(self, reason: str, cancelled: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.cancelled = cancelled


@dataclass(frozen=True)
class Flow:
    """A login started in this browser: with which provider, for what, and where to go next."""

    state: str
    provider: str
    intent: str  # "login" or "link"
    next: str | None = None
    invitation: str | None = None
    user_id: int | None = None  # who is linking (intent "link")


@dataclass(frozen=True)
class Login:
    """A validated login: the provider's issuer and the person's claims (ID token first,
    userinfo filling in what it lacks)."""

    provider: Provider
    issuer: str
    claims: dict[str, Any]
    id_token: str

    @property
    def subject(self) -> str:
        return self.claims["sub"]


def _registry(app: Flask) -> OAuth:
    oauth = app.extensions.get("oidc.oauth")
    if oauth is None:
        oauth = OAuth(app)
        for provider in providers(app).values():
            oauth.register(
                provider.name, client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=provider.discovery_url,
                client_kwargs={"scope": " ".join(provider.scopes),
                               "code_challenge_method": "S256",
                               "token_endpoint_auth_method": "client_secret_basic",
                               "default_timeout": HTTP_TIMEOUT})
        app.extensions["oidc.oauth"] = oauth
    return oauth


def _client(provider: Provider):
    return _registry(current_app).create_client(provider.name)


def metadata(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document (cached); ProviderUnavailable when it cannot be read
    or names another issuer than the configured one."""
    client = _client(provider)
    loaded = client.server_metadata.get("_loaded_at")
    if loaded is not None and time.time() - loaded > METADATA_MAX_AGE:
        client.server_metadata.clear()  # also drops the cached JWKS
    try:
        found = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        client.server_metadata.clear()
        raise ProviderUnavailable(f"discovery: {type(exc).__name__}") from exc
    issuer = found.get("issuer")
    if not isinstance(issuer, str) or issuer.rstrip("/") != provider.issuer.rstrip("/"):
        client.server_metadata.clear()
        raise ProviderUnavailable("discovery: issuer does not match the configuration")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(found.get(endpoint), str):
            client.server_metadata.clear()
            raise ProviderUnavailable(f"discovery: no {endpoint}")
    return found


def start(provider: Provider, redirect_uri: str, *, intent: str, next: str | None = None,
          invitation: str | None = None, user_id: int | None = None,
          locale: str | None = None) -> str:
    """Begin the authorization code flow: remember state, nonce and PKCE verifier (Authlib)
    and the flow (here) in the session; returns the provider's authorization URL."""
    metadata(provider)
    client = _client(provider)
    extra = {"ui_locales": locale} if locale else {}
    found = client.create_authorization_url(redirect_uri, **extra)
    client.save_authorize_data(redirect_uri=redirect_uri, **found)
    flows = {state: data for state, data in session.get(FLOWS_KEY, {}).items()
             if isinstance(data, dict) and time.time() - data.get("at", 0) < FLOW_MAX_AGE}
    flows[found["state"]] = {"provider": provider.name, "intent": intent, "next": next,
                             "invitation": invitation, "user_id": user_id, "at": time.time()}
    session[FLOWS_KEY] = dict(sorted(flows.items(), key=lambda kv: kv[1]["at"])[-MAX_FLOWS:])
    return found["url"]


def pending_flow(state: str | None) -> Flow | None:
    """Take the flow this callback's ``state`` belongs to out of the session (once)."""
    flows = dict(session.get(FLOWS_KEY, {}))
    data = flows.pop(state, None) if isinstance(state, str) else None
    session[FLOWS_KEY] = flows
    if not isinstance(data, dict) or time.time() - data.get("at", 0) >= FLOW_MAX_AGE:
        return None
    return Flow(state, data.get("provider"), data.get("intent"), data.get("next"),
                data.get("invitation"), data.get("user_id"))


def finish(provider: Provider, args: dict[str, str]) -> Login:
    """Exchange the code and validate the ID token (Authlib); LoginRejected or
    ProviderUnavailable when that fails."""
    if args.get("error"):
        raise LoginRejected(f"provider error: {args['error'][:60]}",
                            cancelled=args["error"] in {"access_denied", "login_required",
                                                        "consent_required"})
    found = metadata(provider)
    issuer = found["issuer"]
    # RFC 9207: a provider that names itself in the response must be the one we asked.
    if args.get("iss") is not None and args["iss"] != issuer:
        raise LoginRejected("iss parameter names another provider")
    client = _client(provider)
    options = {"iss": {"essential": True, "value": issuer},
               "aud": {"essential": True, "values": [provider.client_id]},
               "sub": {"essential": True}}
    try:
        token = client.authorize_access_token(claims_options=options, leeway=LEEWAY)
    except OAuthError as exc:
        raise LoginRejected(f"token: {exc.error or type(exc).__name__}"[:80]) from exc
    except JoseError as exc:
        raise LoginRejected(f"id_token: {exc.error}"[:80]) from exc
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise ProviderUnavailable(f"token: {type(exc).__name__}") from exc
    claims = token.get("userinfo")
    if not claims or not isinstance(token.get("id_token"), str):
        raise LoginRejected("no id_token")
    claims = dict(claims)
    sub = claims.get("sub")
    if (not isinstance(sub, str) or not sub or len(sub) > 255
            or any(ord(c) < 32 or ord(c) == 127 for c in sub)):
        raise LoginRejected("id_token: sub")
    if provider.userinfo and found.get("userinfo_endpoint"):
        try:
            extra = dict(client.userinfo(token=token))
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"userinfo: {type(exc).__name__}") from exc
        if extra.get("sub") != claims["sub"]:
            raise LoginRejected("userinfo: sub differs from the id_token")
        claims = {**extra, **claims}  # what the signed ID token says wins
    return Login(provider, issuer, claims, token["id_token"])


def end_session_url(provider: Provider, id_token: str | None, after: str) -> str | None:
    """The provider's RP-initiated logout URL (its ``end_session_endpoint``), or None when it
    has none or cannot be reached now."""
    try:
        found = metadata(provider)
    except ProviderUnavailable:
        return None
    if not isinstance(found.get("end_session_endpoint"), str):
        return None
    return _client(provider).create_logout_url(
        post_logout_redirect_uri=after, id_token_hint=id_token,
        client_id=provider.client_id)["url"]
