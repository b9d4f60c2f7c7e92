"""co-location: sites of different tenants in one building or metres apart, each with its own circuit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from psninv.analysis.finding import Kind
from psninv.analysis.sharing.context import Context, gbp, mbps, num, stars, uplift_calculation

KIND = Kind.CO_LOCATION


@dataclass(slots=True)
class _Plan:
    """One host keeping its circuit, the joiners retiring theirs, and the money of it."""

    host: str
    joiners: list[str]
    bearer: str
    bearer_mbps: Decimal | None
    demand_mbps: Decimal | None
    uplift_mbps: Decimal | None
    retired: list[str]
    retired_gbp: Decimal | None
    involved: list[str]
    involved_gbp: Decimal | None
    savings: Decimal | None
    occupants_joining: int


def find(ctx: Context) -> None:
    """Group co-located sites of different tenants around the host whose circuit is cheapest to share."""
    radius_km = ctx.tariff.co_location_m / 1000
    circuits = _OwnCircuits(ctx, radius_km)
    candidate = circuits.candidates()
    owner = ctx.owner_id
    adjacency: dict[str, set[str]] = {}

    def link(a: str, b: str) -> None:
        if ctx.tenant(a) != ctx.tenant(b):
            adjacency.setdefault(a, set()).add(b)
            adjacency.setdefault(b, set()).add(a)

    i, j, _km = ctx.pairs(radius_km)
    keep = candidate[i] & candidate[j] & (owner[i] != owner[j])
    for a, b in zip(i[keep].tolist(), j[keep].tolist(), strict=True):
        link(ctx.codes[a], ctx.codes[b])
    # One address and postcode is one building: that places sites without coordinates.
    for members in _buildings(ctx, candidate).values():
        for n, a in enumerate(members):
            for b in members[n + 1 :]:
                link(a, b)
    own = {site: circuits.of(site) for site in adjacency}

    def plan(host: str, joiners: list[str]) -> _Plan:
        return _plan(ctx, host, joiners, own)

    def score(p: _Plan) -> tuple:
        return (p.savings is not None, p.savings or 0, len(p.joiners), p.occupants_joining)

    def joinable(host: str, other: str) -> bool:
        return ctx.tenant(host) != ctx.tenant(other)

    for _host, _joiners, p in stars(adjacency, joinable, plan, score):
        _report(ctx, p)


class _OwnCircuits:
    """Which circuits leave their site's building: by length where both ends are located, else by address."""

    def __init__(self, ctx: Context, radius_km: float):
        self.ctx = ctx
        self.radius_km = radius_km
        live = ~ctx.retired & (ctx.a != ctx.b)
        self.leaves = live & (ctx.length > radius_km)
        unknown = np.flatnonzero(live & np.isnan(ctx.length))
        for c in unknown.tolist():
            a, b = ctx.codes[ctx.a[c]], ctx.codes[ctx.b[c]]
            self.leaves[c] = ctx.building(a) is None or ctx.building(a) != ctx.building(b)

    def candidates(self) -> np.ndarray:
        """Access sites of a tenant with at least one circuit of their own."""
        ctx = self.ctx
        has_own = np.zeros(len(ctx.codes), dtype=bool)
        has_own[ctx.a[self.leaves]] = True
        has_own[ctx.b[self.leaves]] = True
        return has_own & ~ctx.upstream & (ctx.owner_id >= 0)

    def of(self, site: str) -> list[str]:
        """The site's own circuits, by ID."""
        ctx = self.ctx
        return [ctx.cids[c] for c, _far in ctx.site_ends(ctx.index[site]) if self.leaves[c]]


def _buildings(ctx: Context, candidate: np.ndarray) -> dict[tuple[str, str], list[str]]:
    """Candidate sites sharing an address and postcode with a candidate that has no coordinates."""
    unplaced = np.flatnonzero(candidate & ~ctx.located).tolist()
    keys = {ctx.building(ctx.codes[i]) for i in unplaced} - {None}
    if not keys:
        return {}
    postcodes = {postcode for _address, postcode in keys}
    groups: dict[tuple[str, str], list[str]] = {}
    for i in np.flatnonzero(candidate).tolist():
        code = ctx.codes[i]
        postcode = ctx.sites[code].get("postcode")
        # The postcode is cheap to compare; only its matches need the whole address normalised.
        if postcode and "".join(str(postcode).split()).upper() in postcodes and ctx.building(code) in keys:
            groups.setdefault(ctx.building(code), []).append(code)
    return {key: members for key, members in groups.items() if len(members) > 1}


