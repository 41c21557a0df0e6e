"""A learner's Open Badges credential in Chromium: the downloads, the public page with its
live status, and taking the page down again."""
from __future__ import annotations

import json

import pytest
from openbadgeslib.ob3.verifier import OB3Verifier
from sqlalchemy import select

from lms.extensions import db

from tests.browser.helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def credential(live_app, live_server, world):
    """The learner completed the BRLO track (four years' validity): the signed credential's
    uuid. Issued through the core's tracking, signed by the plugin's listener, as if in a
    request to the live server (its address is the issuer's did:web)."""
    from lms.models import Track
    from lms.models.base import utcnow
    from lms.tracking.records import announce_records
    from lms.tracking.state import track_completed

    from leerpad_plugins.openbadges.models import BadgeCredential

    with live_app.test_request_context(base_url=live_server.url):
        track = db.session.scalar(select(Track).where(Track.slug == "schoolopleider-brlo"))
        track_completed(world.users["learner"], track.id, utcnow())
        db.session.commit()
        announce_records()
        uuid = db.session.scalar(select(BadgeCredential.uuid).where(
            BadgeCredential.user_id == world.users["learner"]))
        db.session.remove()
    assert uuid
    return uuid


def _verifier_download(page, base_url: str):
    """Fetch what the credential points at (its issuer's did:web on this machine) from the
    live server, as a verifier would over the internet."""
    def download(url: str) -> bytes:
        path = "/" + url.split("/", 3)[3]
        response = page.request.get(base_url + path)
        assert response.ok, url
        return response.body()
    return download


def test_learner_downloads_shares_and_unshares_a_credential(new_page, live_server, credential):
    """The learner downloads the signed JSON and the baked PNG (both hold the same VC-JWT,
    which openbadgeslib verifies), turns the public page on — an anonymous visitor sees it
    valid, then revoked once the schoolopleider revokes it — and off again: 404."""
    page = new_page()
    login(page, "learner")
    page.get_by_role("link", name="Certificaten").first.click()
    assert page.locator("h1").inner_text() == "Mijn certificaten"
    card = page.locator(f"#c-{credential}")
    assert "Voorbereid op BRLO-registratie" in card.inner_text()

    with page.expect_download() as json_download:
        card.get_by_role("link", name="ondertekend certificaat (JSON)").click()
    envelope = json.loads(json_download.value.path().read_text(encoding="utf-8"))
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    token = envelope["id"].removeprefix("data:application/vc+jwt,")
    with page.expect_download() as png_download:
        card.get_by_role("link", name="badge-afbeelding met het certificaat (PNG)").click()
    assert png_download.value.suggested_filename.endswith(".png")
    baked = OB3Verifier.extract_token_from_png(png_download.value.path().read_bytes())
    assert baked == token
    download = _verifier_download(page, live_server.url)
    issuer = json.loads(download("https://x/.well-known/did.json"))["id"]
    verified = OB3Verifier.for_issuer_did(issuer, download=download).verify(
        token, check_status=True, download=download)
    assert verified.achievement.name == "Voorbereid op BRLO-registratie"

    card.get_by_role("button", name="Openbare pagina aanzetten").click()
    link = page.locator(f"#public-link-{credential}")
    public_url = link.get_attribute("href")
    visitor = new_page()  # someone without an account
    visitor.goto(public_url)
    assert "Geldig" in visitor.locator("#credential-status").inner_text()
    assert "Learner" in visitor.locator("main").inner_text()

    supervisor = new_page()
    login(supervisor, "schoolopleider")
    supervisor.goto(f"/plugins/openbadges/beheer?credential={credential}")
    supervisor.get_by_label("Reden van intrekken").fill("Ten onrechte uitgegeven")
    supervisor.get_by_role("button", name="Certificaat intrekken").click()
    assert "Ingetrokken" in supervisor.locator("#credential-status").inner_text()
    visitor.reload()
    assert "Ingetrokken" in visitor.locator("#credential-status").inner_text()
    assert "onrechte" not in visitor.content()

    page.goto("/plugins/openbadges/")
    page.locator(f"#c-{credential}").get_by_role(
        "button", name="Openbare pagina uitzetten").click()
    assert "staat uit" in page.locator(".flash").inner_text()
    response = visitor.goto(public_url)
    assert response.status == 404
