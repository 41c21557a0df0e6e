"""A coordinator downloads a table of the coordinator view as CSV: the rows of their own
organisation, nothing from elsewhere."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import seed
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def enrolments(live_app):
    """Two learners of Bestuur Noord in the induction track (one finished), a schoolopleider in
    the BRLO track, and a learner of the other board in the PDG track."""
    with live_app.app_context():
        seed.enrol_in_track("learner", "inductie-starters")
        for slug in ["inductiefasen", "werkdruk-herkennen", "plannen-en-grenzen", "energie",
                     "kennischeck", "mijn-werkafspraken"]:
            seed.do_lesson("learner", "goed-van-start", slug)
        seed.enrol_in_track("other_learner", "inductie-starters")
        seed.enrol_in_track("schoolopleider", "schoolopleider-brlo")
        seed.enrol_in_track("far_learner", "pdg-mbo")


def download_csv(page, caption: str) -> list[list[str]]:
    """Click the CSV link of the table with this caption; the downloaded file's rows."""
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    with page.expect_download() as download:
        table.locator("caption").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    with Path(download.value.path()).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_coordinator_exports_learners_per_track_and_schools(page):
    """The CSV holds the table shown on the page: a header row, then one row per track/school."""
    login(page, "coordinator")
    page.get_by_role("link", name="Coördinatie").click()
    expect(page.locator("h1")).to_have_text("Bestuur Noord")

    tracks = download_csv(page, "Deelnemers per leerroute")
    assert tracks[0] == ["Leerroute", "Ingeschreven", "Actief", "Afgerond"]
    assert sorted(tracks[1:]) == [
        ["Inductieprogramma starters", "2", "1", "1"],
        ["Leerroute schoolopleider: op weg naar BRLO-registratie", "1", "1", "0"],
    ]  # the PDG learner belongs to the other board

    schools = download_csv(page, "Scholen")
    assert schools[0] == ["School", "Deelnemers", "Met begeleider", "Zonder begeleider",
                          "In een leerroute"]
    assert schools[1:] == [["Het Noorderlicht", "3", "2", "1", "3"]]
    shown = page.locator("table", has=page.locator("caption", has_text="Scholen"))
    assert shown.locator("tbody tr").first.inner_text().split("\t") == schools[1]
