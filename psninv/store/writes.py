"""Bulk writes through SQLAlchemy Core: upserts by natural key and the change log that records them.

Bulk rows skip SQLAlchemy's per-row parameter processing: each statement is compiled once and
its rows go to the driver as plain tuples inside the caller's transaction (on PostgreSQL through
COPY), with the values the column types' own bind processors would have produced.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    MetaData,
    Table,
    delete,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from psninv.model import ENTITY_TABLES, Change, SiteOccupant
from psninv.records import ENTITY_KEYS

CHANGE_TABLE: Table = Change.__table__
OCCUPANT_TABLE: Table = SiteOccupant.__table__
# SQLite allows 32766 bound parameters per statement; keep well below it on every database.
_MAX_PARAMS = 30_000
# Rows handed to the driver per call: small enough for a smooth progress bar, large enough to be free.
_BATCH_ROWS = 20_000
_LOG_COLUMNS = ("batch", "at", "actor", "action", "entity", "key", "before", "after")

Progress = Callable[[int], None]
"""Called with the number of rows just written."""


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One row's change, ready for the change log."""

    action: str  # create, update or delete
    entity: str
    key: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def _jsonable(value: Any) -> Any:
    if value.__class__ is dt.date:  # a link's contract end, once a link: the common case first
        return value.isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    raise TypeError(f"cannot record {type(value).__name__} in the change log")


