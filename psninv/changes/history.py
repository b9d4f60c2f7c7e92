"""The change log read back (filtered, newest first, paged) and single changes reverted as logged changes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from psninv.changes.edits import (
    CHANGES,
    OCCUPANTS,
    EditError,
    EditResult,
    apply_columns,
    dependants,
    get_record,
    label,
    logged,
    same_text,
    shown,
    when,
    where_key,
)
from psninv.errors import RevertError
from psninv.model import ENTITY_TABLES
from psninv.records import ENTITY_KEYS
from psninv.store import ChangeRecord, Store, new_batch_id

__all__ = [
    "ChangeEntry",
    "RevertError",
    "actors",
    "count_changes",
    "get_change",
    "history",
    "parse_key",
    "revert",
]


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One change of the log, with its before and after read back as dicts."""

    id: int
    batch: str
    at: dt.datetime
    actor: str
    action: str
    entity: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reverts: int | None
    reverted_by: int | None = None

    def fields(self) -> list[str]:
        """The fields the change touched, keys first for creates and deletes."""
        names = dict.fromkeys([*(self.before or {}), *(self.after or {})])
        if self.action == "update":
            keys = set(ENTITY_KEYS.get(self.entity, ()))
            return [name for name in names if name not in keys]
        return list(names)

    def summary(self, limit: int = 4) -> str:
        """One line: the changed fields with old → new values, or the record created or deleted."""
        if self.action == "update":
            parts = [
                f"{name} {shown((self.before or {}).get(name))} → {shown((self.after or {}).get(name))}"
                for name in self.fields()
            ]
        else:
            record = self.after if self.action == "create" else self.before
            keys = set(ENTITY_KEYS.get(self.entity, ()))
            parts = [
                f"{name} {shown(value)}"
                for name, value in (record or {}).items()
                if name not in keys and value not in (None, "", [])
            ]
        more = f" (+{len(parts) - limit} more)" if len(parts) > limit else ""
        text = ", ".join(parts[:limit]) + more
        if self.reverts is not None:
            text = f"reverts #{self.reverts}" + (f": {text}" if text else "")
        return text

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data."""
        return {
            "id": self.id,
            "batch": self.batch,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "key": self.key,
            "before": self.before,
            "after": self.after,
            "reverts": self.reverts,
            "reverted_by": self.reverted_by,
        }


def _entry(row: Mapping[str, Any], reverted_by: int | None = None) -> ChangeEntry:
    return ChangeEntry(
        id=row["id"],
        batch=row["batch"],
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        entity=row["entity"],
        key=row["key"],
        before=json.loads(row["before"]) if row["before"] else None,
        after=json.loads(row["after"]) if row["after"] else None,
        reverts=row["reverts"],
        reverted_by=reverted_by,
    )


def _filters(
    entity: str | None, key: str | None, actor: str | None, batch: str | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if entity:
        conditions.append(CHANGES.c.entity == entity)
    if key:
        conditions.append(CHANGES.c.key == key)
    if actor:
        conditions.append(CHANGES.c.actor == actor)
    if batch:
        conditions.append(CHANGES.c.batch == batch)
    return conditions


def history(
    store: Store,
    *,
    entity: str | None = None,
    key: str | None = None,
    actor: str | None = None,
    batch: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ChangeEntry]:
    """Changes matching every filter given, newest first, `limit` of them after skipping `offset`."""
    statement = (
        select(CHANGES)
        .where(*_filters(entity, key, actor, batch))
        .order_by(CHANGES.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    with store.read() as conn:
        rows = [dict(row) for row in conn.execute(statement).mappings()]
        undone = _reverted_by(conn, [row["id"] for row in rows])
    return [_entry(row, undone.get(row["id"])) for row in rows]


def count_changes(
    store: Store,
    *,
    entity: str | None = None,
    key: str | None = None,
    actor: str | None = None,
    batch: str | None = None,
) -> int:
    """How many changes match the filters."""
    statement = select(func.count()).select_from(CHANGES).where(*_filters(entity, key, actor, batch))
    with store.read() as conn:
        return int(conn.execute(statement).scalar_one())


def actors(store: Store) -> list[str]:
    """Everyone the change log names, sorted."""
    with store.read() as conn:
        return list(conn.execute(select(CHANGES.c.actor).distinct().order_by(CHANGES.c.actor)).scalars())


def _reverted_by(conn: Connection, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = conn.execute(select(CHANGES.c.reverts, CHANGES.c.id).where(CHANGES.c.reverts.in_(ids)))
    return {reverts: change for reverts, change in rows}


def get_change(store: Store, change_id: int) -> ChangeEntry:
    """One change by id; EditError if there is none."""
    with store.read() as conn:
        return _load(conn, change_id)


def _load(conn: Connection, change_id: int) -> ChangeEntry:
    row = conn.execute(select(CHANGES).where(CHANGES.c.id == change_id)).mappings().first()
    if row is None:
        raise EditError(f"there is no change #{change_id} in the change log")
    return _entry(row, _reverted_by(conn, [change_id]).get(change_id))


def parse_key(entity: str, text: str) -> Any:
    """A natural key from the change log's text form: 'STA-001', or ('10.0.0.0/24', 'vrf') for prefixes."""
    if len(ENTITY_KEYS[entity]) == 1:
        return text
    prefix, _bar, vrf = text.partition("|")
    return (prefix, vrf)


