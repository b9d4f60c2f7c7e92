"""The analyse command: redundancy gaps and sharing opportunities as a table, JSON, CSV or workbook."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from psninv._gc import collector_paused
from psninv.analysis import Analysis, Category, Finding, Severity, Tariff, WhatIf, analyse, columns_needed
from psninv.analysis.events import FailureEvent
from psninv.analysis.failures import expand_failures
from psninv.analysis.verified import VerifiedPlan
from psninv.atomic import replacing
from psninv.cli.app import EXIT_DATA, cli, db_options, open_to_read
from psninv.cli.render import console, progress_stages, severity_text, table
from psninv.display import escape_markup
from psninv.inventory import Inventory
from psninv.store import Store
from psninv.store.reads import load_inventory
from psninv.style import money, plural


def _split(values: tuple[str, ...]) -> list[str]:
    return [part for value in values for part in value.replace(",", " ").split() if part]


@cli.command("analyse")
@click.option("--only", type=click.Choice(["redundancy", "sharing"]), help="Run one analyser only.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="Output format (csv and xlsx need -o).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity if s is not Severity.INFO]),
    help="Exit 1 if any finding is at or above this severity.",
)
@click.option(
    "--fail",
    "failed",
    multiple=True,
    metavar="NAME",
    help="What-if: fail a site, a circuit, srlg:TAG (every circuit with the tag) or provider:NAME "
    "(repeat, or separate with commas).",
)
@click.option(
    "--remedies/--no-remedies",
    default=None,
    help="Propose new links for every high or critical site short of policy, kept only where a re-run "
    "of the analysis proves them (-o FILE.xlsx with the table format writes them as planned circuits); "
    "on by default with the redundancy analyser; --no-remedies skips the re-runs on a very large inventory.",
)
@click.option("--planned", is_flag=True, help="Count planned circuits as in service (the network to be).")
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="FILE",
    help="Analyse as if FILE (a workbook, CSV or GraphML; repeatable) had been imported, with planned "
    "circuits in service; nothing is written. `psninv plan -o plan.xlsx` makes one.",
)
@click.option(
    "--events",
    is_flag=True,
    help="Rank every SRLG tag and provider by the sites, tenants and demand its failure cuts off.",
)
@click.option(
    "--policy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Redundancy policy TOML file.",
)
@click.option(
    "--tariff",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tariff TOML file for costs and distances.",
)
@click.option(
    "--all",
    "include_hidden",
    is_flag=True,
    help="List every finding in the table (by default the worst of each kind and a count of the rest), "
    "sharing opportunities below the savings threshold too. JSON, CSV and xlsx always list every finding.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run the analysis afresh even when this inventory's, unchanged since, was kept (large networks).",
)
@db_options
def analyse_command(**options: Any) -> None:
    """Find single points of failure and sharing opportunities, each with its impact and its £."""
    fmt, output = options["fmt"], options["output"]
    if fmt in ("csv", "xlsx") and output is None:
        raise click.UsageError(f"--format {fmt} writes a file: give it with -o FILE")
    # A short-lived command that builds no reference cycles: the collector would only rescan the
    # inventory and the findings again and again (seconds at 100k sites).
    with collector_paused():
        _analyse(**options)


def _analyse(
    only: str | None,
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    failed: tuple[str, ...],
    events: bool,
    remedies: bool | None,
    planned: bool,
    scenarios: tuple[Path, ...],
    policy: Path | None,
    tariff: Path | None,
    include_hidden: bool,
    no_cache: bool,
    db: str | None,
    actor: str | None,
    read_only: bool,
) -> None:
    from psninv.analysis.policy import Policy
    from psninv.io.report import iter_json, write_json

    scenario = None
    names = _split(failed)
    inventory: Inventory | None = None
    if scenarios:
        from psninv.io.scenario import load_scenario

        with open_to_read(db) as store:
            scenario = load_scenario(store, scenarios)
        inventory = scenario.inventory
        planned = True
    elif names or no_cache:
        # A what-if is not kept: it is the inventory with failures, quick to rerun for another set.
        with open_to_read(db) as store, store.read() as conn:
            inventory = load_inventory(conn, columns=columns_needed(only))
    if inventory is not None:
        unknown = expand_failures(inventory, names).unknown
        if unknown:
            raise click.BadParameter(
                f"no site, circuit, srlg:TAG or provider:NAME named {', '.join(map(repr, unknown))}",
                param_hint="--fail",
            )
    workbook = output if fmt == "table" and output is not None else None
    if workbook is not None and workbook.suffix.lower() != ".xlsx":
        raise click.UsageError("-o with the table format writes the remedies workbook: give a .xlsx file")
    if remedies is None:
        # Advice is offered only once a re-run of the analysis has proved it.
        remedies = only != "sharing"
    if (events or remedies or workbook) and only == "sharing":
        raise click.UsageError("--events and remedies need the redundancy analyser")
    if events and only == "sharing":
        raise click.UsageError("--events ranks failures: it needs the redundancy analyser")
    from psninv.session.cache import analyse_store, analysis_options

    settings = analysis_options(
        only=only,
        policy=Policy.load(policy),
        tariff=Tariff.load(tariff),
        include_hidden=include_hidden,
        events=events,
        remedies=remedies or workbook is not None,
        planned=planned,
    )
    bar = progress_stages("analysing")
    run = None
    try:
        if inventory is not None:
            result = analyse(inventory, failed=names, progress=bar, **settings)
        else:
            with open_to_read(db) as store:

                def load() -> Inventory:
                    if bar is not None:
                        bar("reading the inventory", 0, 0)
                    with store.read() as conn:
                        return load_inventory(conn, columns=columns_needed(only))

                def run_it(work: Inventory) -> Analysis:
                    return analyse(work, progress=bar, **settings)

                run = analyse_store(store, settings, run_it, load, progress=bar)
            result, inventory = run.analysis, run.inventory
    finally:
        if bar is not None:
            bar.finish()
    if run is not None and run.from_cache and fmt == "table":
        note = "Read from the cache: the inventory is unchanged since its analysis (--no-cache reruns)."
        console(err=True).print(Text(note, style="dim"))
    if scenario is not None:
        result.scenario = scenario.info
    if fmt == "json":
        # People read it on a terminal; scripts and files get compact JSON, several times faster to write.
        indent = 2 if output is None and sys.stdout.isatty() else None
        if output:
            with replacing(output) as temporary, temporary.open("w", encoding="utf-8") as stream:
                write_json(result, stream, indent=indent, default=str)
        else:
            for part in iter_json(result, indent=indent, default=str):
                click.echo(part, nl=False)
            click.echo()
    elif fmt in ("csv", "xlsx"):
        from psninv.io.report import write_report

        written = write_report(result, output, fmt)
        click.echo(f"Wrote {len(result.findings)} findings to {written}.", err=True)
    else:
        print_analysis(result, every=include_hidden)
        if workbook is not None and result.redundancy is not None and result.redundancy.verified is not None:
            from psninv.io.xlsx import write_workbook

            plan = result.redundancy.verified
            if inventory is None:
                with open_to_read(db) as store:
                    inventory = store.load()
            with replacing(workbook) as temporary:
                write_workbook(Inventory(links=plan.circuit_rows(inventory)), temporary)
            click.echo(
                f"Wrote {len(plan.links)} proposed circuits (status planned) to {workbook}: "
                f"`psninv import {workbook}` adds them, `psninv analyse --planned` shows them working.",
                err=True,
            )
    if fail_on and any(f.severity.at_least(fail_on) for f in result.findings):
        worst = min(result.findings, key=Finding.sort_key).severity
        click.echo(f"Failing: findings at {worst} severity (--fail-on {fail_on}).", err=True)
        sys.exit(EXIT_DATA)


def _saving(finding: Finding) -> str:
    if finding.breaks_policy:
        return "breaks policy"
    if finding.savings_gbp is None:
        return ""
    pct = f" {finding.savings_pct:.0f}%" if finding.savings_pct is not None else ""
    return f"{money(finding.savings_gbp)}{pct}"


def findings_table(findings: list[Finding], title: str) -> Any:
    """Findings as an aligned table: severity in colour, kind, the manager's line and any £ saved a year."""
    with_savings = any(f.savings_gbp is not None for f in findings)
    columns = ["severity", "kind", "finding"] + (["saves/yr"] if with_savings else [])
    grid = table(columns, [], title=title, numeric=("saves/yr",))
    grid.columns[0].no_wrap = grid.columns[1].no_wrap = True
    for f in findings:
        row = [severity_text(f.severity.value), f.kind, f.title]
        grid.add_row(*(row + ([_saving(f)] if with_savings else [])))
    return grid


