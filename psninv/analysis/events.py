"""Worst events: every SRLG tag and provider ranked by the sites, tenants and demand its failure cuts off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psninv.analysis.connectivity import Structure
from psninv.analysis.diversity import SharedRisk, provider_groups, srlg_groups
from psninv.analysis.failures import PROVIDER, SRLG


@dataclass(slots=True)
class FailureEvent:
    """One SRLG tag or provider, its circuits, and who loses the core when all of them fail at once."""

    kind: str
    """"srlg" or "provider"."""
    name: str
    circuits: int
    sites_cut_off: int
    cut_off_sites: list[str]
    tenants_affected: list[str]
    demand_mbps_lost: float

    @property
    def fail_name(self) -> str:
        """The --fail name of the event."""
        return f"{self.kind}:{self.name}"

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data."""
        return {
            "event": self.fail_name,
            "kind": self.kind,
            "name": self.name,
            "circuits": self.circuits,
            "sites_cut_off": self.sites_cut_off,
            "cut_off_sites": self.cut_off_sites,
            "tenants_affected": self.tenants_affected,
            "demand_mbps_lost": self.demand_mbps_lost,
        }


def rank_events(s: Structure, labels: SharedRisk | None = None) -> list[FailureEvent]:
    """Every SRLG tag and provider by the sites, tenants and demand its failure cuts off, worst first.

    Only networks with a core have events to rank (without one, nothing is "cut off").
    """
    if not s.has_core:
        return []
    net = s.net
    groups = [(SRLG, name, edges) for name, edges in srlg_groups(s).items()]
    groups += [(PROVIDER, name, edges) for name, edges in provider_groups(s).items()]
    if labels is None:
        labels = SharedRisk(s, (edges for _, _, edges in groups))
    events = []
    for kind, name, edges in groups:
        group = labels.event_cut(name, edges)
        cut = group.cut
        events.append(
            FailureEvent(
                kind=kind,
                name=name,
                circuits=len(edges),
                sites_cut_off=cut.count,
                cut_off_sites=sorted(net.codes[v] for v in group.links),
                tenants_affected=net.tenant_codes(cut.tmask),
                demand_mbps_lost=round(cut.demand, 3),
            )
        )
    events.sort(key=lambda e: (-e.sites_cut_off, -len(e.tenants_affected), -e.demand_mbps_lost, e.fail_name))
    return events
