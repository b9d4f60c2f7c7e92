"""What an import changes: its rows compared with the stored ones, and the change records that say so.

Rows whose keys are all new (a first import) are planned as inserts, written as read, and their
change records made only when someone reads them. Other rows are compared with the stored rows
over the columns the files carry, and only created and changed rows are written.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain
from typing import Any, overload

from sqlalchemy import Connection, select

from psninv.io.issues import Issue
from psninv.io.validate import Table
from psninv.model import ENTITY_TABLES, SiteOccupant
from psninv.records import COLUMNS, ENTITY_KEYS
from psninv.store import ChangeRecord, key_text

ENTITIES = tuple(ENTITY_TABLES)
"""The entities in the order they are written: references first."""

_IN_CHUNK = 500
_FETCH_BY_KEY = 5_000  # fewer incoming rows than this: look them up by key, else read the table
_OCCUPANT_TABLE = SiteOccupant.__table__


class Records(Sequence[ChangeRecord]):
    """Change records made only when read: subclasses give `_record` for indexes in range."""

    def _record(self, index: int) -> ChangeRecord:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> ChangeRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ChangeRecord]: ...

    def __getitem__(self, index: int | slice) -> ChangeRecord | Sequence[ChangeRecord]:
        if isinstance(index, slice):
            return [self._record(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("change index out of range")
        return self._record(index)


@dataclass(frozen=True)
class NewRows(Records):
    """One table's rows that are all new (a first import), written and logged as read.

    Its change records are made only when someone reads them (a review of the import): on SQLite
    the change log of these rows is written by the database from the stored rows themselves.
    """

    entity: str
    texts: Sequence[str]  # each row's key as the change log names it
    stored: list[str]  # the columns written, in file order
    logged: list[str]  # the columns of the after-image: stored, and occupants where the file has them
    values: dict[str, Sequence[Any]]

    def __len__(self) -> int:
        return len(self.texts)

    def _record(self, index: int) -> ChangeRecord:
        image = {name: self.values[name][index] for name in self.logged}
        return ChangeRecord("create", self.entity, self.texts[index], None, image)

    def __iter__(self) -> Iterator[ChangeRecord]:
        entity, logged = self.entity, self.logged
        rows = zip(*(self.values[name] for name in logged), strict=True)
        for text, row in zip(self.texts, rows, strict=True):
            yield ChangeRecord("create", entity, text, None, dict(zip(logged, row, strict=True)))


class Changes(Records):
    """Every change of an import, in the order they are logged, from the plan's parts."""

    def __init__(self, parts: Sequence[Sequence[ChangeRecord]]) -> None:
        self.parts = [part for part in parts if len(part)]
        self.ends = list(accumulate(len(part) for part in self.parts))

    def __len__(self) -> int:
        return self.ends[-1] if self.ends else 0

    def _record(self, index: int) -> ChangeRecord:
        part = bisect_right(self.ends, index)
        return self.parts[part][index - (self.ends[part - 1] if part else 0)]

    def __iter__(self) -> Iterator[ChangeRecord]:
        return chain.from_iterable(self.parts)


