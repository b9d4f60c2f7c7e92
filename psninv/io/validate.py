"""Checks across rows and files of one import: keys, duplicates, references, self-links, new rows.

Cell-level checks happen in coerce.py; the checks here need several rows at once, several
files (all files of one command are one import), or the keys already in the inventory.
Each returns every problem it finds, located at the file, sheet, row and column of the cell.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from psninv.io.headers import key_columns
from psninv.io.issues import ERROR, Issue, cell_display
from psninv.io.raw import RawTable
from psninv.records import COLUMNS, ENTITY_KEYS, KEY_NOUNS, SINGULAR, Kind


@dataclass(slots=True)
class Table:
    """A raw table after header matching and coercion: typed values for the columns it has."""

    raw: RawTable
    entity: str
    names: list[str]
    """Canonical names of the columns present, keys included."""
    headers: dict[str, str]
    """Each present column's header as written in the file."""
    positions: dict[str, int]
    """Each present column's index among the raw table's columns (absent for added columns)."""
    values: dict[str, list[Any]]
    bad: set[tuple[str, int]] = field(default_factory=set)
    """(column, row index) of cells that could not be read, so later checks skip them."""
    references: frozenset[int] = frozenset()
    """Row indexes a tenant's export marked as references: created if new, never changed."""

    def __len__(self) -> int:
        return len(self.raw.rows)

    def key_values(self) -> list[Any]:
        """Each row's natural key: a code, or a (prefix, vrf) tuple for prefixes."""
        names = ENTITY_KEYS[self.entity]
        if len(names) == 1:
            return self.values[names[0]]
        return list(zip(*(self.values[name] for name in names), strict=True))

    def issue(self, index: int | None, column: str | None, message: str, level: str = ERROR) -> Issue:
        """An issue at a row (by index in this table) and column (canonical name) of the table."""
        raw = self.raw
        row = raw.rows[index] if index is not None else None
        header = self.headers.get(column, column) if column is not None else None
        value = None
        if index is not None and column is not None and column in self.positions:
            value = cell_display(raw.columns[self.positions[column]][index])
            if value == "":
                value = None
        return Issue(raw.file, raw.sheet, row, header, value, message, level)


def required_message(column: str) -> str:
    """What a blank cell of a required column is told."""
    return f"{column} is required"


def self_link_message(site: Any) -> str:
    """What a link whose two ends are `site` is told."""
    return f"a link cannot run from site {site!r} to itself"


def unknown_message(entity: str, code: str, near: Any = None, *, import_too: bool = True) -> str:
    """What a reference to a missing `entity` record is told, with the stored code it may mean."""
    where = "the inventory or this import" if import_too else "the inventory"
    message = f"unknown {KEY_NOUNS[entity]} {code!r}: not in {where}"
    return message + (f" (did you mean {near!r}?)" if near is not None else "")


def duplicate_message(entity: str, shown: str, place: str) -> str:
    """What a key already taken is told; `place` says where the other is."""
    return f"duplicate {KEY_NOUNS[entity]} {shown!r}: {place}"


def required_cells(tables: Iterable[Table]) -> list[Issue]:
    """Blank keys, and blank cells of required columns that are present (such as a link's b_site)."""
    issues = []
    for table in tables:
        for column in COLUMNS[table.entity]:
            if not column.required or column.name not in table.values:
                continue
            values = table.values[column.name]
            if None not in values:
                continue
            for index, value in enumerate(values):
                if value is None and (column.name, index) not in table.bad:
                    issues.append(table.issue(index, column.name, required_message(column.name)))
    return issues


def duplicates(tables: Iterable[Table]) -> list[Issue]:
    """Rows of one entity with the same key, in one table or across the files of the import."""
    issues = []
    by_entity: dict[str, list[Table]] = {}
    for table in tables:
        by_entity.setdefault(table.entity, []).append(table)
    for entity, group in by_entity.items():
        all_keys = [key for table in group for key in complete_keys(table)]
        if len(set(all_keys)) == len(all_keys):
            continue
        first: dict[Any, tuple[Table, int]] = {}
        column = key_columns(entity)[0]
        for table in group:
            for index, key in enumerate(table.key_values()):
                if not _complete(key):
                    continue
                if key in first:
                    other, other_index = first[key]
                    shown = key if isinstance(key, str) else " in vrf ".join(k or "''" for k in key)
                    place = _place(other, other_index, table)
                    issues.append(
                        table.issue(index, column, duplicate_message(entity, shown, f"also {place}"))
                    )
                else:
                    first[key] = (table, index)
    return issues


