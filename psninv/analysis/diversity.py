"""Shared risks: which sites one SRLG event or one provider's outage cuts off, and k-path counts by max-flow.

A site "has link-disjoint paths to the core but every set of them shares an SRLG tag" exactly
when removing all the links carrying that tag separates it from every core. Rather than one
search per tag, each link gets a random 192-bit label in the cut space of the network plus
the virtual root R (see psninv.analysis.connectivity): a non-tree link gets a random label,
a tree link the XOR of the labels of the non-tree links whose cycles pass over it. A set of
links then contains a cut exactly when some subset of their labels XORs to zero (labels are
128 bits wider than the largest group, so a false cut has probability about 2^-128), and the
sites a zero-sum subset cuts off are those below an odd number of its tree links. Groups of
more than 1024 non-bridge links (a provider's whole estate) take one search from the cores.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from psninv.analysis.connectivity import Cut, Structure
from psninv.model import srlg_tags

XOR_GROUP_LIMIT = 1024
"""Groups with at most this many non-bridge links are solved by their labels; larger ones by a search."""
_SEED = 0x5EED_D1CE


@dataclass(slots=True)
class GroupCut:
    """What failing every link of one group (an SRLG tag or a provider) does."""

    name: str
    cut: Cut
    links: dict[int, list[int]] = field(default_factory=dict)
    """For each vertex cut off, the group's links that separate it (edge indices)."""


class SharedRisk:
    """The cut-space labels of a structure, and group failures evaluated with them."""

    def __init__(self, structure: Structure, groups: Iterable[list[int]] = ()):
        self.s = structure
        net = structure.net
        largest = max((len(group) for group in groups), default=0)
        # Labels wider than the largest group solved by elimination keep false cuts at about 2^-128.
        self.bits = 64 * math.ceil((max(min(largest, XOR_GROUP_LIMIT), 64) + 128) / 64)
        rnd = random.Random(_SEED)
        tree = [False] * len(net.edge_ids)
        for v in structure.order:
            if structure.pedge[v] >= 0:
                tree[structure.pedge[v]] = True
        label = [0] * len(net.edge_ids)
        acc = [0] * net.n
        for e in range(len(net.edge_ids)):
            if not tree[e]:
                r = rnd.getrandbits(self.bits)
                label[e] = r
                acc[net.edge_a[e]] ^= r
                acc[net.edge_b[e]] ^= r
        # Each core other than its component's search root has a non-tree link to R.
        for v in structure.order:
            if net.core[v] and structure.parent[v] >= 0:
                acc[v] ^= rnd.getrandbits(self.bits)
        for v in reversed(structure.order):
            p = structure.parent[v]
            if p >= 0:
                label[structure.pedge[v]] = acc[v]
                acc[p] ^= acc[v]
        self.label = label
        self.child = {structure.pedge[v]: v for v in structure.order if structure.pedge[v] >= 0}

    def group_cut(self, name: str, edges: list[int], wanted: Callable[[int], bool]) -> GroupCut | None:
        """What failing all these links cuts off from every core, or None if it cuts off no wanted site.

        Wanted sites have two link-disjoint paths to the core, so only the group's links that are
        not bridges (label non-zero) can cut them off; bridges join the impact afterwards.
        """
        result, looped = self._solve(name, edges)
        return result if any(wanted(v) for v in looped) else None

    def event_cut(self, name: str, edges: list[int]) -> GroupCut:
        """Everything failing all these links cuts off from every core, bridges included."""
        return self._solve(name, edges)[0]

    def _solve(self, name: str, edges: list[int]) -> tuple[GroupCut, list[int]]:
        """The group's whole cut, and the sites cut off by its non-bridge links (all sites, if searched)."""
        s = self.s
        edges = [e for e in edges if s.in_core_component(s.net.edge_a[e])]
        loops = [e for e in edges if self.label[e]]
        if len(loops) > XOR_GROUP_LIMIT:
            result = self._search(name, edges)
            return result, list(result.links)
        basis: dict[int, tuple[int, int]] = {}
        kernel: list[int] = []
        for i, e in enumerate(loops):
            vec, combo = self.label[e], 1 << i
            while vec:
                top = vec.bit_length() - 1
                if top not in basis:
                    basis[top] = (vec, combo)
                    break
                bvec, bcombo = basis[top]
                vec ^= bvec
                combo ^= bcombo
            if not vec:
                kernel.append(combo)
        result = GroupCut(name, Cut())
        seen: set[int] = set()
        for combo in kernel:
            members = [loops[i] for i in range(len(loops)) if combo >> i & 1]
            events: list[int] = []
            for e in members:
                c = self.child.get(e)
                if c is not None:
                    events.append(s.disc[c])
                    events.append(s.disc[c] + s.size[c])
            events.sort()
            # Sites below an odd number of the subset's tree links are on the far side of the cut.
            start = 0
            for parity, position in enumerate(events):
                if parity % 2 == 1 and position > start:
                    self._take(result, seen, start, position, members)
                start = position
        looped = list(result.links)
        for e in sorted((e for e in edges if not self.label[e]), key=lambda e: s.disc[self.child[e]]):
            c = self.child[e]
            self._take(result, seen, s.disc[c], s.disc[c] + s.size[c], [e])
        return result, looped

    def _take(self, result: GroupCut, seen: set[int], start: int, end: int, members: list[int]) -> None:
        fresh = [v for v in self.s.order[start:end] if v not in seen]
        seen.update(fresh)
        self._count(result, fresh, members)

    def _count(self, result: GroupCut, vertices: list[int], members: list[int]) -> None:
        """Add each vertex to the group's cut, cut off by these links."""
        s = self.s
        net = s.net
        cut = result.cut
        for v in vertices:
            result.links[v] = members
            cut.count += 1
            cut.demand += net.demand[v]
            cut.tmask |= net.tmask[v]
            cut.cmask |= net.cmask[v]
            cut.spans.append((s.disc[v], s.disc[v] + 1))

    def _search(self, name: str, edges: list[int]) -> GroupCut:
        s = self.s
        net = s.net
        gone = bytearray(len(net.edge_ids))
        for e in edges:
            gone[e] = 1
        reached = bytearray(net.n)
        queue = [v for v in range(net.n) if net.core[v]]
        for v in queue:
            reached[v] = 1
        adj, ea, eb = net.adj, net.edge_a, net.edge_b
        for v in queue:  # the list grows as the search goes: a breadth-first queue without pops
            for e in adj[v]:
                if not gone[e]:
                    w = ea[e] + eb[e] - v
                    if not reached[w]:
                        reached[w] = 1
                        queue.append(w)
        result = GroupCut(name, Cut())
        cut_off = [v for v in range(net.n) if not reached[v] and s.in_core_component(v)]
        cut_set = set(cut_off)
        boundary = sorted(e for e in edges if (net.edge_a[e] in cut_set) != (net.edge_b[e] in cut_set))
        self._count(result, cut_off, boundary)
        return result


