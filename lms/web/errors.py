"""Friendly error pages."""
from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import BadRequest, HTTPException

from lms.extensions import db


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (403, 404, 429, 400, 405):
            # A 400 raised with its own description says what was wrong; the default one is noise.
            detail = (exc.description if isinstance(exc, BadRequest)
                      and exc.description != BadRequest.description else None)
            return render_template("errors/error.html", error=exc, detail=detail), exc.code
        return exc

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return render_template("errors/error.html", error=exc, code=500), 500
