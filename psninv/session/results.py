"""An analysis with its findings indexed by the sites, links and tenants they name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from psninv._gc import collector_paused
from psninv.analysis import Analysis
from psninv.analysis.finding import Category, Finding, Severity
from psninv.analysis.sharing import TenantSavings


@dataclass(frozen=True, slots=True)
class Named:
    """Findings by the sites, circuits and tenants they name."""

    sites: dict[str, list[Finding]]
    links: dict[str, list[Finding]]
    tenants: dict[str, list[Finding]]


@dataclass(slots=True)
class Results:
    """An analysis with its findings indexed by what they name (built at first use: see `named`)."""

    analysis: Analysis
    fingerprint: tuple[Any, ...] = ()
    by_id: dict[str, Finding] = field(default_factory=dict)
    seconds: float = 0.0
    _named: Named | None = None

    def named(self) -> Named:
        """The findings by what they name, built the first time they are asked for.

        The dashboard needs none of it: at 100k sites it is built after the dashboard shows.
        """
        named = self._named
        if named is None:
            # Two threads asking at once each build it and one wins: the two are equal.
            named = self._named = _index(self.analysis.findings)
        return named

    @property
    def by_site(self) -> dict[str, list[Finding]]:
        """Findings by the codes of the sites they name."""
        return self.named().sites

    @property
    def by_link(self) -> dict[str, list[Finding]]:
        """Findings by the IDs of the circuits they name."""
        return self.named().links

    @property
    def by_tenant(self) -> dict[str, list[Finding]]:
        """Findings by the codes of the tenants they name."""
        return self.named().tenants

    @property
    def findings(self) -> list[Finding]:
        """All findings, worst first."""
        return self.analysis.findings

    def worst(self, findings: Iterable[Finding]) -> Severity | None:
        """The most severe of some findings, or None if there are none."""
        return min((f.severity for f in findings), key=lambda s: s.rank, default=None)

    def by_severity(self, category: Category | str | None = None) -> dict[str, int]:
        """How many findings of each severity, optionally of one category."""
        counts = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            if category is None or finding.category == category:
                counts[finding.severity.value] += 1
        return counts

    def savings(self) -> tuple[float | None, float | None]:
        """The sharing savings identified overall: (£ a year, % of the network's annual cost)."""
        sharing = self.analysis.sharing
        if sharing is None:
            return float(sum(f.savings_gbp or 0 for f in self.findings if not f.breaks_policy)), None
        return sharing.savings_gbp, sharing.savings_pct

    def avoided(self) -> float:
        """Spending the sharing opportunities avoid without saving cash (second circuits not bought)."""
        sharing = self.analysis.sharing
        return float(sharing.avoided_gbp) if sharing else 0.0

    def total_cost(self) -> float | None:
        """The total annual cost of the network's circuits, as the sharing analysis counts it."""
        sharing = self.analysis.sharing
        return sharing.total_annual_cost_gbp if sharing else None

    def tenant_savings(self, tenant: str) -> TenantSavings | None:
        """One tenant's annual cost, savings and cost avoided from the sharing summary, where it ran."""
        sharing = self.analysis.sharing
        return sharing.by_tenant.get(tenant) if sharing else None


def index_analysis(analysis: Analysis, stamp: tuple[Any, ...] = (), seconds: float = 0.0) -> Results:
    """Index an analysis's findings by id (and, at first use, by the sites, links and tenants they name)."""
    return Results(
        analysis=analysis, fingerprint=stamp, by_id={f.id: f for f in analysis.findings}, seconds=seconds
    )


def _index(findings: list[Finding]) -> Named:
    by_site: dict[str, list[Finding]] = defaultdict(list)
    by_link: dict[str, list[Finding]] = defaultdict(list)
    by_tenant: dict[str, list[Finding]] = defaultdict(list)
    with collector_paused():  # index lists only: no cycles for the collector to find
        for finding in findings:
            for code in dict.fromkeys(finding.sites):
                by_site[code].append(finding)
            for cid in dict.fromkeys(finding.links):
                by_link[cid].append(finding)
            for code in dict.fromkeys(finding.tenants):
                by_tenant[code].append(finding)
    return Named(dict(by_site), dict(by_link), dict(by_tenant))
