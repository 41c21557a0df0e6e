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
from lms.web.old_urls import is_old_path

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
        if is_old_path(rule):
            continue  # a redirect: its arguments reach a page under its new path
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
                f"/leerroutes/zij-instroom?learner={value}"):
        assert opleider.get(url).status_code in (200, 404), url
    assert opleider.post("/leerroutes/zij-instroom/inschrijven", data={"user_id": value}).status_code in (
        400, 404)
    assert opleider.post("/meldingen/gelezen", data={"id": value}).status_code == 302
    admin = _login(app, "admin")
    for url in (f"/beheer/auditlog?persoon={value}", f"/beheer/auditlog?voor={value}",
                f"/beheer/mensen?page={value}"):
        assert admin.get(url).status_code == 200, url
    pupil = _login(app, "learner")
    page = pupil.post("/begeleiding/bevestiging-aanvragen",
                      data={"mentor": value, "competence": "velon:agogisch", "note": "x"})
    assert page.status_code == 200  # the form again, with "not a valid choice"


# --- request size -------------------------------------------------------------------------

GIB = 1024 ** 3


class Body:
    """A request body that counts what the app reads from it: ``size`` bytes of ``x``
    (endless when None)."""

    def __init__(self, size: int | None = None, start: bytes = b"") -> None:
        self.size, self.read_bytes, self.start = size, 0, start

    def read(self, n: int = -1) -> bytes:
        left = 1 << 20 if self.size is None else self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        n = min(n, 1 << 20)
        head = self.start[self.read_bytes:self.read_bytes + n]
        self.read_bytes += n
        return head + b"x" * (n - len(head))

    def readline(self, limit: int = -1) -> bytes:
        return self.read(limit if limit and limit > 0 else 1024)


def _send(client, url: str, body: Body, *, length: int | None, content_type: str, **headers):
    """POST ``body``: announcing ``length`` bytes, or chunked (no length) when None."""
    environ = {"wsgi.input": body, "CONTENT_TYPE": content_type}
    if length is None:  # as a server that de-chunks the body says (gunicorn, werkzeug)
        environ.update({"wsgi.input_terminated": True, "CONTENT_LENGTH": ""})
        headers["Transfer-Encoding"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(length)
    return client.post(url, headers=headers, environ_overrides=environ)


MULTIPART = "multipart/form-data; boundary=leerpad"
# The start of a well-formed upload whose file never ends.
FILE_PART = (b'--leerpad\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
             b"Content-Type: application/pdf\r\n\r\n")
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("content_type", [MULTIPART, FORM, "application/octet-stream"])
def test_an_announced_gigabyte_is_refused_before_a_byte_is_read(app, content_type):
    """An anonymous 1 GiB POST to /inloggen is a 413 without reading the body, whatever it
    claims to be; the page explains it."""
    body = Body(GIB)
    client = app.test_client()
    client.set_cookie("lms_lang", "en")
    response = _send(client, "/inloggen", body, length=GIB, content_type=content_type)
    assert response.status_code == 413
    assert body.read_bytes == 0
    page = response.get_data(as_text=True)
    assert "What you sent is too large" in page and "1.0 MB" in page
    dutch = _send(app.test_client(), "/inloggen", Body(GIB), length=GIB, content_type=content_type)
    assert dutch.status_code == 413
    assert "Wat je stuurt is te groot" in dutch.get_data(as_text=True)


def test_the_limits_are_settings_and_hold_the_largest_upload(app_factory):
    """The ceiling holds the largest file a lesson may allow plus its form; URLs that take no
    upload accept 1 MB; both can be lowered."""
    from leerpad_plugins.assignment.activity import MAX_MB

    default = app_factory()
    assert default.config["MAX_CONTENT_LENGTH"] > MAX_MB * 1024 * 1024
    assert default.config["MAX_FORM_LENGTH"] == 1024 * 1024
    for setting in ("MAX_CONTENT_LENGTH", "MAX_FORM_LENGTH"):
        app = app_factory(**{setting: 64 * 1024})
        body = Body(100 * 1024)
        assert _send(app.test_client(), "/inloggen", body, length=100 * 1024,
                     content_type=MULTIPART).status_code == 413
        assert body.read_bytes == 0


def test_only_upload_urls_take_more_than_the_form_limit(app, world):
    """1.5 MB to the login form is refused unread; the same to the people import (a CSV
    upload) is read (and its garbage is a form error, not a 413)."""
    size = 1536 * 1024
    body = Body(size)
    assert _send(app.test_client(), "/inloggen", body, length=size,
                 content_type=MULTIPART).status_code == 413
    assert body.read_bytes == 0
    admin = _login(app, "admin")
    body = Body(size, start=FILE_PART)
    response = _send(admin, "/beheer/mensen/importeren", body, length=size, content_type=MULTIPART)
    assert response.status_code == 200 and body.read_bytes == size


def test_a_chunked_body_is_cut_off_at_the_limit(app_factory):
    """Without a Content-Length the body is read only up to the limit, then 413."""
    app = app_factory(MAX_CONTENT_LENGTH=256 * 1024)
    for content_type, start in ((MULTIPART, FILE_PART), (FORM, b"text=")):
        body = Body(start=start)  # endless
        response = _send(app.test_client(), "/inloggen", body, length=None,
                         content_type=content_type)
        assert response.status_code == 413
        assert body.read_bytes <= 256 * 1024 + (1 << 20)


def test_api_requests_that_are_too_large_get_json(app):
    body = Body(GIB)
    response = _send(app.test_client(), "/api/v1/progress", body, length=GIB,
                     content_type="application/json")
    assert response.status_code == 413 and body.read_bytes == 0
    assert response.json["error"] == "request_entity_too_large"
    assert "MB" in response.json["message"]


@pytest.fixture
def plugin_course(app, tmp_path):
    from leerpad_plugins.testing import import_course

    return import_course(app, tmp_path / "courses")


def _submissions(app) -> int:
    from sqlalchemy import func, select

    from leerpad_plugins.assignment.models import AssignmentSubmission
    from lms.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count(AssignmentSubmission.id)))


