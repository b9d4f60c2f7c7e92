"""Which database failures are the user's to fix (a StoreError in one line) and which are bugs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from psninv.errors import DatabaseAccessError, LockTimeoutError
from psninv.store.engine import is_lock_timeout, lock_timeout_message

# PostgreSQL SQLSTATE classes a user or their DBA fixes: connection (08), authorisation (28),
# resources such as a full disk (53), an administrator's intervention (57), and a role lacking
# a privilege (42501). Other codes (constraint, syntax, data) mean psninv sent something wrong.
_USER_SQLSTATE_CLASSES = ("08", "28", "53", "57")
_USER_SQLSTATES = ("42501",)
# SQLite's primary result codes of the same kinds: PERM, BUSY, LOCKED, READONLY, IOERR, CORRUPT,
# FULL, CANTOPEN, NOLFS, AUTH, NOTADB. SQLITE_ERROR (1), which sqlite3 raises as an
# OperationalError for "no such column" and syntax errors alike, is psninv's own mistake.
_USER_SQLITE_CODES = frozenset({3, 5, 6, 8, 10, 11, 13, 14, 22, 23, 26})


def is_users_problem(error: DatabaseError) -> bool:
    """Whether a database error is about the database's state or access rather than psninv's SQL."""
    orig = getattr(error, "orig", None)
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return (sqlite_code & 0xFF) in _USER_SQLITE_CODES  # an extended code: primary in the low byte
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return sqlstate in _USER_SQLSTATES or sqlstate[:2] in _USER_SQLSTATE_CLASSES
    # No code at all (psycopg before the server answered: refused, unknown host, bad password
    # file): the DB-API's OperationalError is a database that cannot be reached or used.
    return isinstance(error, OperationalError)


def translate(error: BaseException) -> DatabaseAccessError | LockTimeoutError | None:
    """The StoreError a user should see for a database failure, or None when it is a bug."""
    if isinstance(error, DatabaseError):
        if is_lock_timeout(error):
            return LockTimeoutError(lock_timeout_message())
        if is_users_problem(error):
            return DatabaseAccessError(str(error.orig or error).strip().splitlines()[0])
        return None
    if isinstance(error, NoSuchModuleError | ArgumentError):
        # A --db value that SQLAlchemy cannot make sense of: the URL is the user's.
        return DatabaseAccessError(str(error).splitlines()[0])
    return None


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn the database failures a user can fix into StoreErrors; let psninv's own bugs through."""
    try:
        yield
    except (DatabaseError, ArgumentError) as error:
        translated = translate(error)
        if translated is None:
            raise
        raise translated from error
