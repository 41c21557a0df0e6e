"""The schoolopleider's pages: the school's people with filters, enrolment, mentors,
exemptions and mentor coverage."""
from __future__ import annotations

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.models import AuditEvent, Enrolment, Exemption, MentorAssignment, Track
from tests import builders
from tests.supervision_data import count_queries, login_as, seed_school


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/schoolopleider/\d+/deelnemer/\d+">([^<]+)</a>', html)


def test_schoolopleider_lists_their_school_with_filters(app, client, world):
    """Filters narrow the school's list by track, deadline, schedule and mentor coverage."""
    with app.app_context():
        seed_school(world, 12)
    login_as(client, "schoolopleider")
    base = f"/schoolopleider/{world.school}"
    everyone = _names(client.get(base).get_data(as_text=True))
    assert "Learner" in everyone and "Deelnemer 011" in everyone and "Far Learner" not in everyone
    assert "Schoolopleider" not in everyone  # a learner at her school too, but not her own row
    pdg = _names(client.get(base + "?leerroute=pdg-mbo").get_data(as_text=True))
    assert pdg == [f"Deelnemer {i:03d}" for i in (2, 5, 8, 11)]
    due = _names(client.get(base + "?weken=8").get_data(as_text=True))
    assert due == ["Deelnemer 010", "Deelnemer 011"]  # 700 and 770 days into 24 months
    behind = _names(client.get(base + "?achter=1").get_data(as_text=True))
    assert behind and "Deelnemer 000" not in behind and "Deelnemer 011" not in behind
    lonely = _names(client.get(base + "?zonder_mentor=1").get_data(as_text=True))
    assert "Deelnemer 000" not in lonely and "Deelnemer 001" in lonely and "Learner" not in lonely
    mentors = _names(client.get(base + "?rol=mentor").get_data(as_text=True))
    assert mentors == ["Mentor", "Other Mentor"]
    done = _names(client.get(base + "?status=completed").get_data(as_text=True))
    assert done == []


def test_list_views_are_audited_per_person(app, client, world):
    """Every person shown on the school list is recorded as seen by the schoolopleider."""
    with app.app_context():
        seed_school(world, 3)
    login_as(client, "schoolopleider")
    client.get(f"/schoolopleider/{world.school}")
    with app.app_context():
        seen = set(db.session.scalars(sa.select(AuditEvent.subject_id).where(
            AuditEvent.actor_id == world.users["schoolopleider"],
            AuditEvent.object_type == "school.learners")))
    assert world.users["learner"] in seen and len(seen) == 5  # 2 world learners + 3 seeded


def test_other_schools_are_closed(client, world):
    """A schoolopleider of another school, a mentor and a coordinator cannot open the school."""
    for who in ("other_schoolopleider", "mentor", "coordinator", "learner"):
        login_as(client, who)
        assert client.get(f"/schoolopleider/{world.school}").status_code == 403, who
        client.post("/uitloggen")
    login_as(client, "schoolopleider")
    assert client.get(f"/schoolopleider/{world.other_school}").status_code == 403
    assert client.get(f"/schoolopleider/{world.school}/deelnemer/{world.users['far_learner']}"
                      ).status_code == 404


def test_schoolopleider_enrols_assigns_a_mentor_and_grants_an_exemption(app, client, world):
    """From a learner's page the schoolopleider enrols them, pairs a mentor and exempts a course."""
    with app.app_context():
        first = builders.course("basis", 1)
        second = builders.course("verdieping", 1)
        builders.track("zij-instroom", [first, second], duration_months=24)
    login_as(client, "schoolopleider")
    learner = world.users["other_learner"]
    page = f"/schoolopleider/{world.school}/deelnemer/{learner}"
    assert client.get(page).status_code == 200
    client.post(page + "/inschrijven", data={"track": "zij-instroom"})
    client.post(page + "/mentor", data={"mentor_id": world.users["mentor"]})
    refused = client.post(page + "/mentor", data={"mentor_id": world.users["far_learner"]},
                          follow_redirects=True)
    assert "Choose a mentor of your school." in refused.get_data(as_text=True)
    form = client.get(page + "/vrijstelling/zij-instroom")
    assert form.status_code == 200
    no_reason = client.post(page + "/vrijstelling/zij-instroom", data={"course": "basis", "reason": ""})
    assert no_reason.status_code == 200
    client.post(page + "/vrijstelling/zij-instroom", data={"course": "basis", "reason": "Pabo-diploma"})
    with app.app_context():
        track_id = db.session.scalar(sa.select(Track.id).where(Track.slug == "zij-instroom"))
        assert db.session.scalar(sa.select(Enrolment.enrolled_by_id).where(
            Enrolment.user_id == learner, Enrolment.track_id == track_id)) == world.users["schoolopleider"]
        assert set(db.session.scalars(sa.select(MentorAssignment.mentor_id).where(
            MentorAssignment.learner_id == learner))) == {world.users["mentor"], world.users["other_mentor"]}
        assert db.session.scalar(sa.select(Exemption.reason).where(
            Exemption.user_id == learner)) == "Pabo-diploma"
    html = client.get(page).get_data(as_text=True)
    assert "50%" in html  # one of two courses exempted


def test_mentor_coverage_uses_the_configured_limit(app_factory):
    """Mentors above MENTOR_MAX_LEARNERS and learners without a mentor are listed."""
    from lms.testing import make_world

    app = app_factory(MENTOR_MAX_LEARNERS=2)
    client = app.test_client()
    with app.app_context():
        world = make_world()
        seed_school(world, 12)  # every 4th learner goes to "mentor": 3 + their own learner
    login_as(client, "schoolopleider")
    html = client.get(f"/schoolopleider/{world.school}/dekking").get_data(as_text=True)
    assert re.search(r"<td>Mentor</td><td>4</td>", html)
    assert "Other Mentor</td>" not in html
    assert "Without a mentor" in client.get(f"/schoolopleider/{world.school}").get_data(as_text=True)
    assert "Deelnemer 001" in html and "Deelnemer 000" not in html


def test_school_page_query_count_is_constant(app, client, world):
    """The school list costs the same number of queries for 5 learners as for 60."""
    login_as(client, "schoolopleider")
    counts = []
    for size, prefix in ((5, "klein"), (55, "groot")):
        with app.app_context():
            seed_school(world, size, prefix=prefix)
        client.get(f"/schoolopleider/{world.school}")
        with count_queries(app) as statements:
            html = client.get(f"/schoolopleider/{world.school}").get_data(as_text=True)
        counts.append(len(statements))
    assert len(_names(html)) == 62  # 60 seeded and two world learners; never her own row
    assert counts[0] == counts[1] <= 16, counts
