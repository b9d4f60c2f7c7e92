"""What the redundancy finders share: the network's structure, the policy and tariff, the findings so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psninv.analysis.connectivity import Cut, Structure, worst_criticality
from psninv.analysis.disjoint import SplitGraph, hanging_on
from psninv.analysis.diversity import GroupCut, SharedRisk
from psninv.analysis.finding import Category, Finding, Kind, ProposedLink, Severity
from psninv.analysis.pockets import Whole
from psninv.analysis.policy import Policy
from psninv.analysis.remedies import RemedyPlan
from psninv.analysis.severity import grade
from psninv.analysis.tariff import Tariff
from psninv.model import Criticality

NEEDS_SECOND_PATH = {Criticality.CRITICAL.value, Criticality.HIGH.value}


@dataclass(slots=True)
class Risks:
    """Sites one SRLG event or one provider's outage cuts off, with the group that does it."""

    srlg: dict[int, GroupCut] = field(default_factory=dict)
    provider: dict[int, GroupCut] = field(default_factory=dict)
    providers: int = 0


class Context:
    """Everything the finders share: the structure, the policy and tariff, and the findings so far."""

    def __init__(self, s: Structure, policy: Policy, tariff: Tariff, *, whole: Whole | None = None):
        self.s = s
        self.net = s.net
        self.policy = policy
        self.tariff = tariff
        self.findings: list[Finding] = []
        self.whole = whole
        """What the whole network holds, where this network is part of it (psninv.analysis.pockets)."""
        self.plan = RemedyPlan()
        # Filled in by the shared-risk finder; the below-policy finder measures diversity by it.
        self.risks = Risks()
        # The cut-space labels the shared-risk finder built, kept for the events ranking.
        self.labels: SharedRisk | None = None
        # One requirement per criticality level, looked up per site below instead of asked 100k times.
        levels = {level: policy.requirement(level) for level in set(self.net.crit)}
        self.need = [levels[level] for level in self.net.crit]
        self.degree = [len({self.net.other(e, v) for e in self.net.adj[v]}) for v in range(self.net.n)]
        self._hanging: list[int] | None = None
        self._split: SplitGraph | None = None

    @property
    def hanging(self) -> list[int]:
        """For each site, the nearest site whose loss cuts it off from every core (-1: none)."""
        if self._hanging is None:
            self._hanging = hanging_on(self.s)
        return self._hanging

    @property
    def split(self) -> SplitGraph:
        """The split-node flow graph, built the first time a site needs paths to two cores sharing no site."""
        if self._split is None:
            self._split = SplitGraph(self.s)
        return self._split

    # ----------------------------------------------------------------------------------------------
    # helpers

    def needs_second_path(self, v: int) -> bool:
        """True for sites that remedies must give two link-disjoint paths to the core."""
        return self.net.crit[v] in NEEDS_SECOND_PATH or self.need[v].paths >= 2

    def label(self, v: int) -> str:
        """A site as a manager reads it: code and, where short enough, name."""
        site = self.net.sites[v]
        name = (site.get("name") or "").strip()
        code = self.net.codes[v]
        if not name:
            return code
        if len(name) > 24:
            name = name[:23].rstrip() + "…"
        return f"{code} ({name})"

    def link_label(self, e: int) -> str:
        """A circuit with its two ends."""
        net = self.net
        return f"{net.edge_ids[e]} ({net.codes[net.edge_a[e]]}–{net.codes[net.edge_b[e]]})"

    def impact(self, cut: Cut, **extra: Any) -> dict[str, Any]:
        """The impact fields every redundancy finding carries."""
        return {
            "sites_cut_off": cut.count,
            "cut_off_sites": self.s.codes(cut),
            "tenants_affected": self.net.tenant_codes(cut.tmask),
            "demand_mbps_lost": round(cut.demand, 3),
            **extra,
        }

    def grade(self, cut: Cut) -> Severity:
        """The severity rule applied to a cut."""
        return grade(
            worst_criticality(cut.cmask),
            sites=cut.count,
            tenants=cut.tmask.bit_count(),
            demand_mbps=cut.demand,
            policy=self.policy,
        )

    def add(
        self,
        kind: Kind,
        subject: str,
        severity: Severity,
        title: str,
        *,
        sites: list[str],
        links: list[str] = (),  # type: ignore[assignment]
        impact: dict[str, Any],
        remedy: str,
        proposed: list[ProposedLink] = (),  # type: ignore[assignment]
        assumptions: dict[str, Any] | None = None,
    ) -> None:
        """Record one finding."""
        self.findings.append(
            Finding(
                id=f"{kind}:{subject}",
                category=Category.REDUNDANCY,
                kind=kind,
                severity=severity,
                title=title,
                sites=list(sites),
                links=list(links),
                tenants=list(impact.get("tenants_affected", [])),
                impact=impact,
                remedy=remedy,
                proposed_links=list(proposed),
                assumptions=assumptions or {},
            )
        )

    def proposals_for(self, head: int) -> list[ProposedLink]:
        """The proposed links covering the bridge-tree edge above a vertex."""
        return [self.plan.links[i] for i in self.plan.covers.get(head, [])]

    def remedy_text(self, proposed: list[ProposedLink], fallback: str) -> str:
        """A remedy line naming the proposed links, or the fallback advice."""
        if not proposed:
            return fallback
        parts = []
        for link in proposed[:3]:
            if link.length_km is None:
                parts.append(f"{link.a_site}–{link.b_site} (length unknown: no coordinates)")
            else:
                parts.append(
                    f"{link.a_site}–{link.b_site} ({link.length_km:.1f} km, £{link.annual_cost_gbp:,.0f}/yr)"
                )
        more = f" and {len(proposed) - 3} more" if len(proposed) > 3 else ""
        return "Add a new link " + "; ".join(parts) + more + " to give a second path."

    def cut_words(self, cut: Cut) -> str:
        """'3 sites of 2 tenants' for titles (the demand is in the impact)."""
        tenants = cut.tmask.bit_count()
        words = f"{cut.count} site{'s' if cut.count != 1 else ''}"
        if tenants > 1:
            words += f" of {tenants} tenants"
        return words
