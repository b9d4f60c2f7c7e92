"""What every sharing search needs: active circuits and payers, places, exact money and bookkeeping."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import numpy as np

from psninv.analysis.costs import NO_TENANT, UPSTREAM_ROLES, exact_money, payer, pounds
from psninv.analysis.finding import Category, Finding, Kind, ProposedLink, Severity
from psninv.analysis.geo import haversine_array, haversine_km, pairs_within
from psninv.analysis.tariff import Tariff
from psninv.graph import is_active
from psninv.inventory import Inventory
from psninv.model import Role

KINDS: tuple[Kind, ...] = (
    Kind.CO_LOCATION,
    Kind.PARALLEL_CIRCUITS,
    Kind.RENEWAL_WINDOW,
    Kind.HUB_CONSOLIDATION,
    Kind.MUTUAL_BACKUP,
    Kind.IP_OVERLAP,
    Kind.CIDR_MERGE,
)
"""The sharing finding kinds, as named in the interface."""

CASH_KINDS = frozenset(
    {Kind.CO_LOCATION, Kind.PARALLEL_CIRCUITS, Kind.RENEWAL_WINDOW, Kind.HUB_CONSOLIDATION}
)
"""Kinds whose savings cut today's spend; mutual-backup's are a cost avoided instead."""


T = TypeVar("T")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACE = re.compile(r"\s+")

ONE_DECIMAL = Decimal("0.1")


def money(value: float | int | str | None) -> Decimal | None:
    """A figure as an exact Decimal, taken from its shortest decimal form (so 0.1 stays 0.1)."""
    if value is None:
        return None
    return Decimal(str(value))


def percent(part: Decimal, whole: Decimal) -> float | None:
    """part as a percentage of whole to one decimal place (halves away from zero), or None if whole is 0."""
    if not whole:
        return None
    return float((part * 100 / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def num(value: Decimal | None) -> int | float | None:
    """A Decimal for JSON: an int when whole, else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def exact(value: Decimal) -> str:
    """Money before rounding, as plain decimal text without trailing zeros: '8499', '5750.5'."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def split_pounds(total: int, weights: dict[str, Decimal]) -> dict[str, int]:
    """Share whole pounds out in proportion to weights so that the shares add up to total exactly.

    Each tenant gets the floor of its exact share; the pounds left over go one each to the largest
    remainders (ties by tenant code) - the largest-remainder method, in exact integer arithmetic.
    """
    if len(weights) <= 1:
        return dict.fromkeys(weights, total)
    # Scale the weights to whole numbers (they are money, so a few decimal places at most).
    scaled = {name: int(weight) for name, weight in weights.items()}
    if any(scaled[name] != weight for name, weight in weights.items()):
        places = max(-min(weight.as_tuple().exponent, 0) for weight in weights.values())
        scaled = {name: int(weight.scaleb(places)) for name, weight in weights.items()}
    weight_sum = sum(scaled.values())
    if weight_sum <= 0:
        scaled, weight_sum = dict.fromkeys(weights, 1), len(weights)
    shares = {name: divmod(total * weight, weight_sum) for name, weight in scaled.items()}
    floors = {name: share for name, (share, _rest) in shares.items()}
    left = total - sum(floors.values())
    for name in sorted(shares, key=lambda name: (-shares[name][1], name))[:left]:
        floors[name] += 1
    return floors


@dataclass(slots=True)
class Opportunity:
    """A finding with its bookkeeping: whether it is below the threshold and whose pounds it saves."""

    finding: Finding
    hidden: bool
    cash: bool
    shares: dict[str, int] = field(default_factory=dict)
    weights: dict[str, Decimal] = field(default_factory=dict)
    """What each tenant pays towards the costs involved: how the saving is shared out."""
    involved: Decimal | None = None
    """The annual cost the saving's percentage is taken of."""


