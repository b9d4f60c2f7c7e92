"""hub-consolidation: a tenant's own hub within reach of a shared hub re-homes its access links there."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from psninv.analysis.finding import Kind
from psninv.analysis.geo import haversine_array
from psninv.analysis.sharing.context import Context, gbp, mbps, num

KIND = Kind.HUB_CONSOLIDATION


def find(ctx: Context) -> None:
    """Move each single-tenant hub's access links to the nearest shared hub and cease its uplinks."""
    reach_km = ctx.tariff.hub_reach_km
    served, downstream = _served_counts(ctx)
    # A hub is a tenant's own when everything below it is that tenant's; any other hub, core or
    # datacentre that serves two or more tenants is shared.
    own = ctx.hub & (ctx.owner_id >= 0) & (downstream == 1)
    shared = np.flatnonzero(ctx.upstream & ~own & (served >= 2) & ctx.located)
    if shared.size == 0:
        return
    for h in np.flatnonzero(own & ctx.located).tolist():
        uplinks, access = [], []
        for c, far in ctx.site_ends(h):
            if not ctx.retired[c]:
                (uplinks if ctx.upstream[far] else access).append(ctx.cids[c])
        if not uplinks or not access:
            continue
        km = haversine_array(ctx.lat[h], ctx.lon[h], ctx.lat[shared], ctx.lon[shared])
        for k in np.lexsort((shared, km)).tolist():
            target = int(shared[k])
            if km[k] > reach_km:
                break
            # The shared hub must have a way out that does not run through the hub being retired.
            if target != h and any(far != h and not ctx.retired[c] for c, far in ctx.site_ends(target)):
                _report(ctx, ctx.codes[h], ctx.codes[target], float(km[k]), uplinks, access)
                break


def _served_counts(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Per site, how many tenants it serves (owner, occupants, linked sites' owners) and how many below it."""
    sites = len(ctx.codes)
    tenants = len(ctx.tenant_codes)
    near = np.repeat(np.arange(sites), ctx.degree)
    far_owner = ctx.owner_id[ctx.end_far]
    known = ctx.upstream[near] & (far_owner >= 0)
    below = known & ~ctx.upstream[ctx.end_far]
    own = np.flatnonzero(ctx.upstream & (ctx.owner_id >= 0))
    occupied = [
        ctx.index[code] * tenants + ctx.tenant_id[tenant]
        for code in (ctx.codes[i] for i in np.flatnonzero(ctx.upstream).tolist())
        for tenant in ctx.sites[code].get("occupants") or ()
        if tenant in ctx.tenant_id
    ]
    base = np.concatenate([own * tenants + ctx.owner_id[own], np.array(occupied, dtype=np.int64)])

    def count(mask: np.ndarray) -> np.ndarray:
        pairs = np.unique(np.concatenate([base, near[mask] * tenants + far_owner[mask]]))
        return np.bincount(pairs // tenants, minlength=sites)

    return count(known), count(below)


def _tenants_served(ctx: Context, code: str) -> set[str]:
    """The tenants a site serves: its owner, its occupants and the owners of the sites linked to it."""
    tenants = {ctx.tenant(code), *(ctx.sites[code].get("occupants") or ())}
    tenants.update(ctx.tenant(other) for other in ctx.neighbours_of(code))
    tenants.discard(None)
    return tenants


def _report(ctx: Context, hub: str, target: str, km: float, uplinks: list[str], access: list[str]) -> None:
    tariff = ctx.tariff
    rate = ctx.uplift_rate
    retired_gbp = ctx.total_cost(uplinks)
    carried = ctx.bandwidth(ctx.primary(uplinks))
    uplift_gbp = None if carried is None else carried * rate
    # The hub's own building keeps its users: a new circuit re-homes it on the shared hub.
    rehome_gbp = Decimal(int(tariff.crosslink_cost(km)))
    savings = None if retired_gbp is None or uplift_gbp is None else retired_gbp - uplift_gbp - rehome_gbp
    involved = [*uplinks, *access]
    involved_gbp = ctx.total_cost(involved)
    tenant = ctx.tenant(hub)
    tenants = sorted({tenant, *_tenants_served(ctx, target)} - {None})
    title = (
        f"{tenant}'s hub {ctx.name(hub)} is {km:.1f} km from shared hub {ctx.name(target)}: re-home "
        f"{len(access)} access link(s) and retire {len(uplinks)} uplink(s), saving {gbp(savings)} a year"
    )
    remedy = (
        f"Re-home {', '.join(access)} from {hub} to {target}, raise {target}'s uplink by "
        f"{mbps(carried)}, connect {hub} itself to {target} by a new circuit and cease {', '.join(uplinks)}."
    )
    opportunity = ctx.add(
        kind=KIND,
        subject=hub,
        title=title,
        sites=[hub, target],
        links=involved,
        tenants=tenants,
        savings=savings,
        involved=involved_gbp,
        weights=ctx.costs_by_payer(involved),
        impact={
            "hub": hub,
            "shared_hub": target,
            "distance_km": round(km, 3),
            "uplinks": {cid: num(ctx.cost(cid)) for cid in uplinks},
            "retired_gbp": num(retired_gbp),
            "rehomed": access,
            "uplift_mbps": num(carried),
            "uplift_gbp": num(uplift_gbp),
            "rehome_link_gbp": int(rehome_gbp),
            "calculation": (
                f"{gbp(retired_gbp)} uplinks retired - {mbps(carried)} x {gbp(rate)} uplift - "
                f"{gbp(rehome_gbp)} to re-home {hub} on {target} = {gbp(savings)} a year"
            ),
        },
        remedy=remedy,
        assumptions={
            "hub_reach_km": tariff.hub_reach_km,
            "crosslink_fixed_gbp": tariff.crosslink_fixed_gbp,
            "crosslink_per_km_gbp": tariff.crosslink_per_km_gbp,
            "uplift_per_mbps_gbp": tariff.uplift_per_mbps_gbp,
            "rule": (
                "savings = cost of the hub's uplinks - bandwidth of its main uplink x uplift - "
                "a new circuit re-homing the hub's own site "
                "(crosslink_fixed_gbp + crosslink_per_km_gbp x km); "
                "re-homed access links keep their rental"
            ),
        },
    )
    if not opportunity.hidden:
        ctx.retire(uplinks)
        ctx.retire(access, rehome=True)
