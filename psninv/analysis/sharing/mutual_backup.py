"""mutual-backup: a short cross-link between neighbours of different tenants on different paths."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from psninv.analysis.finding import Kind, ProposedLink
from psninv.analysis.sharing.context import Context, gbp, num

KIND = Kind.MUTUAL_BACKUP
RULE = (
    "savings = rental of a second circuit like each helped site's main one - "
    "round(crosslink_fixed_gbp + crosslink_per_km_gbp x great-circle km)"
)


def find(ctx: Context) -> None:
    """Pair each single-homed site with its nearest other-tenant site that reaches the core another way."""
    tariff = ctx.tariff
    radius_km = min(tariff.neighbour_km, tariff.max_remedy_km)
    sites = len(ctx.codes)
    live = ~ctx.retired[ctx.end_circuit]
    near = np.repeat(np.arange(sites), ctx.degree)
    live_degree = np.bincount(near[live], minlength=sites)
    owned = ctx.owner_id >= 0
    # A partner keeps at least one circuit; a site whose circuits another finding retires is changing
    # anyway, so it can help but not be helped.
    connected = owned & (live_degree > 0)
    has_ends = ctx.degree > 0
    lowest = np.full(sites, -1)
    highest = np.full(sites, -1)
    if has_ends.any():
        # Segments of sites with circuits are back to back, so reduceat sees each one whole.
        starts = ctx.end_start[:-1][has_ends]
        lowest[has_ends] = np.minimum.reduceat(ctx.end_far, starts)
        highest[has_ends] = np.maximum.reduceat(ctx.end_far, starts)
    single = connected & (live_degree == ctx.degree) & (lowest == highest) & has_ends
    upstream = np.where(single, lowest, -1)
    # Who is linked to whom (live circuits only), as sorted keys for a vectorised membership test.
    linked = np.unique(near[live] * sites + ctx.end_far[live])

    i, j, km = ctx.pairs(radius_km)
    site = np.concatenate([i, j])
    other = np.concatenate([j, i])
    km = np.concatenate([km, km])
    keep = single[site] & connected[other] & (ctx.owner_id[other] != ctx.owner_id[site])
    keep &= other != upstream[site]
    site, other, km = site[keep], other[keep], km[keep]
    # Another tenant's site, not linked to this one, whose own first hop is elsewhere.
    probe = other * sites + upstream[site]
    at = np.minimum(np.searchsorted(linked, probe), max(linked.size - 1, 0))
    keep = ~(linked[at] == probe) if linked.size else np.ones(probe.size, dtype=bool)
    site, other, km = site[keep], other[keep], km[keep]
    # The nearest partner of each site, ties to the first code.
    rank = np.empty(sites, dtype=np.int64)
    rank[np.argsort(np.array(ctx.codes, dtype=object), kind="stable")] = np.arange(sites)
    order = np.lexsort((rank[other], km, site))
    site, other, km = site[order], other[order], km[order]
    first = np.r_[True, site[1:] != site[:-1]] if site.size else np.zeros(0, dtype=bool)
    proposals = sorted(
        (distance, ctx.codes[s], ctx.codes[o])
        for s, o, distance in zip(
            site[first].tolist(), other[first].tolist(), km[first].tolist(), strict=True
        )
    )

    # Shortest cross-links first; a site's second path is counted once, on the first link that gives it.
    single_codes = {ctx.codes[s] for s in np.flatnonzero(single).tolist()}
    primaries = ctx.primary_circuits()
    covered: set[str] = set()
    for distance, code, partner in proposals:
        if code in covered:
            continue
        helped = [code] + ([partner] if partner in single_codes and partner not in covered else [])
        covered.update(helped)
        _report(ctx, code, partner, distance, {name: int(primaries[ctx.index[name]]) for name in helped})


def _report(ctx: Context, site: str, partner: str, km: float, seconds: dict[str, int]) -> None:
    """Record one cross-link; `seconds` maps each helped site to the circuit its second one would copy."""
    tariff = ctx.tariff
    helped = list(seconds)
    circuits = list(seconds.values())
    avoided, _known, weights = ctx.money_at(circuits)
    # crosslink_cost is already whole pounds, so the Decimal is exact.
    crosslink = Decimal(int(tariff.crosslink_cost(km)))
    savings = None if avoided is None else avoided - crosslink
    owner, other = ctx.tenant(site), ctx.tenant(partner)
    avoided_text, crosslink_text = gbp(avoided), gbp(crosslink)
    length = round(km, 4)
    cids = [ctx.cids[c] for c in circuits]
    ctx.add(
        kind=KIND,
        subject=f"{site}~{partner}",
        title=(
            f"A {km * 1000:,.0f} m cross-link {site}-{partner} gives {' and '.join(helped)} a second path "
            f"for {crosslink_text} a year instead of {avoided_text} in second circuits"
        ),
        sites=[site, partner],
        links=cids,
        tenants=sorted({owner, other}),
        savings=savings,
        involved=avoided,
        weights=weights,
        impact={
            "distance_km": length,
            "helped": helped,
            "second_circuit_like": dict(zip(helped, cids, strict=True)),
            "second_circuits_gbp": num(avoided),
            "crosslink_gbp": int(crosslink),
            "calculation": (
                f"{avoided_text} of second circuits avoided - {crosslink_text} cross-link "
                f"= {gbp(savings)} a year"
            ),
        },
        remedy=(
            f"Run a cross-link between {site} ({owner}) and {partner} ({other}) and "
            "route each one's traffic over the other's circuit when its own fails."
        ),
        assumptions={
            "neighbour_km": tariff.neighbour_km,
            "crosslink_fixed_gbp": tariff.crosslink_fixed_gbp,
            "crosslink_per_km_gbp": tariff.crosslink_per_km_gbp,
            "rule": RULE,
        },
        proposed_links=[ProposedLink(site, partner, length, float(crosslink))],
    )
