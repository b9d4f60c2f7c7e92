"""`psninv report FILE.html` (or .pdf): one self-contained page for the people who decide."""

from __future__ import annotations

from pathlib import Path

import click

from psninv.analysis import Policy, Tariff
from psninv.cli.app import cli, db_options, open_to_read, read_stamped
from psninv.cli.plan_cmd import plan_of_store
from psninv.cli.render import console, progress_stages
from psninv.display import escape_markup
from psninv.errors import InputError
from psninv.style import money, plural, signed_money


@cli.command("report")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", metavar="CODE", help="A partner's own report: its sites, their gaps, its £.")
@click.option("--title", default="Network report", show_default=True, help="The report's title.")
@click.option(
    "--policy", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Policy TOML file."
)
@click.option(
    "--tariff", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Tariff TOML file."
)
@click.option(
    "--no-plan", is_flag=True, help="Leave the plan out (the plan is the slow part on large networks)."
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@db_options
def report_command(
    path: Path,
    tenant: str | None,
    title: str,
    policy: Path | None,
    tariff: Path | None,
    no_plan: bool,
    force: bool,
    db: str | None,
    actor: str | None,
    read_only: bool,
) -> None:
    """Write the network report as one HTML page: map, findings, the ten worst gaps, the plan's £.

    The page holds its pictures and needs no network connection to open; send it as it is.
    FILE.pdf prints that page to PDF with a headless Chromium or Google Chrome, where one is
    installed (PSNINV_BROWSER names another).
    """
    from psninv.report import build_report, write_report
    from psninv.report.pdf import find_browser, no_browser

    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise click.BadParameter("the report is an .html page or a .pdf", param_hint="PATH")
    if suffix == ".pdf" and find_browser() is None:
        raise no_browser(path)
    if path.exists() and not force:
        raise InputError(f"{path} already exists: nothing was written (--force replaces it)")
    chosen_policy, chosen_tariff = Policy.load(policy), Tariff.load(tariff)
    analysis = plan = None
    with open_to_read(db) as store:
        if no_plan:
            from psninv.analysis import analyse
            from psninv.session.cache import analyse_store
            from psninv.session.runner import SESSION_OPTIONS

            bar = progress_stages("report")
            if bar is not None:
                bar("reading the inventory", 0, 0)
            stamp, inventory = read_stamped(store, tenant)
            # The analysis `psninv analyse` and the TUI make (and keep): a report after them is quick.
            options = {**SESSION_OPTIONS, "policy": chosen_policy, "tariff": chosen_tariff}
            run = analyse_store(
                store,
                options,
                lambda work: analyse(work, progress=bar, **options),
                lambda: inventory,
                stamp=stamp,
                progress=bar,
            )
            analysis = run.analysis
        else:
            # The plan `psninv plan` makes (and keeps): every partner's report after the first is quick.
            inventory, plan = plan_of_store(store, policy=chosen_policy, tariff=chosen_tariff, tenant=tenant)
            bar = progress_stages("report")
    report = build_report(
        inventory,
        tenant=tenant,
        policy=chosen_policy,
        tariff=chosen_tariff,
        with_plan=not no_plan,
        title=title,
        progress=bar,
        analysis=analysis,
        plan=plan,
    )
    if bar is not None:
        bar.finish()
    written = write_report(report, path)
    summary = (
        f"{plural(report.findings, 'finding')} ({report.by_severity['critical']:,} critical, "
        f"{report.by_severity['high']:,} high)"
    )
    if report.plan is not None:
        summary += (
            f"; the plan: {plural(report.plan.changes, 'change')}, {money(report.plan.savings_gbp)} a year "
            f"saved by sharing, net {signed_money(-report.plan.net_gbp)} a year"
        )
    console(err=True).print(f"Wrote {escape_markup(written)}: {summary}.")
