"""The change log on the command line: `psninv history` lists changes, `psninv revert` undoes one."""

from __future__ import annotations

import json

import click

from psninv.changes import count_changes, entity_name, history, revert, revert_batch
from psninv.cli.app import cli, db_options, open_for, open_to_read
from psninv.cli.render import console, table
from psninv.errors import PsninvError


@cli.command("history")
@click.option("--entity", metavar="KIND", help="Only changes of sites, links, tenants or prefixes.")
@click.option(
    "--key", metavar="KEY", help="Only changes of the record with this code (prefixes: PREFIX|VRF)."
)
@click.option("--actor", "who", metavar="NAME", help="Only changes made by this person.")
@click.option("--batch", metavar="ID", help="Only the changes of one import or edit.")
@click.option(
    "--limit", type=click.IntRange(1, 100_000), default=50, show_default=True, help="How many, newest first."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--read-only", is_flag=True, help="Open the inventory read-only.")
@click.option("--db", envvar="PSNINV_DB", metavar="PATH|URL", help="SQLite file or SQLAlchemy URL.")
def history_command(
    entity: str | None,
    key: str | None,
    who: str | None,
    batch: str | None,
    limit: int,
    fmt: str,
    read_only: bool,
    db: str | None,
) -> None:
    """List the change log, newest first: who changed what, when, from what to what."""
    try:
        kind = entity_name(entity) if entity else None
    except PsninvError as error:
        raise click.BadParameter(str(error), param_hint="--entity") from None
    # --actor filters here; history writes nothing, so it needs no actor of its own.
    with open_to_read(db) as store:
        entries = history(store, entity=kind, key=key, actor=who, batch=batch, limit=limit)
        total = count_changes(store, entity=kind, key=key, actor=who, batch=batch)
    if fmt == "json":
        click.echo(json.dumps([entry.to_dict() for entry in entries], indent=2, ensure_ascii=False))
        return
    rows = [
        [
            entry.id,
            entry.at.strftime("%Y-%m-%d %H:%M"),
            entry.actor,
            entry.action,
            entry.entity,
            entry.key.rstrip("|"),
            (f"(reverted by #{entry.reverted_by}) " if entry.reverted_by else "") + entry.summary(2),
        ]
        for entry in entries
    ]
    console().print(
        table(["id", "when (UTC)", "who", "action", "entity", "key", "what"], rows, numeric=("id",))
    )
    click.echo(f"{len(entries)} of {total} changes", err=True)


@cli.command("revert")
@click.argument("change_id", type=int, required=False)
@click.option(
    "--batch", metavar="ID", help="Revert every change of one import or edit instead, newest first."
)
@db_options
def revert_command(
    change_id: int | None, batch: str | None, db: str | None, actor: str | None, read_only: bool
) -> None:
    """Undo one change of the log (or a whole batch); the undoing is itself logged."""
    if (change_id is None) == (batch is None):
        raise click.UsageError("name one change to revert, or one --batch")
    with open_for(db, actor, read_only) as store:
        result = revert(store, change_id) if change_id is not None else revert_batch(store, batch or "")
    what = (
        f"change #{change_id}"
        if change_id is not None
        else f"{len(result.change_ids)} changes of batch {batch}"
    )
    click.echo(f"reverted {what} (logged as batch {result.batch})")
