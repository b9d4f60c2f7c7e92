"""Turning a --db value into a configured SQLAlchemy engine (SQLite pragmas, file mode, write locks)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from psninv.errors import InputError, MissingDriverError, file_error

DEFAULT_DB = "psninv.db"
BUSY_TIMEOUT_MS = 30_000
LOCK_TIMEOUT_ENV = "PSNINV_LOCK_TIMEOUT"
# Any constant shared by every psninv process: the key of PostgreSQL's one writer lock.
WRITE_LOCK_KEY = 0x7073_6E69_6E76  # "psninv"
# The execution option a writer sets before it begins; see Store.write.
WRITE = {"psninv_begin": "IMMEDIATE"}
POSTGRES_DRIVER = "postgresql+psycopg"
# Fail in seconds, not minutes, when the server is down or the address is wrong.
CONNECT_ARGS = {"connect_timeout": 10, "application_name": "psninv"}


def lock_timeout_ms() -> int:
    """How long a writer waits for another's write to finish: $PSNINV_LOCK_TIMEOUT seconds, else 30."""
    value = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    try:
        seconds = float(value) if value else BUSY_TIMEOUT_MS / 1000
    except ValueError:
        raise InputError(f"{LOCK_TIMEOUT_ENV} must be a number of seconds, not {value!r}") from None
    return max(0, round(seconds * 1000))


def is_lock_timeout(error: BaseException) -> bool:
    """Whether a database error means a writer gave up waiting for another writer's lock."""
    orig = getattr(error, "orig", None) or error
    # SQLite says "database is locked"; PostgreSQL raises lock_not_available (55P03).
    return getattr(orig, "sqlstate", None) == "55P03" or "database is locked" in str(orig)


def lock_timeout_message() -> str:
    """The one line a user sees when another engineer's write held the inventory too long."""
    seconds = lock_timeout_ms() / 1000
    return (
        f"another write held the inventory for over {seconds:g} s, so nothing was changed: "
        f"try again when it has finished (${LOCK_TIMEOUT_ENV} sets the wait)"
    )


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """Return an SQLAlchemy URL for a file path or URL, falling back to $PSNINV_DB and ./psninv.db."""
    value = os.fspath(db) if db is not None else os.environ.get("PSNINV_DB") or DEFAULT_DB
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    # Users write libpq's postgresql:// (or Heroku's postgres://); psycopg 3 is the driver we ship.
    for scheme in ("postgresql://", "postgres://"):
        if value.startswith(scheme):
            return POSTGRES_DRIVER + "://" + value[len(scheme) :]
    return value


def sqlite_path(url: str | URL) -> Path | None:
    """The database file of an SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def describe(url: str | URL) -> str:
    """How messages name a database: its file for SQLite, else its URL without password or driver."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    parsed = make_url(url)
    if parsed.drivername == POSTGRES_DRIVER:
        parsed = parsed.set(drivername="postgresql")
    return parsed.render_as_string(hide_password=True)


def _create_private_file(path: Path) -> None:
    # The inventory describes a public-sector network: only its owner may read it.
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine configured for psninv's transactions on SQLite or PostgreSQL.

    A read-only engine is read-only in the database itself, not only in psninv: SQLite
    connections run with `PRAGMA query_only`, PostgreSQL sessions default to read-only
    transactions, so a write refused by Python would be refused by the database too.
    """
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        return _postgres_engine(url, read_only=read_only)
    if backend != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    return _sqlite_engine(url, read_only=read_only)


def _sqlite_engine(url: str, *, read_only: bool = False) -> Engine:
    path = sqlite_path(url)
    if path is not None and not read_only:
        try:
            _create_private_file(path)
        except OSError as error:
            raise file_error(path, error, "create the inventory there") from None
    wait_ms = lock_timeout_ms()
    engine = create_engine(url, connect_args={"timeout": wait_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's begin event, not pysqlite, decide when and how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if read_only:
            # SQLite itself refuses every write on this connection; unlike mode=ro, it still
            # reads a WAL-mode file whose -shm another process has not created yet.
            cursor.execute("PRAGMA query_only=ON")
        else:
            # Switching a file to WAL rewrites its header: a read-only open must leave it as it was.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={wait_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Writers take the lock up front so that two writers queue instead of deadlocking.
        mode = conn.get_execution_options().get("psninv_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _postgres_engine(url: str, *, read_only: bool = False) -> Engine:
    if make_url(url).drivername == POSTGRES_DRIVER and importlib.util.find_spec("psycopg") is None:
        raise MissingDriverError("PostgreSQL needs the psycopg driver: pip install 'psninv[postgres]'")
    connect_args: dict[str, Any] = dict(CONNECT_ARGS)
    if read_only:
        # The server refuses any write in this session's transactions ("cannot execute ... in a
        # read-only transaction"), whatever psninv's own checks say.
        connect_args["options"] = "-c default_transaction_read_only=on"
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    wait_ms = lock_timeout_ms()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Why one writer lock rather than SERIALIZABLE with retries or row locks: an import
        # compares the stored rows with the file and then writes the difference, and an edit
        # checks a version before it updates; both must see the rows as they are when they
        # write. Row locks cannot lock rows that do not exist yet (two imports adding the same
        # new site), and SERIALIZABLE would need every caller to replay its whole transaction.
        # A transaction-scoped advisory lock queues writers exactly as SQLite's BEGIN IMMEDIATE
        # does, so both databases behave alike; readers never wait for it, and other databases
        # on the server have locks of their own (advisory locks are per database). Writers stay at
        # READ COMMITTED so that each statement after the lock sees the previous writer's commit.
        if conn.get_execution_options().get("psninv_begin") == WRITE["psninv_begin"]:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {wait_ms}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        else:
            # Loading the inventory takes several queries; one snapshot keeps them consistent,
            # as an SQLite read transaction in WAL mode does.
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    return engine


def create_missing_database(url: str) -> bool:
    """Create a PostgreSQL URL's database if the server has none of that name; True if it did.

    `psninv init --db postgresql://host/name` then works like it does for a new SQLite file,
    for roles allowed to create databases.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return False
    # Every cluster has the maintenance database `postgres`, open to every role by default.
    server = create_engine(
        parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args=CONNECT_ARGS
    )
    try:
        with server.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).first()
            if found:
                return False
            name = conn.dialect.identifier_preparer.quote(parsed.database)
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
            return True
    except SQLAlchemyError:
        return False
    finally:
        server.dispose()