class Context:
    """The inventory prepared once for all the sharing searches, plus what they have claimed so far.

    Sites and active circuits are numbered, and their figures held in NumPy arrays, so that the
    searches over a national inventory run as whole-array operations; the rows themselves are still
    read for the few circuits a finding names, so every pound comes from the stored figure exactly.
    """

    def __init__(self, inventory: Inventory, tariff: Tariff):
        self.inventory = inventory
        self.tariff = tariff
        self.sites = inventory.sites
        self.codes: list[str] = list(self.sites)
        self.index: dict[str, int] = {code: i for i, code in enumerate(self.codes)}
        # Each row is read once, every field taken while it is at hand: on a large inventory, going
        # back to the rows once per field costs more than everything done with the fields after.
        site_fields = [
            (row.get("latitude"), row.get("longitude"), row.get("tenant"), row.get("role"))
            for row in self.sites.values()
        ]
        lats, lons, owners, roles = zip(*site_fields, strict=True) if site_fields else ((), (), (), ())
        self.lat = np.array([math.nan if v is None else v for v in lats], dtype=np.float64)
        self.lon = np.array([math.nan if v is None else v for v in lons], dtype=np.float64)
        self.located = ~(np.isnan(self.lat) | np.isnan(self.lon))
        self._assumptions: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
        """One dict of each set of assumptions, shared by every finding that rests on it."""
        self.tenant_codes: list[str] = sorted(set(inventory.tenants) | {owner for owner in owners if owner})
        self.tenant_codes.append(NO_TENANT)
        self.tenant_id = {code: i for i, code in enumerate(self.tenant_codes)}
        tenant_id = self.tenant_id
        self.owner_id = np.array([tenant_id.get(owner, -1) for owner in owners], dtype=np.int64)
        self.upstream = np.array([role in UPSTREAM_ROLES for role in roles], dtype=bool)
        self.hub = np.array([role == Role.HUB.value for role in roles], dtype=bool)

        index = self.index
        sites = inventory.sites
        active = []
        for cid, row in inventory.links.items():
            a, b = row["a_site"], row["b_site"]
            if is_active(row) and a in index and b in index:
                active.append(
                    (
                        cid,
                        index[a],
                        index[b],
                        row.get("annual_cost_gbp"),
                        row.get("bandwidth_mbps"),
                        tenant_id[payer(row, sites, tenant_id)],
                        row.get("contract_end"),
                    )
                )
        active.sort()
        columns = list(zip(*active, strict=True)) if active else [()] * 7
        self.cids: list[str] = list(columns[0])
        self.link_index = {cid: i for i, cid in enumerate(self.cids)}
        self.links: dict[str, dict[str, Any]] = inventory.links
        """The link rows, all of them: only the circuits numbered in `cids` are active."""
        self.a = np.array(columns[1], dtype=np.int64)
        self.b = np.array(columns[2], dtype=np.int64)
        self.cost_array = np.array([math.nan if v is None else v for v in columns[3]], dtype=np.float64)
        self.bandwidth_array = np.array([math.nan if v is None else v for v in columns[4]], dtype=np.float64)
        self.cost_list: list[float] = self.cost_array.tolist()
        self.payer_id = np.array(columns[5], dtype=np.int64)
        """Each circuit's paying tenant (psninv.analysis.costs.payer), as a number, by circuit number."""
        self.contract_ends: list[Any] = list(columns[6])
        """Each circuit's stored contract end, by circuit number."""
        self.payers: list[str] = [self.tenant_codes[t] for t in self.payer_id.tolist()]
        """Each circuit's paying tenant, by circuit number."""
        self.length = np.full(len(self.cids), np.nan)
        both = self.located[self.a] & self.located[self.b]
        self.length[both] = haversine_array(
            self.lat[self.a[both]], self.lon[self.a[both]], self.lat[self.b[both]], self.lon[self.b[both]]
        )
        self.length[self.a == self.b] = 0.0
        # Each site's circuits, as a CSR table: (end_circuit, end_far)[end_start[s]:end_start[s + 1]].
        links_n = len(self.cids)
        near_end = np.concatenate([self.a, self.b])
        far_end = np.concatenate([self.b, self.a])
        circuit = np.concatenate([np.arange(links_n), np.arange(links_n)])
        loop = np.concatenate([np.zeros(links_n, bool), self.a == self.b])
        near_end, far_end, circuit = near_end[~loop], far_end[~loop], circuit[~loop]
        order = np.lexsort((circuit, near_end))
        self.end_circuit, self.end_far = circuit[order], far_end[order]
        self.end_start = np.searchsorted(near_end[order], np.arange(len(self.codes) + 1))
        self.degree = np.diff(self.end_start)

        missing = [self.codes[i] for i in np.flatnonzero(~self.located)]
        self.warnings: list[str] = []
        if missing:
            shown = ", ".join(sorted(missing)[:20])
            more = len(missing) - 20
            self.warnings.append(
                f"{len(missing)} site(s) without coordinates skipped by the distance "
                f"searches: {shown}" + (f" and {more} more" if more > 0 else "")
            )
        self.retired = np.zeros(len(self.cids), dtype=bool)
        """Circuits a shown finding proposes to cease: later searches leave them alone."""
        self.rehomed = np.zeros(len(self.cids), dtype=bool)
        """Circuits a shown finding moves to another hub: later pairings leave them alone."""
        self.opportunities: list[Opportunity] = []
        self.threshold = Decimal(str(tariff.threshold_pct))
        self.uplift_rate = Decimal(str(tariff.uplift_per_mbps_gbp))
        """The tariff's £ a year per extra Mbit/s, as a Decimal for the savings sums."""
        self._pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._pairs_radius = max(
            tariff.co_location_m / 1000, tariff.parallel_end_m / 1000, tariff.neighbour_km
        )
        self._buildings: dict[str, tuple[str, str] | None] = {}
        self._costs: dict[str, Decimal | None] = {}
        self._bandwidths: dict[str, Decimal | None] = {}

    # --- sites -----------------------------------------------------------------------------

    def tenant(self, site: str) -> str | None:
        """The tenant owning a site."""
        return self.sites[site].get("tenant")

    def name(self, site: str) -> str:
        """A site's name for titles, falling back to its code."""
        return self.sites[site].get("name") or site

    def coords(self, site: str) -> tuple[float, float] | None:
        """A site's (lat, lon), or None without coordinates."""
        i = self.index[site]
        return (float(self.lat[i]), float(self.lon[i])) if self.located[i] else None

    def distance_km(self, a: str, b: str) -> float | None:
        """The great-circle distance between two sites, or None if either lacks coordinates."""
        if a == b:
            return 0.0
        pa, pb = self.coords(a), self.coords(b)
        if pa is None or pb is None:
            return None
        return haversine_km(pa[0], pa[1], pb[0], pb[1])

    def building(self, site: str) -> tuple[str, str] | None:
        """The site's address and postcode, normalised, when it has both: equal keys mean one building."""
        if site not in self._buildings:
            row = self.sites[site]
            address, postcode = row.get("address"), row.get("postcode")
            self._buildings[site] = (
                (
                    _NOT_ALNUM.sub(" ", str(address).casefold()).strip(),
                    _SPACE.sub("", str(postcode)).upper(),
                )
                if address and postcode
                else None
            )
        return self._buildings[site]

    def pairs(self, radius_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every pair of located sites within radius_km, as site-number arrays (i, j, km) with i < j."""
        if self._pairs is None or radius_km > self._pairs_radius:
            # One search at the widest radius any kind needs serves them all, filtered by distance.
            self._pairs_radius = max(radius_km, self._pairs_radius)
            self._pairs = pairs_within(self.lat, self.lon, self._pairs_radius)
        i, j, km = self._pairs
        if radius_km >= self._pairs_radius:
            return i, j, km
        keep = km <= radius_km
        return i[keep], j[keep], km[keep]

    def site_ends(self, site: int) -> list[tuple[int, int]]:
        """A site's active circuits with their far ends, as (circuit number, far site number)."""
        start, stop = self.end_start[site], self.end_start[site + 1]
        return list(
            zip(self.end_circuit[start:stop].tolist(), self.end_far[start:stop].tolist(), strict=True)
        )

    def neighbours_of(self, site: str) -> set[str]:
        """The sites at the other ends of a site's active circuits."""
        return {self.codes[far] for _c, far in self.site_ends(self.index[site])}

    # --- circuits --------------------------------------------------------------------------

    def cost(self, cid: str) -> Decimal | None:
        """A circuit's annual rental as an exact Decimal, or None if it is not known."""
        if cid not in self._costs:
            self._costs[cid] = money(self.links[cid].get("annual_cost_gbp"))
        return self._costs[cid]

    def bandwidth(self, cid: str) -> Decimal | None:
        """A circuit's bandwidth in Mbit/s as an exact Decimal, or None if it is not known."""
        if cid not in self._bandwidths:
            self._bandwidths[cid] = money(self.links[cid].get("bandwidth_mbps"))
        return self._bandwidths[cid]

    def payer(self, cid: str) -> str:
        """Who pays for a circuit (psninv.analysis.costs.payer)."""
        return self.payers[self.link_index[cid]]

    def retire(self, cids: list[str], *, rehome: bool = False) -> None:
        """Mark circuits as ceased (or, with rehome, as moved to another hub) by a shown finding."""
        target = self.rehomed if rehome else self.retired
        target[[self.link_index[cid] for cid in cids]] = True

    def money_at(self, circuits: list[int]) -> tuple[Decimal | None, Decimal, dict[str, Decimal]]:
        """Circuits' summed rental (None if any is uncosted), the known part, and per payer, by number."""
        total: Decimal | None = Decimal(0)
        known = Decimal(0)
        by_payer: dict[str, Decimal] = {}
        costs = self.cost_list
        for c in circuits:
            cost = costs[c]
            if cost != cost:  # NaN: not costed
                total = None
                continue
            value = exact_money(cost)
            known += value
            if total is not None:
                total += value
            payer = self.payers[c]
            by_payer[payer] = by_payer.get(payer, Decimal(0)) + value
        return total, known, by_payer

    def total_cost(self, cids: list[str] | tuple[str, ...] | set[str]) -> Decimal | None:
        """The summed annual rental of circuits, or None if any of them is uncosted."""
        total = Decimal(0)
        for cid in cids:
            cost = self.cost(cid)
            if cost is None:
                return None
            total += cost
        return total

    def costs_by_payer(self, cids: list[str] | set[str]) -> dict[str, Decimal]:
        """The known annual rental of circuits, summed per paying tenant."""
        out: dict[str, Decimal] = {}
        for cid in cids:
            cost = self.cost(cid)
            if cost is not None:
                payer = self.payer(cid)
                out[payer] = out.get(payer, Decimal(0)) + cost
        return out

    def primary_circuits(self) -> np.ndarray:
        """Each site's main circuit number (as `primary` picks it), or -1 for a site without circuits."""
        bandwidth = np.nan_to_num(self.bandwidth_array, nan=0.0)
        cost = np.nan_to_num(self.cost_array, nan=0.0)
        near = np.repeat(np.arange(len(self.codes)), self.degree)
        circuit = self.end_circuit
        order = np.lexsort((circuit, -cost[circuit], -bandwidth[circuit], near))
        first = order[np.r_[True, near[order][1:] != near[order][:-1]]] if order.size else order
        out = np.full(len(self.codes), -1, dtype=np.int64)
        out[near[first]] = circuit[first]
        return out

    def primary(self, cids: list[str]) -> str:
        """The circuit a site relies on most: the largest bandwidth, then the dearest, then by ID."""
        return min(cids, key=lambda c: (-(self.bandwidth(c) or 0), -(self.cost(c) or 0), c))

    # --- findings --------------------------------------------------------------------------

    def severity(self, savings_gbp: int | None) -> Severity:
        """The house rule for costed sharing findings: high, medium or low by the pounds a year saved."""
        if savings_gbp is None:
            return Severity.LOW
        if savings_gbp >= self.tariff.high_savings_gbp:
            return Severity.HIGH
        if savings_gbp >= self.tariff.medium_savings_gbp:
            return Severity.MEDIUM
        return Severity.LOW

    def _shared(self, assumptions: dict[str, Any]) -> dict[str, Any]:
        # 70k findings at 100k sites rest on a handful of sets of figures: one dict each is 50 MB
        # less to hold, and less to keep and read back (pickle writes a shared dict once).
        try:
            return self._assumptions.setdefault(tuple(assumptions.items()), assumptions)
        except TypeError:  # a list among the figures (a renumbering pool): compared as a tuple
            key = tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in assumptions.items())
        try:
            return self._assumptions.setdefault(key, assumptions)
        except TypeError:  # a figure that cannot be compared as a key: this finding keeps its own
            return assumptions

    def add(
        self,
        *,
        kind: Kind,
        subject: str,
        title: str,
        sites: list[str],
        links: list[str],
        tenants: list[str],
        savings: Decimal | None,
        involved: Decimal | None,
        weights: dict[str, Decimal],
        impact: dict[str, Any],
        remedy: str,
        assumptions: dict[str, Any],
        proposed_links: list[ProposedLink] | None = None,
        severity: Severity | None = None,
    ) -> Opportunity:
        """Record a finding with its exact savings rounded to whole pounds and its threshold verdict.

        `involved` is the annual cost the percentage is taken of; `weights` says how the saving is
        shared out between tenants (in proportion to what each pays towards the costs involved).
        """
        savings_gbp = pounds(savings) if savings is not None else None
        savings_pct = percent(savings, involved) if savings is not None and involved else None
        # Compared exactly, not on the rounded percentage, so the verdict never flips on rounding.
        # A renewal window is a procurement opportunity whatever its discount: never hidden.
        hidden = (
            kind is not Kind.RENEWAL_WINDOW
            and savings is not None
            and bool(involved)
            and savings * 100 < self.threshold * involved
        )
        # impact and assumptions are built fresh for each finding by the caller, so they are filled in.
        assumptions["threshold_pct"] = self.tariff.threshold_pct
        if savings is not None:
            impact["savings_exact_gbp"] = exact(savings)
        if involved is not None:
            impact["costs_involved_gbp"] = exact(involved)
        impact["below_threshold"] = hidden
        finding = Finding(
            id=f"{kind}:{subject}",
            category=Category.SHARING,
            kind=kind,
            severity=severity if severity is not None else self.severity(savings_gbp),
            title=title,
            sites=sites,
            links=sorted(links),
            tenants=sorted(tenants),
            impact=impact,
            remedy=remedy,
            proposed_links=proposed_links or [],
            savings_gbp=savings_gbp,
            savings_pct=savings_pct,
            assumptions=self._shared(assumptions),
        )
        shares = split_pounds(savings_gbp, weights) if savings_gbp is not None and not hidden else {}
        opportunity = Opportunity(
            finding=finding,
            hidden=hidden,
            cash=kind in CASH_KINDS,
            shares=shares,
            weights=weights,
            involved=involved,
        )
        self.opportunities.append(opportunity)
        return opportunity


