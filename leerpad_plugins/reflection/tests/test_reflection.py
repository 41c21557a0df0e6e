"""The reflection plugin end to end: private entries, sharing with the mentor, the logbook."""
from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from leerpad_plugins.reflection.activity import validate
from leerpad_plugins.reflection.models import ReflectionEntry
from leerpad_plugins.testing import LESSON_URL, lesson_state


def test_prompts_are_validated():
    """Authors see a missing prompt list, a duplicate prompt id and an empty prompt text."""
    assert validate({"prompts": [{"id": "p1", "text": "Beschrijf..."}]}) == []
    assert validate({}) == [("prompts", "a reflection needs a list of at least one prompt")]
    fields = {f for f, _ in validate({"prompts": [{"id": "p1", "text": "a"},
                                                  {"id": "p1", "text": ""}]})}
    assert fields == {"prompts[1].id", "prompts[1].text"}


def _write(client, course, text="Mijn les liep uit de hand.", prompt="moment"):
    return client.post(f"/plugins/reflection/lessen/{course['terugblik']}/vragen/{prompt}",
                       data={"text": text}, follow_redirects=True)


def test_private_until_shared(app, client, auth, world, course):
    """The mentor cannot read a private entry; after sharing they can; after unsharing not."""
    auth.login("learner")
    page = _write(client, course)
    assert "Mijn les liep uit de hand." in page.get_data(as_text=True)
    learner = world.users["learner"]
    assert lesson_state(app, learner, course["terugblik"])[0] == "in_progress"  # 1 of 2 prompts
    with app.app_context():
        entry_id = db.session.scalar(select(ReflectionEntry.id))
    auth.logout()
    auth.login("mentor")
    shared_url = f"/plugins/reflection/deelnemers/{learner}"
    assert "Mijn les liep uit de hand." not in client.get(shared_url).get_data(as_text=True)
    auth.logout()
    auth.login("learner")
    client.post(f"/plugins/reflection/notities/{entry_id}/delen", data={"shared": "1"})
    auth.logout()
    auth.login("mentor")
    assert "Mijn les liep uit de hand." in client.get(shared_url).get_data(as_text=True)
    auth.logout()
    auth.login("learner")
    client.post(f"/plugins/reflection/notities/{entry_id}/delen", data={"shared": "0"})
    auth.logout()
    auth.login("mentor")
    assert "Mijn les liep uit de hand." not in client.get(shared_url).get_data(as_text=True)


def test_other_mentors_and_coordinators_find_nothing(app, client, auth, world, course):
    """Someone who is not the learner's mentor gets a 404, even for shared entries."""
    auth.login("learner")
    _write(client, course)
    with app.app_context():
        entry_id = db.session.scalar(select(ReflectionEntry.id))
    client.post(f"/plugins/reflection/notities/{entry_id}/delen", data={"shared": "1"})
    auth.logout()
    for who in ("other_mentor", "coordinator", "other_learner"):
        auth.login(who)
        url = f"/plugins/reflection/deelnemers/{world.users['learner']}"
        assert client.get(url).status_code == 404, who
        assert client.post(f"/plugins/reflection/notities/{entry_id}/delen",
                           data={"shared": "0"}).status_code == 404, who
        auth.logout()


def test_logbook_lists_own_entries_only(app, client, auth, world, course):
    """The logbook page (linked in the navigation) shows the learner's own entries."""
    auth.login("learner")
    _write(client, course, "Eerste inzicht")
    _write(client, course, "Tweede inzicht", prompt="leerpunt")
    page = client.get("/plugins/reflection/logboek").get_data(as_text=True)
    assert "Eerste inzicht" in page and "Tweede inzicht" in page
    assert 'href="/plugins/reflection/logboek"' in page
    auth.logout()
    auth.login("other_learner")
    page = client.get("/plugins/reflection/logboek").get_data(as_text=True)
    assert "Eerste inzicht" not in page


def test_editing_keeps_one_entry_and_empty_text_is_refused(app, client, auth, world, course):
    """Saving again edits the entry; an empty text is a form error, not a new row."""
    auth.login("learner")
    _write(client, course, "Versie 1")
    _write(client, course, "Versie 2")
    page = _write(client, course, "   ")
    assert "Write something before saving." in page.get_data(as_text=True) or \
        "Schrijf" in page.get_data(as_text=True)
    with app.app_context():
        texts = db.session.scalars(select(ReflectionEntry.text)).all()
    assert texts == ["Versie 2"]


def test_lesson_page_shows_the_prompts(client, auth, world, course):
    """The reflection lesson shows each prompt with a labelled text field."""
    auth.login("learner")
    html = client.get(LESSON_URL.format(slug="terugblik")).get_data(as_text=True)
    assert "Beschrijf een moment uit je les." in html
    assert 'for="text-moment"' in html


def test_complete_only_when_every_prompt_is_answered(app, client, auth, world, course):
    """One answer of two leaves the lesson in progress and says so; the second completes it;
    editing an answer records nothing new."""
    from lms.models.progress import ProgressEvent

    auth.login("learner")
    client.post("/taal", data={"lang": "en"})
    page = _write(client, course).get_data(as_text=True)
    assert "This lesson is completed when you have answered all 2 questions." in page
    assert "1 of 2 answered." in page
    learner = world.users["learner"]
    assert lesson_state(app, learner, course["terugblik"])[0] == "in_progress"
    _write(client, course, "Versie 2")
    page = _write(client, course, "Ik leer plannen.", prompt="leerpunt").get_data(as_text=True)
    assert "2 of 2 answered." in page
    assert lesson_state(app, learner, course["terugblik"])[0] == "completed"
    with app.app_context():
        verbs = db.session.scalars(select(ProgressEvent.verb).order_by(ProgressEvent.id)).all()
    assert verbs == ["attempted", "completed"]
