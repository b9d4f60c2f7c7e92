"""`psninv plan`: remedies to policy plus the sharing that keeps it, proved by analysing the plan applied."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from psninv.analysis import Policy, Severity, Tariff
from psninv.analysis.plan import make_plan
from psninv.analysis.plan_result import Plan
from psninv.atomic import replacing
from psninv.cli.app import cli, db_options, open_to_read, read_stamped
from psninv.cli.render import console, progress_stages, severity_text, table
from psninv.errors import InputError
from psninv.inventory import Inventory
from psninv.session.kept_plan import plan_store
from psninv.store import Store
from psninv.style import money, plural, signed_money

MAX_ROWS = 200
"""Changes the table prints; -o FILE.xlsx or --format json carries all of them."""


@cli.command("plan")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xlsx"]),
    default=None,
    help="Output format (default: table, or xlsx for -o FILE.xlsx).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file: .xlsx is an import workbook (`psninv import` applies it) with a summary sheet.",
)
@click.option(
    "--policy", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Policy TOML file."
)
@click.option(
    "--tariff", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Tariff TOML file."
)
@click.option("--tenant", metavar="CODE", help="Only this body's part of the plan and its £.")
@click.option(
    "--no-sharing", is_flag=True, help="Remedies only: bring every site up to policy, share nothing."
)
@click.option("--budget", type=click.FloatRange(min=0), metavar="GBP", help="Spend at most this much a year.")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Make the plan afresh even when this inventory's, unchanged since, was kept.",
)
@db_options
def plan_command(
    fmt: str | None,
    output: Path | None,
    policy: Path | None,
    tariff: Path | None,
    tenant: str | None,
    no_sharing: bool,
    budget: float | None,
    force: bool,
    no_cache: bool,
    db: str | None,
    actor: str | None,
    read_only: bool,
) -> None:
    """Plan the network: verified remedies to policy, plus the sharing that can be taken with them.

    Every figure after the arrow comes from analysing and costing the inventory with the plan
    applied. `psninv plan -o plan.xlsx`, then `psninv analyse --scenario plan.xlsx` shows the
    after-state, and `psninv import plan.xlsx` makes it real (one batch, revertible).
    """
    if fmt is None:
        fmt = "xlsx" if output is not None and output.suffix.lower() == ".xlsx" else "table"
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a file: give it with -o FILE.xlsx")
    if output is not None and output.exists() and not force:
        raise InputError(f"{output} already exists: nothing was written (--force replaces it)")
    with open_to_read(db) as store:
        _inventory, plan = plan_of_store(
            store,
            policy=Policy.load(policy),
            tariff=Tariff.load(tariff),
            sharing=not no_sharing,
            budget_gbp=budget,
            tenant=tenant,
            no_cache=no_cache,
            note=fmt == "table",
        )
    if fmt == "xlsx":
        from psninv.io.plan_workbook import write_plan_workbook

        assert output is not None
        with replacing(output) as part:
            write_plan_workbook(plan, part)
        console(err=True).print(
            Text(
                f"Wrote {output}: {plural(len(plan.changes), 'change')}; "
                f"`psninv analyse --scenario {output}` "
                "shows the network after it, `psninv import` makes it real."
            )
        )
        return
    if fmt == "json":
        text = json.dumps(plan.to_dict(), indent=2, ensure_ascii=False)
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            with replacing(output) as part:
                Path(part).write_text(text + "\n", encoding="utf-8")
        return
    _print(plan)


def plan_of_store(
    store: Store,
    *,
    policy: Policy,
    tariff: Tariff,
    sharing: bool = True,
    budget_gbp: float | None = None,
    tenant: str | None = None,
    no_cache: bool = False,
    note: bool = True,
) -> tuple[Inventory, Plan]:
    """Read the inventory and plan it, from the cache where the plan is kept, with a progress bar on stderr.

    An unknown tenant is refused before any planning; `note` says on stderr when the plan was kept.
    """
    stamp, inventory = read_stamped(store, tenant)
    settings: dict[str, Any] = {
        "policy": policy,
        "tariff": tariff,
        "sharing": sharing,
        "budget_gbp": budget_gbp,
    }
    bar = progress_stages("planning")
    try:
        if no_cache:
            plan, from_cache = make_plan(inventory, tenant=tenant, progress=bar, **settings), False
        else:
            run = plan_store(store, inventory, stamp=stamp, tenant=tenant, progress=bar, **settings)
            plan, from_cache = run.plan, run.from_cache
    finally:
        if bar is not None:
            bar.finish()
    if from_cache and note:
        text = "Read from the cache: the inventory is unchanged since its plan was made (--no-cache replans)."
        console(err=True).print(Text(text, style="dim"))
    return inventory, plan


def _print(plan: Any) -> None:
    out = console()
    if not plan.changes:
        out.print(
            Text(
                "Nothing to change: no critical or high gap to close, and no sharing opportunity "
                "that keeps the redundancy policy and saves money."
            )
        )
    rows = [
        (c.action, c.circuit, f"{c.a_site}–{c.b_site}", signed_money(c.annual_gbp), c.tenant, c.reason)
        for c in plan.changes[:MAX_ROWS]
    ]
    who = f" for {plan.tenant}" if plan.tenant else ""
    if rows:
        columns = ["change", "circuit", "between", "£ a year", "tenant", "why"]
        title = f"The plan{who}: {plural(len(plan.changes), 'change')}"
        out.print(table(columns, rows, title=title, numeric=("£ a year",)))
    if len(plan.changes) > MAX_ROWS:
        out.print(
            f"… and {len(plan.changes) - MAX_ROWS:,} more changes: -o plan.xlsx or --format json lists all."
        )
    t = plan.totals
    money_rows = [
        ("Annual circuit cost", _bill(t.annual_before_gbp, t.annual_after_gbp)),
        (
            "New circuits and upgrades",
            f"{money(t.spend_gbp)} a year ({money(t.remedy_spend_gbp)} to reach the policy)",
        ),
        ("Circuits ceased", f"{money(t.savings_gbp)} a year"),
        ("Already planned in the inventory", f"{money(t.committed_gbp)} a year"),
        ("Change to the bill", f"{signed_money(-t.net_gbp)} a year" + _percent(t.net_pct)),
    ]
    out.print(
        table(
            ["", "before → after"], money_rows, title="Money (every figure from costing the planned network)"
        )
    )
    before, after = plan.severity_counts("before"), plan.severity_counts("after")
    severity_rows = [(severity_text(s.value), before[s.value], after[s.value]) for s in Severity]
    out.print(
        table(
            ["severity", "before", "after"],
            severity_rows,
            title="Findings (the planned network re-analysed)",
            numeric=("before", "after"),
        )
    )
    if not plan.tenant and len(plan.by_tenant) > 1:
        tenant_rows = [
            (code, money(m.before_gbp), money(m.after_gbp), signed_money(m.change_gbp))
            for code, m in sorted(plan.by_tenant.items(), key=lambda item: item[1].change_gbp)
            if m.change_gbp
        ]
        if tenant_rows:
            out.print(
                table(
                    ["tenant", "before", "after", "change"],
                    tenant_rows,
                    title="£ a year per tenant",
                    numeric=("before", "after", "change"),
                )
            )
    for code in plan.unfixable[:10]:
        out.print(Text(f"Cannot be brought up to policy within reach: {code}", style="yellow"))
    if plan.left:
        shown = "; ".join(f"{fid}: {why}" for fid, why in list(plan.left.items())[:3])
        out.print(Text(f"Not taken ({len(plan.left)}): {shown}", style="dim"))
    out.print(Text(f"Method: {plan.method}.", style="dim"))
    closed = plan.critical_closed()
    saved = t.savings_gbp
    out.print(
        Text(
            f"{money(saved)} a year saved by sharing, {plural(closed, 'critical gap')} closed, "
            f"net {signed_money(-t.net_gbp)} a year.",
            style="bold",
        )
    )


def _percent(net_pct: float | None) -> str:
    return "" if net_pct is None else f" ({-net_pct:+.1f}%)"


def _bill(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return "unknown: no circuit has a cost"
    return f"{money(before)} → {money(after)}"