def gbp(value: Decimal | int | float | None) -> str:
    """Money for a title: £12,345, or £12,345.67 when it has pence; 'uncosted' when unknown."""
    if value is None:
        return "uncosted"
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if value == value.to_integral_value():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


def mbps(value: Decimal | float | None) -> str:
    """A bandwidth for a title."""
    if value is None:
        return "? Mbit/s"
    value = Decimal(str(value))
    text = f"{value.normalize():f}" if value != value.to_integral_value() else f"{int(value)}"
    return f"{text} Mbit/s"


def uplift_calculation(
    retired_gbp: Decimal | None,
    uplift_mbps: Decimal | None,
    rate: Decimal,
    savings: Decimal | None,
    *,
    retired: str = "retired",
) -> str:
    """A finding's worked saving: the retired circuits' cost less the uplift's."""
    return f"{gbp(retired_gbp)} {retired} - {mbps(uplift_mbps)} x {gbp(rate)} uplift = {gbp(savings)} a year"


def components(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """The connected groups of a symmetric adjacency, each sorted, in order of their first member."""
    seen: set[str] = set()
    groups = []
    for start in sorted(adjacency):
        if start in seen:
            continue
        seen.add(start)
        stack, group = [start], []
        while stack:
            node = stack.pop()
            group.append(node)
            for other in adjacency[node]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        groups.append(sorted(group))
    return groups


def stars(
    adjacency: dict[str, set[str]],
    joinable: Callable[[str, str], bool],
    plan: Callable[[str, list[str]], T],
    score: Callable[[T], tuple],
) -> list[tuple[str, list[str], T]]:
    """Split each connected group into stars: a centre plus the neighbours that join it.

    Greedy and deterministic: in each group, the centre whose plan scores best (ties to the first
    code) is taken with its joiners, and the rest of the group is split again. Every joiner is thus
    directly within reach of its centre, which a chain of near neighbours would not guarantee.
    """
    chosen = []
    for group in components(adjacency):
        remaining = set(group)
        while True:
            best: tuple[str, list[str], T] | None = None
            best_score: tuple | None = None
            for centre in sorted(remaining):
                joiners = sorted(o for o in adjacency[centre] if o in remaining and joinable(centre, o))
                if not joiners:
                    continue
                candidate = plan(centre, joiners)
                candidate_score = score(candidate)
                if best_score is None or candidate_score > best_score:
                    best, best_score = (centre, joiners, candidate), candidate_score
            if best is None:
                break
            chosen.append(best)
            remaining.difference_update([best[0], *best[1]])
    return chosen
