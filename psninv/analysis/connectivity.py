"""Bridges, cut sites and who each cuts off, from one iterative depth-first search over integer arrays.

The rest of psninv sees the network as the networkx MultiGraph of psninv.graph; this module
builds the same graph (active circuits, failed sites and circuits left out) as flat integer
arrays, because networkx's bridges take seconds on 100k sites while one pass here also yields
subtree sizes, demand and tenants, which the impact of every finding needs.

A virtual root R is joined by one link to every core site, and the search runs from R; in a
component without a core it runs from its first site. Three low-link values come out of the
one search:

- `low_g`: in the network itself (R ignored): its bridges and articulation points;
- `low`: with R: a link or site whose loss separates sites from R cuts them off from every core;
- `low_col`: with R and parallel circuits collapsed into one: what remedies must fix, since two
  circuits to one neighbour leave by the same path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from psninv.analysis.failures import expand_failures
from psninv.graph import is_active, is_live
from psninv.inventory import Inventory
from psninv.model import CORE_ROLES, Criticality

CRIT_BITS = {Criticality.STANDARD.value: 1, Criticality.HIGH.value: 2, Criticality.CRITICAL.value: 4}
CRIT_OF_BIT = {4: Criticality.CRITICAL.value, 2: Criticality.HIGH.value, 1: Criticality.STANDARD.value}

SITE_LIST_CAP = 1000
"""Findings list at most this many cut-off sites; the count is always complete."""


def criticality(site: dict) -> str:
    """A site's criticality, a blank or unknown one counting as standard."""
    value = site.get("criticality")
    return value if value in CRIT_BITS else Criticality.STANDARD.value


def worst_criticality(cmask: int) -> str | None:
    """The highest criticality present in a criticality bit mask, or None for an empty one."""
    if not cmask:
        return None
    return CRIT_OF_BIT[1 << (cmask.bit_length() - 1)]


@dataclass(slots=True)
class Network:
    """The active network as integer arrays: vertex i is site codes[i], edge j is circuit edge_ids[j]."""

    codes: list[str]
    index: dict[str, int]
    sites: list[dict]
    edge_ids: list[str]
    edge_rows: list[dict]
    edge_a: list[int]
    edge_b: list[int]
    adj: list[list[int]]
    core: list[bool]
    demand: list[float]
    tmask: list[int]
    cmask: list[int]
    tenants: list[str]
    crit: list[str] = field(default_factory=list)
    """Each site's criticality, a blank or unknown one as standard."""

    @property
    def n(self) -> int:
        """The number of sites."""
        return len(self.codes)

    def other(self, edge: int, vertex: int) -> int:
        """The far end of an edge from a vertex."""
        return self.edge_a[edge] + self.edge_b[edge] - vertex

    def tenant_codes(self, mask: int) -> list[str]:
        """The sorted tenant codes of a tenant bit mask."""
        # A mask is as long as its highest tenant's index (thousands of bits at 100k sites), so every
        # big-int operation on it costs that much: one tenant is read off its length, many off one
        # pass over its binary digits, never one operation per tenant.
        count = mask.bit_count()
        if count <= 1:
            return [self.tenants[mask.bit_length() - 1]] if count else []
        digits = bin(mask)[:1:-1]
        out = []
        bit = digits.find("1")
        while bit >= 0:
            out.append(self.tenants[bit])
            bit = digits.find("1", bit + 1)
        return out


