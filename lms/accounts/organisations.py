"""Managing the organisation tree: region → board → school."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import AccountError
from lms.extensions import db
from lms.models import Organisation, User, audit
from lms.models.organisations import ORG_KINDS, PARENT_KIND, SECTORS


@dataclass(frozen=True)
class TreeRow:
    """One organisation in depth-first order, with its depth (0 = region)."""

    org: Organisation
    depth: int


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def org_tree(orgs: list[Organisation] | None = None) -> list[TreeRow]:
    """Every organisation as a depth-first list (one query)."""
    orgs = all_organisations() if orgs is None else orgs
    children: dict[int | None, list[Organisation]] = {}
    for org in orgs:
        children.setdefault(org.parent_id, []).append(org)
    rows: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for org in children.get(parent_id, []):
            rows.append(TreeRow(org, depth))
            walk(org.id, depth + 1)

    walk(None, 0)
    return rows


def org_labels(orgs: list[Organisation] | None = None) -> list[tuple[int, str]]:
    """(id, "Region › Board › School") for every organisation, in tree order."""
    rows = org_tree(orgs)
    names = {row.org.id: row.org for row in rows}
    labels = []
    for row in rows:
        parts, node = [], row.org
        while node is not None:
            parts.append(node.name)
            node = names.get(node.parent_id) if node.parent_id else None
        labels.append((row.org.id, " › ".join(reversed(parts))))
    return labels


def _check(kind: str, name: str, sector: str | None, parent: Organisation | None) -> None:
    if kind not in ORG_KINDS:
        raise AccountError(_("Choose the kind of organisation."), "kind")
    if not name.strip():
        raise AccountError(_("Give the organisation a name."), "name")
    if len(name.strip()) > 200:
        raise AccountError(_("The name is too long (at most 200 characters)."), "name")
    if kind == "school" and sector not in SECTORS:
        raise AccountError(_("A school needs a sector (po, vo or mbo)."), "sector")
    if kind != "school" and sector:
        raise AccountError(_("Only schools have a sector."), "sector")
    wanted = PARENT_KIND[kind]
    if wanted is None and parent is not None:
        raise AccountError(_("A region is not part of another organisation."), "parent")
    if wanted is not None and (parent is None or parent.kind != wanted):
        raise AccountError(
            _("A board belongs to a region.") if kind == "board"
            else _("A school belongs to a board."), "parent")


def create_organisation(kind: str, name: str, sector: str | None, parent: Organisation | None,
                        actor: User | None) -> Organisation:
    sector = sector or None
    _check(kind, name, sector, parent)
    org = Organisation(kind=kind, name=name.strip(), sector=sector, parent=parent)
    db.session.add(org)
    db.session.flush()
    audit("organisation.create", actor=actor, object_type="organisation", object_id=org.id,
          detail={"kind": kind, "name": org.name, "parent": parent.id if parent else None})
    return org


def rename_organisation(org: Organisation, name: str, sector: str | None,
                        actor: User | None) -> None:
    sector = sector or None
    _check(org.kind, name, sector, org.parent)
    detail = {"name": [org.name, name.strip()], "sector": [org.sector, sector]}
    org.name, org.sector = name.strip(), sector
    audit("organisation.update", actor=actor, object_type="organisation", object_id=org.id,
          detail=detail)


def move_organisation(org: Organisation, parent: Organisation | None, actor: User | None) -> None:
    """Put the organisation under another parent of the right kind (levels are fixed, so no
    cycle can form)."""
    _check(org.kind, org.name, org.sector, parent)
    old = org.parent_id
    org.parent = parent
    audit("organisation.move", actor=actor, object_type="organisation", object_id=org.id,
          detail={"parent": [old, parent.id if parent else None]})
