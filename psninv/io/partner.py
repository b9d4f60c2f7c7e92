"""Partner round trips: the mark on rows a tenant's export only references; whose rows an import changes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from psninv.inventory import Inventory, Row
from psninv.records import COLUMNS, Column, Kind
from psninv.store import ChangeRecord

REFERENCE_HEADER = "_reference"
REFERENCE_MARK = "reference"
REFERENCE_COLUMN = Column(
    REFERENCE_HEADER,
    Kind.TEXT,
    "'reference': another body's site, exported only so that links name it; importing never changes it.",
)


def export_columns(inventory: Inventory, entity: str) -> tuple[Column, ...]:
    """The columns an export writes: the entity's, and the reference mark on a tenant's sites."""
    if entity == "sites" and inventory.references:
        return (*COLUMNS[entity], REFERENCE_COLUMN)
    return COLUMNS[entity]


def export_rows(inventory: Inventory, entity: str, rows: Mapping[Any, Row]) -> Iterator[Mapping[str, Any]]:
    """An entity's rows as exported: a referenced site carries the mark."""
    if entity != "sites" or not inventory.references:
        yield from rows.values()
        return
    references = inventory.references
    for code, row in rows.items():
        yield {**row, REFERENCE_HEADER: REFERENCE_MARK} if code in references else row


def is_reference_header(header: str) -> bool:
    """Whether a header is the reference mark's column."""
    return header.strip().casefold() == REFERENCE_HEADER


def owner_of(change: ChangeRecord) -> str | None:
    """Whose row a change touches: the tenant itself, a site's owner, a link's payer, a prefix's tenant."""
    if change.entity == "tenants":
        return change.key
    before = change.before or {}
    after = change.after or {}
    return before.get("tenant") if change.action != "create" else after.get("tenant")


def foreign_changes(
    changes: Sequence[ChangeRecord], tenant: str, owners: Mapping[tuple[str, str], str | None]
) -> list[ChangeRecord]:
    """The changes of rows that are not `tenant`'s own: stored owners come from `owners` (entity, key)."""
    foreign = []
    for change in changes:
        owner = owners.get((change.entity, change.key)) if change.action != "create" else owner_of(change)
        if change.entity == "tenants":
            owner = change.key
        if owner != tenant:
            foreign.append(change)
    return foreign