def _make_encoder() -> Callable[[Any], str]:
    # json.dumps builds a new encoder on every call, a third of its cost on a small row; build the
    # C encoder once, with the options json.dumps(ensure_ascii=False, separators=(",", ":")) uses.
    # Rows are never self-referencing, so the circular-reference check (markers) is left out.
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_jsonable)
        return encoder.encode
    iterencode = make(None, _jsonable, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    join = "".join
    return lambda value: join(iterencode(value, 0))


change_json = _make_encoder()
"""A row as the change log's JSON text: exactly what json.dumps(row, ensure_ascii=False,
separators=(",", ":"), default=_jsonable) writes, at a fraction of its cost."""


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
    names = list(rows[0].keys())
    upsert_columns(conn, table, names, [[row[name] for row in rows] for name in names])


def upsert_columns(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    columns: Sequence[Sequence[Any]],
    *,
    absent: bool = False,
    progress: Progress | None = None,
) -> None:
    """Upsert rows given column by column: `columns[i]` holds every row's value of `names[i]`.

    As `upsert`: a given column overwrites, an absent one is kept (or gets its default in a new row).
    `absent` says the caller found none of the keys inside this same write transaction.
    """
    count = len(columns[0]) if columns else 0
    if not count:
        return
    dialect = conn.dialect.name
    if dialect == "sqlite":
        _upsert_sqlite(conn, table, list(names), columns, progress, absent=absent)
    elif dialect == "postgresql":
        _upsert_postgresql(conn, table, list(names), columns, progress)
    else:
        raise NotImplementedError(f"bulk upsert is not written for {dialect}")


def _on_conflict(statement: Insert, table: Table, names: Sequence[str]) -> Insert:
    keys = [column.name for column in table.primary_key.columns]
    updates: dict[str, Any] = {name: statement.excluded[name] for name in names if name not in keys}
    if "version" in table.c and "version" not in names:
        # A literal, not a bound 1, so that the compiled statement's parameters are the row's alone.
        updates["version"] = table.c.version + literal_column("1")
    if updates:
        return statement.on_conflict_do_update(index_elements=keys, set_=updates)
    return statement.on_conflict_do_nothing(index_elements=keys)


def _bound(conn: Connection, column: Column, values: Sequence[Any]) -> Sequence[Any]:
    # What SQLAlchemy would send for these values: SQLite stores dates as text in its own format
    # and floats as floats even when given ints, and reads must give back what they always did.
    processor = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if processor is None:
        return values
    if isinstance(column.type, Date | DateTime):
        # Formatting a date in Python costs a microsecond; a column holds few distinct ones.
        formatted = {value: processor(value) for value in set(values)}
        return [formatted[value] for value in values]
    return list(map(processor, values))


def _upsert_sqlite(
    conn: Connection,
    table: Table,
    names: list[str],
    columns: Sequence[Sequence[Any]],
    progress: Progress | None,
    *,
    absent: bool,
) -> None:
    # SQLite's write transactions hold the database's one write lock from their start, so keys found
    # absent in them stay absent: a plain INSERT is then the same upsert, and about 15 % cheaper.
    # (PostgreSQL lets other transactions insert meanwhile; there every write keeps ON CONFLICT.)
    statement = sqlite.insert(table) if absent else _on_conflict(sqlite.insert(table), table, names)
    compiled = statement.compile(dialect=conn.dialect, column_keys=names)
    if not compiled.positiontup:  # a named paramstyle: the tuples below would be wrong
        raise NotImplementedError("bulk upsert needs the driver's positional parameters")
    given = dict(zip(names, columns, strict=True))
    sources: list[Iterable[Any]] = []
    for name in compiled.positiontup:
        if name in given:
            sources.append(_bound(conn, table.c[name], given[name]))
        else:
            sources.append(repeat(_default(conn, table.c[name])))
    # Not strict: the defaults' repeat() never ends.
    _execute_many(conn, compiled.string, list(zip(*sources, strict=False)), progress)


def _default(conn: Connection, column: Column) -> Any:
    # Only a column's fixed Python-side default (a version's 1, a status's "active") can be filled in.
    default = column.default
    if default is None or not default.is_scalar:
        raise NotImplementedError(f"bulk upsert cannot fill in column {column.name}")
    return _bound(conn, column, [default.arg])[0]


def _execute_many(conn: Connection, sql: str, rows: list[tuple[Any, ...]], progress: Progress | None) -> None:
    for batch in _chunks(rows, _BATCH_ROWS):
        conn.exec_driver_sql(sql, batch)
        if progress is not None:
            progress(len(batch))


def _upsert_postgresql(
    conn: Connection,
    table: Table,
    names: list[str],
    columns: Sequence[Sequence[Any]],
    progress: Progress | None,
) -> None:
    # COPY the rows into a temporary table of the given columns, then upsert them in one statement.
    stage = Table(
        f"psninv_stage_{table.name}",
        MetaData(),
        *(Column(name, table.c[name].type) for name in names),
        prefixes=["TEMPORARY"],
    )
    bound = [_bound(conn, table.c[name], values) for name, values in zip(names, columns, strict=True)]
    rows = _last_per_key(table, names, list(zip(*bound, strict=True)))
    stage.create(conn)
    _copy(conn, stage.name, names, rows, progress)
    # from_select fills in the Python-side defaults (version, status) of columns not given.
    statement = postgresql.insert(table).from_select(names, select(*stage.c))
    conn.execute(_on_conflict(statement, table, names))
    stage.drop(conn)


def _last_per_key(table: Table, names: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    # One statement may not update a row twice on PostgreSQL; executemany let the last row win.
    positions = [names.index(column.name) for column in table.primary_key.columns]
    keys = [tuple(row[p] for p in positions) for row in rows]
    if len(set(keys)) == len(keys):
        return rows
    return list(dict(zip(keys, rows, strict=True)).values())


def _copy(
    conn: Connection,
    table_name: str,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    progress: Progress | None,
) -> None:
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table_name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    # The psycopg connection under SQLAlchemy's, in the same transaction.
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for batch in _chunks(rows, _BATCH_ROWS):
                for row in batch:
                    copy.write_row(row)
                if progress is not None:
                    progress(len(batch))
    finally:
        cursor.close()


def replace_occupants(conn: Connection, occupants: Mapping[str, Iterable[str]], *, new: bool = False) -> None:
    """Make each named site's occupants exactly the tenants given for it.

    `new` says the sites were inserted in this transaction, so have no occupants to remove.
    """
    sites = list(occupants)
    for chunk in () if new else _chunks(sites, _MAX_PARAMS):
        conn.execute(delete(OCCUPANT_TABLE).where(OCCUPANT_TABLE.c.site.in_(chunk)))
    pairs = [(site, tenant) for site in sites for tenant in dict.fromkeys(occupants[site])]
    if pairs:
        # None of these pairs is stored now: on SQLite a plain insert (see _upsert_sqlite).
        columns = [list(column) for column in zip(*pairs, strict=True)]
        upsert_columns(conn, OCCUPANT_TABLE, ["site", "tenant"], columns, absent=True)


def log_changes(
    conn: Connection,
    changes: Iterable[ChangeRecord],
    *,
    batch: str,
    actor: str,
    at: dt.datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Append changes to the change log under one batch id and time (default now); return how many."""
    at = at or now()
    dialect = conn.dialect.name
    # One time for the whole batch: the driver paths get it converted once, not once a row.
    stamp = _stamp(conn, at) if dialect in ("sqlite", "postgresql") else at
    encode = change_json  # a local: this runs once a row, hundreds of thousands of times
    rows = [
        (
            batch,
            stamp,
            actor,
            change.action,
            change.entity,
            change.key,
            None if change.before is None else encode(change.before),
            None if change.after is None else encode(change.after),
        )
        for change in changes
    ]
    if not rows:
        return 0
    if dialect == "postgresql":
        _copy(conn, CHANGE_TABLE.name, _LOG_COLUMNS, rows, progress)
    elif dialect == "sqlite":
        compiled = insert(CHANGE_TABLE).compile(dialect=conn.dialect, column_keys=list(_LOG_COLUMNS))
        if tuple(compiled.positiontup or ()) != _LOG_COLUMNS:
            raise RuntimeError(f"unexpected change-log statement: {compiled.string}")
        _execute_many(conn, compiled.string, rows, progress)
    else:
        for chunk in _chunks(rows, _MAX_PARAMS // 8):
            conn.execute(insert(CHANGE_TABLE), [dict(zip(_LOG_COLUMNS, row, strict=True)) for row in chunk])
            if progress is not None:
                progress(len(chunk))
    return len(rows)


def now() -> dt.datetime:
    """The change log's time of a write: UTC, without a zone (as every database stores it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _stamp(conn: Connection, at: dt.datetime) -> Any:
    # The change log's time as the driver wants it, converted as SQLAlchemy would.
    return _bound(conn, CHANGE_TABLE.c.at, [at])[0]


def last_rowid(conn: Connection, table: Table) -> int:
    """SQLite only: the table's largest rowid (0 if empty); rows inserted next get larger ones."""
    quoted = conn.dialect.identifier_preparer.quote(table.name)
    found = conn.exec_driver_sql(f"SELECT max(rowid) FROM {quoted}").scalar()
    return int(found or 0)


def log_inserted(
    conn: Connection,
    entity: str,
    names: Sequence[str],
    rowids: tuple[int, int],
    *,
    batch: str,
    actor: str,
    at: dt.datetime,
) -> int:
    """SQLite only: log the rows with rowids in (first, last] as created, as SQLite stores them.

    A first import's change log is then made where its rows are, in one statement: the after-image
    of each row is built by SQLite's json_object from the columns `names` (plus the site's occupants
    when `names` has them), in that order. Returns how many rows were logged.
    """
    table = ENTITY_TABLES[entity]
    quote = conn.dialect.identifier_preparer.quote
    pairs = []
    for name in names:
        if name == "occupants":
            pairs.append(f"'occupants', json(({_OCCUPANTS_JSON}))")
        else:
            pairs.append(f"'{name}', {_json_value(table.c[name], quote(name))}")
    # key_text's form: composite keys joined with '|'.
    key = " || '|' || ".join(f"coalesce({quote(name)}, '')" for name in ENTITY_KEYS[entity])
    sql = (
        f"INSERT INTO {quote(CHANGE_TABLE.name)} ({', '.join(quote(c) for c in _LOG_COLUMNS)}) "
        f"SELECT ?, ?, ?, 'create', ?, {key}, NULL, json_object({', '.join(pairs)}) "
        f"FROM {quote(table.name)} AS row WHERE rowid > ? AND rowid <= ? ORDER BY rowid"
    )
    result = conn.exec_driver_sql(sql, (batch, _stamp(conn, at), actor, entity, *rowids))
    return int(result.rowcount)


# A site's occupants as a sorted JSON array, as the Python log records them.
_OCCUPANTS_JSON = (
    "SELECT json_group_array(tenant) FROM "
    "(SELECT tenant FROM site_occupant WHERE site_occupant.site = row.code ORDER BY tenant)"
)


def _json_value(column: Column, name: str) -> str:
    if not isinstance(column.type, Float):
        return name
    # json_object writes a float as SQLite casts it to text, with 15 significant digits; where those
    # do not give the stored value back, write 17, so the log holds exactly what was stored.
    return (
        f"CASE WHEN {name} <> CAST(CAST({name} AS TEXT) AS REAL) "
        f"THEN json(printf('%!.17g', {name})) ELSE {name} END"
    )


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
