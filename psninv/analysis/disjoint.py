"""Site-disjoint paths to the core: who hangs on one site; path pairs sharing no site, circuit or SRLG tag.

Two checks, both documented in docs/ANALYSIS.md:

- `hanging_on`: with the cores taken as one destination, the nearest non-core site whose loss
  cuts a site off (its separating site), for every site at once from the search's low values.
  A site has two paths to the core sharing no site or circuit exactly when it has two
  link-disjoint paths and no such site.
- `disjoint_pair`: two paths from one site to two *different* cores that share no site, by
  unit-capacity augmenting paths on the split-node graph (each site an in and an out node
  joined by capacity 1, a super-sink behind every core). With `srlg=True` the pair must also
  share no SRLG tag; that problem is NP-hard in general, so it is searched, not solved: the
  max-flow pair is checked first, then, for each of its two paths in turn, a path to another
  core avoiding that path's sites, circuits and tags, then the same after taking every circuit
  of a shared tag out of the first path's reach. A pair found is a proof; "none found" is not.
"""

from __future__ import annotations

from collections import deque

from psninv.analysis.connectivity import Structure
from psninv.model import srlg_tags

Path = list[int]
"""A path as the edge indices from the site to a core, in order."""


def hanging_on(s: Structure) -> list[int]:
    """For each vertex, the nearest non-core site whose loss cuts it off from every core (-1: none).

    Cores count as one destination (the search gives each a link to R), so a core never separates.
    """
    net = s.net
    sep = [-1] * net.n
    for v in s.order:
        p = s.parent[v]
        if p < 0 or net.core[v]:
            continue
        if not net.core[p] and s.low[v] >= s.disc[p]:
            sep[v] = p
        else:
            sep[v] = sep[p]
    return sep


class SplitGraph:
    """The split-node flow graph of a network, built once; each query undoes its own flow afterwards.

    Site x is an in node 2x and an out node 2x+1 joined by an arc of capacity 1; each circuit
    a–b is two arcs out(a)→in(b) and out(b)→in(a); every core's out node has an arc to the sink.
    """

    def __init__(self, s: Structure):
        net = s.net
        self.s = s
        n = net.n
        self.sink = 2 * n
        head: list[int] = []
        cap: list[int] = []
        edge: list[int] = []
        out: list[list[int]] = [[] for _ in range(2 * n + 1)]

        def arc(u: int, w: int, e: int) -> None:
            out[u].append(len(head))
            head.append(w)
            cap.append(1)
            edge.append(e)
            out[w].append(len(head))  # the reverse arc, capacity 0: arcs come in pairs i, i ^ 1
            head.append(u)
            cap.append(0)
            edge.append(e)

        for x in range(n):
            arc(2 * x, 2 * x + 1, -1)
            if net.core[x]:
                arc(2 * x + 1, self.sink, -1)
        for e in range(len(net.edge_ids)):
            a, b = net.edge_a[e], net.edge_b[e]
            arc(2 * a + 1, 2 * b, e)
            arc(2 * b + 1, 2 * a, e)
        self.head, self.cap, self.edge, self.out = head, cap, edge, out
        self.tags = [frozenset(srlg_tags(row.get("srlg"))) for row in net.edge_rows]
        self.by_tag: dict[str, set[int]] = {}
        for e, tags in enumerate(self.tags):
            for tag in tags:
                self.by_tag.setdefault(tag, set()).add(e)

    def pair(self, v: int, banned: set[int] = frozenset()) -> tuple[Path, Path] | None:  # type: ignore[assignment]
        """Two paths from v to two different cores sharing no site or circuit (avoiding banned circuits)."""
        head, cap, edge, out, sink = self.head, self.cap, self.edge, self.out, self.sink
        changed: list[int] = []
        start = 2 * v + 1
        try:
            for _ in range(2):
                prev = {start: -1}
                queue = deque([start])
                while queue and sink not in prev:
                    u = queue.popleft()
                    for i in out[u]:
                        w = head[i]
                        if cap[i] > 0 and w not in prev and w != 2 * v and edge[i] not in banned:
                            prev[w] = i
                            if w == sink:
                                break
                            queue.append(w)
                if sink not in prev:
                    return None
                w = sink
                while w != start:
                    i = prev[w]
                    cap[i] -= 1
                    cap[i ^ 1] += 1
                    changed.append(i)
                    w = head[i ^ 1]
            return self._paths(start)
        finally:
            for i in changed:
                cap[i] += 1
                cap[i ^ 1] -= 1

    def _paths(self, start: int) -> tuple[Path, Path] | None:
        head, cap, edge, out, sink = self.head, self.cap, self.edge, self.out, self.sink
        paths: list[Path] = []
        for first in out[start]:
            if first % 2 or cap[first] != 0:
                continue  # a reverse arc, or a forward one carrying no flow
            path: Path = []
            i = first
            while True:
                if edge[i] >= 0:
                    path.append(edge[i])
                w = head[i]
                if w == sink:
                    break
                i = next(j for j in out[w] if j % 2 == 0 and cap[j] == 0)
            paths.append(path)
        return (paths[0], paths[1]) if len(paths) == 2 else None


def srlg_disjoint_pair(g: SplitGraph, v: int) -> tuple[Path, Path] | None:
    """Two paths from v to different cores sharing no site, circuit or SRLG tag, if the search finds them."""
    s = g.s
    pair = g.pair(v)
    if pair is None:
        return None
    tags = g.tags
    if not (_path_tags(tags, pair[0]) & _path_tags(tags, pair[1])):
        return pair
    tries = [pair[0], pair[1]]
    for tag in sorted(_path_tags(tags, pair[0]) & _path_tags(tags, pair[1])):
        alternative = g.pair(v, g.by_tag[tag])
        if alternative is not None:
            if not (_path_tags(tags, alternative[0]) & _path_tags(tags, alternative[1])):
                return alternative
            tries += [alternative[0], alternative[1]]
    for first in tries:
        second = _avoiding(s, v, first, tags)
        if second is not None:
            return first, second
    return None


def _path_tags(tags: list[frozenset[str]], path: Path) -> set[str]:
    return set().union(*(tags[e] for e in path)) if path else set()


def _avoiding(s: Structure, v: int, first: Path, tags: list[frozenset[str]]) -> Path | None:
    """A path from v to a core other than first's end avoiding first's sites, circuits and tags."""
    net = s.net
    blocked_sites = set()
    x = v
    for e in first:
        x = net.edge_a[e] + net.edge_b[e] - x
        blocked_sites.add(x)
    shared = _path_tags(tags, first)
    blocked = set(first)
    prev: dict[int, int] = {v: -1}
    queue = deque([v])
    while queue:
        x = queue.popleft()
        if net.core[x] and x != v:
            path: Path = []
            while x != v:
                e = prev[x]
                path.append(e)
                x = net.edge_a[e] + net.edge_b[e] - x
            return path[::-1]
        for e in net.adj[x]:
            if e in blocked or tags[e] & shared:
                continue
            w = net.edge_a[e] + net.edge_b[e] - x
            if w in prev or w in blocked_sites:
                continue
            prev[w] = e
            queue.append(w)
    return None
