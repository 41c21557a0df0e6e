"""Issued credentials checked by code that did not sign them: openbadgeslib's OB 3.0 verifier
(PyJWT) with the keys it resolves from the published did:web document and the status list it
fetches; joserfc against the DID document; the 1EdTech JSON schema (jsonschema); a JSON-LD
processor (pyld) for the extensions."""
from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources
from pathlib import Path

import pytest
from openbadgeslib.ob3.contexts import load_context
from openbadgeslib.ob3.status import decode_encoded_list
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

from leerpad_plugins.openbadges.testing import BASE_URL, fetcher, login

DID = "did:web:leerpad.example.org"
SCHEMA = Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json"
SCHEMA_SHA256 = "b7358e895f492e74055dc6bfc7ffc420d0e497f90c4579fb83d9519b86d393ea"


def vc_jwt(client, uuid: str) -> str:
    """The holder's download of the bare VC-JWT (the client is logged in as the holder)."""
    response = client.get(f"/plugins/openbadges/download?credential={uuid}&format=jwt")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def verify(client, token: str):
    """openbadgeslib: resolve the issuer's did:web, check signature, dates and status."""
    download = fetcher(client)
    verifier = OB3Verifier.for_issuer_did(DID, download=download)
    return verifier.verify(token, check_status=True, download=download)


def payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_an_issued_credential_verifies_independently(app, client, world, issued):
    """The credential signed on completing the track verifies with openbadgeslib, against the
    key in the published did.json and the hosted status list, and says what it should."""
    login(client, "learner")
    credential = verify(client, vc_jwt(client, issued))
    assert credential.issuer.id == DID
    assert credential.issuer.name == "Regio Testland"  # the learner's region
    assert credential.achievement.name == "Basistraining begeleider afgerond"
    assert credential.achievement.id == f"{BASE_URL}/openbadges/achievements/begeleider"
    assert {(a.target_framework, a.target_code) for a in credential.achievement.alignments} == {
        ("Testkader leraren", "pedagogisch"), ("Testkader leraren", "vakdidactisch")}
    assert credential.expiration_date is not None  # validity_years: 4
    body = credential.raw
    assert body["id"] == f"urn:uuid:{issued}"
    achievement = body["credentialSubject"]["achievement"]
    assert achievement["extensions:StudyLoadExtension"]["StudyLoad"] == 24
    assert achievement["extensions:EQFExtension"]["EQF"] == 6
    assert achievement["extensions:NLQFExtension"]["NLQF"] == 6
    assert achievement["inLanguage"] == "nl"
    assert "begeleiden in de praktijk" in achievement["criteria"]["narrative"].lower()
    identities = {i["identityType"]: i for i in body["credentialSubject"]["identifier"]}
    salted = identities["emailAddress"]
    assert salted["identityHash"] == "sha256$" + hashlib.sha256(
        ("learner@example.org" + salted["salt"]).encode()).hexdigest()
    assert identities["name"]["identityHash"] == "Learner"


def test_alignment_and_achievement_addresses_answer(client, issued):
    """The IRIs a credential points at are served by the platform, without logging in."""
    login(client, "learner")
    achievement = payload(vc_jwt(client, issued))["credentialSubject"]["achievement"]
    client.post("/uitloggen")
    page = client.get(achievement["alignment"][0]["targetUrl"][len(BASE_URL):].split("#")[0])
    assert page.status_code == 200
    assert 'id="testkader:pedagogisch"' in page.get_data(as_text=True)
    assert client.get(achievement["id"][len(BASE_URL):]).json["name"] == achievement["name"]
    image = client.get(achievement["image"]["id"][len(BASE_URL):])
    assert image.status_code == 200 and image.get_data().startswith(b"\x89PNG")


def test_the_did_document_keys_verify_with_joserfc(client, issued):
    """The published key (fetched as a verifier would) checks the signature with joserfc."""
    from joserfc import jwt
    from joserfc.jwk import OKPKey

    login(client, "learner")
    token = vc_jwt(client, issued)
    document = client.get("/.well-known/did.json").json
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    method = next(m for m in document["verificationMethod"] if m["id"] == header["kid"])
    assert method["controller"] == DID and header["kid"] in document["assertionMethod"]
    assert "d" not in method["publicKeyJwk"]  # no private key published
    key = OKPKey.import_key(method["publicKeyJwk"])
    from leerpad_plugins.openbadges.signing import REGISTRY

    assert jwt.decode(token, key, algorithms=["EdDSA"], registry=REGISTRY).claims["iss"] == DID


