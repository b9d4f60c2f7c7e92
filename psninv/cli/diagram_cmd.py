"""`psninv diagram`: the logical topology as SVG, draw.io or Graphviz, for design documents."""

from __future__ import annotations

from pathlib import Path

import click

from psninv.cli.app import cli, db_options, load_inventory
from psninv.cli.render import console
from psninv.display import escape_markup
from psninv.errors import InputError
from psninv.style import plural


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", metavar="CODE", help="Only this tenant's sites, their links and far ends.")
@click.option("--title", default="Network diagram", show_default=True, help="The diagram's title.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@db_options
def diagram(
    path: Path,
    tenant: str | None,
    title: str,
    force: bool,
    db: str | None,
    actor: str | None,
    read_only: bool,
) -> None:
    """Draw the logical topology (cores, hubs, access sites by district): .svg, .png, .drawio or .dot."""
    from psninv.diagram import write_diagram

    if path.exists() and not force:
        raise InputError(f"{path} already exists: nothing was written (--force replaces it)")
    inventory = load_inventory(db, actor, read_only, tenant)
    written, drawn = write_diagram(inventory, path, title=title)
    console(err=True).print(
        f"Wrote {escape_markup(written)} ({plural(len(drawn.nodes), 'site')}, "
        f"{plural(len(drawn.edges), 'active circuit')}, {plural(len(drawn.groups), 'district')})."
    )
