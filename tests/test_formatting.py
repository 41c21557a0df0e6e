"""Numbers, hours, durations and dates read the way the reader's language writes them."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from lms.web import formatting as f
from lms.clock import today as clock_today  # the learners' day, as the app's


@pytest.mark.parametrize(("value", "nl", "en"), [
    (1680, "1.680", "1,680"), (1680.0, "1.680", "1,680"), (24.0, "24", "24"), (1.5, "1,5", "1.5"),
    (0.0, "0", "0"), (-0.0, "0", "0"), (2.25, "2,25", "2.25"), (1 / 3, "0,33", "0.33"),
    (None, "", ""), (float("nan"), "", ""),
])
def test_numbers_have_no_trailing_zeros_and_the_locales_separators(value, nl, en):
    """1680.0 is 1.680 in Dutch and 1,680 in English; 24.0 is 24; 1.5 is 1,5 in Dutch."""
    assert f.number(value, "nl") == nl
    assert f.number(value, "en") == en


def test_hours_with_their_unit():
    """Hours read as a quantity with its unit, singular only for exactly one."""
    assert f.hours(1680, "en") == "1,680 hours"
    assert f.hours(1, "en") == "1 hour"
    assert f.hours(1.5, "en") == "1.5 hours"
    assert f.hours(0, "en") == "0 hours"
    dutch = {"%(num)s hour": "%(num)s uur", "%(num)s hours": "%(num)s uur"}
    assert f.hours(24.0, "nl", lambda s, p, n: dutch[s if n == 1 else p]) == "24 uur"
    assert f.hours(1.5, "nl", lambda s, p, n: dutch[s if n == 1 else p]) == "1,5 uur"


@pytest.mark.parametrize(("minutes", "approximate", "shown"), [
    (0, False, "0 min"), (45, False, "45 min"), (59, False, "59 min"), (60, False, "1 hour"),
    (90, False, "1.5 hours"), (1200, False, "20 hours"), (1605, True, "27 hours"),
    (1605, False, "26.75 hours"), (75, True, "1.5 hours"),
])
def test_study_load_in_hours_and_minutes_only_below_an_hour(minutes, approximate, shown):
    """'1200 min' becomes 20 hours; 'about 1605 minutes' becomes about 27 hours."""
    assert f.duration(minutes, "en", approximate=approximate) == shown


def test_one_date_style_per_locale():
    """Dates read as 23 nov 2026 in Dutch and Nov 23, 2026 in English; datetimes by their day."""
    assert f.day(date(2026, 11, 23), "nl") == "23 nov 2026"
    assert f.day(date(2026, 11, 23), "en") == "Nov 23, 2026"
    assert f.day(datetime(2026, 11, 23, 10, tzinfo=timezone.utc), "nl") == "23 nov 2026"
    assert f.day(None, "nl") == ""


def test_percent_in_the_locales_style():
    assert f.percent(50, "nl") == "50%"
    assert f.percent(100, "en") == "100%"


def test_filters_follow_the_page_language(app):
    """The Jinja filters use the request's locale and catalogue."""
    template = "{{ 1680.0|hours }} · {{ 1.5|number }} · {{ 1605|duration(approximate=True) }} · {{ d|day }}"
    with app.test_request_context(headers={"Cookie": "lms_lang=nl"}):
        from flask import render_template_string

        dutch = render_template_string(template, d=date(2026, 11, 30))
    with app.test_request_context(headers={"Cookie": "lms_lang=en"}):
        english = render_template_string(template, d=date(2026, 11, 30))
    assert dutch == "1.680 uur · 1,5 · 27 uur · 30 nov 2026"
    assert english == "1,680 hours · 1.5 · 27 hours · Nov 30, 2026"


# --- exports -----------------------------------------------------------------------------------


def test_sheet_names_are_cut_after_a_word_and_unique():
    from lms.reports.writers import sheet_title

    used: set[str] = set()
    assert sheet_title("Verlopende certificaten binnen 90 dagen", used) == (
        "Verlopende certificaten binnen")
    assert sheet_title("Uren ten opzichte van ieders urenregel", used) == (
        "Uren ten opzichte van ieders")
    assert sheet_title("Uren ten opzichte van ieders urenregel!", used) == (
        "Uren ten opzichte van (2)")
    assert sheet_title("Blad: 1/2") == "Blad 1 2"
    assert len(sheet_title("x" * 40)) == 31  # one word too long for the limit: cut anyway


def test_export_file_names_in_the_readers_words():
    from lms.reports.writers import export_filename

    assert export_filename("Regio Progressus", "voortgang", day=date(2026, 11, 30),
                           extension="xlsx") == "leerpad-regio-progressus-voortgang-2026-11-30.xlsx"
    assert export_filename("Één school", "Uren & norm", day=date(2026, 1, 2),
                           extension="csv") == "leerpad-een-school-uren-norm-2026-01-02.csv"


def test_csv_and_xlsx_keep_numbers_as_numbers():
    """24.0 is 24 in a CSV (and 1.5 stays 1.5, data not prose); in XLSX numbers are numeric
    cells, which the reader's spreadsheet shows in their own language."""
    import io

    from openpyxl import load_workbook

    from lms.reports.writers import to_csv, to_xlsx

    assert to_csv(["Uren", "Aantal"], [[24.0, 3], [1.5, 0.0]]).splitlines()[1:] == [
        "24,3", "1.5,0"]
    book = load_workbook(io.BytesIO(to_xlsx([("Uren", ["Uren"], [[1680.0], [1.5]])])))
    sheet = book.worksheets[0]
    assert sheet["A2"].value == 1680 and sheet["A2"].data_type == "n"
    assert sheet["A3"].value == 1.5 and sheet["A3"].data_type == "n"


def _coordinator_client(app, lang):
    from tests.supervision_data import login_as

    client = app.test_client()
    login_as(client, "coordinator", lang)
    return client


def test_coordinator_exports_are_named_in_the_readers_language(app, world):
    from lms.models import HoursEntry

    with app.app_context():
        from lms.extensions import db

        for _ in range(2):  # 1,680 hours: more than one entry may hold
            db.session.add(HoursEntry(user_id=world.users["learner"], date=clock_today(),
                                      hours=840, category="cursus", description="x"))
        db.session.commit()
    today = clock_today().isoformat()
    dutch = _coordinator_client(app, "nl")
    xlsx = dutch.get(f"/coordinatie/{world.board}/rapport.xlsx")
    assert xlsx.headers["Content-Disposition"] == (
        f'attachment; filename="leerpad-bestuur-noord-voortgang-{today}.xlsx"')
    page = dutch.get(f"/coordinatie/{world.board}").get_data(as_text=True)
    assert "<td>1.680</td>" in page and "1680.0" not in page
    english = _coordinator_client(app, "en")
    csv = english.get(f"/coordinatie/{world.board}/hours.csv")
    assert csv.headers["Content-Disposition"] == (
        f'attachment; filename="leerpad-bestuur-noord-hours-against-each-person-s-rule-{today}.csv"')
    assert ",1680" in csv.get_data(as_text=True) and "1680.0" not in csv.get_data(as_text=True)
    assert "<td>1,680</td>" in english.get(f"/coordinatie/{world.board}").get_data(as_text=True)
