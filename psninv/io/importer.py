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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import DataError, IntegrityError

from psninv._gc import collector_paused
from psninv.errors import DatabaseAccessError, LockTimeoutError
from psninv.io import netbox, validate
from psninv.io.coerce import compile_column
from psninv.io.grid import convert_grid
from psninv.io.headers import key_columns, match_headers, normalise
from psninv.io.issues import ERROR, WARNING, ImportReport, Issue
from psninv.io.limits import DEFAULT_LIMITS, Limits
from psninv.io.partner import foreign_changes, is_reference_header
from psninv.io.plan import ENTITIES, Changes, NewRows, Plan, plan_import, stored_keys
from psninv.io.raw import RawTable
from psninv.io.readers import read_path
from psninv.io.tag_hygiene import near_duplicate_tags
from psninv.io.validate import Table
from psninv.model import ENTITY_TABLES
from psninv.records import BLANK_MEANS, COLUMNS, ENTITY_KEYS, SINGULAR
from psninv.store import ChangeRecord, Store, key_text, new_batch_id
from psninv.store.writes import last_rowid, log_changes, log_inserted, now, replace_occupants, upsert_columns

Progress = Callable[[str, int, int], None]

_ROWID_ROOM = 2**62  # SQLite numbers new rows past the largest rowid until 2**63 - 1


def _take_reference_marks(raw: RawTable) -> frozenset[int]:
    """Take a tenant export's reference mark column off a sites table: the indexes of the rows it marks."""
    at = next((i for i, header in enumerate(raw.headers) if is_reference_header(header)), None)
    if at is None:
        return frozenset()
    marks = raw.columns[at] if at < len(raw.columns) else ()
    marked = frozenset(i for i, value in enumerate(marks) if value not in (None, "") and str(value).strip())
    raw.headers = raw.headers[:at] + raw.headers[at + 1 :]
    raw.columns = list(raw.columns[:at]) + list(raw.columns[at + 1 :])
    return marked


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
    skip_hidden: bool = False,
    tenant: str | None = None,
) -> ImportReport:
    """Import files into the store as one transaction and report every issue and what changed.

    `kind` names the entity of CSV files whose name does not say it; `encoding` the text encoding
    of CSV files (default UTF-8, with or without BOM). With `dry_run` everything is done but the
    commit. `progress(phase, done, total)` is called with phases reading, validating and writing.
    Hidden workbook rows are imported with a warning, or left out with `skip_hidden`. With
    `tenant` (a partner's import) only that body's own rows may change; any other change
    refuses the import. Sites a tenant's export marks as references are never changed.
    """
    run = _Import(store, kind=kind, encoding=encoding, dry_run=dry_run, progress=progress, limits=limits)
    run.skip_hidden = skip_hidden
    run.tenant = tenant
    with collector_paused():
        return run.run(paths)


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
        self.skip_hidden = False
        self.tenant: str | None = None
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
        self.add(near_duplicate_tags(tables))
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
            result = read_path(
                path,
                name,
                kind=self.kind,
                encoding=self.encoding,
                limits=self.limits,
                skip_hidden=self.skip_hidden,
            )
            self.add(result.issues)
            raws.extend(result.tables)
        self.progress("reading", len(files), len(files))
        if any(raw.entity in netbox.KINDS for raw in raws):
            stored = {code: row.get("name") or "" for code, row in self.store.load().tenants.items()}
            adapted = netbox.adapt(raws, stored)
            self.add(adapted.issues)
            raws = adapted.tables
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
        references: frozenset[int] = frozenset()
        if raw.entity == "sites":
            self.add(convert_grid(raw))
            references = _take_reference_marks(raw)
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
                decimal_comma=raw.decimal_comma,
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
        return Table(raw, raw.entity, names, headers, positions, values, bad, references)

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
            owners = self.owners() if self.tenant else {}
            with self.transaction() as conn:
                plan = self.plan(conn, tables)
                if self.tenant:
                    self.check_tenant(plan, owners)
                if self.has_errors():
                    raise _Rollback
                counts = plan.counts
                self.changes = Changes(plan.changes)
                if plan.changed and not self.store.read_only:
                    batch = self.write(conn, plan)
                if self.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        except LockTimeoutError as error:
            self.add([_general(str(error))])
            return {}, None
        except DatabaseAccessError as error:
            detail = error.detail[:300]
            self.add([_general(f"the database refused the import, nothing was written ({detail})")])
            return {}, None
        except (IntegrityError, DataError) as error:
            # Rows the checks above let through but the database refused (a constraint or a range):
            # the message names what it refused. Other database errors are psninv's bugs.
            detail = str(getattr(error, "orig", None) or error).splitlines()[0][:300]
            self.add([_general(f"the database refused the import, nothing was written ({detail})")])
            return {}, None
        if self.has_errors():
            return {}, None
        return counts, None if self.dry_run else batch

    def owners(self) -> dict[tuple[str, str], str | None]:
        """Each stored row's owner by (entity, key as the change log names it)."""
        inventory = self.store.load()
        owners: dict[tuple[str, str], str | None] = {}
        for entity, rows in inventory.entities():
            for key, row in rows.items():
                text = key if isinstance(key, str) else key_text(key)
                owners[(entity, text)] = text if entity == "tenants" else row.get("tenant")
        return owners

    def check_tenant(self, plan: Plan, owners: dict[tuple[str, str], str | None]) -> None:
        tenant = self.tenant or ""
        foreign = foreign_changes([c for part in plan.changes for c in part], tenant, owners)
        if foreign:
            shown = ", ".join(f"{SINGULAR[c.entity]} {c.key}" for c in foreign[:5])
            more = f" and {len(foreign) - 5:,} more" if len(foreign) > 5 else ""
            message = (
                f"--tenant {tenant}: {len(foreign):,} changed rows are not {tenant}'s own ({shown}{more}): "
                "nothing was imported; their owners change them"
            )
            self.add([_general(message)])

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

    def plan(self, conn: Connection, tables: list[Table]) -> Plan:
        plan = plan_import(conn, tables)
        self.add(plan.issues)
        return plan

    def write(self, conn: Connection, plan: Plan) -> str:
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
        for part in plan.changes if sqlite else [Changes(plan.changes)]:
            span = rowids.get(id(part))
            if span is None or not isinstance(part, NewRows):
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
