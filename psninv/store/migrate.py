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
        # The writer lock also keeps two processes opening a new inventory from both migrating it.
        conn = conn.execution_options(**WRITE)
        with conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return True
