"""The JSON API: tokens, the learner's own path, recording progress, and its OpenAPI document."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from lms.extensions import db
from lms.models import User
from lms.models.portfolio import ApiToken
from lms.models.progress import LessonState, ProgressEvent
from tests.test_path_support import enrol, seed_content


@pytest.fixture
def content(app, world):
    with app.app_context():
        return seed_content()


def make_token(client, auth, who: str) -> str:
    """Create a token through the tokens page and read the secret shown once."""
    auth.login(who)
    page = client.post("/leerpad/tokens", data={"name": "koppeling-rooster"}).get_data(as_text=True)
    auth.logout()
    match = re.search(r"<code>(lp_[A-Za-z0-9_-]+)</code>", page)
    assert match, page
    return match.group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_openapi_document_is_valid(client):
    """The served OpenAPI document is valid OpenAPI 3.1."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_documented_path_is_a_route(app, client):
    """Each path and method in the OpenAPI document is served by the app, and vice versa."""
    spec = client.get("/api/v1/openapi.json").get_json()
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            routes[path] = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {path: set(ops) for path, ops in spec["paths"].items()}
    assert documented == routes


def test_token_reads_own_path_and_is_stored_hashed(app, client, world, auth, content):
    """A personal token reads the owner's path; the database holds only its SHA-256."""
    with app.app_context():
        enrol(world.users["learner"], content.track)
    token = make_token(client, auth, "learner")
    response = client.get("/api/v1/me/path", headers=bearer(token))
    assert response.status_code == 200
    data = response.get_json()
    assert data["learner"]["id"] == world.users["learner"]
    assert data["tracks"][0]["slug"] == "werkplekbegeleider"
    # A track's courses carry exactly the documented fields; the second waits for the first.
    step_fields = client.get("/api/v1/openapi.json").get_json()[
        "components"]["schemas"]["CourseStep"]["properties"]
    steps = data["tracks"][0]["courses"]
    assert all(set(step) == set(step_fields) for step in steps)
    assert [s["available"] for s in steps] == [True, False]
    assert data["tracks"][0]["next_step"] == steps[0]
    enrolments = client.get("/api/v1/me/enrolments", headers=bearer(token)).get_json()
    assert [e["slug"] for e in enrolments["enrolments"]] == ["werkplekbegeleider"]
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken))
        assert row.token_hash == ApiToken.hash_secret(token) and token not in row.token_hash
        assert row.last_used_at is not None


def test_without_credentials_or_with_a_revoked_token_the_api_says_401(app, client, world, auth):
    """No session and no token, an unknown token, or a revoked token: 401, in JSON."""
    assert client.get("/api/v1/me/path").status_code == 401
    assert client.get("/api/v1/me/path", headers=bearer("lp_nonsense")).status_code == 401
    token = make_token(client, auth, "learner")
    auth.login("learner")
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    client.post(f"/leerpad/tokens/{token_id}/intrekken")
    auth.logout()
    response = client.get("/api/v1/me/path", headers=bearer(token))
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_token"


def test_token_cannot_read_or_write_another_learners_path(app, client, world, auth, content):
    """One learner's token cannot read another learner's path or record for them."""
    token = make_token(client, auth, "learner")
    for other in ("other_learner", "far_learner", "mentor"):
        response = client.get(f"/api/v1/users/{world.users[other]}/path", headers=bearer(token))
        assert response.status_code in (403, 404)
    assert client.get(f"/api/v1/users/{world.users['learner']}/path",
                      headers=bearer(token)).status_code == 200
    # progress is always recorded for the token's owner, whatever the body says
    client.post("/api/v1/progress", headers=bearer(token), json={
        "object": "werkplekbegeleider-basis/jouw-rol", "verb": "completed",
        "user": world.users["other_learner"]})
    with app.app_context():
        owners = set(db.session.scalars(sa.select(ProgressEvent.user_id)))
    assert owners == {world.users["learner"]}


