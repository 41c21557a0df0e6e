"""Which organisations a report covers: an organisation and everything under it."""
from __future__ import annotations

from sqlalchemy import Select, select

from lms.models.organisations import Organisation


def subtree_ids(org_ids) -> Select:
    """A SELECT of the ids of the given organisations and all their descendants (one CTE)."""
    ids = list(org_ids)
    tree = (select(Organisation.id).where(Organisation.id.in_(ids))
            .cte("org_tree", recursive=True))
    tree = tree.union_all(select(Organisation.id).where(Organisation.parent_id == tree.c.id))
    return select(tree.c.id)
