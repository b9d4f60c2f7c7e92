"""Commands that create, fill and export the inventory: init, import, export, template."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from psninv.cli.app import EXIT_DATA, cli, db_options, load_inventory, open_for, open_to_read
from psninv.cli.render import console, print_import_report, progress_callback
from psninv.display import escape_markup
from psninv.store import ReadOnlyError
from psninv.store.engine import resolve_url, sqlite_path

if TYPE_CHECKING:
    from psninv.inventory import Inventory


@cli.command()
@db_options
def init(db: str | None, actor: str | None, read_only: bool) -> None:
    """Create an empty inventory database, or upgrade an old one."""
    if read_only:
        # init exists to write (create or upgrade); opening read-only would only pretend to.
        raise ReadOnlyError("this inventory is open read-only: init creates or upgrades, so did nothing")
    with open_for(db, actor, read_only, create=True) as store:
        counts = store.load().counts()
    summary = ", ".join(f"{n} {entity}" for entity, n in counts.items())
    click.echo(f"Inventory ready at {store.where} ({summary}).")


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option(
    "--report",
    "report_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the validation report.",
)
@click.option(
    "--kind",
    type=click.Choice(["tenants", "sites", "links", "prefixes"]),
    help="Entity of CSV files whose name does not say it.",
)
@click.option("--encoding", metavar="NAME", help="Text encoding of CSV and graph files (default UTF-8).")
@click.option("--skip-hidden", is_flag=True,
              help="Leave out hidden workbook rows (else kept, with a warning).")
@click.option("--tenant", metavar="CODE", help="A partner's import: change only this tenant's own rows.")
@db_options
def import_(
    files: tuple[Path, ...],
    dry_run: bool,
    report_format: str,
    kind: str | None,
    encoding: str | None,
    skip_hidden: bool,
    tenant: str | None,
    db: str | None,
    actor: str | None,
    read_only: bool,
) -> None:
    """Import spreadsheets (.xlsx, .csv) and topology files (.graphml, .gml) as one transaction.

    Every error is reported with its file, sheet, row and column; if there is any, nothing
    is written and the exit status is 1.
    """
    from psninv.io.importer import import_files

    if read_only and not dry_run:
        raise ReadOnlyError("this inventory is open read-only: nothing was imported (try --dry-run)")
    # A dry run only reads: it never creates, upgrades or changes the inventory.
    new_file = sqlite_path(resolve_url(db))
    if new_file is not None and new_file.exists():
        new_file = None
    bar = progress_callback()
    with open_to_read(db) if dry_run else open_for(db, actor, read_only, create=True) as store:
        report = import_files(
            store,
            list(files),
            kind=kind,
            encoding=encoding,
            dry_run=dry_run,
            progress=bar,
            skip_hidden=skip_hidden,
            tenant=tenant,
        )
    if bar is not None:
        bar.finish()  # a phase that ended early (a refused file) leaves no bar behind
    if not report.ok and new_file is not None:
        # A refused first import leaves no empty inventory behind to mistake for a real one.
        for leftover in (new_file, *(new_file.with_name(new_file.name + end) for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
    if report_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print_import_report(report)
    if not report.ok:
        sys.exit(EXIT_DATA)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--tenant", metavar="CODE", help="Export only this tenant's sites, their links and prefixes.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv", "graphml", "geojson"]),
    help="Format, where the file name's extension does not say it (csv writes a folder).",
)
@click.option("--netbox", is_flag=True, help="Write a folder of CSV files for NetBox 4.2+'s bulk import.")
@click.option(
    "--netbox-sites",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="NetBox's sites export (with IDs), to write the circuit terminations too (with --netbox).",
)
@click.option("--force", is_flag=True, help="Replace an existing file or folder.")
@db_options
def export(
    path: Path,
    tenant: str | None,
    fmt: str | None,
    netbox: bool,
    netbox_sites: Path | None,
    force: bool,
    db: str | None,
    actor: str | None,
    read_only: bool,
) -> None:
    """Export the inventory as .xlsx, a folder of .csv, .graphml or .geojson, or for NetBox."""
    from psninv.io.export import export_inventory

    if netbox_sites is not None and not netbox:
        raise click.UsageError("--netbox-sites goes with --netbox")
    if netbox and fmt:
        raise click.UsageError("--netbox writes its own CSV files: leave out --format")
    inventory = load_inventory(db, actor, read_only, tenant)
    if netbox:
        _export_netbox(inventory, path, netbox_sites, force)
        return
    written = export_inventory(inventory, path, fmt=fmt, overwrite=force)
    # A graph or a map layer holds sites and links only: say what was written, nothing more.
    held = ("sites", "links") if written.suffix.lower() in (".graphml", ".geojson") else None
    written_counts = [(entity, n) for entity, n in inventory.counts().items() if not held or entity in held]
    counts = ", ".join(f"{n} {entity}" for entity, n in written_counts)
    console(err=True).print(f"Wrote {written} ({counts}).")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def template(path: Path) -> None:
    """Write an empty import workbook: headers, an example row per sheet, and a README sheet."""
    from psninv.io.template import write_template

    if path.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an .xlsx workbook", param_hint="PATH")
    written = write_template(path)
    click.echo(f"Wrote {written}: fill in the sheets and run `psninv import {written}`.")


def _export_netbox(inventory: Inventory, path: Path, sites_file: Path | None, force: bool) -> None:
    from psninv.io.netbox_export import STEPS_FILE, export_netbox

    written = export_netbox(inventory, path, site_ids_file=sites_file, overwrite=force)
    out = console(err=True)
    counts = ", ".join(f"{name} ({rows})" for name, rows in written.rows.items())
    out.print(f"Wrote {escape_markup(written.folder)}: {escape_markup(counts)}.")
    if not written.complete:
        out.print(
            "[yellow]Circuit terminations need NetBox's site IDs:[/] import 01 to 08 into NetBox, export "
            f"its sites, then add --netbox-sites FILE --force (see {STEPS_FILE})."
        )
