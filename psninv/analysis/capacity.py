"""Capacity after single failures: each site's demand routed on a shortest path to its nearest core.

The routing rule (documented in docs/ANALYSIS.md): hop-count shortest paths from the cores,
found by one breadth-first search from all cores at once, each site sending to its neighbour
one hop nearer a core with the lowest site code;
parallel circuits between two sites form one bundle whose bandwidth is their sum. For every
single circuit failure, the sites whose path used it move to their new shortest paths (only
the affected subtree is searched again, and parts hanging off it by a bridge move with it);
a bundle is overloaded when its load exceeds its bandwidth. Circuits with no bandwidth make
their bundle unchecked; sites with no demand send nothing.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field

from psninv.analysis.connectivity import Structure


@dataclass(slots=True)
class Overload:
    """One bundle pushed past its bandwidth, with the worst single failure that does it."""

    bundle: int
    load_mbps: float
    bandwidth_mbps: float
    failure: int | None
    """The failed circuit (edge index), or None if the bundle is overloaded with nothing failed."""
    rerouted: tuple[int, float, int, int]
    """Sites whose traffic moved (or crosses the bundle): count, demand, tenant mask, criticality mask."""
    failures: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Routing:
    """Bundles, the shortest-path tree to the cores and the load each bundle carries."""

    ends: list[tuple[int, int]]
    edges: list[list[int]]
    bandwidth: list[float | None]
    parent: list[int]
    pbundle: list[int]
    dist: list[int]
    order: list[int]
    load: list[float]
    sub: list[tuple[int, float, int, int]]
    adj: list[list[tuple[int, int]]]
    overloads: dict[int, Overload] = field(default_factory=dict)


def route(structure: Structure) -> Routing:
    """Bundle the circuits and route every site's demand to its nearest core."""
    net = structure.net
    key_of: dict[tuple[int, int], int] = {}
    ends: list[tuple[int, int]] = []
    edges: list[list[int]] = []
    vadj: list[list[tuple[int, int]]] = [[] for _ in range(net.n)]
    for e in range(len(net.edge_ids)):
        a, b = net.edge_a[e], net.edge_b[e]
        key = (a, b) if a < b else (b, a)
        bundle = key_of.get(key)
        if bundle is None:
            bundle = key_of[key] = len(ends)
            ends.append(key)
            edges.append([])
            vadj[a].append((b, bundle))
            vadj[b].append((a, bundle))
        edges[bundle].append(e)
    for neighbours in vadj:
        neighbours.sort()
    bandwidth: list[float | None] = []
    for members in edges:
        figures = [net.edge_rows[e].get("bandwidth_mbps") for e in members]
        bandwidth.append(None if any(f is None for f in figures) else float(sum(figures)))

    n = net.n
    dist = [-1] * n
    parent = [-1] * n
    pbundle = [-1] * n
    order: list[int] = []
    queue = deque(v for v in range(n) if net.core[v])
    for v in queue:
        dist[v] = 0
    while queue:
        v = queue.popleft()
        order.append(v)
        for w, _ in vadj[v]:
            if dist[w] < 0:
                dist[w] = dist[v] + 1
                queue.append(w)
    # Each site sends towards its lowest-coded neighbour one hop nearer a core (neighbours are in code order).
    for v in order:
        nearer = dist[v] - 1
        if nearer >= 0:
            for w, bundle in vadj[v]:
                if dist[w] == nearer:
                    parent[v] = w
                    pbundle[v] = bundle
                    break
    load = [0.0] * len(ends)
    sub = [(1, 0.0 if net.core[v] else net.demand[v], net.tmask[v], net.cmask[v]) for v in range(n)]
    for v in reversed(order):
        p = parent[v]
        if p >= 0:
            load[pbundle[v]] = sub[v][1]
            c, d, t, m = sub[p]
            vc, vd, vt, vm = sub[v]
            sub[p] = (c + vc, d + vd, t | vt, m | vm)
    return Routing(ends, edges, bandwidth, parent, pbundle, dist, order, load, sub, vadj)


