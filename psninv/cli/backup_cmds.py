"""Commands that copy the whole inventory: backup (online, while others work) and restore."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from psninv.cli.app import EXIT_DATA, cli, db_options
from psninv.store import ReadOnlyError, resolve_url
from psninv.store.backup import backup as backup_inventory
from psninv.store.backup import pg_dump_advice
from psninv.store.backup import restore as restore_inventory


def _refuse_postgres(db: str | None) -> None:
    # pg_dump and pg_restore are the right tools there; say how instead of half-doing it.
    url = resolve_url(db)
    if make_url(url).get_backend_name() == "postgresql":
        click.echo(pg_dump_advice(url), err=True)
        sys.exit(EXIT_DATA)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@db_options
def backup(file: Path, force: bool, db: str | None, actor: str | None, read_only: bool) -> None:
    """Copy the inventory to FILE while others keep working (SQLite's online backup).

    The copy is consistent as of one moment and readable only by you. On PostgreSQL this
    explains how to use pg_dump instead.
    """
    _refuse_postgres(db)
    written = backup_inventory(db, file, force=force)
    click.echo(f"Backed up the inventory to {written}.")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an inventory that already holds data.")
@db_options
def restore(file: Path, force: bool, db: str | None, actor: str | None, read_only: bool) -> None:
    """Replace the inventory with the backup FILE, all at once, and upgrade its schema if older.

    FILE must be a psninv inventory; an inventory holding data is replaced only with --force.
    """
    if read_only:
        raise ReadOnlyError("this inventory is open read-only: nothing was restored")
    _refuse_postgres(db)
    target = restore_inventory(file, db, force=force)
    click.echo(f"Restored {file} into {target}.")
