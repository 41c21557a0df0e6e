"""Who may do what with signed credentials: the plugin's ``lms_permission`` answers.

The holder downloads their credentials and decides about the public page. An admin, the
person who issued a credential (a renewal's schoolopleider) and the schoolopleiders of the
holder's school may revoke it and renew it. Nobody else sees more than the public page.
"""
from __future__ import annotations

from typing import Any

from lms.access import ADMIN, SCHOOLOPLEIDER, org_role_ids, relations_to

from .models import BadgeCredential

ACTIONS = frozenset({"openbadges.own", "openbadges.revoke", "openbadges.renew",
                     "openbadges.manage"})


def may_manage(user: Any, row: BadgeCredential) -> bool:
    """Admin, the issuer of this credential, or a schoolopleider of the holder's school."""
    if user.is_admin or (row.issued_by_id is not None and row.issued_by_id == user.id):
        return True
    if user.id == row.user_id:
        return False
    return bool(relations_to(user, row.user_id, {SCHOOLOPLEIDER, ADMIN}))


def badge_permission(user: Any, action: str, resource: Any) -> bool | None:
    """The answer for ``openbadges.*`` actions; None for everything else."""
    if not action.startswith("openbadges."):
        return None
    if action == "openbadges.manage":  # the management page itself
        return resource is None and (user.is_admin or bool(org_role_ids(user, "schoolopleider")))
    if not isinstance(resource, BadgeCredential):
        return False
    if action == "openbadges.own":
        return user.id == resource.user_id
    if action in ("openbadges.revoke", "openbadges.renew"):
        return may_manage(user, resource)
    return False
