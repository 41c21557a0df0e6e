"""Criteria in an assignment's front matter: validated, shown as a checklist on the review
page (the work first, the assignment text folded), and stored with the decision."""
from __future__ import annotations

from sqlalchemy import select

from leerpad_plugins.assignment.activity import MAX_CRITERIA, validate
from leerpad_plugins.assignment.models import AssignmentSubmission
from lms.extensions import db
from lms.testing import import_course

CRITERIA = ["Het weekritme is concreet", "Er staat een vrije avond in",
            "Afspraken met collega's"]
COURSE = {
    "course.md": "---\nid: criteria-cursus\ntitle: Criteria\n---\nIntro.\n",
    "01-plan.md": "---\nid: plan\ntitle: Mijn werkplan\ntype: assignment\nsign_off: mentor\n"
                  "criteria:\n" + "".join(f"  - {c}\n" for c in CRITERIA)
                  + "---\nSchrijf je werkplan voor de komende maand.\n",
}


def test_criteria_are_validated():
    """A list of distinct short texts; anything else is reported by field."""
    assert validate({"criteria": CRITERIA}) == []
    assert [f for f, _ in validate({"criteria": "Concreet"})] == ["criteria"]
    assert [f for f, _ in validate({"criteria": []})] == ["criteria"]
    assert [f for f, _ in validate({"criteria": ["a"] * (MAX_CRITERIA + 1)})] == ["criteria"]
    fields = [f for f, _ in validate({"criteria": ["Concreet", "", "x" * 201, "concreet", 3]})]
    assert fields == ["criteria[1]", "criteria[2]", "criteria[3]", "criteria[4]"]


def _hand_in(app, client, auth, tmp_path) -> int:
    ids = import_course(app, tmp_path / "courses", COURSE)
    auth.login("learner")
    client.post(f"/plugins/assignment/lessen/{ids['plan']}/inleveringen",
                data={"text": "Maandag plannen, woensdagavond vrij."})
    auth.logout()
    with app.app_context():
        return db.session.scalar(select(AssignmentSubmission.id))


def test_review_page_work_first_text_folded_and_a_checklist(app, client, auth, world, tmp_path):
    """The reviewer reads the work before the (folded) assignment text and ticks criteria."""
    submission = _hand_in(app, client, auth, tmp_path)
    auth.login("mentor")
    page = client.get(f"/plugins/assignment/inleveringen/{submission}").get_data(as_text=True)
    work = page.index("woensdagavond vrij")
    folded = page.index('<details class="assignment-text">')
    assert work < folded < page.index("Schrijf je werkplan")
    assert "<details class=\"assignment-text\" open" not in page
    for number, criterion in enumerate(CRITERIA, start=1):
        assert (f'<input type="checkbox" name="criteria" value="{number}"> {criterion}'
                .replace("'", "&#39;") in page)
    assert page.index("Criteria: tick") < page.index('id="feedback"')


def test_ticked_criteria_are_stored_with_the_decision(app, client, auth, world, tmp_path):
    """The decision keeps every criterion's text and whether it was ticked; unknown positions
    are ignored; the decided page shows them."""
    submission = _hand_in(app, client, auth, tmp_path)
    auth.login("mentor")
    client.post(f"/plugins/assignment/inleveringen/{submission}/besluit",
                data={"decision": "return", "feedback": "Maak de afspraken concreet.",
                      "criteria": ["1", "3", "9", "nul"]})
    with app.app_context():
        stored = db.session.get(AssignmentSubmission, submission)
        assert stored.status == "returned"
        assert stored.criteria == [{"criterion": CRITERIA[0], "met": True},
                                   {"criterion": CRITERIA[1], "met": False},
                                   {"criterion": CRITERIA[2], "met": True}]
    page = client.get(f"/plugins/assignment/inleveringen/{submission}").get_data(as_text=True)
    assert "Not met:</span> Er staat een vrije avond in" in page
    assert "Maak de afspraken concreet." in page


def test_without_criteria_nothing_is_stored(app, client, auth, world, course):
    """An assignment without criteria shows no checklist and stores none."""
    auth.login("learner")
    client.post(f"/plugins/assignment/lessen/{course['opdracht']}/inleveringen",
                data={"text": "Mijn lesopzet"})
    auth.logout()
    with app.app_context():
        submission = db.session.scalar(select(AssignmentSubmission.id))
    auth.login("mentor")
    page = client.get(f"/plugins/assignment/inleveringen/{submission}").get_data(as_text=True)
    assert 'name="criteria"' not in page
    client.post(f"/plugins/assignment/inleveringen/{submission}/besluit",
                data={"decision": "approve"})
    with app.app_context():
        assert db.session.get(AssignmentSubmission, submission).criteria is None