@dataclass
class Plan:
    """What the write transaction must do."""

    # Per entity: the column names and each column's values (the driver wants rows column-aligned).
    upserts: list[tuple[str, list[str], list[Sequence[Any]]]] = field(default_factory=list)
    # Tables whose keys the write transaction found absent (a first import): inserted as read.
    inserts: list[NewRows] = field(default_factory=list)
    occupants: dict[str, list[str]] = field(default_factory=dict)
    new_occupants: dict[str, list[str]] = field(default_factory=dict)  # of the inserted sites
    # The changes to log, in order: lists of records, and the new rows of inserted tables.
    changes: list[Sequence[ChangeRecord]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(len(part) for part in self.changes)


def plan_import(conn: Connection, tables: list[Table]) -> Plan:
    """Compare every table with the stored rows, references first: what to write and log, with counts."""
    plan = Plan()
    for entity in ENTITIES:
        group = [table for table in tables if table.entity == entity]
        if not group:
            continue
        counts = plan.counts.setdefault(entity, {"created": 0, "updated": 0, "unchanged": 0})
        for table in group:
            _diff(conn, table, plan, counts)
    return plan


def _diff(conn: Connection, table: Table, plan: Plan, counts: dict[str, int]) -> None:
    """Compare a table's rows with the stored ones of the same keys; add what to write to the plan."""
    entity = table.entity
    keys = table.key_values()
    occupants = table.values.get("occupants")
    stored = [name for name in table.names if name != "occupants"]
    compared = [name for name in table.names if name not in ENTITY_KEYS[entity]]
    key_names = ENTITY_KEYS[entity]
    # SQLite checks NOT NULL before ON CONFLICT, so an update that leaves out a required column
    # (a cost sheet without a_site) sends the stored value along; only updates can lack one.
    refill = [c.name for c in COLUMNS[entity] if c.required and c.name not in table.values]
    existing = existing_rows(conn, entity, keys, occupants=occupants is not None)
    if not existing:
        _diff_new(table, keys, stored, plan, counts)
        return
    columns = [table.values[name] for name in stored]
    rows = [dict(zip(stored, values, strict=True)) for values in zip(*columns, strict=True)]
    records: list[ChangeRecord] = []
    plan.changes.append(records)
    to_write: list[dict[str, Any]] = []
    for index, (key, row) in enumerate(zip(keys, rows, strict=True)):
        old = existing.get(key)
        # The change log names the key as text; most keys are text already.
        text_key = key if key.__class__ is str else key_text(key)
        full = row if occupants is None else {**row, "occupants": occupants[index]}
        if old is None:
            counts["created"] += 1
            records.append(ChangeRecord("create", entity, text_key, None, full))
            if occupants is not None and occupants[index]:
                plan.occupants[key] = occupants[index]
            to_write.append(row)
            continue
        changed = [name for name in compared if full[name] != old.get(name)]
        if entity == "links" and ("a_site" in changed or "b_site" in changed):
            a_site, b_site = row.get("a_site", old.get("a_site")), row.get("b_site", old.get("b_site"))
            if a_site == b_site:
                column = "a_site" if "a_site" in changed else "b_site"
                plan.issues.append(
                    table.issue(index, column, f"a link cannot run from site {a_site!r} to itself")
                )
        if not changed or index in table.references:
            counts["unchanged"] += 1
            continue
        counts["updated"] += 1
        keep = {name: row[name] for name in key_names}
        records.append(
            ChangeRecord(
                "update",
                entity,
                text_key,
                {**keep, **{name: old.get(name) for name in changed}},
                {**keep, **{name: full[name] for name in changed}},
            )
        )
        if "occupants" in changed:
            plan.occupants[key] = full["occupants"]
        for name in refill:
            row[name] = old[name]
        to_write.append(row)
    if to_write:
        # Only updates lack a required column, so the first row's columns fit every row.
        names = list(to_write[0])
        plan.upserts.append((entity, names, [[row[name] for row in to_write] for name in names]))


def _diff_new(table: Table, keys: list[Any], stored: list[str], plan: Plan, counts: dict[str, int]) -> None:
    """All rows new, as in a first import: nothing to compare; the columns are written as read."""
    entity = table.entity
    occupants = table.values.get("occupants")
    counts["created"] += len(keys)
    texts = keys if len(ENTITY_KEYS[entity]) == 1 else [key_text(key) for key in keys]
    # The change log's after-image: the row as stored, with its occupants where the file has them.
    logged = stored if occupants is None else [*stored, "occupants"]
    new = NewRows(entity, texts, stored, logged, table.values)
    plan.changes.append(new)
    if occupants is not None:
        pairs = zip(keys, occupants, strict=True)
        plan.new_occupants.update((key, codes) for key, codes in pairs if codes)
    if keys:
        plan.inserts.append(new)


def stored_keys(conn: Connection, entity: str) -> set[Any]:
    """Every natural key of an entity in the inventory."""
    table = ENTITY_TABLES[entity]
    columns = [table.c[name] for name in ENTITY_KEYS[entity]]
    result = conn.execute(select(*columns))
    if len(columns) == 1:
        return set(result.scalars())
    return {tuple(row) for row in result}


def existing_rows(
    conn: Connection, entity: str, keys: Sequence[Any], *, occupants: bool = False
) -> dict[Any, dict[str, Any]]:
    """The stored rows (all columns but version) with these keys; sites get `occupants` if asked."""
    table = ENTITY_TABLES[entity]
    key_names = ENTITY_KEYS[entity]
    columns = [column for column in table.columns if column.name != "version"]
    found: dict[Any, dict[str, Any]] = {}
    wanted = [key for key in keys if key is not None]
    if not wanted:
        return found
    if len(key_names) == 1 and len(wanted) <= _FETCH_BY_KEY:
        key_column = table.c[key_names[0]]
        results = (
            conn.execute(select(*columns).where(key_column.in_(wanted[start : start + _IN_CHUNK])))
            for start in range(0, len(wanted), _IN_CHUNK)
        )
    else:
        results = iter([conn.execute(select(*columns))])
    names = [column.name for column in columns]
    single = len(key_names) == 1
    for result in results:
        for values in result:
            row = dict(zip(names, values, strict=True))
            key = row[key_names[0]] if single else tuple(row[name] for name in key_names)
            found[key] = row
    if occupants and found:
        for row in found.values():
            row["occupants"] = []
        codes = list(found)
        occupant = _OCCUPANT_TABLE.c
        statement = select(occupant.site, occupant.tenant).order_by(occupant.tenant)
        if len(codes) <= _FETCH_BY_KEY:
            batches = [
                conn.execute(statement.where(_OCCUPANT_TABLE.c.site.in_(codes[start : start + _IN_CHUNK])))
                for start in range(0, len(codes), _IN_CHUNK)
            ]
        else:
            batches = [conn.execute(statement)]
        for result in batches:
            for site, tenant in result:
                if site in found:
                    found[site]["occupants"].append(tenant)
        for row in found.values():
            row["occupants"].sort()
    return found
