"""Friendly error pages, and JSON errors for the API.

Every error under ``/api/`` is JSON, ``{"error": code, "message": text}``, whether a view, a
``before_request`` check or the URL routing itself raised it (a malformed id in an API URL is
a JSON 404 too). Elsewhere an error is a page in the reader's language. Headers the error
carries (``Allow`` on a 405, ``WWW-Authenticate``, ``Retry-After``) are kept on both.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from lms.extensions import db

API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_code(exc: HTTPException) -> str:
    """``not_found``, ``method_not_allowed``, ``request_entity_too_large``..."""
    return (exc.name or "error").lower().replace(" ", "_").replace("-", "_")


def json_error(status: int, code: str, message: str, headers=None):
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    for name, value in headers or ():
        response.headers[name] = value
    if status == 401 and "WWW-Authenticate" not in response.headers:
        response.headers["WWW-Authenticate"] = 'Bearer realm="leerpad"'
    return response


def _extra_headers(exc: HTTPException) -> list[tuple[str, str]]:
    """The exception's own headers (Allow, Retry-After...), without its Content-Type."""
    return [(name, value) for name, value in exc.get_headers()
            if name.lower() != "content-type"]


def limit_text() -> str | None:
    """The body limit of this request in MB, for the 413 page ("10 MB")."""
    limit = request.max_content_length
    if not limit:
        return None
    megabytes = limit / 1024 / 1024
    return f"{megabytes:.0f} MB" if megabytes >= 10 else f"{megabytes:.1f} MB"


def wait_minutes() -> int | None:
    """Whole minutes until the exceeded rate limit resets (the 429 page says how long)."""
    import math
    import time

    from lms.extensions import limiter

    try:
        current = limiter.current_limit
    except Exception:  # noqa: BLE001  (no limit known: the page stays general)
        return None
    if current is None:
        return None
    return max(1, math.ceil((current.reset_at - time.time()) / 60))


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400 or exc.response is not None:
            return exc  # redirects from the routing (trailing slash), ready-made responses
        headers = _extra_headers(exc)
        if is_api_request():
            message = exc.description or ""
            if exc.code == 413:
                message = f"The request body is larger than this endpoint accepts ({limit_text()})."
            return json_error(exc.code, error_code(exc), message, headers)
        # A 400 raised with its own description says what was wrong; the default one is noise.
        detail = (exc.description if isinstance(exc, BadRequest)
                  and exc.description != BadRequest.description else None)
        page = render_template("errors/error.html", error=exc, code=exc.code, detail=detail,
                               limit=limit_text() if exc.code == 413 else None,
                               wait=wait_minutes() if exc.code == 429 else None)
        return page, exc.code, headers

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        if is_api_request():
            return json_error(500, "internal_server_error", InternalServerError.description)
        return render_template("errors/error.html", error=exc, code=500), 500
