"""Remedies: few, short new links that make every high or critical site 2-edge-connected to the core.

The 2-edge-connected parts of the network (parallel circuits collapsed, all cores merged into
one root) form a tree whose edges are the bridges. Every bridge on the way from a site that
needs two paths to the root must be covered by a new link with one end on each side. The
edges to cover form the "relevant" subtree; no set of new links can do it with fewer than
half its leaves, rounded up (the root counts as a leaf when one edge leaves it), the lower
bound of Eswaran and Tarjan.

The heuristic: pair leaves with short links first, preferring pairs whose paths meet only at
the root (each such link finishes two leaves), then pairs meeting lower down, weighting a
link's length down for another tenant's site (the seed of mutual backup) and up for two
sites on the same hub. A pair is taken only where its one link costs no more (by the
tariff) than the two links the leaves would each get on their own, so the plan never buys a
long link where two short ones are cheaper. Then, deepest first, any edge still uncovered
gets the shortest link from below it to a site beyond the whole uncovered stretch above it.
Links never exceed the tariff's max_remedy_km; a site without coordinates is linked, with
no length or cost, to a site already 2-edge-connected to the core (same district and hub
role preferred).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from psninv.analysis.connectivity import Structure
from psninv.analysis.finding import ProposedLink
from psninv.analysis.geo import SpatialGrid, haversine_km
from psninv.analysis.tariff import Tariff

ROOT = -1
OTHER_TENANT_FACTOR = 0.8
"""A link to another tenant's site counts as this much of its length: mutual backup is preferred."""
SAME_HUB_FACTOR = 1.5
"""A link between two sites hanging off the same hub counts as this much: one hub failure cuts both."""
CANDIDATES = 8


@dataclass(slots=True)
class RemedyPlan:
    """The proposed links, which bridge-tree edges each covers, and the bound they are measured against."""

    links: list[ProposedLink] = field(default_factory=list)
    covers: dict[int, list[int]] = field(default_factory=dict)
    """For each covered tree edge (the vertex below it), the indices of the links covering it."""
    lower_bound: int = 0
    leaves: int = 0
    needed_sites: int = 0
    left: list[str] = field(default_factory=list)
    """Sites that need a second path but got no proposal (no site in reach, or no core in reach)."""

    def summary(self) -> RemedySummary:
        """The remedy part of the redundancy summary."""
        costs = [link.annual_cost_gbp for link in self.links if link.annual_cost_gbp is not None]
        return RemedySummary(
            sites_needing_second_path=self.needed_sites,
            bridge_tree_leaves=self.leaves,
            lower_bound=self.lower_bound,
            proposed=len(self.links),
            annual_cost_gbp=round(sum(costs), 0),
            links_without_length=sum(1 for link in self.links if link.length_km is None),
            sites_left=self.left,
        )


@dataclass(slots=True)
class RemedySummary:
    """What the proposed links come to: how many, against what lower bound, at what annual cost."""

    sites_needing_second_path: int
    bridge_tree_leaves: int
    lower_bound: int
    proposed: int
    annual_cost_gbp: float
    links_without_length: int
    sites_left: list[str]
    """Sites that need a second path but got no proposal."""

    def to_dict(self) -> dict[str, Any]:
        """The remedy summary as JSON-ready data."""
        return {name: getattr(self, name) for name in _REMEDY_FIELDS}


_REMEDY_FIELDS = tuple(f.name for f in fields(RemedySummary))


class _Tree:
    """The bridge tree over search-tree vertices: each non-root node is named by the vertex below its edge."""

    def __init__(self, s: Structure):
        self.s = s
        n = s.net.n
        self.rep = [ROOT] * n
        self.depth = {ROOT: 0}
        for v in s.order:
            p = s.parent[v]
            if p < 0 or not s.in_core_component(v):
                self.rep[v] = ROOT if p < 0 else self.rep[p]
                continue
            if s.low_col[v] > s.disc[p]:
                self.rep[v] = v
                self.depth[v] = self.depth[self.rep[p]] + 1
            else:
                self.rep[v] = self.rep[p]

    def up(self, head: int) -> int:
        """The tree parent of a node."""
        return self.rep[self.s.parent[head]]

    def below(self, vertex: int, head: int) -> bool:
        """True if the vertex is on the far side of the node's edge."""
        d = self.s.disc
        return d[head] <= d[vertex] < d[head] + self.s.size[head]

    def covered_by(self, a: int, b: int) -> list[int]:
        """The tree edges a new link a–b covers (those with exactly one end below them)."""
        out = []
        for start, other in ((a, b), (b, a)):
            h = self.rep[start]
            while h != ROOT and not self.below(other, h):
                out.append(h)
                h = self.up(h)
        return out