def print_what_if(what_if: WhatIf) -> None:
    """The sites a what-if cuts off, grouped by tenant, with the demand lost."""
    out = console()
    failed = what_if.failed_sites + what_if.failed_links
    named = ", ".join(failed)
    if what_if.failed_events:
        named = ", ".join(what_if.failed_events + what_if.failed_sites)
        named += f" ({len(what_if.failed_links)} circuits)"
    verb = "fails" if len(failed) == 1 else "fail"
    out.print(f"[bold]What if {escape_markup(named)} {verb}:[/] {plural(what_if.sites_cut_off, 'site')} of "
              f"{plural(len(what_if.tenants_affected), 'tenant')} cut off from the core, "
              f"{what_if.demand_lost_mbps:,.0f} Mbit/s of demand lost. "
              "A shared site is listed under each of its tenants.")
    if what_if.cut_off:
        rows = [
            (tenant or "(no tenant)", len(sites), ", ".join(sites))
            for tenant, sites in sorted(what_if.cut_off.items())
        ]
        out.print(table(["tenant", "sites", "cut off"], rows, numeric=("sites",)))
    out.print()


WORST_OF_EACH_KIND = 5
"""Findings of each kind the table lists by default; --all lists them all."""


def worst_of_each_kind(
    findings: list[Finding], limit: int = WORST_OF_EACH_KIND
) -> tuple[list[Finding], dict[str, int]]:
    """The worst `limit` findings of each kind, still worst first, and how many of each kind are left out."""
    kept: list[Finding] = []
    seen: dict[str, int] = {}
    for finding in findings:
        seen[finding.kind] = seen.get(finding.kind, 0) + 1
        if seen[finding.kind] <= limit:
            kept.append(finding)
    return kept, {kind: count - limit for kind, count in seen.items() if count > limit}


