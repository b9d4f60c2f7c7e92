"""Verified remedies: new links for every high or critical site short of policy, kept only when proven.

Each round groups the sites still short by the outermost part of the network they are cut off
with (below a cut-site or a bridge on their way to the core), links that part to the nearest
site that already meets the policy (another tenant's first, never an existing neighbour, never
inside the part, so never through the hub or bridge that failed it), sizes the link for the
whole part's demand (it carries all of it when the hub fails) and costs it with the tariff.
Then the whole redundancy analysis runs again with the links added; a link that fixed no site
is dropped and its partner not tried again. Sites still short after the last round are listed
with the reason. docs/ANALYSIS.md states the lower bounds the result is reported beside.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from psninv.analysis.connectivity import Structure, analyse_structure, build_network
from psninv.analysis.disjoint import hanging_on
from psninv.analysis.finding import Finding, Kind, ProposedLink
from psninv.analysis.geo import PointIndex, haversine_km
from psninv.analysis.pockets import Local, merged
from psninv.analysis.tariff import Tariff
from psninv.graph import LIVE_STATUSES
from psninv.inventory import Inventory
from psninv.model import Criticality

ROUNDS = 6
CANDIDATES = 12
OTHER_TENANT_FACTOR = 0.8
"""A link to another tenant's site counts as this much of its length: mutual backup is preferred."""
SIZES_MBPS = (10, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 40000, 100000)
"""Bandwidths a proposed link is rounded up to."""
NEEDY = {Criticality.CRITICAL.value, Criticality.HIGH.value}
GAP_KINDS = {Kind.BELOW_POLICY, Kind.BRIDGE, Kind.SINGLE_HOMED, Kind.CUT_SITE, Kind.NO_CORE_PATH}
PREFIX = "PLANNED-"
"""Circuit IDs of proposed links start with this."""


@dataclass(slots=True)
class Unfixable:
    """A site no proposal within reach fixes, and why."""

    site: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"site": self.site, "reason": self.reason}


@dataclass(slots=True)
class VerifiedPlan:
    """Proposed links proven by re-analysis, the sites each fixes, the sites left, and the lower bounds."""

    links: list[ProposedLink] = field(default_factory=list)
    circuit_ids: list[str] = field(default_factory=list)
    fixes: dict[str, list[str]] = field(default_factory=dict)
    """Circuit ID of each proposed link to the codes of the sites it was added for and fixed."""
    unfixable: list[Unfixable] = field(default_factory=list)
    sites_short: int = 0
    """High and critical sites with a gap before any proposal."""
    parts: int = 0
    """Separate parts of the network (below a cut-site or bridge, or a lone site) holding those sites."""
    lower_bound_links: int = 0
    lower_bound_cost_gbp: float = 0.0
    rounds: int = 0

    @property
    def annual_cost_gbp(self) -> float:
        """The proposed links' estimated annual cost."""
        return round(sum(link.annual_cost_gbp or 0.0 for link in self.links), 0)

    def for_sites(self, codes: list[str]) -> list[ProposedLink]:
        """The proposed links that fix any of these sites."""
        wanted = set(codes)
        return [
            link
            for link, cid in zip(self.links, self.circuit_ids, strict=True)
            if wanted.intersection(self.fixes.get(cid, ()))
        ]

    def circuit_rows(self, inventory: Inventory) -> dict[str, dict[str, Any]]:
        """The proposed links as circuit rows of status planned, for an import workbook."""
        rows = {}
        for cid, link in zip(self.circuit_ids, self.links, strict=True):
            rows[cid] = {
                "circuit_id": cid,
                "a_site": link.a_site,
                "b_site": link.b_site,
                "bandwidth_mbps": link.bandwidth_mbps,
                "annual_cost_gbp": link.annual_cost_gbp,
                "tenant": inventory.sites[link.a_site].get("tenant"),
                "status": "planned",
            }
        return rows

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "proposed": len(self.links),
            "annual_cost_gbp": self.annual_cost_gbp,
            "lower_bound_links": self.lower_bound_links,
            "lower_bound_cost_gbp": self.lower_bound_cost_gbp,
            "sites_short": self.sites_short,
            "parts": self.parts,
            "rounds": self.rounds,
            "links": [
                {
                    "circuit_id": cid,
                    "a_site": link.a_site,
                    "b_site": link.b_site,
                    "length_km": link.length_km,
                    "annual_cost_gbp": link.annual_cost_gbp,
                    "bandwidth_mbps": link.bandwidth_mbps,
                    "fixes": self.fixes.get(cid, []),
                }
                for link, cid in zip(self.links, self.circuit_ids, strict=True)
            ],
            "unfixable": [u.to_dict() for u in self.unfixable],
        }