def build_network(inventory: Inventory, *, failed: Iterable[str] = ()) -> Network:
    """The active network of an inventory without the failed sites and circuits, as integer arrays.

    Same rules as psninv.graph.build_graph: planned and ceased circuits, circuits touching a
    failed, unknown or not live site (status planned, decommissioning or closed), and loops are
    left out.
    """
    failed = set(expand_failures(inventory, failed).names)
    # Sites planned, decommissioning or closed are not in the live network (blank means active).
    codes = sorted(code for code, row in inventory.sites.items() if code not in failed and is_live(row))
    index = {code: i for i, code in enumerate(codes)}
    sites = [inventory.sites[code] for code in codes]
    tenant_names = sorted(
        {s["tenant"] for s in sites if s.get("tenant")} | {t for s in sites for t in s.get("occupants") or ()}
    )
    tenant_bit = {t: 1 << i for i, t in enumerate(tenant_names)}
    tmask = []
    crit = [criticality(site) for site in sites]
    cmask = [CRIT_BITS[level] for level in crit]
    demand = [float(site.get("demand_mbps") or 0.0) for site in sites]
    core = [site.get("role") in CORE_ROLES for site in sites]
    for site in sites:
        mask = tenant_bit.get(site.get("tenant") or "", 0)
        for occupant in site.get("occupants") or ():
            mask |= tenant_bit[occupant]
        tmask.append(mask)

    edge_ids: list[str] = []
    edge_rows: list[dict] = []
    edge_a: list[int] = []
    edge_b: list[int] = []
    adj: list[list[int]] = [[] for _ in codes]
    links = inventory.links
    for cid in sorted(links):
        link = links[cid]
        if not is_active(link) or cid in failed:
            continue
        a = index.get(link["a_site"])
        b = index.get(link["b_site"])
        if a is None or b is None or a == b:
            continue
        edge = len(edge_ids)
        edge_ids.append(cid)
        edge_rows.append(link)
        edge_a.append(a)
        edge_b.append(b)
        adj[a].append(edge)
        adj[b].append(edge)
    return Network(
        codes=codes,
        index=index,
        sites=sites,
        edge_ids=edge_ids,
        edge_rows=edge_rows,
        edge_a=edge_a,
        edge_b=edge_b,
        adj=adj,
        core=core,
        demand=demand,
        tmask=tmask,
        cmask=cmask,
        tenants=tenant_names,
        crit=crit,
    )


@dataclass(slots=True)
class Cut:
    """A set of sites, as ranges of the search order, with its size, demand, tenants and criticalities."""

    spans: list[tuple[int, int]] = field(default_factory=list)
    count: int = 0
    demand: float = 0.0
    tmask: int = 0
    cmask: int = 0

    def add(self, other: Cut) -> None:
        """Merge a disjoint cut into this one."""
        self.spans.extend(other.spans)
        self.count += other.count
        self.demand += other.demand
        self.tmask |= other.tmask
        self.cmask |= other.cmask

    def vertices(self, order: list[int]) -> Iterator[int]:
        """Each vertex of the cut."""
        for start, end in self.spans:
            yield from order[start:end]


