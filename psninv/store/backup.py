"""Backing up and restoring an SQLite inventory with SQLite's online backup API, while others keep working."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from psninv.errors import BackupError, file_error
from psninv.io.atomic import replacing
from psninv.store.engine import BUSY_TIMEOUT_MS, make_engine, resolve_url, sqlite_path
from psninv.store.migrate import upgrade

# Tables every psninv inventory has had since the first schema.
REQUIRED_TABLES = frozenset(
    {"alembic_version", "tenant", "site", "link", "prefix", "site_occupant", "change"}
)


def pg_dump_advice(url: str) -> str:
    """How to back up and restore a PostgreSQL inventory with pg_dump and pg_restore (password hidden)."""
    shown = make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    return (
        "psninv backup copies SQLite files only; back up this PostgreSQL inventory with pg_dump:\n"
        f"  pg_dump --format=custom --file=psninv.dump '{shown}'\n"
        "and restore it into an empty database with pg_restore:\n"
        f"  pg_restore --clean --if-exists --no-owner --dbname='{shown}' psninv.dump\n"
        "(pg_dump takes the password from ~/.pgpass or $PGPASSWORD)"
    )


def _sqlite_file(db: str | os.PathLike[str] | None) -> Path:
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is None:
        if make_url(url).get_backend_name() == "postgresql":
            raise BackupError(pg_dump_advice(url))
        raise BackupError(f"cannot back up or restore {make_url(url).render_as_string(hide_password=True)}")
    return path


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    return sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def _private_new_file(path: Path) -> None:
    # Created 0600 before SQLite opens it: an inventory of a public-sector network is sensitive.
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def backup(db: str | os.PathLike[str] | None, target: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Copy the inventory to target, consistent as of one moment, while other processes go on writing."""
    source = _sqlite_file(db)
    if not source.is_file():
        raise BackupError(f"{source}: no inventory database there (run 'psninv init' first)")
    named = Path(target).expanduser()
    if named.is_symlink():
        # Following it would write the inventory wherever the link points (another user's file).
        raise BackupError(f"{named} is a symbolic link: give the path of a real file for the backup")
    destination = named.resolve()
    if destination == source.resolve():
        raise BackupError(f"{destination}: a backup cannot overwrite the inventory itself")
    if destination.is_dir():
        raise BackupError(f"{destination} is a folder: give a file name for the backup")
    if destination.exists() and not force:
        raise BackupError(f"{destination} exists: give another name, or --force to overwrite it")
    # Write beside the target and rename, so an interrupted backup never leaves half a file there.
    with replacing(destination) as partial:
        with closing(_connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            check_inventory(src, source)
            # One step: under WAL its read transaction never blocks writers, whereas a step-wise
            # copy starts over whenever another process writes, and might never finish.
            src.backup(dst, pages=-1)
            # A standalone file: no -wal beside it, readable by any SQLite.
            dst.execute("PRAGMA journal_mode=DELETE")
        os.chmod(partial, 0o600)
    return destination


def check_inventory(conn: sqlite3.Connection, path: Path) -> None:
    """Raise BackupError unless the connection's database is a psninv inventory."""
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone() if (
            "alembic_version" in tables
        ) else None
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: not a psninv inventory ({error})") from None
    missing = REQUIRED_TABLES - tables
    if missing or version is None:
        what = ", ".join(sorted(missing)) if missing else "a schema version"
        raise BackupError(f"{path}: not a psninv inventory (it lacks {what})")


def _is_empty(path: Path) -> bool:
    """True if there is no inventory at path, or one without a single row of data."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    with closing(_connect(path)) as conn:
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in sorted(tables - {"alembic_version"}):
                if conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                    return False
        except sqlite3.DatabaseError:
            return False  # something unreadable is there: never overwrite it silently
    return True


def restore(
    backup_file: str | os.PathLike[str], db: str | os.PathLike[str] | None, *, force: bool = False
) -> Path:
    """Replace the inventory with a backup, all at once, and bring its schema up to date.

    Refuses a file that is not a psninv inventory, and a target holding data unless forced.
    """
    source = Path(backup_file).expanduser().resolve()
    target = _sqlite_file(db)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if source == target.resolve():
        raise BackupError(f"{source}: is the inventory itself")
    try:
        with closing(_connect(source, read_only=True)) as src:
            check_inventory(src, source)
            result = src.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source}: not a psninv inventory ({error})") from None
    if result is None or result[0] != "ok":
        raise BackupError(f"{source}: the backup is damaged ({result[0] if result else 'no answer'})")
    if not force and not _is_empty(target):
        raise BackupError(f"{target} holds an inventory: --force replaces it with the backup")
    if not target.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _private_new_file(target)
        except OSError as error:
            raise file_error(target, error, "restore into it") from None
    # The backup API copies into the live target inside one write lock: readers see the old
    # inventory or the restored one, never a mixture, and a crash leaves the old one.
    try:
        with closing(_connect(source, read_only=True)) as src, closing(_connect(target)) as dst:
            dst.execute("PRAGMA journal_mode=WAL")
            src.backup(dst)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{target}: cannot restore into it ({error}); nothing was changed") from None
    engine = make_engine(f"sqlite:///{target}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return target
