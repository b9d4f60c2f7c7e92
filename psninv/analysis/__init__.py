"""The analysers: redundancy gaps and sharing opportunities, as one list of Findings."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from psninv._gc import collector_paused
from psninv.analysis.analyser import Analyser, Config, KnownGaps, Progress, Steps
from psninv.analysis.finding import Category, Finding, Kind, ProposedLink, Severity
from psninv.analysis.policy import Policy, PolicyError
from psninv.analysis.redundancy import RedundancyAnalyser, RedundancySummary
from psninv.analysis.result import Analysis
from psninv.analysis.sharing import SharingAnalyser, SharingSummary
from psninv.analysis.tariff import Tariff, TariffError
from psninv.analysis.verified import in_service, with_planned
from psninv.analysis.whatif import WhatIf, simulate_failures
from psninv.inventory import Inventory

__all__ = [
    "ANALYSERS",
    "Analyser",
    "Analysis",
    "Category",
    "Config",
    "Finding",
    "Kind",
    "Policy",
    "PolicyError",
    "Progress",
    "ProposedLink",
    "RedundancySummary",
    "Severity",
    "SharingSummary",
    "Tariff",
    "TariffError",
    "WhatIf",
    "analyse",
    "columns_needed",
    "run_analysers",
]

REDUNDANCY_COLUMNS: dict[str, tuple[str, ...]] = {
    "sites": (
        "name",
        "tenant",
        "role",
        "district",
        "latitude",
        "longitude",
        "criticality",
        "demand_mbps",
        "occupants",
        "status",
    ),
    "links": ("a_site", "b_site", "status", "bandwidth_mbps", "srlg", "provider"),
}
"""The columns the redundancy analyser and the what-if read (keys come anyway); no tenants, no prefixes."""


def columns_needed(only: str | None) -> dict[str, tuple[str, ...]] | None:
    """The entities and columns an analysis reads, for a partial load; None means the whole inventory."""
    # Loading only these skips 100k prefixes and the links' date column: about half the load at 100k sites.
    return dict(REDUNDANCY_COLUMNS) if only == "redundancy" else None


ANALYSERS: dict[str, Analyser[Any]] = {"redundancy": RedundancyAnalyser(), "sharing": SharingAnalyser()}
"""Every analyser by name, in the order analyse() runs them."""


def analyse(
    inventory: Inventory,
    *,
    only: str | None = None,
    failed: Iterable[str] = (),
    policy: Policy | None = None,
    tariff: Tariff | None = None,
    include_hidden: bool = False,
    events: bool = False,
    remedies: bool = False,
    planned: bool = False,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse an inventory for redundancy gaps and sharing opportunities.

    `only` is "redundancy" or "sharing"; `failed` names sites and circuits to treat as failed
    (a what-if: the analysis gets `what_if` and the findings are those of the degraded network);
    `include_hidden` keeps sharing opportunities below the tariff's threshold; `events` ranks every
    SRLG tag and provider by what its failure cuts off (in the redundancy summary); `remedies`
    proposes links for every high or critical site short of policy and keeps only those a re-run
    of the analysis proves (summary.redundancy.verified); `planned` counts planned circuits as in service.
    `progress` hears (stage, stages done, stages in all) as each stage starts.
    """
    if only is not None and only not in ANALYSERS:
        raise ValueError(f"only must be 'redundancy' or 'sharing', not {only!r}")
    config = Config(
        policy=policy or Policy(),
        tariff=tariff or Tariff(),
        failed=tuple(name for name in failed if name),
        include_hidden=include_hidden,
        events=events,
        remedies=remedies,
    )
    # Sites planned, decommissioning or closed are kept in the inventory, not in the live network.
    inventory = with_planned(inventory) if planned else in_service(inventory)
    chosen = [ANALYSERS[only]] if only else list(ANALYSERS.values())
    if progress is not None:
        config = replace(config, steps=Steps(progress, sum(len(a.stages(config)) for a in chosen)))
    # 100k findings and their sort build no cycles: the collector would only rescan the inventory.
    with collector_paused():
        return run_analysers(inventory, chosen, config)


def run_analysers(inventory: Inventory, analysers: Iterable[Analyser[Any]], config: Config) -> Analysis:
    """Run some analysers on an inventory (and the what-if of config.failed) as one Analysis."""
    result = Analysis()
    if config.failed:
        result.what_if = simulate_failures(inventory, config.failed)
    for analyser in analysers:
        started = time.perf_counter()
        found, summary = analyser.run(inventory, config)
        result.findings += found
        if analyser.name == "redundancy":
            result.redundancy = summary
            if not config.failed and config.gaps is None:
                # The sharing checks start from this network's gaps: found once, not twice.
                config = replace(config, gaps=KnownGaps(tuple(found), time.perf_counter() - started))
        elif analyser.name == "sharing":
            result.sharing = summary
    result.findings.sort(key=Finding.sort_key)
    return result
