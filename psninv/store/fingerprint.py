"""A cheap fingerprint of a database that changes whenever any row is written or deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from psninv.model import ENTITY_TABLES, Change, SiteOccupant
from psninv.store import Store


def fingerprint(store: Store) -> tuple[Any, ...]:
    """A cheap summary of the database that changes whenever any row is written or deleted."""
    change = Change.__table__
    occupant = SiteOccupant.__table__
    parts: list[Any] = [select(func.max(change.c.id)).scalar_subquery()]
    parts.append(select(func.count()).select_from(occupant).scalar_subquery())
    for table in ENTITY_TABLES.values():
        parts.append(select(func.count()).select_from(table).scalar_subquery())
        # Every upsert bumps a row's version, so the sum moves on updates that keep the row count.
        parts.append(select(func.coalesce(func.sum(table.c.version), 0)).scalar_subquery())
    with store.read() as conn:
        return tuple(conn.execute(select(*parts)).one())


def rows_in(stamp: tuple[Any, ...]) -> int:
    """How many sites and circuits the database held when this fingerprint was taken."""
    # The fingerprint holds the newest change, the occupants, then each entity's count and versions.
    entities = list(ENTITY_TABLES)
    return sum(int(stamp[2 + 2 * entities.index(name)]) for name in ("sites", "links"))