def short_sites(findings: list[Finding], inventory: Inventory) -> set[str]:
    """High and critical sites a gap affects (below-policy, bridge, single-homed, cut-site, no-core-path)."""
    out: set[str] = set()
    for finding in findings:
        if finding.kind not in GAP_KINDS:
            continue
        if finding.kind in (Kind.BRIDGE, Kind.CUT_SITE):
            codes = finding.cut_off_sites
        elif finding.kind is Kind.NO_CORE_PATH:
            codes = finding.sites
        else:  # single-homed and below-policy name the site first (then its neighbour)
            codes = finding.sites[:1]
        for code in codes:
            site = inventory.sites.get(code)
            if site is not None and site.get("criticality") in NEEDY:
                out.add(code)
    return out


LIVE_SITES = LIVE_STATUSES
"""Site statuses of the live network (psninv.graph)."""


def in_service(inventory: Inventory, statuses: frozenset[str | None] = LIVE_SITES) -> Inventory:
    """The live network: sites planned, decommissioning or closed left out, with their circuits."""
    if all(row.get("status") in statuses for row in inventory.sites.values()):
        return inventory
    sites = {code: row for code, row in inventory.sites.items() if row.get("status") in statuses}
    links = inventory.links
    prefixes = inventory.prefixes
    return Inventory(
        tenants=inventory.tenants,
        sites=sites,
        links={cid: row for cid, row in links.items() if row["a_site"] in sites and row["b_site"] in sites},
        prefixes={key: row for key, row in prefixes.items() if not row.get("site") or row["site"] in sites},
        references=inventory.references,
    )


def with_planned(inventory: Inventory) -> Inventory:
    """The network as it will be: planned sites and circuits counted as in service, leaving sites left out."""
    live = in_service(inventory, LIVE_SITES | {"planned"})
    out = Inventory()
    out.tenants, out.prefixes = live.tenants, live.prefixes
    out.sites = {
        code: ({**row, "status": "active"} if row.get("status") == "planned" else row)
        for code, row in live.sites.items()
    }
    out.references = live.references
    out.links = {
        cid: ({**row, "status": "active"} if row.get("status") == "planned" else row)
        for cid, row in live.links.items()
    }
    return out


def attach(findings: list[Finding], plan: VerifiedPlan, inventory: Inventory) -> None:
    """Give each gap finding the verified links that fix its high and critical sites, or say why none does."""
    unfixable = {u.site: u.reason for u in plan.unfixable}
    for finding in findings:
        if finding.kind not in GAP_KINDS:
            continue
        codes = sorted(short_sites([finding], inventory))
        if not codes:
            continue
        links = plan.for_sites(codes)
        finding.proposed_links = links
        parts = [
            f"{link.a_site}–{link.b_site}"
            + (
                f" ({link.length_km:.1f} km, £{link.annual_cost_gbp:,.0f}/yr"
                if link.length_km is not None
                else " ("
            )
            + f"{', ' if link.length_km is not None else ''}{link.bandwidth_mbps:,.0f} Mbit/s)"
            for link in links[:3]
        ]
        text = ""
        if links:
            more = f" and {len(links) - 3} more" if len(links) > 3 else ""
            text = "Add " + "; ".join(parts) + more + ": re-analysed with it, the policy holds."
        left = [f"{code}: {unfixable[code]}" for code in codes if code in unfixable]
        if left:
            text += (" " if text else "") + "Cannot be fixed within reach: " + "; ".join(left[:3]) + "."
        if text:
            finding.remedy = text


def with_links(inventory: Inventory, links: dict[str, dict]) -> Inventory:
    """The inventory with extra active circuits (the rows are not copied otherwise)."""
    out = Inventory()
    out.tenants, out.sites, out.prefixes = inventory.tenants, inventory.sites, inventory.prefixes
    out.links = {**inventory.links, **links}
    return out


