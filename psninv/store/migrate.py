"""Bringing a database's schema up to date with Alembic when it is opened."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from psninv.store.engine import WRITE

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at psninv's own migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest schema revision this version of psninv knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision a database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Upgrade the database to the newest schema; return True if anything was applied."""
    if current_revision(engine) == head_revision():
        return False
    config = alembic_config()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        # SQLite alters a table by rebuilding it, and dropping the old copy would trip the foreign
        # keys that point at it (or cascade through them): its migrations run with foreign keys
        # off, which must be set outside a transaction, and are checked before they commit.
        driver = conn.connection.driver_connection if sqlite else None
        if driver is not None:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            # The writer lock also keeps two processes opening a new inventory from both migrating it.
            conn = conn.execution_options(**WRITE)
            with conn.begin():
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("the schema upgrade would break references between records")
        finally:
            if driver is not None:
                driver.execute("PRAGMA foreign_keys=ON")
    return True
