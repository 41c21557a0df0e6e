"""The core's navigation items."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.access import can
from lms.activities import NavItem


@hookimpl(trylast=True)
def lms_nav_items(user):
    items = [NavItem("main.home", _l("Home"), 10)]
    if not getattr(user, "is_authenticated", False):
        return items
    items += [NavItem("learn.catalogue", _l("Catalogue"), 20),
              NavItem("path.mine", _l("My learning path"), 25)]
    if can(user, "admin.manage"):
        items.append(NavItem("admin.index", _l("Administration"), 90))
    return items
