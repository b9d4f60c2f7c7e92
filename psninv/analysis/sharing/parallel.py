"""parallel-circuits: circuits of different tenants running between the same two places."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from psninv.analysis.finding import Kind
from psninv.analysis.sharing.context import Context, gbp, mbps, num, stars, uplift_calculation

KIND = Kind.PARALLEL_CIRCUITS


@dataclass(slots=True)
class _Plan:
    """One circuit kept as the shared bearer, the others ceased, and the money of it."""

    keeper: str
    joiners: list[str]
    summed_mbps: Decimal | None
    uplift_mbps: Decimal | None
    retired_gbp: Decimal | None
    savings: Decimal | None


def find(ctx: Context) -> None:
    """Group circuits whose ends lie within parallel_end_m of each other's ends, one bearer per group."""
    tariff = ctx.tariff
    reach_km = tariff.parallel_end_m / 1000
    sites = len(ctx.codes)
    # A circuit shorter than the end distance joins two neighbours, not two places.
    eligible = ~ctx.retired & ~ctx.rehomed & (ctx.length > reach_km)
    circuits = np.flatnonzero(eligible)
    low, high = np.minimum(ctx.a, ctx.b), np.maximum(ctx.a, ctx.b)
    keys = low[circuits] * sites + high[circuits]
    order = np.argsort(keys, kind="stable")
    circuits, keys = circuits[order], keys[order]

    def matching(probe: int) -> list[int]:
        """The eligible circuits whose ends are exactly the two sites of a probe key."""
        start, stop = np.searchsorted(keys, [probe, probe + 1])
        return circuits[start:stop].tolist()

    # Circuits between exactly the same two sites meet on one key...
    candidates: set[tuple[int, int]] = set()
    shared = np.flatnonzero(np.r_[keys[1:] == keys[:-1], False] | np.r_[False, keys[1:] == keys[:-1]])
    for key in np.unique(keys[shared]).tolist():
        group = matching(key)
        candidates.update((x, y) for x in group for y in group if x < y)
    # ...and circuits whose ends are merely near each other's are found from the few near sites.
    i, j, _km = ctx.pairs(reach_km)
    near: dict[int, list[int]] = {}
    for x, y in zip(i.tolist(), j.tolist(), strict=True):
        near.setdefault(x, [x]).append(y)
        near.setdefault(y, [y]).append(x)
    touching = np.flatnonzero(eligible & (np.isin(ctx.a, list(near)) | np.isin(ctx.b, list(near)))).tolist()
    for c in touching:
        a, b = int(ctx.a[c]), int(ctx.b[c])
        for x in near.get(a, [a]):
            for y in near.get(b, [b]):
                for other in matching(min(x, y) * sites + max(x, y)):
                    if other != c:
                        candidates.add((min(c, other), max(c, other)))

    adjacency: dict[str, set[str]] = {}
    for x, y in candidates:
        if ctx.payer_id[x] != ctx.payer_id[y]:
            adjacency.setdefault(ctx.cids[x], set()).add(ctx.cids[y])
            adjacency.setdefault(ctx.cids[y], set()).add(ctx.cids[x])

    rate = ctx.uplift_rate

    def plan(keeper: str, joiners: list[str]) -> _Plan:
        widths = [ctx.bandwidth(cid) for cid in [keeper, *joiners]]
        summed = None if any(w is None for w in widths) else sum(widths, Decimal(0))
        uplift = None if summed is None else summed - widths[0]
        retired_gbp = ctx.total_cost(joiners)
        savings = None if retired_gbp is None or uplift is None else retired_gbp - uplift * rate
        return _Plan(keeper, joiners, summed, uplift, retired_gbp, savings)

    def score(p: _Plan) -> tuple:
        return (p.savings is not None, p.savings or 0, len(p.joiners))

    def joinable(keeper: str, other: str) -> bool:
        return ctx.payer(keeper) != ctx.payer(other)

    for _keeper, _joiners, p in stars(adjacency, joinable, plan, score):
        _report(ctx, p, rate)


def _report(ctx: Context, p: _Plan, rate: Decimal) -> None:
    tariff = ctx.tariff
    circuits = [p.keeper, *p.joiners]
    keeper = ctx.links[p.keeper]
    sites = [keeper["a_site"], keeper["b_site"]]
    for cid in p.joiners:
        row = ctx.links[cid]
        sites.extend(site for site in (row["a_site"], row["b_site"]) if site not in sites)
    tenants = sorted({ctx.payer(cid) for cid in circuits})
    involved_gbp = ctx.total_cost(circuits)
    uplift_gbp = None if p.uplift_mbps is None else p.uplift_mbps * rate
    title = (
        f"{len(circuits)} circuits of {', '.join(tenants)} run between {ctx.name(keeper['a_site'])} and "
        f"{ctx.name(keeper['b_site'])}: one shared {mbps(p.summed_mbps)} bearer saves {gbp(p.savings)} a year"
    )
    remedy = (
        f"Upgrade {p.keeper} to {mbps(p.summed_mbps)}, carry the other tenants' traffic on it and cease "
        f"{', '.join(p.joiners)}."
    )
    opportunity = ctx.add(
        kind=KIND,
        subject=p.keeper,
        title=title,
        sites=sites,
        links=circuits,
        tenants=tenants,
        savings=p.savings,
        involved=involved_gbp,
        weights=ctx.costs_by_payer(circuits),
        impact={
            "bearer": p.keeper,
            "retired": {cid: num(ctx.cost(cid)) for cid in p.joiners},
            "retired_gbp": num(p.retired_gbp),
            "bandwidth_mbps": {cid: num(ctx.bandwidth(cid)) for cid in circuits},
            "summed_mbps": num(p.summed_mbps),
            "uplift_mbps": num(p.uplift_mbps),
            "uplift_gbp": num(uplift_gbp),
            "calculation": uplift_calculation(p.retired_gbp, p.uplift_mbps, rate, p.savings),
        },
        remedy=remedy,
        assumptions={
            "parallel_end_m": tariff.parallel_end_m,
            "uplift_per_mbps_gbp": tariff.uplift_per_mbps_gbp,
            "rule": (
                "savings = cost of the ceased circuits - their bandwidth x uplift "
                "(the kept bearer is raised to the summed bandwidth)"
            ),
        },
    )
    if not opportunity.hidden:
        ctx.retire(p.joiners)