def plan_remedies(s: Structure, needs: Callable[[int], bool], tariff: Tariff) -> RemedyPlan:
    """Propose links giving every vertex for which `needs` is true two link-disjoint paths to the core."""
    net = s.net
    plan = RemedyPlan()
    if not s.has_core:
        return plan
    tree = _Tree(s)
    required = [v for v in range(net.n) if needs(v) and not net.core[v] and s.in_core_component(v)]
    plan.needed_sites = sum(1 for v in required if tree.rep[v] != ROOT)
    relevant: set[int] = set()
    for v in required:
        h = tree.rep[v]
        while h != ROOT and h not in relevant:
            relevant.add(h)
            h = tree.up(h)
    # A core that needs two paths but hangs off one neighbour: the tree (cores merged) cannot see it.
    lone_cores = [
        v
        for v in range(net.n)
        if net.core[v]
        and needs(v)
        and len({net.other(e, v) for e in net.adj[v]}) == 1
        and s.comp_cores[s.comp[v]] > 1
    ]
    if not relevant and not lone_cores:
        return plan
    has_child = {tree.up(h) for h in relevant}
    leaves = sorted((h for h in relevant if h not in has_child), key=lambda h: s.disc[h])
    root_degree = sum(1 for h in relevant if tree.up(h) == ROOT)
    plan.leaves = len(leaves) + (1 if root_degree == 1 else 0) + len(lone_cores)
    plan.lower_bound = math.ceil(plan.leaves / 2)

    coords: dict[int, tuple[float, float]] = {}
    for v in range(net.n):
        lat, lon = net.sites[v].get("latitude"), net.sites[v].get("longitude")
        if lat is not None and lon is not None and s.in_core_component(v):
            coords[v] = (float(lat), float(lon))
    max_km = tariff.max_remedy_km
    cell = _cell_km(coords, max_km)
    members: dict[int, list[int]] = {}
    for v in range(net.n):
        if tree.rep[v] in relevant:
            members.setdefault(tree.rep[v], []).append(v)
    needed = set(required)
    # A leaf is linked from its own sites, sites that need the path first.
    ends = {h: sorted(members[h], key=lambda v: (v not in needed, net.codes[v])) for h in leaves}
    leaf_of = {v: h for h in leaves for v in ends[h]}
    leaf_grid = SpatialGrid(((str(v), *coords[v]) for v in leaf_of if v in coords), cell)
    all_grid = SpatialGrid(((str(v), *coords[v]) for v in coords), cell)

    covered: set[int] = set()

    def add(a: int, b: int) -> None:
        km = None
        cost = None
        if a in coords and b in coords:
            km = round(haversine_km(*coords[a], *coords[b]), 3)
            cost = tariff.crosslink_cost(km)
        index = len(plan.links)
        plan.links.append(ProposedLink(net.codes[a], net.codes[b], km, cost))
        for h in tree.covered_by(a, b):
            covered.add(h)
            plan.covers.setdefault(h, []).append(index)

    def attach(v: int) -> int:
        return ROOT if tree.rep[v] == ROOT else s.parent[tree.rep[v]]

    def weight(a: int, b: int, km: float) -> float:
        factor = OTHER_TENANT_FACTOR if net.sites[a].get("tenant") != net.sites[b].get("tenant") else 1.0
        if attach(a) == attach(b) or attach(a) == b:
            factor *= SAME_HUB_FACTOR
        return km * factor

    # What each leaf's own link would cost: the nearest site beyond its whole path below the root.
    solo: dict[int, float] = {}
    for h in leaves:
        top = _top(tree, h)
        for a in ends[h][:4]:
            if a not in coords:
                continue
            found = _nearest(
                all_grid, coords[a], max_km, 1, lambda name, top=top: not tree.below(int(name), top)
            )
            if found:
                cost = tariff.crosslink_cost(found[0][1])
                solo[h] = min(solo.get(h, cost), cost)

    # Leaf pairs: one link finishing two leaves, taken only where it costs no more than their own links.
    pairs: list[tuple[bool, float, int, int, int, int]] = []
    for h in leaves:
        for a in ends[h][:4]:
            if a not in coords:
                continue
            found = _nearest(
                leaf_grid, coords[a], max_km, CANDIDATES, lambda name, h=h: leaf_of[int(name)] != h
            )
            for name, km in found:
                b = int(name)
                other = leaf_of[b]
                if h in solo and other in solo and tariff.crosslink_cost(km) > solo[h] + solo[other]:
                    continue
                pairs.append((not _meets_at_root(tree, h, other), weight(a, b, km), a, b, h, other))
    pairs.sort(key=lambda p: (p[0], p[1], net.codes[p[2]], net.codes[p[3]]))
    matched: set[int] = set()
    for _, _, a, b, h1, h2 in pairs:
        if h1 in matched or h2 in matched:
            continue
        matched.update((h1, h2))
        add(a, b)

    # Deepest first, cover what is left with a link reaching past the whole uncovered stretch above.
    leaf_disc = [s.disc[h] for h in leaves]
    fallback = _Fallback(s, tree)
    for h in sorted(relevant, key=lambda x: (-tree.depth[x], s.disc[x])):
        if h in covered:
            continue
        top = h
        while tree.up(top) != ROOT and tree.up(top) not in covered:
            top = tree.up(top)
        lo = bisect.bisect_left(leaf_disc, s.disc[h])
        hi = bisect.bisect_left(leaf_disc, s.disc[h] + s.size[h])
        sources = [v for leaf in leaves[lo:hi] if leaf not in matched for v in ends[leaf][:2]]
        sources += [v for leaf in leaves[lo:hi] if leaf in matched for v in ends[leaf][:1]]
        sources += sorted(members[h], key=lambda v: (v not in needed, net.codes[v]))[:4]
        best: tuple[int, float, int, int] | None = None
        for a in dict.fromkeys(sources[:24]):
            if a not in coords:
                continue
            found = _nearest(
                all_grid, coords[a], max_km, CANDIDATES, lambda name, h=h: not tree.below(int(name), h)
            )
            for name, km in found:
                b = int(name)
                score = (0 if not tree.below(b, top) else 1, weight(a, b, km), a, b)
                if best is None or score[:2] < best[:2]:
                    best = score
        if best is None:
            a = next((v for v in dict.fromkeys(sources) if v not in coords), None)
            if a is not None:
                b = fallback.partner(a, attach(a))
                if b is not None:
                    best = (0, 0.0, a, b)
        if best is None:
            continue
        add(best[2], best[3])
        matched.update(leaves[lo:hi])

    left = [v for v in required if any(e not in covered for e in _path(tree, tree.rep[v]))]
    for v in lone_cores:
        neighbour = net.other(net.adj[v][0], v)
        partner = None
        if v in coords:
            found = _nearest(
                all_grid,
                coords[v],
                max_km,
                1,
                lambda name, v=v, neighbour=neighbour: int(name) not in (v, neighbour),
            )
            partner = int(found[0][0]) if found else None
        else:
            partner = fallback.partner(v, neighbour)
            partner = None if partner in (v, neighbour) else partner
        if partner is None:
            left.append(v)
            continue
        plan.covers[v] = []
        add(v, partner)
        plan.covers[v].append(len(plan.links) - 1)
    plan.left = sorted(net.codes[v] for v in left)
    return plan