def test_an_upload_larger_than_the_lesson_allows_is_refused_while_streaming(
        app, world, plugin_course):
    """The lesson allows 1 MB: three announced gigabytes are refused unread; a chunked upload
    is cut off just past the lesson's limit, not the global one; nothing is stored."""
    client = _login(app, "learner")
    client.post("/taal", data={"lang": "en"})
    url = f"/plugins/assignment/lessen/{plugin_course['opdracht']}/inleveringen"
    body = Body(3 * GIB)
    response = _send(client, url, body, length=3 * GIB, content_type=MULTIPART)
    assert response.status_code == 413 and body.read_bytes == 0
    assert "What you sent is too large" in response.get_data(as_text=True)
    assert "2.0 MB" in response.get_data(as_text=True)  # 1 MB file + 1 MB for the form
    body = Body(start=FILE_PART)
    assert _send(client, url, body, length=None, content_type=MULTIPART).status_code == 413
    assert body.read_bytes <= 3 * 1024 * 1024
    assert _submissions(app) == 0


def test_an_upload_within_the_limit_still_works(app, world, plugin_course):
    import io

    client = _login(app, "learner")
    url = f"/plugins/assignment/lessen/{plugin_course['opdracht']}/inleveringen"
    response = client.post(url, data={"text": "Mijn opzet", "file": (io.BytesIO(b"x" * 400_000),
                                                                     "opzet.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and _submissions(app) == 1


def test_a_real_server_refuses_an_announced_gigabyte_without_reading_it(app):
    """Over a socket to a real HTTP server: headers announce 1 GiB, a few bytes follow, the
    413 comes back while the client is still "sending", the app read nothing, and a GET
    /inloggen on another connection is answered meanwhile."""
    import socket
    import threading

    from werkzeug.serving import make_server

    read = []

    def counting(environ, start_response):
        stream = environ["wsgi.input"]

        class Counter:
            def read(self, *args):
                data = stream.read(*args)
                read.append(len(data))
                return data

            def readline(self, *args):
                data = stream.readline(*args)
                read.append(len(data))
                return data

        environ["wsgi.input"] = Counter()
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, counting, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_port
        with socket.create_connection(("127.0.0.1", port), timeout=5) as attacker:
            attacker.sendall(
                b"POST /inloggen HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + MULTIPART.encode()
                + b"\r\nContent-Length: " + str(GIB).encode() + b"\r\n\r\n--leerpad\r\n")
            answer = attacker.recv(4096)
            assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
            with socket.create_connection(("127.0.0.1", port), timeout=5) as visitor:
                visitor.sendall(b"GET /inloggen HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                assert visitor.recv(4096).startswith(b"HTTP/1.1 200")
        assert sum(read) == 0
    finally:
        server.shutdown()
        server.server_close()


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
    page = client.delete("/inloggen")
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


# --- numbers and dates --------------------------------------------------------------------


def _count(app, model) -> int:
    from sqlalchemy import func, select

    from lms.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# "1,5" is how a Dutch teacher writes one and a half (accepted, see tests/test_path.py);
# a comma together with a point, or two commas, stays an error.
@pytest.mark.parametrize("hours", ["inf", "-inf", "nan", "NaN", "1e308", "1e999", "infinity",
                                   "9" * 400, "0x10", "1.000,5", "1,5,5"])
def test_hours_that_are_not_finite_numbers_are_a_form_error(app, world, hours):
    from lms.models import HoursEntry

    client = _login(app, "learner")
    client.set_cookie("lms_lang", "en")
    response = client.post("/leerpad/uren/nieuw", data={
        "day": "2024-03-01", "hours": hours, "category": "lezen", "description": "Gelezen"})
    assert response.status_code == 200
    assert 'id="hours-error"' in response.get_data(as_text=True)
    assert _count(app, HoursEntry) == 0


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "9999-12-31"])
def test_hours_dates_outside_1990_to_today_are_a_form_error(app, world, day):
    from lms.models import HoursEntry

    client = _login(app, "learner")
    response = client.post("/leerpad/uren/nieuw", data={
        "day": day, "hours": "1", "category": "lezen", "description": "Gelezen"})
    assert response.status_code == 200 and 'id="day-error"' in response.get_data(as_text=True)
    assert _count(app, HoursEntry) == 0
    assert client.post("/leerpad/uren/nieuw", data={
        "day": "1990-01-01", "hours": "1", "category": "lezen",
        "description": "Gelezen"}).status_code == 302


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "9999-12-31"])
def test_goal_target_dates_far_away_are_a_form_error(app, world, day):
    from lms.models import DevelopmentGoal

    client = _login(app, "learner")
    response = client.post("/leerpad/doelen/nieuw", data={
        "title": "Doel", "status": "planned", "target_date": day})
    assert response.status_code == 200
    assert 'id="target_date-error"' in response.get_data(as_text=True)
    assert _count(app, DevelopmentGoal) == 0


