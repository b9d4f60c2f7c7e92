"""Single-record edits of tenants, sites, links and prefixes: checked like an import, versioned, logged.

Each call is one write transaction: the record is validated with the import's own cell and
row rules, its stored version compared with the one the editor started from (a stale edit is
refused with the newer values, never overwritten), and the change logged with its actor.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from psninv.errors import ConflictError, EditError, ValidationError
from psninv.io.record_check import check_references, read_record, references
from psninv.io.validate import duplicate_message
from psninv.model import ENTITY_TABLES, Change, SiteOccupant
from psninv.records import COLUMNS, ENTITY_ALIASES, ENTITY_KEYS, SINGULAR
from psninv.store import ChangeRecord, Store, key_text

__all__ = [
    "ConflictError",
    "Dependants",
    "EditError",
    "EditResult",
    "ValidationError",
    "check_record",
    "create",
    "delete",
    "delete_preview",
    "dependants",
    "entity_name",
    "get_record",
    "record_key",
    "update",
]

OCCUPANTS = SiteOccupant.__table__
CHANGES = Change.__table__


@dataclass(frozen=True, slots=True)
class EditResult:
    """What an edit did: the change log ids it wrote, its batch and the record as stored now."""

    batch: str
    change_ids: list[int]
    record: dict[str, Any] | None


@dataclass(slots=True)
class Dependants:
    """What goes with a deleted record: records deleted with it and records that lose a reference."""

    deleted: dict[str, list[Any]] = field(default_factory=dict)
    cleared: dict[str, list[Any]] = field(default_factory=dict)
    occupancies: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(any(self.deleted.values()) or any(self.cleared.values()) or self.occupancies)

    def lines(self, limit: int = 8) -> list[str]:
        """One line per kind of dependant, naming the first few."""
        out = []
        for verb, groups in (("deleted too", self.deleted), ("lose this reference", self.cleared)):
            for entity, keys in groups.items():
                if keys:
                    out.append(
                        f"{len(keys)} {entity if len(keys) != 1 else SINGULAR[entity]} {verb}: "
                        + _some(entity, keys, limit)
                    )
        if self.occupancies:
            shown = _some("sites", self.occupancies, limit)
            out.append(f"no longer an occupant of {len(self.occupancies)} sites: {shown}")
        return out

    def counts(self) -> str:
        """How many records of each kind depend, in a few words: '3 links, 2 prefixes'."""
        parts = [
            f"{len(keys)} {entity if len(keys) != 1 else SINGULAR[entity]}"
            for groups in (self.deleted, self.cleared)
            for entity, keys in groups.items()
            if keys
        ]
        if self.occupancies:
            parts.append(f"{len(self.occupancies)} occupied sites")
        return ", ".join(parts)


def _some(entity: str, keys: Sequence[Any], limit: int) -> str:
    shown = ", ".join(_shown_key(entity, key) for key in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def entity_name(name: str) -> str:
    """The canonical entity ('sites') of a name such as 'site', 'Sites' or 'circuit'."""
    entity = ENTITY_ALIASES.get(name.strip().lower())
    if entity is None:
        raise EditError(f"unknown entity {name!r}: choose one of {', '.join(ENTITY_TABLES)}")
    return entity


def record_key(entity: str, record: Mapping[str, Any]) -> Any:
    """A record's natural key: a code, or (prefix, vrf) for prefixes."""
    names = ENTITY_KEYS[entity]
    if len(names) == 1:
        return record.get(names[0])
    return tuple(record.get(name) if record.get(name) is not None else "" for name in names)


def _key_tuple(entity: str, key: Any) -> tuple[Any, ...]:
    if len(ENTITY_KEYS[entity]) == 1:
        return (key,)
    parts = tuple(key)
    return (parts[0], parts[1] if len(parts) > 1 and parts[1] is not None else "")


def where_key(entity: str, key: Any) -> Any:
    """The WHERE clause that picks one record of an entity by its key."""
    table = ENTITY_TABLES[entity]
    parts = _key_tuple(entity, key)
    return [table.c[name] == part for name, part in zip(ENTITY_KEYS[entity], parts, strict=True)]


def _shown_key(entity: str, key: Any) -> str:
    if entity == "prefixes":
        prefix, vrf = _key_tuple(entity, key)
        return f"{prefix}" + (f" in vrf {vrf}" if vrf else "")
    return str(key)


def label(entity: str, key: Any) -> str:
    """A record as a person names it: "site SML-HUB"."""
    return f"{SINGULAR[entity]} {_shown_key(entity, key)}"