def _path(tree: _Tree, h: int) -> list[int]:
    out = []
    while h != ROOT:
        out.append(h)
        h = tree.up(h)
    return out


def _top(tree: _Tree, h: int) -> int:
    """The node just below the root on h's path."""
    while tree.up(h) != ROOT:
        h = tree.up(h)
    return h


def _meets_at_root(tree: _Tree, h1: int, h2: int) -> bool:
    """True if the tree paths of two nodes to the root share no edge."""
    return not tree.below(h2, _top(tree, h1))


class _Fallback:
    """Partners for sites without coordinates: a site 2-edge-connected to the core, same district first."""

    def __init__(self, s: Structure, tree: _Tree):
        self.s = s
        net = s.net
        ranked = sorted(
            (v for v in range(net.n) if tree.rep[v] == ROOT and s.in_core_component(v)),
            key=lambda v: (net.sites[v].get("role") != "hub", net.codes[v]),
        )
        self.by_district: dict[tuple[int, str | None], list[int]] = {}
        self.by_component: dict[int, list[int]] = {}
        for v in ranked:
            for key, table in (
                ((s.comp[v], net.sites[v].get("district")), self.by_district),
                (s.comp[v], self.by_component),
            ):
                kept = table.setdefault(key, [])
                if len(kept) < 2:
                    kept.append(v)

    def partner(self, a: int, avoid: int) -> int | None:
        """The best partner for site a that is not `avoid` (its hub), or its hub if nothing else exists."""
        s = self.s
        district = s.net.sites[a].get("district")
        options = (
            self.by_district.get((s.comp[a], district), []) if district else []
        ) + self.by_component.get(s.comp[a], [])
        for v in options:
            if v != avoid:
                return v
        return options[0] if options else None


def _cell_km(coords: dict[int, tuple[float, float]], max_km: float) -> float:
    """A grid cell size giving a handful of sites per cell."""
    if len(coords) < 2:
        return max(max_km, 1.0)
    lats = [c[0] for c in coords.values()]
    lons = [c[1] for c in coords.values()]
    height = (max(lats) - min(lats)) * 111.2
    width = (max(lons) - min(lons)) * 111.2 * math.cos(math.radians(sum(lats) / len(lats)))
    area = max(height, 0.1) * max(width, 0.1)
    return min(max(math.sqrt(area / len(coords)) * 2, 0.05), max(max_km, 0.05))


def _nearest(
    grid: SpatialGrid,
    point: tuple[float, float],
    max_km: float,
    k: int,
    accept: Callable[[str], bool],
) -> list[tuple[str, float]]:
    """Up to k accepted points nearest to a point within max_km, nearest first, ties by name."""
    reach = min(grid.cell_km, max_km)
    while True:
        found = sorted(
            ((km, name) for name, km in grid.near(point[0], point[1], reach) if accept(name)),
        )
        if len(found) >= k or reach >= max_km:
            return [(name, km) for km, name in found[:k]]
        reach = min(reach * 2, max_km)