def test_rows_dated_at_the_ends_of_the_calendar_never_break_a_page(app, world):
    """Hours and goals dated 0001-01-01 and 9999-12-31 (stored before dates were checked, or
    by hand) do not make the path, its exports, the API or the supervisors' views fail."""
    from datetime import date

    from lms.extensions import db
    from lms.models import DevelopmentGoal, HoursEntry

    learner = world.users["learner"]
    with app.app_context():
        for day in (date(1, 1, 1), date(9999, 12, 31)):
            db.session.add(HoursEntry(user_id=learner, date=day, hours=2, category="lezen",
                                      description=f"Op {day}"))
            db.session.add(DevelopmentGoal(user_id=learner, title=f"Doel {day}", target_date=day))
        db.session.commit()
    own = _login(app, "learner")
    for url in ("/leerpad", "/leerpad/export.json", "/leerpad/export.html", "/api/v1/me/path",
                "/api/v1/me/enrolments", "/"):
        assert own.get(url).status_code == 200, url
    assert own.post("/account/gegevens/download").status_code == 200
    cycles = own.get("/api/v1/me/path").json["hours"]["cycles"]
    assert sum(c["total"] for c in cycles) == 4
    mentor = _login(app, "mentor")
    for url in (f"/leerpad/{learner}", f"/api/v1/users/{learner}/path",
                f"/begeleiding/deelnemer/{learner}"):
        assert mentor.get(url).status_code == 200, url
    opleider = _login(app, "schoolopleider")
    assert opleider.get(f"/schoolopleider/{world.school}/deelnemer/{learner}").status_code == 200
    assert opleider.get(f"/schoolopleider/{world.school}").status_code == 200
    coordinator = _login(app, "coordinator")
    for url in (f"/coordinatie/{world.board}", f"/coordinatie/{world.board}/rapport.xlsx",
                f"/coordinatie/{world.board}/hours.csv"):
        assert coordinator.get(url).status_code == 200, url


