"""Batch import of .xlsx, .csv, .graphml and .gml files into the inventory as one checked transaction.

All files of one call are one import: they are read, their headers matched, their cells
coerced and every row checked against the others and the inventory before anything is
written. Any error means nothing is written at all. Otherwise the incoming rows are compared
with the stored ones (only the columns the files carry), and the created and updated rows are
upserted, the occupants replaced and every change logged, in one transaction.
"""

from __future__ import annotations

import difflib
import os
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate, chain
from pathlib import Path
from typing import Any, overload

from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from psninv._gc import collector_paused
from psninv.io import validate
from psninv.io.coerce import compile_column
from psninv.io.columns import COLUMNS
from psninv.io.headers import SINGULAR, key_columns, match_headers, normalise
from psninv.io.issues import ERROR, WARNING, ImportReport, Issue
from psninv.io.limits import DEFAULT_LIMITS, Limits
from psninv.io.readers import RawTable, read_path
from psninv.io.validate import Table
from psninv.model import ENTITY_KEYS, ENTITY_TABLES, SiteOccupant
from psninv.store import ChangeRecord, Store, key_text, new_batch_id
from psninv.store.engine import is_lock_timeout, lock_timeout_message
from psninv.store.writes import last_rowid, log_changes, log_inserted, now, replace_occupants, upsert_columns

Progress = Callable[[str, int, int], None]

ENTITIES = tuple(ENTITY_TABLES)
"""The entities in the order they are written: references first."""

BLANK_MEANS: dict[tuple[str, str], Any] = {
    ("links", "status"): "active",
    ("prefixes", "vrf"): "",
}
"""Columns where an empty cell has a meaning: a link's status is active, a prefix's vrf global."""

_IN_CHUNK = 500
_FETCH_BY_KEY = 5_000  # fewer incoming rows than this: look them up by key, else read the table
_OCCUPANT_TABLE = SiteOccupant.__table__
_ROWID_ROOM = 2**62  # SQLite numbers new rows past the largest rowid until 2**63 - 1


def _general(message: str, level: str = ERROR, *, file: str = "", value: str | None = None) -> Issue:
    # An issue about the import as a whole or a whole file, not a cell.
    return Issue(file, None, None, None, value, message, level)


class _Rollback(Exception):
    """Raised inside the write transaction to undo it: a dry run, or errors found there."""


