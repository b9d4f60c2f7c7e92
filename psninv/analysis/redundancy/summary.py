"""The redundancy summary: the network's shape, findings by severity and kind, remedy and capacity figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from psninv.analysis.capacity import Routing
from psninv.analysis.events import FailureEvent
from psninv.analysis.finding import Finding, Kind, Severity
from psninv.analysis.policy import Policy
from psninv.analysis.redundancy.context import Context
from psninv.analysis.remedies import RemedySummary
from psninv.analysis.verified import VerifiedPlan

KINDS: tuple[Kind, ...] = (
    Kind.ISOLATED_SITE,
    Kind.NO_CORE_PATH,
    Kind.SINGLE_HOMED,
    Kind.BRIDGE,
    Kind.CUT_SITE,
    Kind.SHARED_RISK,
    Kind.CAPACITY,
    Kind.BELOW_POLICY,
)
"""The redundancy finding kinds, in the order the summary lists them."""


@dataclass(slots=True)
class CapacitySummary:
    """How many bundles the capacity check routed, could check (bandwidth known) and found overloaded."""

    routed: bool
    bundles: int
    bundles_checked: int
    overloaded: int

    def to_dict(self) -> dict[str, Any]:
        """The capacity figures as JSON-ready data."""
        return {
            "routed": self.routed,
            "bundles": self.bundles,
            "bundles_checked": self.bundles_checked,
            "overloaded": self.overloaded,
        }


@dataclass(slots=True)
class RedundancySummary:
    """What the redundancy analyser saw and found."""

    sites: int
    links: int
    cores: list[str]
    mode: str
    """"core" (paths to the core sites) or "whole-network" (no core: the largest part is kept)."""
    components: int
    sites_without_core: int
    findings: int
    by_severity: dict[Severity, int]
    by_kind: dict[Kind, int]
    remedy: RemedySummary
    capacity: CapacitySummary
    policy: Policy
    events: list[FailureEvent] | None = None
    """Every SRLG tag and provider, worst failure first, when asked for (Config.events)."""
    verified: VerifiedPlan | None = None
    """The verified remedies, when asked for (Config.remedies)."""

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return {
            "sites": self.sites,
            "links": self.links,
            "cores": self.cores,
            "mode": self.mode,
            "components": self.components,
            "sites_without_core": self.sites_without_core,
            "findings": self.findings,
            "by_severity": {severity.value: n for severity, n in self.by_severity.items()},
            "by_kind": {kind.value: n for kind, n in self.by_kind.items()},
            "remedy": self.remedy.to_dict(),
            "capacity": self.capacity.to_dict(),
            "policy": self.policy.to_dict(),
        } | ({"events": [event.to_dict() for event in self.events]} if self.events is not None else {}) | (
            {"verified_remedies": self.verified.to_dict()} if self.verified is not None else {}
        )


def build_summary(ctx: Context, findings: list[Finding], routing: Routing | None) -> RedundancySummary:
    """The redundancy summary of the findings of one run."""
    s, net = ctx.s, ctx.net
    by_severity = Counter(f.severity for f in findings)
    by_kind = Counter(f.kind for f in findings)
    cores = sorted(net.codes[v] for v in range(net.n) if net.core[v])
    # Without any core no site reaches one: every site is without a core.
    without_core = sum(1 for v in range(net.n) if not s.in_core_component(v))
    return RedundancySummary(
        sites=net.n,
        links=len(net.edge_ids),
        cores=cores,
        mode="core" if cores else "whole-network",
        components=len(s.comp_root),
        sites_without_core=without_core,
        findings=len(findings),
        by_severity={severity: by_severity.get(severity, 0) for severity in Severity},
        by_kind={kind: by_kind.get(kind, 0) for kind in KINDS},
        remedy=ctx.plan.summary(),
        capacity=CapacitySummary(
            routed=routing is not None,
            bundles=len(routing.ends) if routing else 0,
            bundles_checked=sum(1 for bw in routing.bandwidth if bw is not None) if routing else 0,
            overloaded=len(routing.overloads) if routing else 0,
        ),
        policy=ctx.policy,
    )
