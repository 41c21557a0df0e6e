"""Catalogue search: one query API over SQLite FTS5 and PostgreSQL full text."""
from __future__ import annotations

from lms.extensions import db
from lms.search import search, terms
from tests import builders as b


def _seed():
    observe = b.course("observeren", ["kijken", "terugkoppelen"], title="Lessen observeren")
    observe.summary = "Kijkwijzers voor lesbezoek."
    observe.lessons[1].html = "<p>Een <strong>begeleidingsgesprek</strong> na het lesbezoek.</p>"
    old = b.course("oud", ["les"], title="Oude observatiecursus", archived=True)
    other = b.course("werkdruk", ["grenzen"], title="Werkdruk herkennen")
    other.lessons[0].html = "<p>Plannen en grenzen stellen in de carrière.</p>"
    track = b.track("route-begeleiden", [observe], audience=["mentor"])
    track.summary = "Voor werkplekbegeleiders die observeren en begeleiden."
    db.session.commit()
    return observe.id, old.id, other.id, track.id


def test_words_are_prefixes_and_all_must_match(app):
    """'observ' finds 'observeren' in a title; two words must both occur; archived is gone."""
    with app.app_context():
        observe, old, other, track = _seed()
        found = search("Observ")
        assert set(found.courses) == {observe} and set(found.tracks) == {track}
        assert old not in found.courses
        both = search("lesbezoek begeleidingsgesprek")
        assert set(both.courses) == {observe} and both.tracks == {}
        assert search("observeren werkdruk").courses == {}


def test_lesson_text_finds_its_course_and_names_the_lesson(app):
    """A word only in a lesson's text finds the course and says which lesson holds it."""
    with app.app_context():
        observe, _old, other, _track = _seed()
        found = search("begeleidingsgesprek")
        assert set(found.courses) == {observe}
        assert found.lessons[observe] == ["Les terugkoppelen"]
        assert set(search("grenzen").courses) == {other}


def test_edits_and_new_rows_are_found_at_once(app):
    """The index follows inserts, updates and archiving without a rebuild."""
    with app.app_context():
        observe, _old, other, _track = _seed()
        course = db.session.get(b.Course, other)
        course.title = "Veerkracht en werkdruk"
        db.session.commit()
        assert set(search("veerkracht").courses) == {other}
        assert search("herkennen").courses == {}
        course.archived = True
        db.session.commit()
        assert search("veerkracht").courses == {}
        added = b.course("nieuw", ["a"], title="Nieuwsgierig leren")
        assert set(search("nieuwsgierig").courses) == {added.id}


def test_course_title_ranks_above_a_lesson_mention(app):
    """A course named after the word comes before one that mentions it in a lesson."""
    with app.app_context():
        named = b.course("grenzen-stellen", ["a"], title="Grenzen stellen")
        _observe, _old, mentioned, _track = _seed()
        found = search("grenzen")
        ranked = sorted(found.courses, key=found.courses.get, reverse=True)
        assert ranked == [named.id, mentioned]


def test_query_words_are_cleaned_and_bounded():
    """Only letters and digits count; quotes, operators and markup cannot change the query."""
    assert terms('  "Begeleiden" AND -observatie* OR (NEAR) ') == [
        "begeleiden", "and", "observatie", "or", "near"]
    assert terms("a_b c-d") == ["a", "b", "c", "d"]
    assert len(terms(" ".join(f"w{i}" for i in range(20)))) == 8
    assert terms(None) == [] and terms("!!!") == []


def test_hostile_queries_are_just_words(app):
    """FTS syntax, SQL and tsquery operators in the query find nothing and raise nothing."""
    with app.app_context():
        _seed()
        for query in ['"', "*", "NEAR(a b)", "'; DROP TABLE course; --", "a & | !b:*", "\x00",
                      "ö" * 300, "{title}: x"]:
            search(query)
        assert set(search("Lessen OR werkdruk").courses) == set()
