"""Helpers for the talent plugin's tests: log in through the real form, and walk every page
(and the personal data export) a person can open, to prove what they never see."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from flask import url_for


def login(client, who: str, lang: str = "en") -> None:
    """Log in as ``who`` (``<who>@example.org``) and choose the page language."""
    from lms.testing import PASSWORD

    client.post("/uitloggen")
    response = client.post("/inloggen", data={"email": f"{who}@example.org", "password": PASSWORD})
    assert response.status_code == 302, who
    client.post("/taal", data={"lang": lang})


def page_urls(app, world, extra: dict[str, object] | None = None) -> Iterator[str]:
    """One URL per GET rule whose arguments can be filled from the world (others, and the
    old paths that only redirect, skipped)."""
    from lms.web.old_urls import is_old_path

    values = {"user_id": world.users["learner"], "learner_id": world.users["learner"],
              "slug": "werkplekbegeleider", **(extra or {})}
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if (is_old_path(rule) or "GET" not in rule.methods
                    or rule.endpoint in {"static", "plugin_static"}):
                continue
            args = {}
            for name in rule.arguments:
                if name == "org_id":
                    args[name] = world.board if rule.endpoint.startswith(
                        ("coordinate.", "talent.ambassadors")) else world.school
                elif name in values:
                    args[name] = values[name]
            if len(args) == len(rule.arguments):
                yield url_for(rule.endpoint, **args)


def readable(response) -> str:
    """A response's text; for a zip (XLSX, the personal data export) every file inside. The
    response is closed (a file it sends is not left open)."""
    data = response.get_data()
    response.close()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace")
                             for name in archive.namelist())
    return data.decode("utf-8", "replace")


def everything_seen(app, client, world, extra_urls=()) -> dict[str, tuple[int, str]]:
    """Every GET page the logged-in person can open, plus their data export:
    url → (status, text)."""
    seen = {}
    for url in [*page_urls(app, world), *extra_urls]:
        response = client.get(url, follow_redirects=True)
        seen[url] = (response.status_code, readable(response))
    export = client.post("/account/gegevens/download")
    seen["POST /account/gegevens/download"] = (export.status_code, readable(export))
    return seen
