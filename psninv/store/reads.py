"""Reading the inventory out of the database in a few set-based queries, whole or only some columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, inspect, select

from psninv._gc import collector_paused
from psninv.inventory import Inventory
from psninv.model import ENTITY_TABLES, SiteOccupant

Columns = Mapping[str, Collection[str]]
"""Entity name to the column names to read; entities left out are not read at all."""


def load_inventory(conn: Connection, *, columns: Columns | None = None) -> Inventory:
    """Read every tenant, site, link and prefix into an Inventory, or only the entities and columns given.

    With `columns`, rows carry the named columns plus their key columns (sites also keep
    `occupants` if "occupants" is named); unnamed entities stay empty. Analyses that need a
    fraction of the inventory read it several times faster this way.
    """
    if columns is not None:
        unknown = set(columns) - set(ENTITY_TABLES)
        if unknown:
            raise ValueError(f"unknown entities {sorted(unknown)}: use {', '.join(ENTITY_TABLES)}")
    with collector_paused():
        return _load(conn, columns)


SHARED_COLUMNS = frozenset(
    {
        "code", "tenant", "a_site", "b_site", "site", "status", "role", "criticality", "district",
        "sector", "provider", "medium", "srlg", "circuit_type", "vrf", "description",
    }
)  # fmt: skip
"""Columns whose values repeat (codes, kinds, names of places and providers): read as one string each.

At 100k sites a value such as "active" or a site code at a circuit's end is otherwise a string of
its own in every row: sharing them keeps about 85 MB of the inventory's 450 MB out of memory.
"""

LATER_COLUMNS = frozenset({("site", "status"), ("link", "circuit_type")})
"""Columns added by migrations after the first schema (0004): an older file read as it is lacks them."""


def _selected(table: Table, wanted: Collection[str] | None) -> list:
    """The table's columns to read: all, or the wanted ones plus the key, in table order."""
    keys = {column.name for column in table.primary_key.columns}
    if wanted is None:
        return list(table.columns)
    unknown = set(wanted) - {column.name for column in table.columns} - {"occupants"}
    if unknown:
        raise ValueError(f"table {table.name} has no columns {sorted(unknown)}")
    return [column for column in table.columns if column.name in keys or column.name in wanted]


def _load(conn: Connection, columns: Columns | None) -> Inventory:
    inventory = Inventory()
    strings: dict[str, str] = {}
    for entity, table in ENTITY_TABLES.items():
        if columns is not None and entity not in columns:
            continue
        wanted = None if columns is None else columns[entity]
        keys = [column.name for column in table.primary_key.columns]
        # An older schema (read, never upgraded, by a reader) lacks the columns later migrations
        # added: they read as blank. Any other missing column is an error, as it always was.
        selected = _selected(table, wanted)
        later = [column.name for column in selected if (table.name, column.name) in LATER_COLUMNS]
        missing: set[str] = set()
        if later:
            missing = set(later) - {column["name"] for column in inspect(conn).get_columns(table.name)}
        ordered = select(*(c for c in selected if c.name not in missing)).order_by(*table.primary_key.columns)
        rows = getattr(inventory, entity)
        executed = conn.execute(ordered)
        names = list(executed.keys())
        result = _shared(executed, [i for i, name in enumerate(names) if name in SHARED_COLUMNS], strings)
        # zip over plain tuples is several times faster than RowMapping at 100k rows.
        if entity == "sites":
            occupants = _occupants(conn, strings) if wanted is None or "occupants" in wanted else None
            for values in result:
                row = dict(zip(names, values, strict=True))
                if occupants is not None:
                    row["occupants"] = occupants.get(row["code"], [])
                rows[row["code"]] = row
        elif len(keys) > 1:
            for values in result:
                row = dict(zip(names, values, strict=True))
                rows[tuple(row[k] for k in keys)] = row
        else:
            key = keys[0]
            for values in result:
                row = dict(zip(names, values, strict=True))
                rows[row[key]] = row
        if missing:
            for row in rows.values():
                row.update(dict.fromkeys(missing))
    return inventory


def _shared(
    rows: Iterable[Sequence[Any]], columns: list[int], strings: dict[str, str]
) -> Iterator[Sequence[Any]]:
    """The rows with the values in these columns (strings or blanks) as the one equal value seen first."""
    if not columns:
        yield from rows
        return
    same = strings.setdefault
    for values in rows:
        out = list(values)
        for i in columns:
            out[i] = same(out[i], out[i])
        yield out


def _occupants(conn: Connection, strings: dict[str, str]) -> dict[str, list[str]]:
    """Each site's other tenants, sorted by tenant code."""
    occupants: dict[str, list[str]] = defaultdict(list)
    table = SiteOccupant.__table__
    for site, tenant in conn.execute(select(table.c.site, table.c.tenant).order_by(table.c.tenant)):
        occupants[site].append(strings.setdefault(tenant, tenant))
    return occupants
