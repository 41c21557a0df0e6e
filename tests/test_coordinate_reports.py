"""The report building blocks, tested directly: charts, spreadsheet writers, hour buckets."""
from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from lms.extensions import db
from lms.models import HoursEntry, RoleAssignment, User
from lms.reports.charts import bar_chart
from lms.reports.coordinator import hours_distribution
from lms.reports.scope import subtree_ids
from lms.reports.writers import to_csv, to_xlsx
from lms.clock import today as clock_today  # the learners' day, as the app's


def test_chart_escapes_labels_and_survives_all_zero_values():
    """A label with markup is shown as text, and a chart of zeros draws empty bars."""
    svg = str(bar_chart("c", "Titel <b>", "Uitleg", [("<script>x</script>", 0), ("b", 0)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<title id=\"c-title\">Titel &lt;b&gt;</title>" in svg
    assert 'width="0"' in svg and "style=" not in svg


def test_spreadsheet_cells_never_become_formulas():
    """Text that looks like a formula stays text in CSV and XLSX downloads."""
    rows = [["=HYPERLINK(\"http://x\")", 3], ["@SUM(A1)", None]]
    assert to_csv(["Naam", "Aantal"], rows).splitlines()[1].startswith('"\'=HYPERLINK')
    book = load_workbook(io.BytesIO(to_xlsx([("Blad: 1/2", ["Naam", "Aantal"], rows)])))
    sheet = book.worksheets[0]
    assert sheet.title == "Blad 1 2"
    assert sheet["A2"].value == "'=HYPERLINK(\"http://x\")" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3 and sheet["A3"].value == "'@SUM(A1)"


def test_hours_buckets_count_the_benchmark_itself_as_met(app, world):
    """Each learner is measured against their own rule (this vo school: cao vo, 83 hours this
    year): 160 hours is 100+ %, 80 is 75-99 %, none is 0-24 %."""
    with app.app_context():
        school = world.school
        for name, hours in (("nul", 0), ("vol", 160), ("half", 80)):
            person = User(email=f"{name}@example.org", name=name)
            db.session.add(person)
            db.session.flush()
            db.session.add(RoleAssignment(user_id=person.id, organisation_id=school, role="learner"))
            if hours:
                db.session.add(HoursEntry(user_id=person.id, date=clock_today() - timedelta(days=3),
                                          hours=hours, category="cursus", description="x"))
        # Hours older than the cycle do not count.
        db.session.add(HoursEntry(user_id=person.id, date=clock_today() - timedelta(days=5 * 366),
                                  hours=500, category="cursus", description="oud"))
        db.session.commit()
        from lms.hours_rules import load

        buckets, rules = hours_distribution(subtree_ids([school]), clock_today(), load())
        found = {b["bucket"]: b["learners"] for b in buckets}
    # The world's school also has learner, other_learner and schoolopleider without hours
    # (the schoolopleider by the BRLO rule).
    assert found == {"0-24": 4, "25-49": 0, "50-74": 0, "75-99": 1, "100+": 1}
    assert [(r["rule"], r["learners"], r["reached"]) for r in rules] == [
        ("brlo", 1, 0), ("cao-vo", 5, 1)]
