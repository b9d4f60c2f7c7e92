"""capacity: bundles that one circuit failure (or nothing at all) pushes past their bandwidth."""

from __future__ import annotations

from psninv.analysis.capacity import Overload, Routing, find_overloads
from psninv.analysis.connectivity import Cut, worst_criticality
from psninv.analysis.finding import Kind, Severity
from psninv.analysis.redundancy.context import Context
from psninv.analysis.severity import grade, shift


def find(ctx: Context) -> Routing | None:
    """Record every overloaded bundle; the routing (None without a core: nothing to route to)."""
    if not ctx.s.has_core:
        return None
    routing = find_overloads(ctx.s)
    for bundle, over in sorted(routing.overloads.items()):
        _finding(ctx, routing, bundle, over)
    return routing


def _finding(ctx: Context, routing: Routing, bundle: int, over: Overload) -> None:
    net = ctx.net
    members = sorted(net.edge_ids[e] for e in routing.edges[bundle])
    a, b = routing.ends[bundle]
    count, demand, tmask, cmask = over.rerouted
    excess = over.load_mbps - over.bandwidth_mbps
    moved = Cut([], count, demand, tmask, cmask)
    severity = grade(
        worst_criticality(cmask),
        sites=count,
        tenants=tmask.bit_count(),
        demand_mbps=excess,
        policy=ctx.policy,
    )
    severity = shift(severity, -1) if severity.rank < Severity.INFO.rank else Severity.LOW
    circuit = "+".join(members)
    where = f"{circuit} ({net.codes[a]}–{net.codes[b]})"
    if over.failure is None:
        when = "with nothing failed"
    elif over.failure in routing.edges[bundle]:
        when = f"if its own {net.edge_ids[over.failure]} fails"
    else:
        when = f"if {net.edge_ids[over.failure]} fails"
    failures = sorted(net.edge_ids[e] for e in over.failures)
    needed = over.load_mbps
    ctx.add(
        Kind.CAPACITY,
        circuit,
        severity,
        f"{where} would carry {over.load_mbps:,.0f} of {over.bandwidth_mbps:,.0f} Mbit/s {when}",
        sites=[net.codes[a], net.codes[b]],
        links=sorted(set(members) | set(failures)),
        impact={
            "sites_cut_off": 0,
            "cut_off_sites": [],
            "tenants_affected": net.tenant_codes(moved.tmask),
            "demand_mbps_lost": round(excess, 3),
            "load_mbps": round(over.load_mbps, 3),
            "bandwidth_mbps": round(over.bandwidth_mbps, 3),
            "failure": None if over.failure is None else net.edge_ids[over.failure],
            "failures": failures,
            "sites_rerouted": count,
        },
        remedy=f"Upgrade {circuit} to at least {needed:,.0f} Mbit/s, or add capacity on another path.",
        assumptions={"routing": "hop-count shortest path to the nearest core, lowest site code on ties"},
    )