# --- the same thing at the same moment ----------------------------------------------------


def _at_once(clients, send):
    """``send(client, i)`` from every client in its own thread, released together; the
    answers (an exception counts as a failure of the test)."""
    import threading

    barrier = threading.Barrier(len(clients))
    answers, errors = [None] * len(clients), []

    def run(index: int) -> None:
        try:
            barrier.wait(30)
            answers[index] = send(clients[index], index)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return answers


def _rows(app, model, **where):
    from sqlalchemy import select

    from lms.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(model).filter_by(**where)).all()
        db.session.expunge_all()
        return rows


def test_ten_saves_of_one_reflection_prompt_at_once_keep_one_entry(app, world, plugin_course):
    """Ten saves of the same prompt at the same moment: no 500, one entry holding one of the
    texts, one 'attempted' for it; the same for the lesson's last prompt, which completes the
    lesson once."""
    from leerpad_plugins.reflection.models import ReflectionEntry
    from lms.models.progress import ProgressEvent

    clients = [_login(app, "learner") for _ in range(10)]
    for prompt, verb in (("moment", "attempted"), ("leerpunt", "completed")):
        url = f"/plugins/reflection/lessen/{plugin_course['terugblik']}/vragen/{prompt}"
        answers = _at_once(clients, lambda c, i: c.post(url, data={"text": f"{prompt} {i}"}))
        assert [a.status_code for a in answers] == [302] * 10
        entries = _rows(app, ReflectionEntry, user_id=world.users["learner"], prompt_id=prompt)
        assert len(entries) == 1 and entries[0].text in {f"{prompt} {i}" for i in range(10)}
        assert len(_rows(app, ProgressEvent, verb=verb)) == 1
    assert len(_rows(app, ProgressEvent, verb="attempted")) == 1


def test_ten_hand_ins_at_once_make_one_submission(app, world, plugin_course):
    """Ten hand-ins of one assignment at the same moment: no 500, one submission waiting for
    sign-off (the others are told their work is waiting), one 'submitted' event."""
    from leerpad_plugins.assignment.models import AssignmentSubmission
    from lms.models.progress import ProgressEvent

    clients = [_login(app, "learner") for _ in range(10)]
    url = f"/plugins/assignment/lessen/{plugin_course['opdracht']}/inleveringen"
    answers = _at_once(clients, lambda c, i: c.post(url, data={"text": f"Opzet {i}"}))
    assert [a.status_code for a in answers] == [302] * 10
    rows = _rows(app, AssignmentSubmission, user_id=world.users["learner"])
    assert [r.status for r in rows] == ["submitted"]
    assert len(_rows(app, ProgressEvent, verb="submitted")) == 1


def _once_key(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="once"[^>]*value="([^"]+)"', page)[1]


CREATIONS = [
    ("/leerpad/uren/nieuw", {"day": "2024-03-01", "hours": "1.5", "category": "lezen",
                             "description": "Vakliteratuur"}, "HoursEntry"),
    ("/leerpad/doelen/nieuw", {"title": "Beter feedback geven", "status": "planned"},
     "DevelopmentGoal"),
    ("/leerpad/tokens", {"name": "Mijn script"}, "ApiToken"),
]


@pytest.mark.parametrize("url, data, model", CREATIONS)
def test_five_posts_of_one_form_at_once_create_one_row(app, world, url, data, model):
    """A form posted five times at the same moment (a double click, a retry, five tabs with
    the same page): one hours entry, goal or token, and no error for anyone."""
    import lms.models as models

    clients = [_login(app, "learner") for _ in range(5)]
    key = _once_key(clients[0], url)
    answers = _at_once(clients, lambda c, i: c.post(url, data={**data, "once": key}))
    assert all(a.status_code in (200, 302) for a in answers)
    assert len(_rows(app, getattr(models, model), user_id=world.users["learner"])) == 1
    # The same form once more, later: still one. A new form (a new key): a second row.
    assert clients[0].post(url, data={**data, "once": key}).status_code in (200, 302)
    assert len(_rows(app, getattr(models, model), user_id=world.users["learner"])) == 1
    fresh = _once_key(clients[0], url)
    assert clients[0].post(url, data={**data, "once": fresh}).status_code in (200, 302)
    assert len(_rows(app, getattr(models, model), user_id=world.users["learner"])) == 2