def _complete(key: Any) -> bool:
    return key is not None and not (isinstance(key, tuple) and None in key)


def complete_keys(table: Table) -> list[Any]:
    """The table's keys that have every part (a blank key is reported, not imported)."""
    keys = table.key_values()
    if len(ENTITY_KEYS[table.entity]) > 1:
        return [key for key in keys if _complete(key)]
    # C speed for the usual table without a blank key.
    return keys if None not in keys else [key for key in keys if key is not None]


def _place(table: Table, index: int, seen_from: Table) -> str:
    parts = []
    if table.raw.file != seen_from.raw.file:
        parts.append(f"in {table.raw.file}")
    if table.raw.sheet and table.raw.source != "csv" and table.raw.sheet != seen_from.raw.sheet:
        parts.append(f"sheet {table.raw.sheet}")
    parts.append(f"row {table.raw.rows[index]}")
    return ", ".join(parts)


def self_links(tables: Iterable[Table]) -> list[Issue]:
    """Links whose two ends are the same site."""
    issues = []
    for table in tables:
        if table.entity != "links" or "a_site" not in table.values or "b_site" not in table.values:
            continue
        a_sites, b_sites = table.values["a_site"], table.values["b_site"]
        if not any(map(operator.eq, a_sites, b_sites)):  # C speed for the usual clean table
            continue
        for index, (a, b) in enumerate(zip(a_sites, b_sites, strict=True)):
            if a is not None and a == b:
                issues.append(table.issue(index, "b_site", self_link_message(a)))
    return issues


def import_keys(tables: Iterable[Table]) -> dict[str, set[Any]]:
    """The keys each entity gets from this import."""
    keys: dict[str, set[Any]] = {entity: set() for entity in COLUMNS}
    for table in tables:
        keys[table.entity].update(complete_keys(table))
    return keys


def references(tables: Iterable[Table], known: Mapping[str, set[Any]]) -> list[Issue]:
    """REF and REFS cells naming a row that is neither in the inventory nor in the import."""
    issues = []
    folded: dict[str, dict[str, str]] = {}
    for table in tables:
        for column in COLUMNS[table.entity]:
            if column.kind not in (Kind.REF, Kind.REFS) or column.name not in table.values:
                continue
            target = known[column.ref or ""]
            values = table.values[column.name]
            if column.kind is Kind.REF:
                missing = set(values) - target - {None}
            else:
                missing = {code for codes in values for code in codes} - target
            if not missing:
                continue
            lower = folded.setdefault(column.ref or "", {str(k).casefold(): k for k in target})
            for index, value in enumerate(values):
                wrong = [value] if column.kind is Kind.REF else value
                for code in wrong or ():
                    if code in missing:
                        message = unknown_message(column.ref or "", code, lower.get(code.casefold()))
                        issues.append(table.issue(index, column.name, message))
    return issues


def new_rows_complete(tables: Iterable[Table], existing: Mapping[str, set[Any]]) -> list[Issue]:
    """New rows need every required column; a table without one may only update existing rows."""
    issues = []
    for table in tables:
        absent = [c.name for c in COLUMNS[table.entity] if c.required and c.name not in table.values]
        if not absent:
            continue
        have = existing.get(table.entity, set())
        new = [index for index, key in enumerate(table.key_values()) if _complete(key) and key not in have]
        if not new:
            continue
        rows = ", ".join(str(table.raw.rows[i]) for i in new[:5]) + (" …" if len(new) > 5 else "")
        noun = SINGULAR[table.entity]
        issues.append(
            table.issue(
                None,
                None,
                f"no {' or '.join(absent)} column, which a new {noun} needs: {len(new):,} rows are not in "
                f"the inventory yet (rows {rows})",
            )
        )
    return issues
