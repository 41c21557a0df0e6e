"""A real OpenID Connect provider for the tests, built on Authlib's authorization server.

A small Flask app with its own RSA signing key: a discovery document, a JWKS endpoint, an
authorize endpoint that logs in the configured test person (no login form: the test says who
is logged in at the provider), a token endpoint (authorization code grant, client secret,
PKCE required, ID token through Authlib's ``OpenIDCode``), a userinfo endpoint and an
RP-initiated logout endpoint. Served by werkzeug on a free loopback port in a thread.

The test decides what the provider does next:

- ``provider.person = {...}``: the claims of who logs in at the provider (``sub``, ``email``,
  ``email_verified``, ``schac_home_organization``, ``eduperson_affiliation``...), or None to
  refuse (``access_denied``);
- ``provider.tamper = "signature" | "expired" | "nonce" | "audience" | "issuer" | "foreign_key"``:
  the next ID tokens are broken that way (None: valid).
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, jsonify, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

ALG = "RS256"
STANDARD = {"email": ("email", "email_verified"),
            "profile": ("name", "given_name", "family_name", "locale")}


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)

    @property
    def client_metadata(self) -> dict:
        return {"post_logout_redirect_uris": self.post_logout_redirect_uris}

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret or "", self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint != "token" or method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Person:
    """Who is logged in at the provider."""

    claims: dict[str, Any]

    def get_user_id(self):
        return self.claims["sub"]


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TestProvider:
    """The provider; ``with TestProvider() as provider:`` serves it, ``provider.issuer`` is
    its URL. ``host`` is the name in its URLs (``localhost``: another site than the app on
    127.0.0.1, as a real provider is)."""

    __test__ = False  # not a test class

    def __init__(self, host: str = "localhost"):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig",
                                                         "alg": ALG}, private=True)
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"},
                                               private=True)
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, tuple[Person, str]] = {}  # access token → (person, scope)
        self.person: dict[str, Any] | None = None
        self.tamper: str | None = None
        self.ended_sessions: list[dict] = []  # id_token_hint claims of each logout
        self.requests: list[str] = []  # paths asked, in order
        self._lock = threading.Lock()
        self.app = self._make_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- control -----------------------------------------------------------------------------

    def register_client(self, client_id: str, client_secret: str, redirect_uri: str,
                        post_logout_redirect_uri: str | None = None) -> Client:
        client = Client(client_id, client_secret, [redirect_uri],
                        [post_logout_redirect_uri] if post_logout_redirect_uri else [])
        self.clients[client_id] = client
        return client

    def reset(self) -> None:
        """Forget codes, tokens, the person and any tampering (between tests)."""
        with self._lock:
            self.codes.clear()
            self.tokens.clear()
            self.ended_sessions.clear()
            self.requests.clear()
        self.person = None
        self.tamper = None

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def jwks(self) -> dict:
        return KeySet([self.key]).as_dict(private=False)

    # --- ID tokens -------------------------------------------------------------------------------

    def _tampered(self, id_token: str) -> str:
        """The ID token broken the way ``self.tamper`` says (re-signed unless the signature is
        what is broken)."""
        if not self.tamper:
            return id_token
        header_part, payload_part, signature = id_token.split(".")
        header = json.loads(_unb64(header_part))
        claims = json.loads(_unb64(payload_part))
        if self.tamper == "signature":  # another sub, the original signature
            claims["sub"] = "someone-else"
            return ".".join([header_part, _b64(json.dumps(claims).encode()), signature])
        key = self.key
        if self.tamper == "expired":
            claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
        elif self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-that-was-sent"
        elif self.tamper == "audience":
            claims["aud"] = ["another-client"]
            claims.pop("azp", None)
        elif self.tamper == "issuer":
            claims["iss"] = "https://impostor.example"
        elif self.tamper == "foreign_key":
            key = self.foreign_key
        else:
            raise ValueError(f"unknown tamper {self.tamper!r}")
        return jwt.encode(header, claims, key, algorithms=[ALG])

    # --- the Flask app ----------------------------------------------------------------------------

    def _make_app(self) -> Flask:
        provider = self
        app = Flask("test_oidc_provider")
        # Same host as the app under test in some tests: never touch its cookie.
        app.config["SESSION_COOKIE_NAME"] = "provider_session"
        server = AuthorizationServer(
            app, query_client=lambda client_id: provider.clients.get(client_id),
            save_token=self._save_token)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                with provider._lock:
                    provider.codes[code] = Code(
                        code=code, client_id=req.client.get_client_id(),
                        redirect_uri=req.payload.redirect_uri, scope=req.payload.scope,
                        person=req.user, nonce=req.payload.data.get("nonce"),
                        code_challenge=req.payload.data.get("code_challenge"),
                        code_challenge_method=req.payload.data.get("code_challenge_method"))

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                if found and found.client_id == client.get_client_id():
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                with provider._lock:
                    provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce, req):
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return ALG

            def get_encode_header(self, client):
                return {"alg": ALG, "kid": provider.key.kid}

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.get_client_id()]}

            def generate_user_info(self, user, scope):
                return provider._claims(user, scope)

            def encode_id_token(self, token, req):
                return provider._tampered(super().encode_id_token(token, req))

        class Logout(EndSessionEndpoint):
            def get_server_jwks(self):
                return provider.jwks()

            def end_session(self, end_session_request):
                provider.ended_sessions.append(end_session_request.id_token_claims or {})

        server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])
        server.register_endpoint(Logout)

        @app.before_request
        def note():
            provider.requests.append(request.path)

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = provider.issuer
            return jsonify({
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/userinfo",
                "jwks_uri": f"{base}/jwks",
                "end_session_endpoint": f"{base}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [ALG],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                          "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "email", "email_verified", "name",
                                     "schac_home_organization", "eduperson_affiliation"],
            })

        @app.get("/jwks")
        def jwks():
            return jsonify(provider.jwks())

        @app.get("/authorize")
        def authorize():
            person = Person(dict(provider.person)) if provider.person else None
            try:
                grant = server.get_consent_grant(end_user=person)
            except OAuth2Error as error:
                return jsonify(dict(error.get_body())), 400  # e.g. an unknown redirect_uri
            return server.create_authorization_response(grant_user=person, grant=grant)

        @app.post("/token")
        def token():
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            header = request.headers.get("Authorization", "")
            found = provider.tokens.get(header.removeprefix("Bearer ").strip())
            if not header.startswith("Bearer ") or found is None:
                return jsonify({"error": "invalid_token"}), 401
            person, scope = found
            return jsonify(provider._claims(person, scope))

        @app.route("/logout", methods=["GET", "POST"])
        def logout():
            try:
                ended = server.validate_endpoint_request("end_session")
            except OAuth2Error as error:
                return jsonify(dict(error.get_body())), 400
            return server.create_endpoint_response("end_session", ended) or (
                "<!doctype html><title>Uitgelogd</title><h1>Logged out at the provider</h1>")

        return app

    def _save_token(self, token, req):
        with self._lock:
            self.tokens[token["access_token"]] = (req.user, token.get("scope", ""))

    @staticmethod
    def _claims(person: Person, scope: str) -> UserInfo:
        """sub always; standard claims by scope; anything else the person has (as SURFconext
        releases attributes by its attribute release policy, not by scope)."""
        scopes = set((scope or "").split())
        standard = {claim for names in STANDARD.values() for claim in names}
        allowed = {claim for s, names in STANDARD.items() if s in scopes for claim in names}
        return UserInfo({k: v for k, v in person.claims.items()
                         if k == "sub" or k in allowed or k not in standard})