def test_mentor_token_reads_their_learners_path(app, client, world, auth, content):
    """A mentor's token reads the path of a learner assigned to them, not of others."""
    token = make_token(client, auth, "mentor")
    assert client.get(f"/api/v1/users/{world.users['learner']}/path",
                      headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/users/{world.users['other_learner']}/path",
                      headers=bearer(token)).status_code in (403, 404)


def test_record_progress_with_a_token(app, client, world, auth, content):
    """A token client marks a page lesson done; the lesson counts as completed, once."""
    token = make_token(client, auth, "learner")
    body = {"object": "werkplekbegeleider-basis/jouw-rol", "verb": "completed"}
    first = client.post("/api/v1/progress", headers=bearer(token), json=body)
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.get_json()["state"]["status"] == "completed"
    assert client.post("/api/v1/progress", headers=bearer(token), json=body).status_code == 201
    opened = client.post("/api/v1/progress", headers=bearer(token), json={
        "object": "werkplekbegeleider-vervolg/intervisie", "verb": "experienced"})
    assert opened.get_json()["state"]["status"] == "in_progress"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressEvent)
                                 .where(ProgressEvent.verb == "completed")) == 1
        state = db.session.scalar(sa.select(LessonState).where(
            LessonState.lesson_id == content.lessons["werkplekbegeleider-basis/jouw-rol"]))
        assert state.user_id == world.users["learner"] and state.status == "completed"


@pytest.mark.parametrize("body, status", [
    ({"object": "werkplekbegeleider-basis/jouw-rol", "verb": "passed"}, 422),
    ({"object": "werkplekbegeleider-basis/jouw-rol", "verb": "approved"}, 422),
    ({"object": "werkplekbegeleider-basis/quiz", "verb": "completed"}, 422),
    ({"object": "werkplekbegeleider-basis/bestaat-niet", "verb": "completed"}, 404),
    ({"object": "geen-object", "verb": "completed"}, 404),
    ({"object": 12, "verb": "completed"}, 400),
    ({"verb": "completed"}, 400),
    ([], 400),
])
def test_progress_refuses_what_api_clients_may_not_send(app, client, world, auth, content, body,
                                                        status):
    """Sign-off verbs, 'completed' on a quiz, unknown lessons and bad bodies are refused."""
    token = make_token(client, auth, "learner")
    response = client.post("/api/v1/progress", headers=bearer(token), json=body)
    assert response.status_code == status
    assert "error" in response.get_json()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressEvent)) == 0


def test_session_posts_need_csrf_but_token_posts_do_not(app_factory, world):
    """With CSRF on, a session POST needs the X-CSRFToken header; a token POST does not."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        seed_content()
        user = db.session.get(User, world.users["learner"])
        token, secret = ApiToken.issue(user.id, "script")
        db.session.add(token)
        db.session.commit()
    client = app.test_client()
    body = {"object": "werkplekbegeleider-basis/jouw-rol", "verb": "experienced"}
    assert client.post("/api/v1/progress", json=body, headers=bearer(secret)).status_code == 201
    login_page = client.get("/inloggen").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/inloggen", data={"email": "learner@example.org", "password": "correct horse battery",
                                "csrf_token": csrf_token})
    assert client.get("/api/v1/me/path").status_code == 200  # the session works for reading
    refused = client.post("/api/v1/progress", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"] == "bad_request"
    accepted = client.post("/api/v1/progress", json=body, headers={"X-CSRFToken": csrf_token})
    assert accepted.status_code == 201


def test_tokens_page_lists_only_own_tokens_and_cannot_revoke_others(app, client, world, auth):
    """A teacher sees only their own tokens and cannot revoke someone else's."""
    make_token(client, auth, "other_learner")
    auth.login("learner")
    assert "koppeling-rooster" not in client.get("/leerpad/tokens").get_data(as_text=True)
    with app.app_context():
        other_id = db.session.scalar(sa.select(ApiToken.id))
    assert client.post(f"/leerpad/tokens/{other_id}/intrekken").status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, other_id).revoked_at is None