def srlg_groups(structure: Structure) -> dict[str, list[int]]:
    """Active links by SRLG tag, tags sorted."""
    groups: dict[str, list[int]] = defaultdict(list)
    for e, row in enumerate(structure.net.edge_rows):
        for tag in srlg_tags(row.get("srlg")):
            groups[tag].append(e)
    return dict(sorted(groups.items()))


def provider_groups(structure: Structure) -> dict[str, list[int]]:
    """Active links by provider, providers sorted; links with no provider belong to none."""
    groups: dict[str, list[int]] = defaultdict(list)
    for e, row in enumerate(structure.net.edge_rows):
        provider = (row.get("provider") or "").strip()
        if provider:
            groups[provider].append(e)
    return dict(sorted(groups.items()))


def disjoint_paths(structure: Structure, v: int, *, limit: int, distinct_cores: bool) -> int:
    """Link-disjoint paths from v to the cores, counted up to `limit`, by unit-capacity augmenting paths.

    With distinct_cores each path must end at a different core. Only sites the bridge structure
    leaves undecided (two paths already, more wanted) come here.
    """
    net = structure.net
    if net.core[v]:
        return limit
    # Flow per link: +1 from edge_a to edge_b, -1 the other way; a unit link carries one unit.
    used: dict[int, int] = {}
    sink_used: set[int] = set()
    flow = 0
    while flow < limit:
        prev: dict[int, tuple[int, int]] = {v: (-1, 0)}
        queue = deque([v])
        found = -1
        while queue and found < 0:
            x = queue.popleft()
            # A core that already ends a path may still pass one on when ends must differ.
            if net.core[x] and (not distinct_cores or x not in sink_used):
                found = x
                break
            for e in net.adj[x]:
                forward = 1 if net.edge_a[e] == x else -1
                if used.get(e, 0) == forward:
                    continue
                w = net.edge_a[e] + net.edge_b[e] - x
                if w not in prev:
                    prev[w] = (e, forward)
                    queue.append(w)
        if found < 0:
            break
        sink_used.add(found)
        x = found
        while x != v:
            e, forward = prev[x]
            used[e] = used.get(e, 0) + forward
            x = net.edge_a[e] + net.edge_b[e] - x
        flow += 1
    return flow
