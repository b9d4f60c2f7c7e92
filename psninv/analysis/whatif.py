"""What-if: fail sites and circuits; list who loses the core, by tenant, with the demand lost."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from psninv.analysis.failures import expand_failures
from psninv.graph import is_active
from psninv.inventory import Inventory
from psninv.model import CORE_ROLES


@dataclass(slots=True)
class WhatIf:
    """The result of failing some sites and circuits at once."""

    failed_sites: list[str]
    failed_links: list[str]
    unknown: list[str]
    cut_off: dict[str, list[str]]
    """Tenant code ("" for sites with none) to the sorted codes of its sites cut off from the core."""
    demand_lost_mbps: float
    cut_off_sites: set[str] = field(default_factory=set)
    failed_events: list[str] = field(default_factory=list)
    """The `srlg:` and `provider:` names failed; their circuits are in failed_links."""

    @property
    def sites_cut_off(self) -> int:
        """How many sites lose the core (a shared site counts once)."""
        return len(self.cut_off_sites)

    @property
    def tenants_affected(self) -> list[str]:
        """The codes of the tenants with a site cut off, sorted."""
        return sorted(t for t in self.cut_off if t)

    def to_dict(self) -> dict[str, Any]:
        """The what-if as JSON-ready data."""
        return {
            "failed_sites": self.failed_sites,
            "failed_links": self.failed_links,
            "failed_events": self.failed_events,
            "unknown": self.unknown,
            "sites_cut_off": self.sites_cut_off,
            "cut_off_sites": sorted(self.cut_off_sites),
            "cut_off": self.cut_off,
            "tenants_affected": self.tenants_affected,
            "demand_lost_mbps": self.demand_lost_mbps,
        }


def simulate_failures(inventory: Inventory, failed: Iterable[str]) -> WhatIf:
    """Fail the named sites, circuits and events (unknown names listed, not fatal); find who is cut off.

    An event is `srlg:TAG` (every circuit carrying the tag) or `provider:NAME` (every circuit of it).

    A site is cut off when it reached a core before and reaches none now. Where the network
    has no core, a site is cut off when it is no longer in the largest surviving part of the
    component it was in. Failed sites are not counted as cut off themselves.
    """
    failures = expand_failures(inventory, failed)
    failed_sites, failed_links, unknown = failures.sites, failures.links, failures.unknown
    down_sites = set(failed_sites)
    down_links = set(failed_links)

    adjacency: dict[str, list[tuple[str, str]]] = {code: [] for code in inventory.sites}
    for cid, link in inventory.links.items():
        a, b = link["a_site"], link["b_site"]
        if a == b or a not in adjacency or b not in adjacency or not is_active(link):
            continue
        adjacency[a].append((b, cid))
        adjacency[b].append((a, cid))

    cores = sorted(code for code, site in inventory.sites.items() if site.get("role") in CORE_ROLES)
    if cores:
        before = _reach(adjacency, cores, set(), set())
        after = _reach(adjacency, [c for c in cores if c not in down_sites], down_sites, down_links)
        lost = {code for code in before if code not in after and code not in down_sites}
    else:
        lost = set()
        seen: set[str] = set()
        for start in sorted(adjacency):
            if start in seen:
                continue
            component = _reach(adjacency, [start], set(), set())
            seen |= component
            survivors = component - down_sites
            parts: list[set[str]] = []
            left = set(survivors)
            for code in sorted(survivors):
                if code in left:
                    part = _reach(adjacency, [code], down_sites, down_links)
                    left -= part
                    parts.append(part)
            if parts:
                # Largest part wins; among equals, the one holding the lowest code (parts are in code order).
                keep = max(range(len(parts)), key=lambda i: (len(parts[i]), -i))
                for i, part in enumerate(parts):
                    if i != keep:
                        lost |= part

    grouped: dict[str, list[str]] = {}
    demand = 0.0
    for code in sorted(lost):
        site = inventory.sites[code]
        demand += float(site.get("demand_mbps") or 0.0)
        tenants = [site["tenant"]] if site.get("tenant") else []
        tenants += [t for t in site.get("occupants") or () if t not in tenants]
        for tenant in tenants or [""]:
            grouped.setdefault(tenant, []).append(code)
    return WhatIf(
        failed_sites=failed_sites,
        failed_links=failed_links,
        unknown=unknown,
        cut_off=dict(sorted(grouped.items())),
        demand_lost_mbps=round(demand, 3),
        cut_off_sites=lost,
        failed_events=failures.events,
    )


def _reach(
    adjacency: dict[str, list[tuple[str, str]]],
    starts: list[str],
    down_sites: set[str],
    down_links: set[str],
) -> set[str]:
    seen = {s for s in starts if s not in down_sites}
    queue = deque(seen)
    while queue:
        code = queue.popleft()
        for other, cid in adjacency[code]:
            if other not in seen and other not in down_sites and cid not in down_links:
                seen.add(other)
                queue.append(other)
    return seen