def verify_remedies(
    inventory: Inventory,
    analyse: Callable[[Inventory], list[Finding]],
    tariff: Tariff,
    failed: tuple[str, ...] = (),
    targets: Callable[[list[Finding], Inventory], set[str]] = short_sites,
    findings: list[Finding] | None = None,
    local: Local | None = None,
    structure: Structure | None = None,
) -> VerifiedPlan:
    """Propose links for every high or critical site short of policy and keep those re-analysis proves.

    `analyse` is the redundancy analysis (findings only) the proof re-runs; `targets` picks the
    sites to fix from its findings (by default the high and critical sites short of policy);
    `findings` are that analysis of the inventory as given, where the caller has them already.
    With `local` (whose base differs from `inventory` in circuits only) a proof re-analyses only
    the pockets its links touch (psninv.analysis.pockets): for `targets` that read which sites a
    finding names, never its severity, which a finding reaching past the pockets may not have.
    `structure` is the inventory's (less `failed`), where the caller has it already.
    """
    plan = VerifiedPlan()
    outside: set[str] | None = None

    def targets_with(links: dict[str, dict]) -> set[str]:
        nonlocal outside
        work = with_links(inventory, links)
        if local is None:
            return targets(analyse(work), inventory)
        run = local.run(work)
        if run.scope is not None and outside is None:
            outside = targets(local.findings, local.base)
        return merged(outside or set(), targets(run.findings, inventory), run.scope)

    start = targets(findings, inventory) if findings is not None else targets_with({})
    plan.sites_short = len(start)
    if not start:
        return plan
    added: dict[str, dict] = {}
    reasons: dict[str, str] = {}
    tried: dict[str, set[str]] = {}
    short = set(start)
    number = 0
    for round_ in range(ROUNDS):
        plan.rounds = round_ + 1
        if round_ == 0 and structure is not None:
            s = structure
        else:
            s = analyse_structure(build_network(with_links(inventory, added), failed=failed))
        groups = _groups(s, short)
        if round_ == 0:
            plan.parts = len(groups)
            plan.lower_bound_links = math.ceil(len(groups) / 2)
            plan.lower_bound_cost_gbp = round(plan.lower_bound_links * tariff.crosslink_fixed_gbp, 0)
        new: dict[str, tuple[dict, list[str]]] = {}
        finder = _Partners(s, tariff)
        for region, members in groups.items():
            choice = finder.best(region, members, tried)
            if isinstance(choice, str):
                for code in members:
                    reasons[code] = choice
                continue
            a, b, km = choice
            number += 1
            while f"{PREFIX}{number:04d}" in inventory.links:
                number += 1
            cid = f"{PREFIX}{number:04d}"
            demand = (
                s.sub_demand[region] if region >= 0 else sum(s.net.demand[s.net.index[c]] for c in members)
            )
            new[cid] = (_row(cid, s, a, b, km, demand, tariff), members)
            for code in members:
                tried.setdefault(code, set()).add(s.net.codes[b])
        if not new:
            break
        trial = {**added, **{cid: row for cid, (row, _) in new.items()}}
        after = targets_with(trial)
        for cid, (row, members) in new.items():
            fixed = [code for code in members if code not in after]
            if fixed:
                added[cid] = row
                plan.fixes[cid] = sorted(fixed)
        # Links that fixed nothing are dropped: verify the kept set again before the next round.
        if len(added) != len(trial):
            after = targets_with(added)
            for cid in list(plan.fixes):
                plan.fixes[cid] = [code for code in plan.fixes[cid] if code not in after]
        short = after & start
        if not short:
            break
    for cid in sorted(added):
        row = added[cid]
        plan.circuit_ids.append(cid)
        plan.links.append(
            ProposedLink(
                row["a_site"],
                row["b_site"],
                row["length_km"],
                row["annual_cost_gbp"],
                bandwidth_mbps=row["bandwidth_mbps"],
            )
        )
    plan.unfixable = [
        Unfixable(
            code,
            reasons.get(
                code,
                f"no link to a site meeting the policy within "
                f"{tariff.max_remedy_km:g} km proved to fix it ({len(tried.get(code, ()))} tried)",
            ),
        )
        for code in sorted(short)
    ]
    return plan


def _row(cid: str, s: Structure, a: int, b: int, km: float | None, demand: float, tariff: Tariff) -> dict:
    net = s.net
    size = next((size for size in SIZES_MBPS if size >= demand), SIZES_MBPS[-1])
    cost = tariff.crosslink_cost(km) if km is not None else None
    return {
        "circuit_id": cid,
        "a_site": net.codes[a],
        "b_site": net.codes[b],
        "status": "active",
        "bandwidth_mbps": float(size),
        "annual_cost_gbp": cost,
        "length_km": km,
        "tenant": net.sites[a].get("tenant"),
        "provider": None,
        "srlg": None,
    }