@dataclass(slots=True)
class Structure:
    """The search forest from R with low-link values, subtree aggregates, bridges and cut sites."""

    net: Network
    order: list[int]
    disc: list[int]
    parent: list[int]
    pedge: list[int]
    size: list[int]
    low_g: list[int]
    low: list[int]
    low_col: list[int]
    comp: list[int]
    comp_root: list[int]
    comp_cores: list[int]
    sub_demand: list[float]
    sub_tmask: list[int]
    sub_cmask: list[int]
    children: list[list[int]]
    bridges: list[int]
    cut_sites: list[int]
    reach2: list[bool]
    _prefix: dict[int, tuple[list[float], list[int], list[int], list[int], list[int]]] = field(
        default_factory=dict
    )

    @property
    def has_core(self) -> bool:
        """True if any site is a core or data centre."""
        return any(self.comp_cores)

    def in_core_component(self, v: int) -> bool:
        """True if the vertex shares a component with a core."""
        return self.comp_cores[self.comp[v]] > 0

    def paths_to_core(self, v: int) -> int:
        """Link-disjoint paths from a vertex to the core, counted up to 2 (0 where none is reachable)."""
        if not self.in_core_component(v):
            return 0
        return 2 if self.reach2[v] else 1

    def subtree(self, v: int) -> Cut:
        """The subtree of v as a cut."""
        d, size = self.disc[v], self.size[v]
        return Cut([(d, d + size)], size, self.sub_demand[v], self.sub_tmask[v], self.sub_cmask[v])

    def single(self, v: int) -> Cut:
        """One site as a cut."""
        net = self.net
        d = self.disc[v]
        return Cut([(d, d + 1)], 1, net.demand[v], net.tmask[v], net.cmask[v])

    def _prefixes(self, k: int) -> tuple[list[float], list[int], list[int], list[int], list[int]]:
        # Prefix sums and ORs over one component's order, built only for components that need them.
        cached = self._prefix.get(k)
        if cached is not None:
            return cached
        net = self.net
        root = self.comp_root[k]
        start, end = self.disc[root], self.disc[root] + self.size[root]
        verts = self.order[start:end]
        pd = [0.0]
        pt = [0]
        pc = [0]
        for v in verts:
            pd.append(pd[-1] + net.demand[v])
            pt.append(pt[-1] | net.tmask[v])
            pc.append(pc[-1] | net.cmask[v])
        st = [0] * (len(verts) + 1)
        sc = [0] * (len(verts) + 1)
        for i in range(len(verts) - 1, -1, -1):
            st[i] = st[i + 1] | net.tmask[verts[i]]
            sc[i] = sc[i + 1] | net.cmask[verts[i]]
        cached = (pd, pt, pc, st, sc)
        self._prefix[k] = cached
        return cached

    def outside(self, v: int, kept: list[int]) -> Cut:
        """The part of v's component outside v's subtree, plus the subtrees of the children `kept`."""
        k = self.comp[v]
        root = self.comp_root[k]
        base = self.disc[root]
        end = base + self.size[root]
        pd, pt, pc, st, sc = self._prefixes(k)
        a, b = self.disc[v] - base, self.disc[v] + self.size[v] - base
        cut = Cut(
            [(base, self.disc[v]), (self.disc[v] + self.size[v], end)],
            (end - base) - self.size[v],
            (pd[a] - pd[0]) + (pd[-1] - pd[b]),
            pt[a] | st[b],
            pc[a] | sc[b],
        )
        for c in kept:
            cut.add(self.subtree(c))
        return cut

    def bridge_cut(self, v: int) -> tuple[Cut, bool]:
        """Who loses the core when the tree link into v fails, and whether that side keeps no core.

        In a component with a core: the subtree of v if it holds no core (else nobody: the
        network splits but each side keeps a core). Without a core: the smaller side.
        """
        p = self.parent[v]
        if self.in_core_component(v):
            if self.low[v] > self.disc[p]:
                return self.subtree(v), True
            return Cut(), False
        comp_size = self.size[self.comp_root[self.comp[v]]]
        if self.size[v] <= comp_size - self.size[v]:
            return self.subtree(v), True
        return self.outside(v, []), True

    def site_cut(self, v: int) -> tuple[Cut, int]:
        """Who loses the core when site v fails (v itself not counted), and into how many parts it splits."""
        separated = [c for c in self.children[v] if self.low_g[c] >= self.disc[v]]
        is_root = self.parent[v] < 0
        parts = len(separated) + (0 if is_root else 1)
        cut = Cut()
        if self.in_core_component(v):
            for c in self.children[v]:
                if self.low[c] >= self.disc[v]:
                    cut.add(self.subtree(c))
            return cut, parts
        # Without a core, every part but the largest is cut off (the rest of the tree counts as a part).
        comp_size = self.size[self.comp_root[self.comp[v]]]
        rest = 0 if is_root else comp_size - 1 - sum(self.size[c] for c in separated)
        largest = max((self.size[c] for c in separated), default=0)
        if rest >= largest:
            for c in separated:
                cut.add(self.subtree(c))
            return cut, parts
        biggest = next(c for c in separated if self.size[c] == largest)
        kept = [c for c in self.children[v] if c not in separated]
        if not is_root:
            cut.add(self.outside(v, kept))
        for c in separated:
            if c != biggest:
                cut.add(self.subtree(c))
        return cut, parts

    def codes(self, cut: Cut, cap: int = SITE_LIST_CAP) -> list[str]:
        """The site codes of a cut, sorted: all of them, or `cap` of them where there are more."""
        names = self.net.codes
        if cut.count == 1 and cap > 0 and len(cut.spans) == 1:
            # Most findings are about one site: no slicing, no sort.
            start, end = cut.spans[0]
            if end - start == 1:
                return [names[self.order[start]]]
        out: list[str] = []
        for start, end in cut.spans:
            if len(out) >= cap:
                break
            out.extend(names[v] for v in self.order[start : min(end, start + cap - len(out))])
        out.sort()
        return out


