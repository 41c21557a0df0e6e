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


# --- the catalogue page ------------------------------------------------------------------------


def _catalogue_content():
    """Courses and tracks for several audiences, like the shipped ones."""
    from lms.models import Competence, CompetenceFramework

    db.session.add(CompetenceFramework(slug="bek", title="Bekwaamheidseisen", competences=[
        Competence(code="ped", title="Pedagogisch bekwaam", position=1)]))
    start = b.course("goed-van-start", ["werkdruk"], title="Goed van start", audience=["learner"],
                     sectors=["po", "vo", "mbo"], hours=10)
    start.nlqf, start.competences = 6, ["bek:ped"]
    start.lessons[0].html = "<p>Over werkdruk en grenzen stellen.</p>"
    pdg = b.course("pdg", ["portfolio"], title="PDG-traject mbo", audience=["learner"],
                   sectors=["mbo"], hours=1680)
    mentor = b.course("begeleiden", ["observeren"], title="Basistraining werkplekbegeleider",
                      audience=["mentor", "schoolopleider"], sectors=["po", "vo"], hours=24)
    db.session.commit()
    b.track("pdg-mbo", [pdg], audience=["learner"], sectors=["mbo"], duration_months=24)
    b.track("inductie", [start, (mentor, False, [])], audience=["learner"],
            sectors=["po", "vo", "mbo"], duration_months=36)


def _english_client(app, who="learner"):
    from lms.testing import Auth

    client = app.test_client()
    assert Auth(client).login(who).status_code == 302
    client.post("/taal", data={"lang": "en"})
    return client


def _text(client, url):
    import re

    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_catalogue_search_finds_lesson_text_and_says_where(app, world):
    with app.app_context():
        _catalogue_content()
    client = _english_client(app)
    html = _text(client, "/catalogus?q=grenzen")
    assert "1 result for “grenzen”" in html
    assert "Goed van start" in html and "Found in: Les werkdruk" in html
    assert "PDG-traject mbo" not in html and "Basistraining werkplekbegeleider" not in html
    assert "No tracks match these filters." in html
    assert "2 results for “pdg”" in _text(client, "/catalogus?q=pdg")  # the course and its track


def test_the_readers_own_audience_comes_first(app, world):
    """A vo learner sees the courses and tracks for learners in vo under 'For you', the
    mentors' training and the mbo track under 'More in the catalogue'."""
    with app.app_context():
        _catalogue_content()
    html = _text(_english_client(app), "/catalogus")
    tracks = html[html.index('id="tracks-heading"'):html.index('id="courses-heading"')]
    more = tracks.index("More in the catalogue")
    assert tracks.index("Inductie") < more < tracks.index("Pdg Mbo")
    courses = html[html.index('id="courses-heading"'):]
    more = courses.index("More in the catalogue")
    assert courses.index("Goed van start") < more
    assert courses.index("Basistraining werkplekbegeleider") > more
    assert courses.index("PDG-traject mbo") > more
    mentor = _text(_english_client(app, "mentor"), "/catalogus")
    courses = mentor[mentor.index('id="courses-heading"'):]
    assert courses.index("Basistraining werkplekbegeleider") < courses.index("More in the catalogue")


def test_cards_show_study_load_duration_level_sectors_and_competences(app, world):
    with app.app_context():
        _catalogue_content()
    html = _text(_english_client(app), "/catalogus")
    assert "Study load: 1,680 hours" in html and "24 months" in html and "1 course" in html
    assert "Study load: 10 hours" in html and "NLQF 6" in html and "PO, VO, MBO" in html
    assert "Competences: Pedagogisch bekwaam" in html
    assert "for Mentor, Schoolopleider" in html or "for mentor, schoolopleider" in html.lower()
    assert "1680.0" not in html and "10.0 " not in html
    dutch = _english_client(app)
    dutch.post("/taal", data={"lang": "nl"})
    assert "Studielast: 1.680 uur" in _text(dutch, "/catalogus")


def test_filters_are_remembered_until_cleared(app, world):
    """The last search and filters come back when the catalogue is opened again."""
    with app.app_context():
        _catalogue_content()
    client = _english_client(app)
    _text(client, "/catalogus?q=&sector=mbo&nlqf=")
    again = _text(client, "/catalogus")
    assert "Your filters from last time." in again and '<option value="mbo" selected>' in again
    assert "Goed van start" in again and "Basistraining werkplekbegeleider" not in again
    cleared = _text(client, "/catalogus?wis=1")
    assert "Basistraining werkplekbegeleider" in cleared
    assert "Your filters from last time." not in _text(client, "/catalogus")
    assert "NLQF 6" in _text(client, "/catalogus?nlqf=6")
    assert "PDG-traject mbo" not in _text(client, "/catalogus")  # nlqf=6 remembered
    _text(client, "/catalogus?nlqf=99&role=nobody")  # nonsense is no filter, and forgets
    assert "PDG-traject mbo" in _text(client, "/catalogus")


def test_catalogue_stays_within_the_query_budget(app, world):
    """At most six queries with a search, as many with 3 courses as with 40."""
    from tests.test_learn import counted

    with app.app_context():
        _catalogue_content()
    client = _english_client(app)
    counts = []
    for extra in (0, 40):
        with app.app_context():
            for n in range(extra):
                b.course(f"extra-{n}", ["a"], title=f"Werkdruk extra {n}")
        for url in ("/catalogus?q=werkdruk", "/catalogus?wis=1"):
            client.get(url)
            with counted(app) as statements:
                client.get(url)
            counts.append(len(statements))
    assert counts[0] == counts[2] <= 6 and counts[1] == counts[3] <= 5, counts
    with counted(app) as statements:
        client.get("/catalogus?q=werkdruk")
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
