"""The holder's side and the supervisors': downloads, the public page, revoking, renewing,
the path section, key rotation, personal data and erasure."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier
from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEvent, Lesson, Track, User
from lms.models.base import utcnow

from leerpad_plugins.openbadges.models import BadgeCredential
from leerpad_plugins.openbadges.testing import BASE_URL, fetcher, login

DID = "did:web:leerpad.example.org"


def lms(app, *args: str) -> str:
    """Run ``lms <args>`` against ``app`` (the plugin's commands load with it); the output."""
    from flask.cli import ScriptInfo

    from lms.cli import LmsGroup

    result = app.test_cli_runner().invoke(LmsGroup(), list(args),
                                          obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result.output


def verify(client, token: str):
    download = fetcher(client)
    return OB3Verifier.for_issuer_did(DID, download=download).verify(
        token, check_status=True, download=download)


def earned(app, world, track, days_ago: int, who: str = "learner") -> str:
    """``who`` completed the track ``days_ago`` days ago; the uuid of the signed credential."""
    from lms.tracking import record_progress
    from lms.tracking.tracks import enrol

    at = utcnow() - timedelta(days=days_ago)
    with app.test_request_context(base_url=BASE_URL):
        user = db.session.get(User, world.users[who])
        enrol(user, track=db.session.get(Track, track), at=at)
        record_progress(user, db.session.scalar(select(Lesson).where(Lesson.slug == "start")),
                        "completed", timestamp=at)
        return db.session.scalar(select(BadgeCredential.uuid)
                                 .where(BadgeCredential.user_id == user.id))


def test_downloads_json_jwt_and_a_baked_png(client, issued):
    """The JSON file envelopes the VC-JWT (VC 2.0); the PNG carries it in its iTXt chunk
    ``openbadgecredential``, which openbadgeslib reads back and verifies."""
    login(client, "learner")
    token = client.get(f"/plugins/openbadges/download?credential={issued}&format=jwt").get_data(
        as_text=True)
    envelope = client.get(f"/plugins/openbadges/download?credential={issued}&format=json")
    assert envelope.headers["Content-Disposition"].startswith('attachment; filename="begeleider-')
    assert envelope.json == {"@context": ["https://www.w3.org/ns/credentials/v2"],
                             "id": f"data:application/vc+jwt,{token}",
                             "type": "EnvelopedVerifiableCredential"}
    png = client.get(f"/plugins/openbadges/download?credential={issued}&format=png")
    assert png.mimetype == "image/png"
    baked = OB3Verifier.extract_token_from_png(png.get_data())
    assert baked == token
    assert verify(client, baked).achievement.name == "Basistraining begeleider afgerond"


def test_only_the_holder_downloads(client, issued):
    for who in ("other_learner", "mentor", "schoolopleider", "admin"):
        login(client, who)
        response = client.get(f"/plugins/openbadges/download?credential={issued}&format=jwt")
        assert response.status_code in (403, 404), who
    client.post("/uitloggen")
    assert client.get(f"/plugins/openbadges/download?credential={issued}").status_code == 302


def test_the_public_page_is_the_holders_choice(client, issued):
    """Off by default (404); on with the full name or initials, without logging in; off
    again answers 404. Nobody else can switch it."""
    assert client.get(f"/bewijzen/{issued}").status_code == 404
    login(client, "other_learner")
    assert client.post("/plugins/openbadges/openbaar",
                       data={"credential": issued, "public": "1"}).status_code in (403, 404)
    login(client, "learner")
    client.post("/plugins/openbadges/openbaar", data={"credential": issued, "public": "1",
                                                    "holder_name": "full"})
    client.post("/uitloggen")
    page = client.get(f"/bewijzen/{issued}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Learner" in text and "Basistraining begeleider afgerond" in text
    assert "Regio Testland" in text and "Geldig" in text
    client.post("/taal", data={"lang": "en"})
    assert "Valid" in client.get(f"/bewijzen/{issued}").get_data(as_text=True)
    login(client, "learner")
    client.post("/plugins/openbadges/openbaar", data={"credential": issued, "public": "1",
                                                    "holder_name": "initials"})
    client.post("/uitloggen")
    text = client.get(f"/bewijzen/{issued}").get_data(as_text=True)
    assert "L." in text and ">Learner<" not in text
    login(client, "learner")
    client.post("/plugins/openbadges/openbaar", data={"credential": issued, "public": "0"})
    client.post("/uitloggen")
    assert client.get(f"/bewijzen/{issued}").status_code == 404
    assert client.get("/bewijzen/not-a-uuid").status_code == 404


def test_who_may_revoke(app, client, world, issued):
    """Not the holder, their mentor or another school's schoolopleider; a reason is needed;
    an admin may."""
    for who in ("learner", "mentor", "other_schoolopleider", "coordinator"):
        login(client, who)
        response = client.post("/plugins/openbadges/intrekken",
                               data={"credential": issued, "reason": "x"})
        assert response.status_code in (403, 404), who
        assert client.get(f"/plugins/openbadges/beheer?credential={issued}").status_code in (
            403, 404), who
    login(client, "admin")
    assert client.get("/plugins/openbadges/beheer").status_code == 200
    client.post("/plugins/openbadges/intrekken", data={"credential": issued, "reason": " "})
    with app.app_context():
        row = db.session.scalar(select(BadgeCredential).where(BadgeCredential.uuid == issued))
        assert row.revoked_at is None  # no reason, no revocation
    page = client.get(f"/plugins/openbadges/beheer?credential={issued}")
    assert page.status_code == 200
    client.post("/plugins/openbadges/intrekken", data={"credential": issued, "reason": "Dubbel"})
    with app.app_context():
        row = db.session.scalar(select(BadgeCredential).where(BadgeCredential.uuid == issued))
        assert row.revoked_at is not None and row.revocation_reason == "Dubbel"
        assert row.revoked_by_id == world.users["admin"]
        viewed = db.session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "personal_data.view", AuditEvent.actor_id == world.users["admin"],
            AuditEvent.object_type == "openbadges_credential"))
        assert viewed is not None


def test_an_expiring_credential_asks_for_recertification(app, client, world, track):
    """Sixty days before it expires the learner's path names the track to redo; the
    schoolopleider renews: a new credential from today, the old one still verifies until its
    last day, and renewing twice is refused."""
    old = earned(app, world, track, days_ago=4 * 365 - 60)
    login(client, "learner")
    path = client.get("/leerpad").get_data(as_text=True)
    assert "Hercertificering" in path and "/leerroutes/begeleider" in path
    old_token = client.get(f"/plugins/openbadges/download?credential={old}&format=jwt").get_data(
        as_text=True)
    login(client, "schoolopleider")
    section = client.get(f"/schoolopleider/{world.school}/deelnemer/{world.users['learner']}")
    assert f"/plugins/openbadges/beheer?credential={old}" in section.get_data(as_text=True)
    response = client.post("/plugins/openbadges/vernieuwen", data={"credential": old})
    assert response.status_code == 302
    with app.app_context():
        new = db.session.scalar(select(BadgeCredential).where(
            BadgeCredential.renewal_of_id.is_not(None)))
        assert new.issued_by_id == world.users["schoolopleider"]
        assert (new.valid_until - utcnow().date()).days > 4 * 365 - 3
        new_uuid = new.uuid
    client.post("/plugins/openbadges/vernieuwen", data={"credential": old})
    with app.app_context():
        assert db.session.scalar(select(db.func.count(BadgeCredential.id))) == 2
    login(client, "learner")
    assert "Hercertificering" not in client.get("/leerpad").get_data(as_text=True)
    new_token = client.get(
        f"/plugins/openbadges/download?credential={new_uuid}&format=jwt").get_data(as_text=True)
    assert verify(client, new_token).expiration_date.year >= utcnow().year + 3
    assert verify(client, old_token)  # still valid until its own last day


def test_a_valid_credential_is_not_renewed_early(app, client, world, issued):
    login(client, "schoolopleider")
    client.post("/plugins/openbadges/vernieuwen", data={"credential": issued})
    with app.app_context():
        assert db.session.scalar(select(db.func.count(BadgeCredential.id))) == 1


def test_old_keys_keep_verifying_after_rotation(app, client, issued):
    """``lms openbadges rotate-key``: the new key signs, the old one stays in did.json."""
    login(client, "learner")
    token = client.get(f"/plugins/openbadges/download?credential={issued}&format=jwt").get_data(
        as_text=True)
    assert "new signing key" in lms(app, "openbadges", "rotate-key")
    document = client.get("/.well-known/did.json").json
    assert len(document["verificationMethod"]) == 2
    assert verify(client, token)
    listing = lms(app, "openbadges", "keys")
    assert listing.count("created") == 2
    # The status list is signed by the new key, which verifiers find first.
    with app.test_request_context(base_url=BASE_URL):
        from leerpad_plugins.openbadges.keys import signing_key

        newest = signing_key().fragment
    assert document["verificationMethod"][0]["id"] == f"{DID}#{newest}"


def test_issue_missing_signs_credentials_issued_before_the_plugin(app, world, track):
    """A core credential without a signed one (issued while the plugin was off) is signed by
    ``lms openbadges issue-missing``, once."""
    from lms.models.progress import Credential

    with app.app_context():
        db.session.add(Credential(user_id=world.users["other_learner"], track_id=track,
                                  name="Basistraining begeleider afgerond",
                                  issued_at=utcnow(), expires_at=None))
        db.session.commit()
    assert "signed 1 " in lms(app, "openbadges", "issue-missing")
    assert "signed 0 " in lms(app, "openbadges", "issue-missing")


def test_personal_data_and_erasure(app, client, world, issued):
    """The export lists the credential with its VC-JWT; erasure revokes it (verifiers see it
    revoked), takes it private and empties what names the person."""
    from leerpad_plugins.openbadges import privacy
    from lms.plugins import get_pm

    login(client, "learner")
    token = client.get(f"/plugins/openbadges/download?credential={issued}&format=jwt").get_data(
        as_text=True)
    client.post("/plugins/openbadges/openbaar", data={"credential": issued, "public": "1"})
    with app.app_context():
        user = db.session.get(User, world.users["learner"])
        sections = [s for s in get_pm().hook.lms_personal_data(user=user) if s]
        exported = next(s["openbadges_credentials"] for s in sections
                        if "openbadges_credentials" in s)
        assert exported[0]["vc_jwt"] == token and exported[0]["public"] is True
        json.dumps(exported)
        get_pm().hook.lms_erase_personal_data(user=user)
        db.session.commit()
        row = db.session.scalar(select(BadgeCredential).where(BadgeCredential.uuid == issued))
        assert row.revoked_at is not None and row.token == "" and not row.public
        assert privacy.personal_data(user)["openbadges_credentials"][0]["vc_jwt"] == ""
    client.post("/uitloggen")
    assert client.get(f"/bewijzen/{issued}").status_code == 404
    with pytest.raises(OB3VerificationError, match="revocation"):
        verify(client, token)


def test_a_get_writes_nothing(app, client, issued):
    """The status list and the DID document are built when asked for."""
    with app.app_context():
        before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    for url in ("/.well-known/did.json", "/openbadges/status/revocation",
                "/openbadges/competences", "/openbadges/achievements/begeleider"):
        assert client.get(url).status_code == 200, url
    with app.app_context():
        assert db.session.scalar(select(db.func.count(AuditEvent.id))) == before


def test_an_expired_credential_is_renewed_and_the_old_one_verifies_as_expired(
        app, client, world, track):
    """Expired a year ago: the path names the track to redo; the schoolopleider renews; the
    new credential verifies, the old one still answers, as expired (not revoked), and the
    path's reminder goes."""
    old = earned(app, world, track, days_ago=5 * 366)
    login(client, "learner")
    path = client.get("/leerpad").get_data(as_text=True)
    assert "Hercertificering" in path and "is verlopen op" in path
    assert "/leerroutes/begeleider" in path
    old_token = client.get(f"/plugins/openbadges/download?credential={old}&format=jwt").get_data(
        as_text=True)
    login(client, "schoolopleider")
    assert client.post("/plugins/openbadges/vernieuwen",
                       data={"credential": old}).status_code == 302
    with app.app_context():
        new = db.session.scalar(select(BadgeCredential.uuid).where(
            BadgeCredential.renewal_of_id.is_not(None)))
    assert new is not None
    login(client, "learner")
    new_token = client.get(f"/plugins/openbadges/download?credential={new}&format=jwt").get_data(
        as_text=True)
    assert verify(client, new_token).expiration_date.year >= utcnow().year + 3
    with pytest.raises(OB3VerificationError, match="expired"):
        verify(client, old_token)
    assert "Hercertificering" not in client.get("/leerpad").get_data(as_text=True)


def test_without_the_plugin_the_core_still_issues_its_credential(app_factory, world, track):
    """With the plugin disabled the core issues its own credential row on completing the
    track; nothing is signed and the plugin's public addresses answer 404."""
    from lms.models import Lesson, Track
    from lms.models.progress import Credential
    from lms.tracking import record_progress
    from lms.tracking.tracks import enrol

    app = app_factory(BASE_URL=BASE_URL, DISABLED_PLUGINS="openbadges")
    with app.test_request_context(base_url=BASE_URL):
        user = db.session.get(User, world.users["learner"])
        enrol(user, track=db.session.get(Track, track))
        db.session.commit()
        record_progress(user, db.session.scalar(select(Lesson).where(Lesson.slug == "start")),
                        "completed")
        assert db.session.scalar(select(Credential.id).where(
            Credential.user_id == user.id)) is not None
        assert db.session.scalar(select(db.func.count(BadgeCredential.id))) == 0
    client = app.test_client()
    for url in ("/.well-known/did.json", "/openbadges/status/revocation", "/plugins/openbadges/"):
        assert client.get(url).status_code == 404, url