def analyse_structure(net: Network) -> Structure:
    """Run the search from R over every component and derive bridges, cut sites and aggregates."""
    n = net.n
    adj, ea, eb, core = net.adj, net.edge_a, net.edge_b, net.core
    disc = [-1] * n
    parent = [-1] * n
    pedge = [-1] * n
    size = [1] * n
    low_g = [0] * n
    low = [0] * n
    low_col = [0] * n
    comp = [0] * n
    pos = [0] * n
    order: list[int] = []
    comp_root: list[int] = []
    comp_cores: list[int] = []

    roots = [v for v in range(n) if core[v]] + list(range(n))
    t = 0
    for r in roots:
        if disc[r] >= 0:
            continue
        k = len(comp_root)
        comp_root.append(r)
        cores_here = 0
        disc[r] = t
        low_g[r] = low[r] = low_col[r] = t
        comp[r] = k
        order.append(r)
        t += 1
        if core[r]:
            cores_here += 1
        stack = [r]
        while stack:
            v = stack[-1]
            i = pos[v]
            edges = adj[v]
            if i < len(edges):
                pos[v] = i + 1
                e = edges[i]
                if e == pedge[v]:
                    continue
                w = ea[e] + eb[e] - v
                dw = disc[w]
                if dw < 0:
                    parent[w] = v
                    pedge[w] = e
                    disc[w] = t
                    comp[w] = k
                    order.append(w)
                    low_g[w] = t
                    # Every core but the search root has its own link to R, which is a back link to -1.
                    if core[w]:
                        low[w] = low_col[w] = -1
                        cores_here += 1
                    else:
                        low[w] = low_col[w] = t
                    t += 1
                    stack.append(w)
                else:
                    if dw < low_g[v]:
                        low_g[v] = dw
                    if dw < low[v]:
                        low[v] = dw
                    # A second circuit to the parent is no second path once parallel links are collapsed.
                    if dw < low_col[v] and w != parent[v]:
                        low_col[v] = dw
            else:
                stack.pop()
                p = parent[v]
                if p >= 0:
                    size[p] += size[v]
                    if low_g[v] < low_g[p]:
                        low_g[p] = low_g[v]
                    if low[v] < low[p]:
                        low[p] = low[v]
                    if low_col[v] < low_col[p]:
                        low_col[p] = low_col[v]
        comp_cores.append(cores_here)

    sub_demand = list(net.demand)
    sub_tmask = list(net.tmask)
    sub_cmask = list(net.cmask)
    children: list[list[int]] = [[] for _ in range(n)]
    for v in reversed(order):
        p = parent[v]
        if p >= 0:
            sub_demand[p] += sub_demand[v]
            sub_tmask[p] |= sub_tmask[v]
            sub_cmask[p] |= sub_cmask[v]
            children[p].append(v)
    for kids in children:
        kids.reverse()

    bridges = []
    cut_sites = []
    reach2 = [False] * n
    for v in order:
        p = parent[v]
        if p < 0:
            reach2[v] = comp_cores[comp[v]] > 0
            if len(children[v]) >= 2:
                cut_sites.append(v)
            continue
        dp = disc[p]
        if low_g[v] > dp:
            bridges.append(pedge[v])
        reach2[v] = reach2[p] and low[v] <= dp
    for v in order:
        if parent[v] >= 0 and any(low_g[c] >= disc[v] for c in children[v]):
            cut_sites.append(v)
    return Structure(
        net=net,
        order=order,
        disc=disc,
        parent=parent,
        pedge=pedge,
        size=size,
        low_g=low_g,
        low=low,
        low_col=low_col,
        comp=comp,
        comp_root=comp_root,
        comp_cores=comp_cores,
        sub_demand=sub_demand,
        sub_tmask=sub_tmask,
        sub_cmask=sub_cmask,
        children=children,
        bridges=sorted(bridges),
        cut_sites=sorted(cut_sites),
        reach2=reach2,
    )


def bridges_and_cut_sites(inventory: Inventory, *, failed: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """The circuit IDs of the bridges and the codes of the cut sites of the active network, sorted."""
    structure = analyse_structure(build_network(inventory, failed=failed))
    net = structure.net
    return (
        sorted(net.edge_ids[e] for e in structure.bridges),
        sorted(net.codes[v] for v in structure.cut_sites),
    )
