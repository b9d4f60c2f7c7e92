"""Reading the whole inventory out of the database in a few set-based queries."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select

from psninv.inventory import Inventory
from psninv.model import ENTITY_TABLES, SiteOccupant


def load_inventory(conn: Connection) -> Inventory:
    """Read every tenant, site, link and prefix into an Inventory."""
    occupants: dict[str, list[str]] = defaultdict(list)
    table = SiteOccupant.__table__
    for site, tenant in conn.execute(select(table.c.site, table.c.tenant).order_by(table.c.tenant)):
        occupants[site].append(tenant)

    inventory = Inventory()
    for entity, table in ENTITY_TABLES.items():
        keys = [column.name for column in table.primary_key.columns]
        ordered = select(table).order_by(*table.primary_key.columns)
        rows = getattr(inventory, entity)
        for mapping in conn.execute(ordered).mappings():
            row = dict(mapping)
            if entity == "sites":
                row["occupants"] = occupants.get(row["code"], [])
            key = tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]
            rows[key] = row
    return inventory
