"""Friendly error pages."""
from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from lms.extensions import db


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (403, 404, 429, 400, 405):
            return render_template("errors/error.html", error=exc), exc.code
        return exc

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return render_template("errors/error.html", error=exc, code=500), 500
