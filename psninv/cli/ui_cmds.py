"""Commands that open the terminal UI: demo (on the bundled sample) and tui."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from psninv.cli.app import UserError, cli, db_options, open_for
from psninv.cli.render import console, print_import_report, progress_callback
from psninv.sample import sample_path
from psninv.store import Store, default_actor, open_store


def demo_db_path() -> Path:
    """Where the demo inventory lives: under $XDG_DATA_HOME (or ~/.local/share)/psninv."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "psninv" / "demo.db"


def ensure_demo(db: str | None, *, reset: bool = False) -> Store:
    """Open the demo inventory, loading the bundled sample through the normal import if it is empty."""
    from psninv.io.importer import import_files

    target = db or str(demo_db_path())
    if reset and "://" not in target:
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
    store = open_store(target, actor="psninv-demo")
    if reset and "://" in target:
        _empty(store)
    if not any(store.load().counts().values()):
        report = import_files(store, [sample_path()], progress=progress_callback())
        if not report.ok:
            print_import_report(report)
            store.close()
            raise UserError("the bundled sample failed to import; please report this")
    # The sample's rows are logged as psninv-demo; what the user then edits is logged as them.
    store.actor = default_actor()
    return store


def _empty(store: Store) -> None:
    # A server database cannot be deleted like a file; emptying its tables is the same reset.
    from psninv.model import metadata

    with store.write() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _served() -> bool:
    # `psninv serve` runs `psninv tui` behind pipes, with Textual's web driver named here.
    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")


def _open_tui(store: Store, read_only: bool) -> None:
    from psninv.tui.app import run_tui

    run_tui(store, read_only=read_only)


@cli.command()
@click.option("--db", metavar="PATH|URL", help="Where to keep the demo inventory (default: a data folder).")
@click.option("--reset", is_flag=True, help="Rebuild the demo inventory from the bundled sample.")
@click.option("--no-tui", is_flag=True, help="Print a summary instead of opening the terminal UI.")
def demo(db: str | None, reset: bool, no_tui: bool) -> None:
    """Open the terminal UI on the bundled Staffordshire sample (created on first run)."""
    store = ensure_demo(db, reset=reset)
    with store:
        if no_tui or not _interactive():
            from psninv.cli.analyse_cmd import print_overview

            print_overview(store)
            where = store.where
            console(err=True).print(f"Demo inventory: {where}. Open it with `psninv tui --db {where}`.")
            return
        _open_tui(store, read_only=False)


@cli.command()
@db_options
def tui(db: str | None, actor: str | None, read_only: bool) -> None:
    """Open the terminal UI on an inventory."""
    if not _interactive() and not _served():
        raise UserError("the terminal UI needs an interactive terminal")
    with open_for(db, actor, read_only) as store:
        _open_tui(store, read_only)
