"""The inventory database: opening it (any SQLAlchemy URL), upgrading it, reading and writing it."""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from psninv.errors import NoInventoryError, ReadOnlyError, SchemaOutdatedError
from psninv.inventory import Inventory
from psninv.store.engine import (
    DEFAULT_DB,
    WRITE,
    create_missing_database,
    describe,
    make_engine,
    resolve_url,
    sqlite_path,
)
from psninv.store.failures import database_errors
from psninv.store.migrate import current_revision, head_revision, upgrade
from psninv.store.reads import load_inventory
from psninv.store.writes import ChangeRecord, key_text, log_changes

__all__ = [
    "DEFAULT_DB",
    "ChangeRecord",
    "ReadOnlyError",
    "Store",
    "default_actor",
    "key_text",
    "open_store",
    "resolve_url",
]


def default_actor() -> str:
    """Who the change log names when nobody says otherwise: $PSNINV_ACTOR, else the OS user."""
    actor = os.environ.get("PSNINV_ACTOR")
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Store:
    """An opened inventory database."""

    def __init__(
        self,
        engine: Engine,
        *,
        actor: str | None = None,
        read_only: bool = False,
        outdated_schema: str | None = None,
    ):
        self.engine = engine
        self.actor = actor or default_actor()
        self.read_only = read_only
        self.outdated_schema = outdated_schema
        """The schema revision of an inventory older than this psninv, opened by a reader; else None."""

    @property
    def url(self) -> str:
        """The database URL, with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def where(self) -> str:
        """How messages name this inventory: its file, or its URL without password."""
        return describe(self.engine.url)

    @property
    def dialect(self) -> str:
        """The database's dialect name: sqlite or postgresql."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction."""
        with self._older_schema(), database_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _older_schema(self) -> Iterator[None]:
        # A reader reads an older schema as it is (it never upgrades); what it cannot read there,
        # a column or table a later migration added, is the user's to fix with `psninv init`.
        try:
            yield
        except DBAPIError as error:
            if self.outdated_schema is None or not isinstance(error, OperationalError | ProgrammingError):
                raise
            raise SchemaOutdatedError(
                f"{self.where} was made by an older psninv (schema {self.outdated_schema}) and lacks "
                "what this needs: run `psninv init` on it to upgrade it (back it up first)"
            ) from error

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed on success and rolled back on error."""
        if self.read_only:
            raise ReadOnlyError("this inventory is open read-only: no change was made")
        with database_errors(), self.engine.connect() as conn:
            conn.execution_options(**WRITE)
            with conn.begin():
                yield conn

    def load(self) -> Inventory:
        """Read the whole inventory."""
        with self.read() as conn:
            return load_inventory(conn)

    def log(self, conn: Connection, changes: list[ChangeRecord], *, batch: str | None = None) -> str:
        """Record changes in the change log inside the caller's transaction; return the batch id."""
        batch = batch or new_batch_id()
        log_changes(conn, changes, batch=batch, actor=self.actor)
        return batch

    def close(self) -> None:
        """Release the database's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def new_batch_id() -> str:
    """A fresh id grouping the changes of one command."""
    return uuid.uuid4().hex[:12]


def open_store(
    db: str | os.PathLike[str] | None = None,
    *,
    actor: str | None = None,
    read_only: bool = False,
    create: bool = True,
) -> Store:
    """Open (creating and upgrading where needed) the inventory at a path or SQLAlchemy URL."""
    with database_errors():
        return _open(resolve_url(db), actor=actor, read_only=read_only, create=create)


def _check_readable(engine: Engine, url: str) -> str | None:
    # A reader never migrates: an upgrade rewrites the file (and switches it to WAL), which is
    # a writer's decision to make, with a backup at hand. It returns an older revision, if any.
    revision = current_revision(engine)
    if revision is None:
        raise NoInventoryError(f"no inventory in {describe(url)} (run 'psninv init' first)")
    return None if revision == head_revision() else revision


def _open(url: str, *, actor: str | None, read_only: bool, create: bool) -> Store:
    path = sqlite_path(url)
    if path is not None and not path.exists() and (read_only or not create):
        raise NoInventoryError(f"no inventory database at {path} (run 'psninv init' first)")
    engine = make_engine(url, read_only=read_only)
    try:
        if not read_only:
            try:
                upgrade(engine)
            except OperationalError:
                # A server without the named database: create it, as a new SQLite file would be.
                if not (create and create_missing_database(url)):
                    raise
                upgrade(engine)
        else:
            outdated = _check_readable(engine, url)
            return Store(engine, actor=actor, read_only=True, outdated_schema=outdated)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, actor=actor, read_only=read_only)