def _demand(ctx: Context, site: str, circuits: list[str]) -> Decimal | None:
    """A site's traffic: its recorded demand, else the bandwidth of the circuit it relies on."""
    demand = ctx.sites[site].get("demand_mbps")
    if demand is not None:
        return Decimal(str(demand))
    return ctx.bandwidth(ctx.primary(circuits))


def _plan(ctx: Context, host: str, joiners: list[str], circuits: dict[str, list[str]]) -> _Plan:
    bearer = ctx.primary(circuits[host])
    bearer_mbps = ctx.bandwidth(bearer)
    demands = [_demand(ctx, site, circuits[site]) for site in [host, *joiners]]
    demand = None if any(d is None for d in demands) else sum(demands, Decimal(0))
    uplift = None if demand is None or bearer_mbps is None else max(Decimal(0), demand - bearer_mbps)
    retired = [cid for site in joiners for cid in circuits[site]]
    involved = [*circuits[host], *retired]
    retired_gbp = ctx.total_cost(retired)
    involved_gbp = ctx.total_cost(involved)
    savings = None
    if retired_gbp is not None and uplift is not None:
        savings = retired_gbp - uplift * ctx.uplift_rate
    occupants = set(ctx.sites[host].get("occupants") or ())
    return _Plan(
        host=host,
        joiners=joiners,
        bearer=bearer,
        bearer_mbps=bearer_mbps,
        demand_mbps=demand,
        uplift_mbps=uplift,
        retired=retired,
        retired_gbp=retired_gbp,
        involved=involved,
        involved_gbp=involved_gbp,
        savings=savings,
        occupants_joining=sum(1 for site in joiners if ctx.tenant(site) in occupants),
    )


def _report(ctx: Context, p: _Plan) -> None:
    tariff = ctx.tariff
    rate = ctx.uplift_rate
    sites = [p.host, *p.joiners]
    tenants = sorted({ctx.tenant(site) for site in sites} | set(ctx.sites[p.host].get("occupants") or ()))
    distances = {}
    for site in p.joiners:
        km = ctx.distance_km(p.host, site)
        distances[site] = None if km is None else round(km * 1000, 1)
    uplift_gbp = None if p.uplift_mbps is None else p.uplift_mbps * rate
    calculation = uplift_calculation(p.retired_gbp, p.uplift_mbps, rate, p.savings)
    building = ctx.building(p.host)
    same_building = building is not None and all(ctx.building(site) == building for site in p.joiners)
    where = "in one building" if same_building else f"within {tariff.co_location_m:g} m"
    title = (
        f"{len(tenants)} tenants {where} at {ctx.name(p.host)}: share circuit {p.bearer} "
        f"and retire {len(p.retired)} circuit(s), saving {gbp(p.savings)} a year"
    )
    upgrade = f", upgraded by {mbps(p.uplift_mbps)}" if p.uplift_mbps else ""
    remedy = (
        f"Connect {', '.join(p.joiners)} to {p.host}'s circuit {p.bearer}{upgrade}; "
        f"cease {', '.join(p.retired)}."
    )
    opportunity = ctx.add(
        kind=KIND,
        subject=p.host,
        title=title,
        sites=sites,
        links=p.involved,
        tenants=tenants,
        savings=p.savings,
        involved=p.involved_gbp,
        weights=ctx.costs_by_payer(p.involved),
        impact={
            "host": p.host,
            "joiners": p.joiners,
            "distance_m": distances,
            "bearer": p.bearer,
            "bearer_mbps": num(p.bearer_mbps),
            "demand_mbps": num(p.demand_mbps),
            "uplift_mbps": num(p.uplift_mbps),
            "uplift_gbp": num(uplift_gbp),
            "retired": {cid: num(ctx.cost(cid)) for cid in p.retired},
            "retired_gbp": num(p.retired_gbp),
            "calculation": calculation,
        },
        remedy=remedy,
        assumptions={
            "co_location_m": tariff.co_location_m,
            "uplift_per_mbps_gbp": tariff.uplift_per_mbps_gbp,
            "rule": "savings = joiners' circuits - max(0, summed demand - bearer bandwidth) x uplift",
        },
    )
    if not opportunity.hidden:
        ctx.retire(p.retired)
