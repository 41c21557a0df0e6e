"""Forms that create something carry a ``once`` key, so that posting them twice (a double
click, a retry, the same form in several tabs) creates one row: see ``lms.tracking.once``."""
from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField

from lms.tracking.once import claim


def new_key() -> str:
    return secrets.token_urlsafe(16)


class OnceForm(FlaskForm):
    """A form with a fresh ``once`` key each time it is shown (rendered by ``hidden_tag()``)."""

    once = HiddenField(default=new_key)


def first_post(form: OnceForm, user_id: int, action: str) -> bool:
    """True when this post of ``form`` is the first: go on, create and commit. False when the
    same form (its ``once`` key; without one, the same content within seconds) was handled
    already: create nothing and answer as if it had just been saved."""
    posted = form.once.raw_data  # not .data: that is a fresh default when none was posted
    content = {name: field.data for name, field in form._fields.items()
               if name not in ("csrf_token", "once")}
    return claim(user_id, action, posted[0] if posted else None, content)