def find_overloads(structure: Structure) -> Routing:
    """Route demand, then try every single circuit failure and keep each bundle's worst overload."""
    routing = route(structure)
    if not any(bw is not None for bw in routing.bandwidth):
        return routing
    net = structure.net
    # Only links whose loss cuts sites off from every core carry traffic that cannot move elsewhere.
    bridges = {
        structure.pedge[x]
        for x in structure.order
        if structure.parent[x] >= 0 and structure.low[x] > structure.disc[structure.parent[x]]
    }
    children: list[list[int]] = [[] for _ in range(net.n)]
    for v in routing.order:
        if routing.parent[v] >= 0:
            children[routing.parent[v]].append(v)
    # Entry and exit times on the routing tree tell whether a site lies in a subtree.
    tin = [0] * net.n
    tout = [0] * net.n
    clock = 0
    for root in routing.order:
        if routing.parent[root] >= 0:
            continue
        stack = [(root, False)]
        while stack:
            x, leaving = stack.pop()
            if leaving:
                tout[x] = clock
                continue
            tin[x] = clock
            clock += 1
            stack.append((x, True))
            stack.extend((c, False) for c in children[x])
    span = (tin, tout)

    # With nothing failed each tree bundle carries its subtree's demand (the same test as _check's).
    bandwidth, load = routing.bandwidth, routing.load
    for v in routing.order:
        if routing.parent[v] >= 0:
            bundle = routing.pbundle[v]
            limit = bandwidth[bundle]
            if limit is not None and load[bundle] > limit + 1e-9:
                _record(routing, bundle, load[bundle], limit, None, routing.sub[v])

    # Headroom: the least spare bandwidth on each site's path to its core (unchecked bundles count as ample).
    inf = float("inf")
    spare = [inf if bw is None else bw - ld for bw, ld in zip(routing.bandwidth, routing.load, strict=True)]
    up_spare = [inf] * net.n
    for v in routing.order:
        if routing.parent[v] >= 0:
            up_spare[v] = min(spare[routing.pbundle[v]], up_spare[routing.parent[v]])

    for v in routing.order:
        p = routing.parent[v]
        if p < 0:
            continue
        bundle = routing.pbundle[v]
        members = routing.edges[bundle]
        if len(members) > 1:
            _bundle_member_failures(routing, bundle, members, net.edge_rows, routing.sub[v])
        elif members[0] not in bridges and not _has_room(routing, v, children, bridges, span, up_spare):
            loads = _reroute(routing, v, children, bridges, span)
            _check(routing, loads, members[0], routing.sub[v])
    return routing


def _has_room(
    routing: Routing,
    v: int,
    children: list[list[int]],
    bridges: set[int],
    span: tuple[list[int], list[int]],
    up_spare: list[float],
) -> bool:
    """True if every bundle the moved demand could use has room for all of it (so nothing can overload)."""
    moved = routing.sub[v][1]
    if moved <= 0:
        return True
    tin, tout = span
    first, last = tin[v], tout[v]
    failed = routing.pbundle[v]
    stack = [v]
    while stack:
        x = stack.pop()
        for y, bundle in routing.adj[x]:
            if bundle == failed:
                continue
            bandwidth = routing.bandwidth[bundle]
            if bandwidth is not None and bandwidth < moved:
                return False
            if not first <= tin[y] < last and up_spare[y] < moved:
                return False
        for c in children[x]:
            members = routing.edges[routing.pbundle[c]]
            if not (len(members) == 1 and members[0] in bridges):
                stack.append(c)
    return True


def _bundle_member_failures(
    routing: Routing, bundle: int, members: list[int], rows: list[dict], crossing: tuple[int, float, int, int]
) -> None:
    total = routing.bandwidth[bundle]
    if total is None:
        return
    load = routing.load[bundle]
    for e in members:
        remaining = total - float(rows[e]["bandwidth_mbps"])
        if load > remaining + 1e-9:
            _record(routing, bundle, load, remaining, e, crossing)


