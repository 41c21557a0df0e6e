"""The certificate plugin, tested with Leerpad's test kit only (``lms.testing``, a pytest plugin
installed with Leerpad): its fixtures build an app with every installed plugin, this one too."""
from __future__ import annotations

import logging

from lms.extensions import db
from lms.models import Lesson, User
from lms.tracking import record_progress

CERTIFICATE = "/plugins/certificate/kit-cursus"


def complete_course(app, user_id, lessons):
    """Complete every lesson of the kit's course for one learner, as the tracking API does."""
    with app.app_context():
        learner = db.session.get(User, user_id)
        for lesson_id in lessons.values():
            record_progress(learner, db.session.get(Lesson, lesson_id), "completed")


def test_learner_who_marks_every_lesson_done_gets_a_certificate(client, auth, world, lms_course):
    """Marking the kit's three lessons done on the lesson pages makes a certificate appear."""
    auth.login("learner")
    assert client.get(CERTIFICATE).status_code == 404
    for slug in lms_course:  # welkom, verdieping, afsluiting
        assert client.post(f"/cursussen/kit-cursus/{slug}/afgerond").status_code == 302
    assert CERTIFICATE in client.get("/plugins/certificate/").get_data(as_text=True)
    page = client.get(CERTIFICATE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Learner" in text and "Cursus uit de testkit" in text


def test_no_certificate_for_a_course_not_yet_completed(client, auth, world, lms_course):
    """Two of three lessons done is not enough."""
    auth.login("learner")
    for slug in ["welkom", "verdieping"]:
        client.post(f"/cursussen/kit-cursus/{slug}/afgerond")
    assert client.get(CERTIFICATE).status_code == 404


def test_another_learner_gets_404(app, client, auth, world, lms_course):
    """A certificate is its owner's page: someone else asking for it finds nothing."""
    complete_course(app, world.users["learner"], lms_course)
    auth.login("other_learner")
    assert client.get(CERTIFICATE).status_code == 404
    assert CERTIFICATE not in client.get("/plugins/certificate/").get_data(as_text=True)


def test_path_section_links_for_the_learner_and_lists_for_the_mentor(app, client, auth, world,
                                                                    lms_course):
    """The section on the path page gets the viewer: the learner gets links, the mentor a list."""
    complete_course(app, world.users["learner"], lms_course)
    auth.login("learner")
    assert CERTIFICATE in client.get("/leerpad").get_data(as_text=True)
    auth.logout()
    auth.login("mentor")
    mentor_view = client.get(f"/leerpad/{world.users['learner']}").get_data(as_text=True)
    assert "Cursus uit de testkit" in mentor_view and CERTIFICATE not in mentor_view


def test_home_widget_counts_certificates(app, client, auth, world, lms_course):
    """The home page shows the widget with a link to the list."""
    complete_course(app, world.users["learner"], lms_course)
    auth.login("learner")
    assert 'href="/plugins/certificate/"' in client.get("/").get_data(as_text=True)


def test_listener_logs_when_a_course_is_completed(app, world, lms_course, caplog):
    """The progress listener runs after the event that completes the course."""
    with caplog.at_level(logging.INFO, logger="leerpad_certificate"):
        complete_course(app, world.users["learner"], lms_course)
    assert [r.getMessage() for r in caplog.records if "certificate ready" in r.getMessage()] == [
        f"certificate ready for user {world.users['learner']}, course kit-cursus"]