def _groups(s: Structure, short: set[str]) -> dict[int, list[str]]:
    """Short sites by the top vertex of the outermost part cut off with them (-1 - v for a site alone)."""
    net = s.net
    region = [-1] * net.n
    for v in s.order:
        p = s.parent[v]
        if p < 0 or net.core[v]:
            continue
        if region[p] >= 0:
            region[v] = region[p]
        elif (not net.core[p] and s.low[v] >= s.disc[p]) or s.low_col[v] > s.disc[p]:
            region[v] = v
    groups: dict[int, list[str]] = {}
    for code in sorted(short):
        v = net.index.get(code)
        if v is None:
            continue
        key = region[v] if region[v] >= 0 else -1 - v
        groups.setdefault(key, []).append(code)
    return groups


class _Partners:
    """Where a part's new link goes: the nearest site meeting the policy outside the part, not a neighbour."""

    NEAR_TIE = 1e-9
    """Candidates this close (km of weight) to a part's nearest are weighed again exactly, ties by code."""

    def __init__(self, s: Structure, tariff: Tariff):
        self.s = s
        self.tariff = tariff
        net = s.net
        sep = hanging_on(s)
        good = [
            s.in_core_component(v) and (net.core[v] or (s.reach2[v] and sep[v] < 0)) for v in range(net.n)
        ]
        self.coords: dict[int, tuple[float, float]] = {}
        for v in range(net.n):
            lat, lon = net.sites[v].get("latitude"), net.sites[v].get("longitude")
            if lat is not None and lon is not None:
                self.coords[v] = (float(lat), float(lon))
        # The sites a new link may go to, as arrays: at 100k sites a plan weighs millions of them.
        self.partners = np.array([v for v in self.coords if good[v]], dtype=np.int64)
        """The sites a new link may go to (meeting the policy, with coordinates), in index order."""
        points = [self.coords[v] for v in self.partners.tolist()]
        self.index = PointIndex(
            np.array([p[0] for p in points], dtype=np.float64),
            np.array([p[1] for p in points], dtype=np.float64),
            tariff.max_remedy_km,
        )
        self.disc = np.asarray(s.disc, dtype=np.int64)
        tenants: dict[object, int] = {}
        self.tenant = np.array(
            [tenants.setdefault(site.get("tenant"), len(tenants)) for site in net.sites], dtype=np.int64
        )

    def part(self, region: int, members: list[str]) -> tuple[list[int], int, int]:
        """Where a part's new link may start (its members first, then by code), and its span in DFS order."""
        s, net = self.s, self.s.net
        if region < 0:
            v = -1 - region
            return ([v] if v in self.coords else []), s.disc[v], s.disc[v] + 1
        lo, hi = s.disc[region], s.disc[region] + s.size[region]
        ends = sorted(
            (v for v in s.order[lo:hi] if v in self.coords),
            key=lambda v: (net.codes[v] not in members, net.codes[v]),
        )[:CANDIDATES]
        return ends, lo, hi

    def best(
        self, region: int, members: list[str], tried: dict[str, set[str]]
    ) -> tuple[int, int, float] | str:
        """(a, b, km) for the best new link, or the reason there is none."""
        net = self.s.net
        ends, lo, hi = self.part(region, members)
        if not ends:
            return "no coordinates in its part: cannot measure a new link"
        done = set().union(*(tried.get(code, set()) for code in members))
        barred = [net.index[code] for code in done if code in net.index]
        best: tuple[float, str, str, int, int] | None = None
        for a in ends:
            lat, lon = self.coords[a]
            at, km = self.index.within(lat, lon)
            b = self.partners[at]
            disc = self.disc[b]
            skip = [a, *(net.other(e, a) for e in net.adj[a]), *barred]
            keep = ~np.isin(b, skip) & ((disc < lo) | (disc >= hi))
            if not keep.any():
                continue
            b, km = b[keep], km[keep]
            weight = km * np.where(self.tenant[b] != self.tenant[a], OTHER_TENANT_FACTOR, 1.0)
            # The arrays' distances may differ from haversine_km's in the last bits: the nearest few
            # are weighed again with it, so the choice is the one a site-by-site search makes.
            close = b[weight <= weight.min() + self.NEAR_TIE]
            for other in close.tolist():
                exact = haversine_km(lat, lon, *self.coords[other]) * (
                    OTHER_TENANT_FACTOR if self.tenant[a] != self.tenant[other] else 1
                )
                key = (exact, net.codes[a], net.codes[other], a, other)
                if best is None or key[:3] < best[:3]:
                    best = key
        if best is None:
            return f"no site meeting the policy within {self.tariff.max_remedy_km:g} km outside its part"
        a, b = best[3], best[4]
        return a, b, round(haversine_km(*self.coords[a], *self.coords[b]), 3)