@pytest.mark.parametrize("url, data, model", CREATIONS)
def test_five_posts_without_a_form_key_at_once_create_one_row(app, world, url, data, model):
    """Without the form's key (a script, a page from before), the same content posted five
    times at once is one row too."""
    import lms.models as models

    clients = [_login(app, "learner") for _ in range(5)]
    answers = _at_once(clients, lambda c, i: c.post(url, data=data))
    assert all(a.status_code in (200, 302) for a in answers)
    assert len(_rows(app, getattr(models, model), user_id=world.users["learner"])) == 1


def test_without_a_key_the_same_content_counts_again_after_the_debounce(app, world):
    """Content-keyed claims hold for DEBOUNCE only; form keys for a day; claims of one user
    never block another."""
    from lms.extensions import db
    from lms.models.base import utcnow
    from lms.tracking.once import DEBOUNCE, KEEP, claim

    learner, other = world.users["learner"], world.users["other_learner"]
    start = utcnow()
    content = {"title": "Doel"}
    with app.app_context():
        assert claim(learner, "goal.new", None, content, now=start)
        assert not claim(learner, "goal.new", None, content, now=start + DEBOUNCE / 2)
        assert claim(other, "goal.new", None, content, now=start + DEBOUNCE / 2)
        assert claim(learner, "goal.new", None, content, now=start + DEBOUNCE * 2)
        key = "k" * 22
        assert claim(learner, "goal.new", key, content, now=start)
        assert not claim(learner, "goal.new", key, {"title": "anders"}, now=start + KEEP / 2)
        assert claim(learner, "hours.new", key, content, now=start)  # another action
        db.session.commit()


