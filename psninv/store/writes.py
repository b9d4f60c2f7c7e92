"""Bulk writes through SQLAlchemy Core: upserts by natural key and the change log that records them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from psninv.model import Change, SiteOccupant

CHANGE_TABLE: Table = Change.__table__
OCCUPANT_TABLE: Table = SiteOccupant.__table__
# SQLite allows 32766 bound parameters per statement; keep well below it on every database.
_MAX_PARAMS = 30_000


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One row's change, ready for the change log."""

    action: str  # create, update or delete
    entity: str
    key: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def _json(value: Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=_jsonable, ensure_ascii=False, separators=(",", ":"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    raise TypeError(f"cannot record {type(value).__name__} in the change log")


def key_text(key: Sequence[Any] | Any) -> str:
    """The change log's text form of a natural key: composite keys are joined with '|'."""
    if isinstance(key, tuple | list):
        return "|".join("" if part is None else str(part) for part in key)
    return str(key)


def upsert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows, updating the columns they carry where the primary key exists already.

    Every row must carry the same columns. A present column overwrites; an absent one is kept.
    """
    if not rows:
        return
    columns = list(rows[0].keys())
    keys = [column.name for column in table.primary_key.columns]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        statement = sqlite.insert(table)
    elif dialect == "postgresql":
        statement = postgresql.insert(table)
    else:
        raise NotImplementedError(f"bulk upsert is not written for {dialect}")
    updates = {name: statement.excluded[name] for name in columns if name not in keys}
    if "version" in table.c and "version" not in columns:
        updates["version"] = table.c.version + 1
    if updates:
        statement = statement.on_conflict_do_update(index_elements=keys, set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    for chunk in _chunks(rows, max(1, _MAX_PARAMS // max(1, len(columns)))):
        conn.execute(statement, chunk)


def replace_occupants(conn: Connection, occupants: Mapping[str, Iterable[str]]) -> None:
    """Make each named site's occupants exactly the tenants given for it."""
    sites = list(occupants)
    for chunk in _chunks(sites, _MAX_PARAMS):
        conn.execute(delete(OCCUPANT_TABLE).where(OCCUPANT_TABLE.c.site.in_(chunk)))
    rows = [{"site": site, "tenant": tenant} for site in sites for tenant in occupants[site]]
    if rows:
        for chunk in _chunks(rows, _MAX_PARAMS // 2):
            conn.execute(insert(OCCUPANT_TABLE), chunk)


def delete_rows(conn: Connection, table: Table, keys: Sequence[tuple[Any, ...]]) -> None:
    """Delete rows by primary key."""
    columns = list(table.primary_key.columns)
    for chunk in _chunks(list(keys), _MAX_PARAMS // max(1, len(columns))):
        if len(columns) == 1:
            condition = columns[0].in_([key[0] for key in chunk])
        else:
            condition = tuple_(*columns).in_(chunk)
        conn.execute(delete(table).where(condition))


def log_changes(
    conn: Connection, changes: Iterable[ChangeRecord], *, batch: str, actor: str
) -> int:
    """Append changes to the change log under one batch id; return how many were written."""
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        {
            "batch": batch,
            "at": at,
            "actor": actor,
            "action": change.action,
            "entity": change.entity,
            "key": change.key,
            "before": _json(change.before),
            "after": _json(change.after),
        }
        for change in changes
    ]
    for chunk in _chunks(rows, _MAX_PARAMS // 8):
        conn.execute(insert(CHANGE_TABLE), chunk)
    return len(rows)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
