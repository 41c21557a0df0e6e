"""Hostile input: ids that overflow the database, numbers that are not numbers, dates in the
year 1, request bodies far too large. Whatever is sent, the answer is a 404, a 413 or a form
error, never a 500 and never a half-written database.

Runs on SQLite and, with LMS_TEST_DATABASE_URL, on PostgreSQL (whose ``integer`` refuses
2147483648 where SQLite's driver only refuses values above 2**63).
"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from werkzeug.routing import IntegerConverter

from tests.route_walk import OVERRIDES, seed
from lms.testing import Auth

ROLES = [None, "learner", "mentor", "schoolopleider", "coordinator", "author", "admin"]
# Too large for PostgreSQL's integer, too large for SQLite's driver, negative, zero, and so
# long that Python refuses to turn it into an int at all.
HOSTILE_IDS = ["2147483648", "99999999999999999999999", "-5", "0", "9" * 5000]
PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _value_key(endpoint: str, name: str) -> str:
    return next((key for prefix, arg, key in OVERRIDES
                 if arg == name and endpoint.startswith(prefix)), name)


def id_routes(app):
    """Every rule with an integer argument: (rule, its integer argument names)."""
    found = []
    for rule in app.url_map.iter_rules():
        names = [name for name, conv in rule._converters.items()
                 if isinstance(conv, IntegerConverter)]
        if names:
            found.append((rule, names))
    return found


def hostile_urls(app, values):
    """One URL per (rule, integer argument, hostile value): that argument hostile, the others
    real values from the seeded data."""
    for rule, names in id_routes(app):
        for target in names:
            for bad in HOSTILE_IDS:
                def fill(match, rule=rule, target=target, bad=bad):
                    name = match.group(2)
                    if name == target:
                        return bad
                    return quote(str(values[_value_key(rule.endpoint, name)]), safe="")
                yield rule, PART.sub(fill, rule.rule)


@pytest.fixture
def walked(app, world):
    return seed(app, world)


def test_every_integer_id_route_uses_the_bounded_converter(app):
    """No route takes a plain <int:...>: a new one would let overflowing ids through again."""
    from lms.web.inputs import IdConverter

    routes = id_routes(app)
    assert len(routes) >= 25
    plain = [rule.rule for rule, names in routes
             if not all(isinstance(rule._converters[n], IdConverter) for n in names)]
    assert plain == []


@pytest.mark.parametrize("who", ROLES)
def test_overflowing_and_negative_ids_are_404_for_every_role(app, walked, who):
    """Every route with an id, every method, with ids too large for the database, negative,
    zero or 5000 digits long: 404, for every role and anonymously, and nothing is written."""
    client = app.test_client()
    if who:
        assert Auth(client).login(who).status_code == 302
    wrong = []
    for rule, url in hostile_urls(app, walked):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"text": "x"})
            if response.status_code != 404:
                wrong.append(f"{method} {url[:80]} ({rule.endpoint}): {response.status_code}")
    assert wrong == []


HUGE = "99999999999999999999999"


def _login(app, who: str):
    client = app.test_client()
    assert Auth(client).login(who).status_code == 302
    return client


@pytest.mark.parametrize("value", ["2147483648", HUGE, "-1", "1e3", "9" * 5000])
def test_integer_form_fields_and_query_arguments_are_checked(app, world, walked, value):
    """Ids and numbers in forms and query strings: a form error or the value is ignored,
    never a 500 (mentor_id, a notification id, the learner an enrolment is for, page
    numbers and filters)."""
    school, learner = world.school, world.users["learner"]
    opleider = _login(app, "schoolopleider")
    for data in ({"mentor_id": value}, {"mentor_id": value, "remove": "1"}):
        response = opleider.post(f"/schoolopleider/{school}/deelnemer/{learner}/mentor",
                                 data=data, follow_redirects=True)
        assert response.status_code == 200
        assert "Choose a mentor" in response.get_data(as_text=True) or \
            "Kies een begeleider" in response.get_data(as_text=True) or data.get("remove")
    for url in (f"/schoolopleider/{school}?pagina={value}", f"/schoolopleider/{school}?weken={value}",
                f"/tracks/zij-instroom?learner={value}"):
        assert opleider.get(url).status_code in (200, 404), url
    assert opleider.post("/tracks/zij-instroom/enrol", data={"user_id": value}).status_code in (
        400, 404)
    assert opleider.post("/meldingen/gelezen", data={"id": value}).status_code == 302
    admin = _login(app, "admin")
    for url in (f"/admin/audit?persoon={value}", f"/admin/audit?voor={value}",
                f"/admin/people?page={value}"):
        assert admin.get(url).status_code == 200, url
    pupil = _login(app, "learner")
    page = pupil.post("/begeleiding/bevestiging-aanvragen",
                      data={"mentor": value, "competence": "velon:agogisch", "note": "x"})
    assert page.status_code == 200  # the form again, with "not a valid choice"


# --- API errors and 405 -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/users/-5/path", "/api/v1/users/99999999999/path",
                                 "/api/v1/no-such-thing", "/api/v1/users/abc/path"])
def test_every_api_error_is_json(app, world, url):
    """Routing errors under /api/ are JSON like the API's own, logged in or not."""
    anonymous = app.test_client()
    logged_in = _login(app, "learner")
    for client in (anonymous, logged_in):
        response = client.get(url)
        assert response.status_code == 404 and response.is_json, url
        assert response.json["error"] == "not_found" and response.json["message"]


def test_405_answers_say_which_methods_are_allowed(app):
    """HTML and API alike: the Allow header lists the methods the URL takes."""
    client = app.test_client()
    page = client.delete("/login")
    assert page.status_code == 405 and not page.is_json
    assert {m.strip() for m in page.headers["Allow"].split(",")} >= {"GET", "POST"}
    api = client.put("/api/v1/progress", json={})
    assert api.status_code == 405 and api.json["error"] == "method_not_allowed"
    assert "POST" in api.headers["Allow"]
    assert "GET" in client.post("/api/v1/me/path").headers["Allow"]


def test_api_server_errors_are_json(app_factory):
    """A bug under /api/ answers JSON 500, not the HTML error page."""
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    def broken():
        raise RuntimeError("a bug in a view")

    app.add_url_rule("/api/v1/_broken", "broken", broken)
    response = app.test_client().get("/api/v1/_broken")
    assert response.status_code == 500 and response.json["error"] == "internal_server_error"