# --- reading ------------------------------------------------------------------------------------


def get_record(conn: Connection, entity: str, key: Any, *, lock: bool = False) -> dict[str, Any] | None:
    """The stored record (with version; sites with their sorted occupants), or None."""
    table = ENTITY_TABLES[entity]
    statement = select(table).where(*where_key(entity, key))
    if lock:
        statement = statement.with_for_update()  # PostgreSQL row lock; SQLite holds the write lock already
    row = conn.execute(statement).mappings().first()
    if row is None:
        return None
    record = dict(row)
    if entity == "sites":
        found = conn.execute(
            select(OCCUPANTS.c.tenant).where(OCCUPANTS.c.site == record["code"]).order_by(OCCUPANTS.c.tenant)
        )
        record["occupants"] = list(found.scalars())
    return record


def logged(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record's fields as the change log holds them (no bookkeeping columns)."""
    # The change log holds the record's fields, not its bookkeeping.
    return {name: value for name, value in record.items() if name != "version"}


# --- validation ---------------------------------------------------------------------------------


def check_record(
    conn: Connection, entity: str, values: Mapping[str, Any], *, creating: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a record's fields with the import's rules: (typed record, message by field).

    Values may be text as typed in a form or typed values; every column of the entity is read,
    absent ones as blank. On create the key must be new; references must name stored records.
    """
    check = read_record(entity, values)
    check_references(check, entity, _known(conn, check.record, entity))
    record, errors = check.record, check.errors
    key = record_key(entity, record)
    key_field = ENTITY_KEYS[entity][0]
    taken = creating and key_field not in errors and record[key_field] is not None
    if taken and get_record(conn, entity, key) is not None:
        errors[key_field] = duplicate_message(entity, _shown_key(entity, key), "already in the inventory")
    return record, errors


def _known(conn: Connection, record: Mapping[str, Any], entity: str) -> dict[str, set[Any]]:
    """The stored codes a record's references could name, case-insensitively so hints can suggest them."""
    known: dict[str, set[Any]] = {}
    for ref, codes in references(entity, record).items():
        if codes:
            column = ENTITY_TABLES[ref].c[ENTITY_KEYS[ref][0]]
            folded = sorted({code.casefold() for code in codes})
            known[ref] = set(conn.execute(select(column).where(func.lower(column).in_(folded))).scalars())
    return known


# --- writing ------------------------------------------------------------------------------------


def create(store: Store, entity: str, values: Mapping[str, Any]) -> EditResult:
    """Add a record after checking it; raise ValidationError with every field's problem."""
    with store.write() as conn:
        record, errors = check_record(conn, entity, values, creating=True)
        if errors:
            raise ValidationError(errors)
        _insert(conn, entity, record)
        key = record_key(entity, record)
        return _finish(
            store, conn, [ChangeRecord("create", entity, key_text(key), None, record)], entity, key
        )


def _insert(conn: Connection, entity: str, record: Mapping[str, Any]) -> None:
    table = ENTITY_TABLES[entity]
    row = {name: value for name, value in record.items() if name in table.c}
    try:
        conn.execute(insert(table).values(**row, version=1))
    except IntegrityError as exc:
        # Another writer added the same key between the check and the insert (PostgreSQL only).
        key = record_key(entity, record)
        raise EditError(f"{label(entity, key)} already exists: nothing was saved") from exc
    if entity == "sites" and record.get("occupants"):
        conn.execute(
            insert(OCCUPANTS), [{"site": record["code"], "tenant": code} for code in record["occupants"]]
        )


def update(
    store: Store,
    entity: str,
    key: Any,
    values: Mapping[str, Any],
    *,
    version: int,
    base: Mapping[str, Any] | None = None,
) -> EditResult:
    """Change a record's fields (not its key) if it is still at `version`; `base` is the record as read.

    Fields absent from `values` keep their stored values. A newer stored version raises
    ConflictError naming what someone else changed; nothing is written.
    """
    with store.write() as conn:
        current = get_record(conn, entity, key, lock=True)
        if current is None:
            raise _gone(conn, entity, key)
        if current["version"] != version:
            raise _conflict(conn, entity, key, current, version, base or values)
        merged = {**logged(current), **{name: value for name, value in values.items() if name != "version"}}
        for name, part in zip(ENTITY_KEYS[entity], _key_tuple(entity, key), strict=True):
            merged[name] = part  # a key is not edited in place: its change log and references hang on it
        record, errors = check_record(conn, entity, merged, creating=False)
        if errors:
            raise ValidationError(errors)
        changed = [
            name for name in record if name not in ENTITY_KEYS[entity] and record[name] != current.get(name)
        ]
        if not changed:
            return EditResult("", [], current)
        apply_columns(conn, entity, key, {name: record[name] for name in changed}, version)
        keep = {name: current[name] for name in ENTITY_KEYS[entity]}
        change = ChangeRecord(
            "update",
            entity,
            key_text(key),
            {**keep, **{name: current.get(name) for name in changed}},
            {**keep, **{name: record[name] for name in changed}},
        )
        return _finish(store, conn, [change], entity, key)


def apply_columns(
    conn: Connection, entity: str, key: Any, changes: Mapping[str, Any], version: int | None
) -> None:
    """Write changed fields and bump the version, guarded by the version read (a lost race is a conflict)."""
    table = ENTITY_TABLES[entity]
    columns = {name: value for name, value in changes.items() if name in table.c}
    condition = where_key(entity, key)
    if version is not None:
        condition.append(table.c.version == version)
    result = conn.execute(sql_update(table).where(*condition).values(**columns, version=table.c.version + 1))
    if result.rowcount != 1:
        raise EditError(
            f"{label(entity, key)} changed while it was being saved: nothing was saved, try again"
        )
    if entity == "sites" and "occupants" in changes:
        code = _key_tuple(entity, key)[0]
        conn.execute(sql_delete(OCCUPANTS).where(OCCUPANTS.c.site == code))
        if changes["occupants"]:
            conn.execute(
                insert(OCCUPANTS), [{"site": code, "tenant": tenant} for tenant in changes["occupants"]]
            )


def _gone(conn: Connection, entity: str, key: Any) -> EditError:
    last = _last_change(conn, entity, key)
    by = (
        f" (deleted by {last['actor']} at {when(last['at'])})" if last and last["action"] == "delete" else ""
    )
    return EditError(f"there is no {label(entity, key)} any more{by}: nothing was saved")


def _conflict(
    conn: Connection, entity: str, key: Any, current: Mapping[str, Any], version: int, base: Mapping[str, Any]
) -> ConflictError:
    last = _last_change(conn, entity, key)
    names = [column.name for column in COLUMNS[entity]]
    if base:
        moved = [
            name for name in names if name in base and same_text(base[name]) != same_text(current.get(name))
        ]
    else:
        # Without the record as the editor saw it, the latest logged change says what moved.
        logged = json.loads(last["after"]) if last is not None and last["after"] else {}
        moved = [name for name in names if name in logged and name not in ENTITY_KEYS[entity]]
    newer = {name: current.get(name) for name in moved}
    who = f" by {last['actor']} at {when(last['at'])}" if last else ""
    if newer:
        what = "; ".join(f"{name} is now {shown(value)}" for name, value in newer.items())
    else:
        what = "no field you see differs"
    message = (
        f"{label(entity, key)} was changed{who} after you opened it (version {current['version']}, "
        f"yours {version}): {what}. Nothing was saved; reopen it to edit the newer version"
    )
    return ConflictError(message, newer, current)


def same_text(value: Any) -> str:
    """A value as a person reads it, for comparing what a form holds with what the store holds."""
    # Forms hold text and the store typed values: compare what a person would see.
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def shown(value: Any) -> str:
    """A value quoted for a message ("blank" when empty)."""
    text = same_text(value)
    return repr(text) if text else "blank"


def when(at: dt.datetime) -> str:
    """A moment as the messages show it: 2026-12-05 14:30 UTC."""
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _last_change(conn: Connection, entity: str, key: Any) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(CHANGES.c.actor, CHANGES.c.at, CHANGES.c.action, CHANGES.c.after)
            .where(CHANGES.c.entity == entity, CHANGES.c.key == key_text(key))
            .order_by(CHANGES.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def _log(store: Store, conn: Connection, changes: list[ChangeRecord]) -> tuple[str, list[int]]:
    """Log the changes under a new batch; return the batch and the change ids written."""
    batch = store.log(conn, changes)
    ids = list(
        conn.execute(select(CHANGES.c.id).where(CHANGES.c.batch == batch).order_by(CHANGES.c.id)).scalars()
    )
    return batch, ids


def _finish(store: Store, conn: Connection, changes: list[ChangeRecord], entity: str, key: Any) -> EditResult:
    return EditResult(*_log(store, conn, changes), get_record(conn, entity, key))


# --- deleting -----------------------------------------------------------------------------------


def dependants(conn: Connection, entity: str, key: Any) -> Dependants:
    """What deleting a record takes with it: a site's links and prefixes; a tenant's references."""
    found = Dependants()
    code = _key_tuple(entity, key)[0]
    links, prefixes, sites = ENTITY_TABLES["links"], ENTITY_TABLES["prefixes"], ENTITY_TABLES["sites"]
    if entity == "sites":
        found.deleted["links"] = list(
            conn.execute(
                select(links.c.circuit_id)
                .where(or_(links.c.a_site == code, links.c.b_site == code))
                .order_by(links.c.circuit_id)
            ).scalars()
        )
        found.deleted["prefixes"] = _prefix_keys(conn, prefixes.c.site == code)
    elif entity == "tenants":
        # A body leaving the network does not take buildings and circuits with it: they lose their owner.
        found.cleared["sites"] = list(
            conn.execute(select(sites.c.code).where(sites.c.tenant == code).order_by(sites.c.code)).scalars()
        )
        found.cleared["links"] = list(
            conn.execute(
                select(links.c.circuit_id).where(links.c.tenant == code).order_by(links.c.circuit_id)
            ).scalars()
        )
        found.cleared["prefixes"] = _prefix_keys(conn, prefixes.c.tenant == code)
        found.occupancies = list(
            conn.execute(
                select(OCCUPANTS.c.site).where(OCCUPANTS.c.tenant == code).order_by(OCCUPANTS.c.site)
            ).scalars()
        )
    return found


def _prefix_keys(conn: Connection, condition: Any) -> list[tuple[Any, ...]]:
    prefixes = ENTITY_TABLES["prefixes"]
    statement = select(prefixes.c.prefix, prefixes.c.vrf).where(condition).order_by(prefixes.c.prefix)
    return [tuple(row) for row in conn.execute(statement)]


def delete_preview(store: Store, entity: str, key: Any) -> Dependants:
    """The dependants of a record, read in their own transaction (for a confirmation prompt)."""
    with store.read() as conn:
        return dependants(conn, entity, key)


def delete(
    store: Store,
    entity: str,
    key: Any,
    *,
    version: int | None = None,
    base: Mapping[str, Any] | None = None,
    cascade: bool = False,
) -> EditResult:
    """Delete a record (if still at `version`); with dependants only if `cascade`, changing them too."""
    with store.write() as conn:
        current = get_record(conn, entity, key, lock=True)
        if current is None:
            raise _gone(conn, entity, key)
        if version is not None and current["version"] != version:
            raise _conflict(conn, entity, key, current, version, base or {})
        found = dependants(conn, entity, key)
        if found and not cascade:
            raise EditError(
                f"{label(entity, key)} has dependants ({'; '.join(found.lines(3))}): "
                "confirm to change them too"
            )
        changes = _remove_dependants(conn, entity, key, found)
        table = ENTITY_TABLES[entity]
        conn.execute(sql_delete(table).where(*where_key(entity, key)))
        changes.append(ChangeRecord("delete", entity, key_text(key), logged(current), None))
        return EditResult(*_log(store, conn, changes), None)


def _remove_dependants(conn: Connection, entity: str, key: Any, found: Dependants) -> list[ChangeRecord]:
    changes: list[ChangeRecord] = []
    for child, keys in found.deleted.items():
        for child_key in keys:
            record = get_record(conn, child, child_key)
            if record is None:
                continue
            conn.execute(sql_delete(ENTITY_TABLES[child]).where(*where_key(child, child_key)))
            changes.append(ChangeRecord("delete", child, key_text(child_key), logged(record), None))
    code = _key_tuple(entity, key)[0]
    for child, keys in found.cleared.items():
        for child_key in keys:
            record = get_record(conn, child, child_key)
            if record is None:
                continue
            apply_columns(conn, child, child_key, {"tenant": None}, None)
            keep = {name: record[name] for name in ENTITY_KEYS[child]}
            changes.append(
                ChangeRecord(
                    "update", child, key_text(child_key), {**keep, "tenant": code}, {**keep, "tenant": None}
                )
            )
    for site in found.occupancies:
        record = get_record(conn, "sites", site)
        if record is None:
            continue
        remaining = [tenant for tenant in record["occupants"] if tenant != code]
        apply_columns(conn, "sites", site, {"occupants": remaining}, None)
        changes.append(
            ChangeRecord(
                "update",
                "sites",
                site,
                {"code": site, "occupants": record["occupants"]},
                {"code": site, "occupants": remaining},
            )
        )
    return changes