def _check(
    routing: Routing, loads: dict[int, float], failure: int | None, moved: tuple[int, float, int, int]
) -> None:
    for bundle, load in loads.items():
        bandwidth = routing.bandwidth[bundle]
        # A failure counts against a bundle only if it adds load there (or it is overloaded as it is).
        over = bandwidth is not None and load > bandwidth + 1e-9
        if over and (failure is None or load > routing.load[bundle] + 1e-9):
            _record(routing, bundle, load, bandwidth, failure, moved)


def _record(
    routing: Routing,
    bundle: int,
    load: float,
    bandwidth: float,
    failure: int | None,
    moved: tuple[int, float, int, int],
) -> None:
    current = routing.overloads.get(bundle)
    if current is None:
        current = routing.overloads[bundle] = Overload(bundle, load, bandwidth, failure, moved)
    elif load - bandwidth > current.load_mbps - current.bandwidth_mbps + 1e-9:
        current.load_mbps, current.bandwidth_mbps = load, bandwidth
        current.failure, current.rerouted = failure, moved
    if failure is not None and failure not in current.failures:
        current.failures.append(failure)


def _reroute(
    routing: Routing,
    v: int,
    children: list[list[int]],
    bridges: set[int],
    span: tuple[list[int], list[int]],
) -> dict[int, float]:
    """New loads after the tree bundle into v fails: v's subtree finds new shortest paths."""
    failed = routing.pbundle[v]
    tin, tout = span
    first, last = tin[v], tout[v]
    # The part of the subtree that can route differently; parts behind a bridge follow their attachment.
    weight: dict[int, float] = {}
    stack = [v]
    while stack:
        x = stack.pop()
        w = routing.sub[x][1]
        for c in children[x]:
            bundle = routing.pbundle[c]
            members = routing.edges[bundle]
            if len(members) == 1 and members[0] in bridges:
                continue
            w -= routing.sub[c][1]
            stack.append(c)
        weight[x] = w
    adj = routing.adj
    dist = routing.dist
    best: dict[int, tuple[int, int, int]] = {}
    heap: list[tuple[int, int, int, int]] = []
    for x in weight:
        for y, bundle in adj[x]:
            if bundle == failed or dist[y] < 0 or first <= tin[y] < last:
                continue
            cand = (dist[y] + 1, y, bundle)
            if x not in best or cand < best[x]:
                best[x] = cand
        if x in best:
            heapq.heappush(heap, (best[x][0], x, best[x][1], best[x][2]))
    done: dict[int, tuple[int, int, int]] = {}
    while heap:
        d, x, y, bundle = heapq.heappop(heap)
        if x in done:
            continue
        done[x] = (d, y, bundle)
        for z, zb in adj[x]:
            if zb == failed or z not in weight or z in done:
                continue
            cand = (d + 1, x, zb)
            if z not in best or cand < best[z]:
                best[z] = cand
                heapq.heappush(heap, (d + 1, z, x, zb))
    loads: dict[int, float] = {}
    carried = dict(weight)
    exits: dict[int, float] = {}
    for x in sorted(done, key=lambda q: -done[q][0]):
        _, y, bundle = done[x]
        loads[bundle] = loads.get(bundle, 0.0) + carried[x]
        if y in weight:
            carried[y] += carried[x]
        else:
            exits[y] = exits.get(y, 0.0) + carried[x]
    delta: dict[int, float] = {}
    moved = routing.sub[v][1]
    x = routing.parent[v]
    while routing.parent[x] >= 0:
        delta[routing.pbundle[x]] = delta.get(routing.pbundle[x], 0.0) - moved
        x = routing.parent[x]
    for y, amount in exits.items():
        while routing.parent[y] >= 0:
            delta[routing.pbundle[y]] = delta.get(routing.pbundle[y], 0.0) + amount
            y = routing.parent[y]
    for bundle, change in delta.items():
        if bundle not in loads:
            loads[bundle] = routing.load[bundle] + change
    return loads