# --- revert -------------------------------------------------------------------------------------


def revert(store: Store, change_id: int) -> EditResult:
    """Undo one change as a new logged change (its `reverts` names the undone one).

    Refused with RevertError when a later change touched the same record, when the record no
    longer looks as the change left it, or when undoing would break a reference.
    """
    with store.write() as conn:
        batch = new_batch_id()
        change = _undo(store, conn, change_id, batch)
        ids = list(conn.execute(select(CHANGES.c.id).where(CHANGES.c.batch == batch)).scalars())
        return EditResult(batch, ids, get_record(conn, change.entity, parse_key(change.entity, change.key)))


def revert_batch(store: Store, batch: str) -> EditResult:
    """Undo every change of one import or edit (a cascaded delete, say), newest first, in one transaction."""
    with store.write() as conn:
        ids = list(
            conn.execute(
                select(CHANGES.c.id).where(CHANGES.c.batch == batch).order_by(CHANGES.c.id.desc())
            ).scalars()
        )
        if not ids:
            raise EditError(f"there is no batch {batch} in the change log")
        new = new_batch_id()
        for change_id in ids:
            _undo(store, conn, change_id, new)
        done = list(
            conn.execute(select(CHANGES.c.id).where(CHANGES.c.batch == new).order_by(CHANGES.c.id)).scalars()
        )
        return EditResult(new, done, None)


def _undo(store: Store, conn: Connection, change_id: int, batch: str) -> ChangeEntry:
    """Undo one change inside the caller's transaction and log the undoing under `batch`."""
    change = _load(conn, change_id)
    if change.entity not in ENTITY_TABLES:
        raise RevertError(f"change #{change_id} is not of a tenant, site, link or prefix")
    if change.reverted_by is not None:
        raise RevertError(f"change #{change_id} was already reverted by change #{change.reverted_by}")
    _refuse_if_later(conn, change)
    key = parse_key(change.entity, change.key)
    current = get_record(conn, change.entity, key, lock=True)
    if change.action == "create":
        record = _undo_create(conn, change, key, current)
    elif change.action == "delete":
        record = _undo_delete(conn, change, key, current)
    else:
        record = _undo_update(conn, change, key, current)
    store.log(conn, [record], batch=batch)
    newest = select(func.max(CHANGES.c.id)).where(CHANGES.c.batch == batch).scalar_subquery()
    conn.execute(update(CHANGES).where(CHANGES.c.id == newest).values(reverts=change_id))
    return change


def _refuse_if_later(conn: Connection, change: ChangeEntry) -> None:
    rows = (
        conn.execute(
            select(CHANGES.c.id, CHANGES.c.actor, CHANGES.c.at, CHANGES.c.action, CHANGES.c.reverts)
            .where(CHANGES.c.entity == change.entity, CHANGES.c.key == change.key, CHANGES.c.id > change.id)
            .order_by(CHANGES.c.id)
        )
        .mappings()
        .all()
    )
    # A later change cancelled by a later revert leaves the record as it was: no conflict. A revert
    # of a revert re-applies, so it stands again.
    standing: dict[int, Any] = {}
    for row in rows:
        if row["reverts"] in standing:
            del standing[row["reverts"]]
        else:
            standing[row["id"]] = row
    if standing:
        first = next(iter(standing.values()))
        noun = label(change.entity, parse_key(change.entity, change.key))
        raise RevertError(
            f"cannot revert change #{change.id}: change #{first['id']} "
            f"({first['action']} by {first['actor']} at {when(first['at'])}) "
            f"came later to the same {noun}; revert that first"
        )


