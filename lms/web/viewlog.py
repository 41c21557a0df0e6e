"""Render a page that shows other people's personal data, then audit who saw whom.

The page is rendered first so committing the audit rows does not expire the objects the
template still needs (which would cost the page extra queries)."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from lms.access import record_views
from lms.extensions import db


def render_audited(template: str, person_ids, what: str, object_id=None, **context) -> str:
    html = render_template(template, **context)
    record_views(current_user, person_ids, what, object_id)
    db.session.commit()
    return html
