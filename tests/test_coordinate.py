"""The coordinator's report: counts for an organisation subtree, charts, exports, no content."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from tests.supervision_data import (MARKER, confirmation_request, count_queries, login_as,
                                    seed_school, seed_written_work)


@pytest.fixture
def seeded(app, world):
    with app.app_context():
        return seed_school(world, 12)


def test_coordinator_sees_programme_counts_of_their_board(app, client, world, seeded):
    """A board's coordinator sees how many starters, zij-instromers and PDG participants it has."""
    login_as(client, "coordinator")
    page = client.get(f"/coordinatie/{world.board}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    figures = re.findall(r'<span class="figure">(\d+)</span> ([^<]+)</li>', html)
    assert figures == [("4", "Starters (induction)"), ("4", "Zij-instromers"),
                       ("4", "PDG participants")]
    rows = _csv(client.get(f"/coordinatie/{world.board}/programmes.csv"))
    assert [r[1] for r in rows[1:]] == ["4", "4", "4"]


def test_coordinator_of_another_board_is_refused(client, world, seeded):
    """A coordinator of another board cannot open this board's report or its exports."""
    login_as(client, "other_coordinator")
    assert client.get(f"/coordinatie/{world.board}").status_code == 403
    assert client.get(f"/coordinatie/{world.board}/tracks.csv").status_code == 403
    assert client.get(f"/coordinatie/{world.board}/rapport.xlsx").status_code == 403
    own = client.get(f"/coordinatie/{world.other_board}")
    assert own.status_code == 200


def test_coordinator_pages_and_exports_never_contain_written_texts(app, client, world, seeded):
    """What people wrote (notes, hours descriptions, goals) never reaches a coordinator."""
    with app.app_context():
        confirmation_request(seeded.learners[0], world.users["mentor"])
        seed_written_work(app, world.users["learner"])
        seed_written_work(app, seeded.learners[2])
    login_as(client, "coordinator")
    bodies = [client.get("/coordinatie", follow_redirects=True),
              client.get(f"/coordinatie/{world.board}"),
              client.get(f"/coordinatie/{world.school}"),
              client.get(f"/coordinatie/{world.region}"),
              client.get(f"/coordinatie/{world.board}/rapport.xlsx")]
    for table in ("programmes", "tracks", "progress", "risk", "hours", "credentials", "schools"):
        bodies.append(client.get(f"/coordinatie/{world.board}/{table}.csv"))
    seen = [b for b in bodies if b.status_code == 200]
    assert len(seen) == len(bodies) - 1  # the region is above the coordinator's board
    for body in seen:
        assert MARKER.encode() not in body.data
    workbook = load_workbook(io.BytesIO(bodies[4].data))
    cells = [str(c) for ws in workbook for row in ws.iter_rows(values_only=True) for c in row]
    assert not any(MARKER in c for c in cells)
    assert "Schools" in workbook.sheetnames


def test_charts_are_accessible_svg_without_inline_styles(client, world, seeded):
    """Charts are inline SVG with a title, a description and a table with the same numbers."""
    login_as(client, "coordinator")
    html = client.get(f"/coordinatie/{world.board}").get_data(as_text=True)
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        assert all(f'id="{ref}"' in svg for ref in labelled)
    assert "style=" not in html
    assert html.count("<table>") >= 7


def test_report_counts_overdue_and_expiring(app, client, world, seeded):
    """Deadlines at risk and credentials expiring within 90 days are counted per school."""
    login_as(client, "coordinator")
    risk = _csv(client.get(f"/coordinatie/{world.board}/risk.csv"))
    assert risk[0][:2] == ["School", "Track"]
    overdue = sum(int(r[2]) for r in risk[1:])
    assert overdue > 0  # learners enrolled 25+ months ago on 24-month tracks
    creds = _csv(client.get(f"/coordinatie/{world.board}/credentials.csv"))
    assert creds[1][0] == "Bewijs pdg-mbo" and int(creds[1][1]) == 2  # i = 3 and 10 of 12


def test_unknown_table_is_not_found(client, world, seeded):
    """Asking for a table that does not exist answers 404, not an error."""
    login_as(client, "coordinator")
    assert client.get(f"/coordinatie/{world.board}/nothing.csv").status_code == 404


def test_coordinator_page_query_count_is_constant(app, client, world):
    """The report costs the same number of queries for 5 learners as for 60."""
    login_as(client, "coordinator")
    counts = []
    for size, prefix in ((5, "klein"), (55, "groot")):
        with app.app_context():
            seed_school(world, size, prefix=prefix)
        client.get(f"/coordinatie/{world.board}")
        with count_queries(app) as statements:
            assert client.get(f"/coordinatie/{world.board}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 12


def _csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # Excel reads the accents right
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
