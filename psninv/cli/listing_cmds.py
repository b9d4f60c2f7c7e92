"""Listing commands: sites, links, tenants and prefixes as a table, JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import click

from psninv.analysis.costs import tenant_annual_cost, tenant_annual_costs
from psninv.cli.app import cli, db_options, load_inventory, scope_to_tenant
from psninv.cli.render import console, table
from psninv.graph import is_active
from psninv.records import COLUMNS
from psninv.style import money

Rows = list[dict[str, Any]]


def _format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--tenant", metavar="CODE", help="Only this tenant's sites, their links and prefixes."
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="Output format.",
    )(command)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(map(str, value))
    return value


def _emit(
    entity: str,
    rows: Rows,
    fmt: str,
    columns: list[str],
    numeric: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> None:
    # JSON and CSV carry every column, and the `extra` figures the table shows (as numbers).
    names = [column.name for column in COLUMNS[entity]] + list(extra)
    if fmt == "json":
        data = [{name: _plain(row.get(name)) for name in names} for row in rows]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        from psninv.io.formula import csv_safe

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([csv_safe(_plain(row.get(name))) for name in names])
    else:
        shown = [[row.get(name) for name in columns] for row in rows]
        console().print(table(columns, shown, numeric=numeric))
        click.echo(f"{len(rows)} {entity}", err=True)


@cli.command()
@_format_option
@db_options
def sites(fmt: str, tenant: str | None, db: str | None, actor: str | None, read_only: bool) -> None:
    """List sites."""
    inventory = load_inventory(db, actor, read_only, tenant)
    degree: Counter[str] = Counter()
    for link in inventory.links.values():
        if is_active(link):
            degree[link["a_site"]] += 1
            degree[link["b_site"]] += 1
    rows = [{**row, "links": degree[code]} for code, row in inventory.sites.items()]
    _emit("sites", rows, fmt, ["code", "name", "tenant", "district", "role", "criticality", "links"],
          numeric=("links",))


@cli.command()
@_format_option
@db_options
def links(fmt: str, tenant: str | None, db: str | None, actor: str | None, read_only: bool) -> None:
    """List links (circuits)."""
    inventory = load_inventory(db, actor, read_only, tenant)
    rows = list(inventory.links.values())
    if fmt == "table":
        rows = [{**row, "cost": money(row.get("annual_cost_gbp")),
                 "mbps": _number(row.get("bandwidth_mbps"))} for row in rows]
    _emit("links", rows, fmt,
          ["circuit_id", "a_site", "b_site", "provider", "mbps", "cost", "contract_end", "tenant", "status"],
          numeric=("mbps", "cost"))


@cli.command()
@_format_option
@db_options
def tenants(fmt: str, tenant: str | None, db: str | None, actor: str | None, read_only: bool) -> None:
    """List tenants with their sites and annual circuit cost."""
    whole = load_inventory(db, actor, read_only, None)
    inventory = scope_to_tenant(whole, tenant)
    # Costs are those of the part listed: a partner's listing shows nothing of other bodies' budgets
    # beyond the circuits it shares, and matches what its database role (README) sees. Its own
    # figure is whole: the part holds every circuit it pays for, and the far ends that decide payers.
    costs = tenant_annual_costs(inventory)
    owned: Counter[str] = Counter(row.get("tenant") for row in inventory.sites.values())
    rows = []
    for code, row in inventory.tenants.items():
        cost = tenant_annual_cost(costs, code)
        rows.append({**row, "sites": owned[code], "annual_cost_gbp": cost, "annual cost": money(cost)})
    _emit("tenants", rows, fmt, ["code", "name", "sector", "sites", "annual cost"],
          numeric=("sites", "annual cost"), extra=("sites", "annual_cost_gbp"))


@cli.command()
@_format_option
@db_options
def prefixes(fmt: str, tenant: str | None, db: str | None, actor: str | None, read_only: bool) -> None:
    """List IP prefixes."""
    inventory = load_inventory(db, actor, read_only, tenant)
    _emit("prefixes", list(inventory.prefixes.values()), fmt,
          ["prefix", "vrf", "site", "tenant", "description"])


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
