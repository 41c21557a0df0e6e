"""Images and files of lessons, served from the database by content hash (cached forever)."""
from __future__ import annotations

import re

from flask import Blueprint, abort, request
from flask import Response
from sqlalchemy import select

from lms.content.importer import INLINE_IMAGE_TYPES
from lms.extensions import db
from lms.models.content import Asset

bp = Blueprint("assets", __name__)

_SHA = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@bp.get("/assets/<sha256>/<path:filename>")
def asset(sha256: str, filename: str):
    """The asset's bytes; the URL never changes content, so caches may keep it for a year."""
    if not _SHA.match(sha256):
        abort(404)
    etag = f'"{sha256}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    else:
        row = db.session.execute(
            select(Asset.data, Asset.media_type, Asset.filename).where(Asset.sha256 == sha256)
        ).first()
        if row is None:
            abort(404)
        response = Response(row.data, mimetype=row.media_type)
        if row.media_type not in INLINE_IMAGE_TYPES:
            name = _UNSAFE.sub("_", row.filename).strip("._") or "download"
            response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