def _undo_create(
    conn: Connection, change: ChangeEntry, key: Any, current: dict[str, Any] | None
) -> ChangeRecord:
    noun = label(change.entity, key)
    if current is None:
        raise RevertError(f"cannot revert change #{change.id}: {noun} no longer exists")
    found = dependants(conn, change.entity, key)
    if found:
        raise RevertError(
            f"cannot revert change #{change.id}: other records now refer to {noun} "
            f"({found.counts()}); change or delete those first"
        )
    conn.execute(delete(ENTITY_TABLES[change.entity]).where(*where_key(change.entity, key)))
    return ChangeRecord("delete", change.entity, change.key, logged(current), None)


def _undo_delete(
    conn: Connection, change: ChangeEntry, key: Any, current: dict[str, Any] | None
) -> ChangeRecord:
    noun = label(change.entity, key)
    if current is not None:
        raise RevertError(f"cannot revert change #{change.id}: {noun} exists again")
    record = dict(change.before or {})
    _check_references(conn, change, record)
    table = ENTITY_TABLES[change.entity]
    values = {name: _typed(table, name, value) for name, value in record.items() if name in table.c}
    conn.execute(insert(table).values(**values, version=1))
    if change.entity == "sites" and record.get("occupants"):
        conn.execute(insert(OCCUPANTS), [{"site": record["code"], "tenant": t} for t in record["occupants"]])
    return ChangeRecord("create", change.entity, change.key, None, record)


def _undo_update(
    conn: Connection, change: ChangeEntry, key: Any, current: dict[str, Any] | None
) -> ChangeRecord:
    noun = label(change.entity, key)
    if current is None:
        raise RevertError(f"cannot revert change #{change.id}: {noun} no longer exists")
    names = change.fields()
    after, before = change.after or {}, change.before or {}
    table = ENTITY_TABLES[change.entity]
    moved = [
        name
        for name in names
        if same_text(_typed(table, name, after.get(name))) != same_text(current.get(name))
    ]
    if moved:
        now = ", ".join(f"{name} is now {same_text(current.get(name)) or 'blank'!r}" for name in moved)
        raise RevertError(f"cannot revert change #{change.id}: {noun} has changed since ({now})")
    restore = {name: before.get(name) for name in names}
    _check_references(conn, change, restore)
    typed = {name: _typed(table, name, value) for name, value in restore.items()}
    apply_columns(conn, change.entity, key, typed, current["version"])
    keep = {name: current[name] for name in ENTITY_KEYS[change.entity]}
    return ChangeRecord(
        "update",
        change.entity,
        change.key,
        {**keep, **{name: current.get(name) for name in names}},
        {**keep, **restore},
    )


def _typed(table: Any, name: str, value: Any) -> Any:
    # The log holds dates as ISO text; the Date column wants a date back.
    if value is not None and name in table.c and name == "contract_end" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _check_references(conn: Connection, change: ChangeEntry, record: Mapping[str, Any]) -> None:
    """Refuse to bring back a record (or values) naming tenants or sites that are gone."""
    refs = {"tenant": "tenants", "a_site": "sites", "b_site": "sites", "site": "sites"}
    missing = []
    for name, target in refs.items():
        code = record.get(name)
        if name in record and code is not None and get_record(conn, target, code) is None:
            missing.append(f"{target[:-1]} {code}")
    for code in record.get("occupants") or () if change.entity == "sites" else ():
        if get_record(conn, "tenants", code) is None:
            missing.append(f"tenant {code}")
    if missing:
        verb = "exists" if len(missing) == 1 else "exist"
        raise RevertError(
            f"cannot revert change #{change.id}: it refers to {', '.join(missing)}, which no longer {verb}"
        )