def print_analysis(result: Analysis, *, every: bool = False) -> None:
    """Print an analysis for a person: what-if, findings by category (the worst of each kind unless
    `every`), then the summary."""
    out = console()
    if result.scenario is not None:
        info = result.scenario
        out.print(
            Text(
                f"Scenario: as if {', '.join(info.files)} were imported ({info.created:,} rows created, "
                f"{info.updated:,} updated), planned circuits in service. Nothing was written.",
                style="bold",
            )
        )
        out.print()
    if result.what_if is not None:
        print_what_if(result.what_if)
    ran = {Category.REDUNDANCY: result.redundancy is not None, Category.SHARING: result.sharing is not None}
    for category, summarised in ran.items():
        found = [f for f in result.findings if f.category is category]
        if not (summarised or found):
            continue
        shown, rest = (found, {}) if every else worst_of_each_kind(found)
        title = f"{category.value.capitalize()} findings ({len(found)})"
        if not found:
            out.print(Text(f"{category.value.capitalize()} findings: none.", style="bold"))
            out.print()
            continue
        if rest:
            title += f", the worst {WORST_OF_EACH_KIND} of each kind"
        out.print(findings_table(shown, title))
        for kind, count in rest.items():
            out.print(Text(f"… and {count:,} more {kind}", style="dim"))
        if rest:
            note = "--all lists every finding; --format json, csv or xlsx carry them all."
            out.print(Text(note, style="dim"))
        out.print()
    if result.redundancy is not None and result.redundancy.events is not None:
        out.print(events_table(result.redundancy.events))
        out.print()
    if result.redundancy is not None and result.redundancy.verified is not None:
        print_remedies(result.redundancy.verified)
    _print_summary(result)