def test_the_migration_resolves_submissions_handed_in_twice_before_it(tmp_path):
    """Rows the race left behind (two waiting submissions for one learner and lesson) do not
    stop the upgrade: the newest keeps waiting, the older one is returned with a note."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from lms import create_app
    from lms.extensions import db
    from tests.test_migrations import _own_database

    with _own_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url,
                          "TESTING": True, "SECRET_KEY": "x"})
        try:
            with app.app_context():
                upgrade(revision="heads")
                downgrade(revision="assignment_0001")
                from leerpad_plugins.assignment.models import AssignmentSubmission
                from lms.models import User
                from tests import builders

                person = User(email="a@example.org", name="A")
                db.session.add(person)
                lesson = builders.course("c", ["l"], lesson_type="assignment").lessons[0]
                for text in ("eerste", "tweede"):
                    db.session.add(AssignmentSubmission(user_id=person.id, lesson_id=lesson.id,
                                                        text=text, status="submitted"))
                db.session.commit()
                db.session.remove()
                upgrade(revision="heads")
                with db.engine.connect() as conn:
                    rows = conn.execute(sa.text(
                        "SELECT text, status, feedback FROM assignment_submission ORDER BY id")).all()
            assert [(r.text, r.status) for r in rows] == [("eerste", "returned"),
                                                          ("tweede", "submitted")]
            assert "twee keer" in rows[0].feedback.lower()
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


# --- spreadsheets -------------------------------------------------------------------------

DANGEROUS_CELLS = ["=1+1", "+1", "-1+1", "@SUM(A1)", "|cmd", "＝1+1", "＋1", "－1", "＠SUM(A1)",
                   "\t=1", "\r=1", "\n=1", "\ttab first", "%0A=cmd|' /C calc'!A0",
                   "%0a%0d+1", " =1+1", "\u3000＝1"]
HARMLESS_CELLS = ["Het Noorderlicht", "a=b", "%0Ahello", "e-mail", "", 3, -3, 2.5, None]


@pytest.mark.parametrize("value", DANGEROUS_CELLS)
def test_text_that_a_spreadsheet_could_run_stays_text(value):
    """CSV and XLSX: every formula start (also |, full-width forms, a leading tab or line
    break, blanks or %0A before it) gets an apostrophe and is stored as text."""
    import csv
    import io

    from openpyxl import load_workbook

    from lms.reports.writers import to_csv, to_xlsx

    rows = list(csv.reader(io.StringIO(to_csv(["Naam"], [[value]]), newline="")))
    assert rows[1] == ["'" + value]
    sheet = load_workbook(io.BytesIO(to_xlsx([("Blad", ["Naam"], [[value]])]))).worksheets[0]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'")


@pytest.mark.parametrize("value", HARMLESS_CELLS)
def test_other_values_are_left_alone(value):
    from lms.reports.writers import safe_cell

    assert safe_cell(value) == value


def test_coordinator_downloads_neutralise_names_and_survive_control_characters(app, world):
    """A school named like a formula is text in the coordinator's CSV (through the core CSV
    exporter) and XLSX; a name with a control character does not break the XLSX."""
    import io

    from openpyxl import load_workbook

    from lms.extensions import db
    from lms.models import Organisation

    with app.app_context():
        db.session.get(Organisation, world.school).name = "＝HYPERLINK(\"http://x\")"
        db.session.get(Organisation, world.other_school).name = "Zon\x1bschool"
        db.session.get(Organisation, world.other_board).parent_id = world.board
        db.session.commit()
    coordinator = _login(app, "coordinator")
    csv_text = coordinator.get(f"/coordinatie/{world.board}/schools.csv").get_data(as_text=True)
    assert "'＝HYPERLINK" in csv_text and "\n＝HYPERLINK" not in csv_text
    workbook = coordinator.get(f"/coordinatie/{world.board}/rapport.xlsx")
    assert workbook.status_code == 200
    values = [c.value for sheet in load_workbook(io.BytesIO(workbook.data)).worksheets
              for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'＝HYPERLINK(\"http://x\")" in values and "Zon\ufffdschool" in values
    assert not any(v.startswith("＝") for v in values)


def test_form_claims_are_not_in_a_persons_data_export(app, world):
    """The claims behind "saving twice" are bookkeeping, not the teacher's data."""
    import io
    import json
    import zipfile

    client = _login(app, "learner")
    key = _once_key(client, "/leerpad/doelen/nieuw")
    client.post("/leerpad/doelen/nieuw", data={"title": "Doel", "status": "planned", "once": key})
    archive = zipfile.ZipFile(io.BytesIO(client.post("/account/gegevens/download").data))
    tables = json.loads(archive.read("data.json"))["tables"]
    assert "development_goal" in tables and "form_claim" not in tables


# --- the operator's guide ---------------------------------------------------------------------

# Every limit an operator can set: requests, course files, logins, passwords, HTTPS.
LIMIT_SETTINGS = {"MAX_CONTENT_LENGTH", "MAX_FORM_LENGTH", "COURSE_FILE_MAX_BYTES",
                  "COURSE_RENDER_SECONDS", "LOGIN_LIMIT", "LOGIN_ADDRESS_LIMIT",
                  "LOGIN_ACCOUNT_LIMIT", "RATELIMIT_STORAGE", "MIN_PASSWORD_LENGTH", "HTTPS",
                  "PROXY_FIX"}


def test_the_deployment_guides_limits_section_names_every_limit_and_its_setting():
    """docs/deployment.md's Limits section names the setting of every limit (each a real
    setting, Flask's own MAX_FORM_MEMORY_SIZE aside) and the throttle's defaults as they are."""
    from pathlib import Path

    from lms.config import DEFAULTS

    guide = (Path(__file__).resolve().parent.parent / "docs" / "deployment.md").read_text(
        encoding="utf-8")
    section = guide.split("\n### Limits\n", 1)[1].split("\n### ", 1)[0]
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))
    assert LIMIT_SETTINGS - named == set()
    assert named - {"MAX_FORM_MEMORY_SIZE"} <= set(DEFAULTS)
    for setting in ("LOGIN_LIMIT", "LOGIN_ADDRESS_LIMIT", "LOGIN_ACCOUNT_LIMIT"):
        assert f"`{DEFAULTS[setting]}`" in section, setting
