"""The administrator's xAPI page: per LRS what was sent, what waits, the last error."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from lms.access import require

from .delivery import status

bp = Blueprint("xapi", __name__, url_prefix="/plugins/xapi")


@bp.get("/")
@login_required
def index():
    require(current_user, "xapi.manage")
    return render_template("xapi/status.html", rows=status())
