"""The analysers: redundancy gaps and sharing opportunities, as one list of Findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from psninv._gc import collector_paused
from psninv.analysis.finding import Analysis, Category, Finding, ProposedLink, Severity
from psninv.analysis.policy import Policy, PolicyError
from psninv.analysis.tariff import Tariff, TariffError
from psninv.inventory import Inventory

__all__ = [
    "Analysis",
    "Category",
    "Finding",
    "Policy",
    "PolicyError",
    "ProposedLink",
    "Severity",
    "Tariff",
    "TariffError",
    "analyse",
    "columns_needed",
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
    ),
    "links": ("a_site", "b_site", "status", "bandwidth_mbps", "srlg", "provider"),
}
"""The columns the redundancy analyser and the what-if read (keys come anyway); no tenants, no prefixes."""


def columns_needed(only: str | None) -> dict[str, tuple[str, ...]] | None:
    """The entities and columns an analysis reads, for a partial load; None means the whole inventory."""
    # Loading only these skips 100k prefixes and the links' date column: about half the load at 100k sites.
    return dict(REDUNDANCY_COLUMNS) if only == "redundancy" else None


def analyse(
    inventory: Inventory,
    *,
    only: str | None = None,
    failed: Iterable[str] = (),
    policy: Policy | None = None,
    tariff: Tariff | None = None,
    include_hidden: bool = False,
) -> Analysis:
    """Analyse an inventory for redundancy gaps and sharing opportunities.

    `only` is "redundancy" or "sharing"; `failed` names sites and circuits to treat as failed
    (a what-if: the summary gets "what_if" and the findings are those of the degraded network);
    `include_hidden` keeps sharing opportunities below the tariff's threshold.
    """
    if only not in (None, "redundancy", "sharing"):
        raise ValueError(f"only must be 'redundancy' or 'sharing', not {only!r}")
    # 100k findings and their sort build no cycles: the collector would only rescan the inventory.
    with collector_paused():
        return _analyse(inventory, only, list(failed), policy, tariff, include_hidden)


def _analyse(
    inventory: Inventory,
    only: str | None,
    failed: list[str],
    policy: Policy | None,
    tariff: Tariff | None,
    include_hidden: bool,
) -> Analysis:
    failed = [name for name in failed if name]
    summary: dict[str, Any] = {}
    findings: list[Finding] = []
    if failed:
        from psninv.analysis.whatif import simulate_failures

        summary["what_if"] = simulate_failures(inventory, failed).to_dict()
    if only != "sharing":
        from psninv.analysis.redundancy import find_redundancy

        found, part = find_redundancy(inventory, policy=policy, tariff=tariff, failed=failed)
        findings += found
        summary["redundancy"] = part
    if only != "redundancy":
        from psninv.analysis.sharing import find_sharing

        found, part = find_sharing(inventory, tariff=tariff, include_hidden=include_hidden)
        findings += found
        summary["sharing"] = part
    findings.sort(key=Finding.sort_key)
    counts = Counter(f.severity.value for f in findings)
    summary["findings"] = len(findings)
    summary["findings_by_severity"] = {severity.value: counts.get(severity.value, 0) for severity in Severity}
    return Analysis(summary=summary, findings=findings)