def test_the_credential_conforms_to_the_ob3_json_schema(client, issued):
    """The credential validates against 1EdTech's OB 3.0 AchievementCredential schema."""
    from jsonschema import Draft201909Validator

    raw = SCHEMA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256  # the vendored file, unchanged
    validator = Draft201909Validator(json.loads(raw))
    login(client, "learner")
    body = payload(vc_jwt(client, issued))
    errors = sorted(validator.iter_errors(body), key=str)
    assert errors == [], [e.message for e in errors]
    broken = {**body, "credentialSubject": {**body["credentialSubject"], "type": ["Thing"]}}
    assert list(validator.iter_errors(broken))  # the schema does check what we send


def test_the_extensions_are_json_ld(client, issued):
    """pyld expands the credential with the OB 3.0 contexts (bundled by openbadgeslib, never
    fetched): study load and levels keep their extension IRIs."""
    from pyld import jsonld

    def loader(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}

    login(client, "learner")
    body = payload(vc_jwt(client, issued))
    for claim in ("iss", "jti", "nbf", "iat", "exp"):
        body.pop(claim)
    expanded = json.dumps(jsonld.expand(body, {"documentLoader": loader}))
    for term in ("StudyLoadExtension", "StudyLoad", "EQF", "NLQF"):
        assert f"https://w3id.org/openbadges/extensions#{term}" in expanded
    assert "issuer-dependent#" not in expanded  # every term we use is defined


def test_a_tampered_credential_fails(client, issued):
    """Changing one claim breaks the signature."""
    login(client, "learner")
    token = vc_jwt(client, issued)
    header, body, signature = token.split(".")
    claims = payload(token)
    claims["credentialSubject"]["achievement"]["name"] = "Schoolleider"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(OB3VerificationError, match="[Ss]ignature"):
        verify(client, f"{header}.{forged}.{signature}")


def test_a_revoked_credential_reports_revoked(app, client, world, issued):
    """The schoolopleider revokes with a reason; the status list bit is set, verifiers say
    revoked, the public page too, and the reason is published nowhere."""
    login(client, "learner")
    token = vc_jwt(client, issued)
    verify(client, token)
    login(client, "schoolopleider")
    response = client.post("/plugins/openbadges/intrekken",
                           data={"credential": issued, "reason": "Fraude met de opdracht"})
    assert response.status_code == 302
    with pytest.raises(OB3VerificationError, match="revocation"):
        verify(client, token)
    status = payload(client.get("/openbadges/status/revocation").get_data(as_text=True))
    index = int(payload(token)["credentialStatus"]["statusListIndex"])
    bits = decode_encoded_list(status["credentialSubject"]["encodedList"])
    assert bits[index // 8] & (0x80 >> (index % 8))
    assert len(bits) * 8 >= 131072
    with app.app_context():
        from lms.extensions import db
        from lms.models import AuditEvent
        from sqlalchemy import select

        audited = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "openbadges.revoke"))
        assert audited.actor_id == world.users["schoolopleider"]
        assert audited.subject_id == world.users["learner"]
    login(client, "learner")
    client.post("/plugins/openbadges/openbaar", data={"credential": issued, "public": "1"})
    client.post("/uitloggen")
    page = client.get(f"/bewijzen/{issued}").get_data(as_text=True)
    assert "Ingetrokken" in page  # an anonymous visitor sees Dutch (the default)
    assert "Fraude" not in page


def test_an_expired_credential_reports_expired(app, client, world, track):
    """Earned five years ago with four years' validity: verifiers say expired."""
    uuid = _earned_years_ago(app, world, track, days=5 * 366)
    login(client, "learner")
    token = vc_jwt(client, uuid)
    with pytest.raises(OB3VerificationError, match="expired"):
        verify(client, token)


def _earned_years_ago(app, world, track, days: int) -> str:
    """The learner completed the track ``days`` ago; the uuid of the signed credential."""
    from datetime import timedelta

    from sqlalchemy import select

    from lms.extensions import db
    from lms.models import Lesson, Track, User
    from lms.models.base import utcnow
    from lms.tracking import record_progress
    from lms.tracking.tracks import enrol

    from leerpad_plugins.openbadges.models import BadgeCredential

    at = utcnow() - timedelta(days=days)
    with app.test_request_context(base_url=BASE_URL):
        user = db.session.get(User, world.users["learner"])
        enrol(user, track=db.session.get(Track, track), at=at)
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "start"))
        record_progress(user, lesson, "completed", timestamp=at)
        return db.session.scalar(select(BadgeCredential.uuid)
                                 .where(BadgeCredential.user_id == user.id))