def import_files(
    store: Store,
    paths: Sequence[str | Path],
    *,
    kind: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportReport:
    """Import files into the store as one transaction and report every issue and what changed.

    `kind` names the entity of CSV files whose name does not say it; `encoding` the text encoding
    of CSV files (default UTF-8, with or without BOM). With `dry_run` everything is done but the
    commit. `progress(phase, done, total)` is called with phases reading, validating and writing.
    """
    run = _Import(store, kind=kind, encoding=encoding, dry_run=dry_run, progress=progress, limits=limits)
    with collector_paused():
        return run.run(paths)


class _Records(Sequence[ChangeRecord]):
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
class _NewRows(_Records):
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


class _Changes(_Records):
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
class _Plan:
    """What the write transaction must do."""

    # Per entity: the column names and each column's values (the driver wants rows column-aligned).
    upserts: list[tuple[str, list[str], list[Sequence[Any]]]] = field(default_factory=list)
    # Tables whose keys the write transaction found absent (a first import): inserted as read.
    inserts: list[_NewRows] = field(default_factory=list)
    occupants: dict[str, list[str]] = field(default_factory=dict)
    new_occupants: dict[str, list[str]] = field(default_factory=dict)  # of the inserted sites
    # The changes to log, in order: lists of records, and the new rows of inserted tables.
    changes: list[Sequence[ChangeRecord]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(len(part) for part in self.changes)


class _Import:
    def __init__(
        self,
        store: Store,
        *,
        kind: str | None,
        encoding: str | None,
        dry_run: bool,
        progress: Progress | None,
        limits: Limits,
    ) -> None:
        self.store = store
        self.kind = kind
        self.encoding = encoding
        self.dry_run = dry_run
        self.progress = progress or (lambda phase, done, total: None)
        self.limits = limits
        self.issues: list[Issue] = []
        self.hidden_errors = 0
        self.hidden_warnings = 0
        self.changes: Sequence[ChangeRecord] = []

    # --- issues --------------------------------------------------------------------------------

    def add(self, issues: Sequence[Issue]) -> None:
        room = max(0, self.limits.max_issues - len(self.issues))
        self.issues.extend(issues[:room])
        for issue in issues[room:]:
            if issue.level == ERROR:
                self.hidden_errors += 1
            else:
                self.hidden_warnings += 1

    def has_errors(self) -> bool:
        return self.hidden_errors > 0 or any(issue.level == ERROR for issue in self.issues)

    def report(self, files: list[str], counts: dict[str, dict[str, int]], batch: str | None) -> ImportReport:
        # In file order, then sheet, then row, so the report reads like the files themselves.
        places: dict[tuple[str, str | None], int] = {}
        for issue in self.issues:
            places.setdefault((issue.file, issue.sheet), len(places))
        file_order = {name: index for index, name in enumerate(files)}
        issues = sorted(
            self.issues,
            key=lambda issue: (
                file_order.get(issue.file, -1),
                places[(issue.file, issue.sheet)],
                issue.row or 0,
            ),
        )
        hidden = self.hidden_errors + self.hidden_warnings
        if hidden:
            issues.append(
                _general(
                    f"{self.hidden_errors:,} more errors and {self.hidden_warnings:,} more warnings not "
                    f"listed (the first {self.limits.max_issues:,} are shown)",
                    ERROR if self.hidden_errors else WARNING,
                )
            )
        return ImportReport(
            files=files,
            issues=issues,
            counts=counts,
            dry_run=self.dry_run,
            batch=batch,
            changes=self.changes if counts else [],
        )

    # --- the import ----------------------------------------------------------------------------

    def run(self, paths: Sequence[str | Path]) -> ImportReport:
        files = [os.fspath(path) for path in paths]
        if not files:
            self.add([_general("no files to import")])
            return self.report(files, {}, None)
        if self.kind is not None and self.kind not in COLUMNS:
            self.add([_general(f"unknown kind: choose one of {', '.join(COLUMNS)}", value=self.kind)])
            return self.report(files, {}, None)
        raws = self.read(files)
        tables = self.prepare(raws)
        self.check_import(tables)
        if tables:
            self.check_against_store(tables)
        if self.has_errors():
            return self.report(files, {}, None)
        counts, batch = self.apply(tables)
        return self.report(files, counts, batch)

    def read(self, files: list[str]) -> list[RawTable]:
        raws: list[RawTable] = []
        seen: dict[Path, str] = {}
        for done, name in enumerate(files):
            self.progress("reading", done, len(files))
            path = Path(name).expanduser()
            try:
                resolved = path.resolve()
            except (OSError, RuntimeError):
                resolved = path
            if resolved in seen and path.is_file():
                self.add([_general(f"the same file as {seen[resolved]}: read once", WARNING, file=name)])
                continue
            seen[resolved] = name
            result = read_path(path, name, kind=self.kind, encoding=self.encoding, limits=self.limits)
            self.add(result.issues)
            raws.extend(result.tables)
        self.progress("reading", len(files), len(files))
        return raws

    def prepare(self, raws: list[RawTable]) -> list[Table]:
        tables = []
        for done, raw in enumerate(raws):
            self.progress("validating", done, len(raws) + 1)
            table = self.coerce(raw)
            if table is not None:
                tables.append(table)
        return tables

    def coerce(self, raw: RawTable) -> Table | None:
        where = raw.where()
        header_row = raw.header_row
        mapping = match_headers(raw.entity, raw.headers, where=where)
        for header, message in mapping.problems:
            self.add([Issue(raw.file, raw.sheet, header_row if header else None, header, None, message)])
        for _index, header in mapping.unknown:
            message = _unknown_message(raw.entity, header)
            self.add([Issue(raw.file, raw.sheet, header_row, header, None, message, WARNING)])
        self.warn_headerless(raw, header_row)
        if any(name not in mapping.matched for name in key_columns(raw.entity)):
            return None  # no usable key column: nothing in the table can be checked or written
        names, headers, positions, values = [], {}, {}, {}
        bad: set[tuple[str, int]] = set()
        csv_text = raw.source == "csv"
        for column in COLUMNS[raw.entity]:
            matched = mapping.matched.get(column.name)
            if matched is None:
                continue
            coerce = compile_column(
                column,
                scale=matched.scale,
                csv_text=csv_text,
                max_chars=self.limits.max_cell_chars,
                blank=BLANK_MEANS.get((raw.entity, column.name)),
            )
            coerced, errors = coerce(raw.columns[matched.index])
            names.append(column.name)
            headers[column.name] = matched.header
            positions[column.name] = matched.index
            values[column.name] = coerced
            bad.update((column.name, index) for index, _ in errors)
            if errors:
                table = Table(raw, raw.entity, names, headers, positions, values, bad)
                self.add([table.issue(index, column.name, message) for index, message in errors])
        for name in ENTITY_KEYS[raw.entity]:
            if name not in values:
                # Only a key part with a default can be missing here (a prefix's vrf).
                names.append(name)
                headers[name] = name
                values[name] = [BLANK_MEANS[(raw.entity, name)]] * len(raw.rows)
        return Table(raw, raw.entity, names, headers, positions, values, bad)

    def warn_headerless(self, raw: RawTable, header_row: int | None) -> None:
        for index, header in enumerate(raw.headers):
            if header.strip() or index >= len(raw.columns):
                continue
            filled = sum(1 for value in raw.columns[index] if value != "" and value is not None)
            if filled:
                letter = _column_letter(raw.first_column + index)
                message = f"column {letter} has {filled:,} values but no header: ignored"
                self.add([Issue(raw.file, raw.sheet, header_row, None, None, message, WARNING)])

    def check_import(self, tables: list[Table]) -> None:
        self.progress("validating", len(tables), len(tables) + 1)
        self.add(validate.required_cells(tables))
        self.add(validate.duplicates(tables))
        self.add(validate.self_links(tables))

    # --- against the inventory -----------------------------------------------------------------

    def apply(self, tables: list[Table]) -> tuple[dict[str, dict[str, int]], str | None]:
        counts: dict[str, dict[str, int]] = {}
        batch = None
        if self.store.read_only and not self.dry_run:
            self.add([_general("the inventory is open read-only: nothing was imported")])
            return counts, None
        try:
            with self.transaction() as conn:
                plan = self.plan(conn, tables)
                if self.has_errors():
                    raise _Rollback
                counts = plan.counts
                self.changes = _Changes(plan.changes)
                if plan.changed and not self.store.read_only:
                    batch = self.write(conn, plan)
                if self.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        except SQLAlchemyError as error:
            if is_lock_timeout(error):
                self.add([_general(lock_timeout_message())])
                return {}, None
            detail = str(getattr(error, "orig", None) or error).splitlines()[0][:300]
            self.add([_general(f"the database refused the import, nothing was written ({detail})")])
            return {}, None
        if self.has_errors():
            return {}, None
        return counts, None if self.dry_run else batch

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        # A dry run on a read-only store can still be compared; a write takes the lock up front
        # so that what was compared is what gets written.
        if self.store.read_only:
            with self.store.read() as conn:
                yield conn
        else:
            with self.store.write() as conn:
                yield conn

    def check_against_store(self, tables: list[Table]) -> None:
        """References and new rows, checked against the keys in the inventory as well as the import."""
        with self.store.read() as conn:
            known = {entity: stored_keys(conn, entity) for entity in ("tenants", "sites", "links")}
        self.add(validate.new_rows_complete(tables, known))
        for entity, keys in validate.import_keys(tables).items():
            known.setdefault(entity, set()).update(keys)
        self.add(validate.references(tables, known))

    def plan(self, conn: Connection, tables: list[Table]) -> _Plan:
        plan = _Plan()
        for entity in ENTITIES:
            group = [table for table in tables if table.entity == entity]
            if not group:
                continue
            counts = plan.counts.setdefault(entity, {"created": 0, "updated": 0, "unchanged": 0})
            for table in group:
                self.diff(conn, table, plan, counts)
        self.add(plan.issues)
        return plan

    def diff(self, conn: Connection, table: Table, plan: _Plan, counts: dict[str, int]) -> None:
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
            self.diff_new(table, keys, stored, plan, counts)
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
            if not changed:
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

    def diff_new(
        self, table: Table, keys: list[Any], stored: list[str], plan: _Plan, counts: dict[str, int]
    ) -> None:
        """All rows new, as in a first import: nothing to compare; the columns are written as read."""
        entity = table.entity
        occupants = table.values.get("occupants")
        counts["created"] += len(keys)
        texts = keys if len(ENTITY_KEYS[entity]) == 1 else [key_text(key) for key in keys]
        # The change log's after-image: the row as stored, with its occupants where the file has them.
        logged = stored if occupants is None else [*stored, "occupants"]
        new = _NewRows(entity, texts, stored, logged, table.values)
        plan.changes.append(new)
        if occupants is not None:
            pairs = zip(keys, occupants, strict=True)
            plan.new_occupants.update((key, codes) for key, codes in pairs if codes)
        if keys:
            plan.inserts.append(new)

    def write(self, conn: Connection, plan: _Plan) -> str:
        """Upsert, replace occupants and log every change; return the change log's batch id."""
        writes = [(entity, names, columns, None) for entity, names, columns in plan.upserts]
        writes += [(new.entity, new.stored, [new.values[n] for n in new.stored], new) for new in plan.inserts]
        # References first, whichever kind of write each entity's rows need.
        writes.sort(key=lambda item: ENTITIES.index(item[0]))
        total = sum(len(columns[0]) for _, _, columns, _ in writes) + sum(len(part) for part in plan.changes)
        done = 0
        self.progress("writing", done, total)

        def advance(rows: int) -> None:
            nonlocal done
            done += rows
            self.progress("writing", done, total)

        # On SQLite the rows each new table got, by rowid: the database logs those itself.
        sqlite = conn.dialect.name == "sqlite"
        rowids: dict[int, tuple[int, int]] = {}
        for entity, names, columns, new in writes:
            table = ENTITY_TABLES[entity]
            first = last_rowid(conn, table) if sqlite and new is not None else None
            upsert_columns(conn, table, names, columns, absent=new is not None, progress=advance)
            # New rows get rowids past the largest, unless that is at SQLite's limit (then random ones).
            if first is not None and first < _ROWID_ROOM:
                rowids[id(new)] = (first, last_rowid(conn, table))
        if plan.occupants:
            replace_occupants(conn, plan.occupants)
        if plan.new_occupants:
            replace_occupants(conn, plan.new_occupants, new=True)
        batch, at, actor = new_batch_id(), now(), self.store.actor
        # PostgreSQL takes every change in one COPY; SQLite logs the new tables' rows itself.
        for part in plan.changes if sqlite else [_Changes(plan.changes)]:
            span = rowids.get(id(part))
            if span is None or not isinstance(part, _NewRows):
                log_changes(conn, part, batch=batch, actor=actor, at=at, progress=advance)
                continue
            logged = log_inserted(conn, part.entity, part.logged, span, batch=batch, actor=actor, at=at)
            if logged != len(part):  # the rowids did not hold exactly this table's rows: write nothing
                message = f"{len(part):,} new {part.entity} were written but {logged:,} logged"
                self.add([_general(f"{message}: the import was undone, nothing was written")])
                raise _Rollback
            advance(logged)
        self.progress("writing", total, total)
        return batch


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


def _unknown_message(entity: str, header: str) -> str:
    words = normalise(header)
    known = {normalise(c.name): c.name for c in COLUMNS[entity]}
    for column in COLUMNS[entity]:
        for synonym in column.synonyms:
            known.setdefault(normalise(synonym), column.name)
    close = difflib.get_close_matches(words, list(known), n=1, cutoff=0.75) if len(words) < 60 else []
    hint = f" (did you mean {known[close[0]]}?)" if close else ""
    return f"unknown column, ignored: not a column of {SINGULAR[entity]} rows{hint}"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