def print_remedies(plan: VerifiedPlan) -> None:
    """The verified remedies: each link, what it fixes, its size and cost; the bounds; the sites left."""
    out = console()
    rows = [
        (
            cid,
            f"{link.a_site}–{link.b_site}",
            "" if link.length_km is None else f"{link.length_km:,.1f}",
            f"{link.bandwidth_mbps or 0:,.0f}",
            money(link.annual_cost_gbp),
            ", ".join(plan.fixes.get(cid, [])),
        )
        for cid, link in zip(plan.circuit_ids, plan.links, strict=True)
    ]
    if not plan.links and not plan.unfixable:
        none = "Verified remedies: none needed (no high or critical site short of policy)."
        out.print(Text(none, style="bold"))
        return
    title = (
        f"Verified remedies: {len(plan.links)} links (lower bound {plan.lower_bound_links}), "
        f"{money(plan.annual_cost_gbp)}/yr (lower bound {money(plan.lower_bound_cost_gbp)})"
    )
    columns = ["circuit", "new link", "km", "Mbit/s", "£/yr", "fixes"]
    out.print(table(columns, rows, title=title, numeric=("km", "Mbit/s", "£/yr")))
    for left in plan.unfixable:
        out.print(f"Cannot be fixed within reach: {escape_markup(left.site)}: {escape_markup(left.reason)}")
    out.print()


def events_table(events: list[FailureEvent]) -> Any:
    """Every SRLG tag and provider, worst failure first: circuits, sites, tenants and demand cut off."""
    rows = [
        (
            event.fail_name,
            event.circuits,
            event.sites_cut_off,
            len(event.tenants_affected),
            f"{event.demand_mbps_lost:,.0f}",
            ", ".join(event.cut_off_sites[:6]) + (" …" if len(event.cut_off_sites) > 6 else ""),
        )
        for event in events
    ]
    numeric = ("circuits", "sites", "tenants", "Mbit/s")
    title = f"Failure events ({len(events)}), worst first; fail one with --fail NAME"
    columns = ["event", "circuits", "sites", "tenants", "Mbit/s", "cut off"]
    return table(columns, rows, title=title, numeric=numeric)


def _print_summary(result: Analysis) -> None:
    out = console()
    line = Text("Findings:")
    for i, (severity, count) in enumerate(result.by_severity.items()):
        line.append("  " if i else " ")
        line.append_text(severity_text(severity.value)).append(f" {count}")
    out.print(line)
    sharing = result.sharing
    if sharing is None:
        return
    line = (
        f"Annual network cost {money(sharing.total_annual_cost_gbp) or 'unknown (no circuit has a cost)'}; "
        f"savings identified {money(sharing.savings_gbp)}"
    )
    if sharing.savings_pct is not None:
        line += f" ({sharing.savings_pct:.1f}%)"
    if sharing.hidden:
        line += f"; {sharing.hidden} smaller opportunities hidden (--all shows them)"
    out.print(line + ".")
    rows = [
        (code, money(entry.annual_cost_gbp), money(entry.savings_gbp), f"{entry.savings_pct or 0:.1f}%")
        for code, entry in sorted(sharing.by_tenant.items(), key=lambda item: -item[1].savings_gbp)
        if entry.savings_gbp
    ]
    if rows:
        out.print(
            table(["tenant", "annual cost", "savings", "%"], rows, numeric=("annual cost", "savings", "%"))
        )


def print_overview(store: Store) -> None:
    """A one-screen summary of an inventory: counts, cost, findings by severity, the ten worst."""
    inventory = store.load()
    result = analyse(inventory)
    out = console()
    counts = inventory.counts()
    # The sharing summary's total: every tenant's annual cost (psninv.analysis.costs) added up.
    cost = result.sharing.total_annual_cost_gbp if result.sharing else None
    out.print(
        f"[bold]{counts['sites']} sites, {counts['links']} links, {counts['tenants']} tenants, "
        f"{counts['prefixes']} prefixes; annual circuit cost {money(cost)}.[/]"
    )
    out.print(findings_table(result.findings[:10], "The ten most severe findings"))
    out.print()
    _print_summary(result)
