"""Site-disjoint paths: hanging_on and the split-node pair equal brute force and networkx (random graphs)."""

from __future__ import annotations

import random

import networkx as nx

from psninv.analysis.connectivity import analyse_structure, build_network
from psninv.analysis.disjoint import SplitGraph, hanging_on, srlg_disjoint_pair
from psninv.inventory import Inventory


def random_inventory(rnd: random.Random, cores: int) -> tuple[Inventory, nx.MultiGraph]:
    graph = nx.gnm_random_graph(24, 34, seed=rnd.randrange(10**6))
    multi = nx.MultiGraph(graph)
    for a, b in rnd.sample(list(graph.edges), 4):
        multi.add_edge(a, b)
    inventory = Inventory()
    core_nodes = set(rnd.sample(list(multi.nodes), cores))
    for node in multi.nodes:
        role = "core" if node in core_nodes else "access"
        inventory.sites[f"N{node:02d}"] = {"code": f"N{node:02d}", "occupants": [], "role": role}
    for i, (a, b) in enumerate(multi.edges()):
        tag = rnd.choice(["", "", "exchange:X", "duct:Y", "exchange:X;duct:Z"])
        inventory.links[f"E{i:03d}"] = {
            "circuit_id": f"E{i:03d}",
            "a_site": f"N{a:02d}",
            "b_site": f"N{b:02d}",
            "srlg": tag or None,
        }
    return inventory, multi


def test_hanging_on_is_the_nearest_site_whose_loss_cuts_a_site_off() -> None:
    rnd = random.Random(5)
    for _ in range(30):
        inventory, multi = random_inventory(rnd, cores=rnd.choice([1, 2, 3]))
        s = analyse_structure(build_network(inventory))
        net = s.net
        sep = hanging_on(s)
        cores = {net.codes[v] for v in range(net.n) if net.core[v]}
        for v in range(net.n):
            code = net.codes[v]
            if net.core[v] or not s.in_core_component(v):
                continue
            separators = set()
            for u in multi.nodes:
                name = f"N{u:02d}"
                if name in cores or name == code:
                    continue
                rest = multi.copy()
                rest.remove_node(u)
                if not any(nx.has_path(rest, int(code[1:]), int(c[1:])) for c in cores):
                    separators.add(name)
            assert (sep[v] >= 0) == bool(separators), code
            if sep[v] >= 0:
                assert net.codes[sep[v]] in separators


def test_the_pair_exists_exactly_when_two_site_disjoint_paths_reach_two_cores() -> None:
    rnd = random.Random(8)
    for _ in range(30):
        inventory, multi = random_inventory(rnd, cores=rnd.choice([2, 3]))
        s = analyse_structure(build_network(inventory))
        net = s.net
        g = SplitGraph(s)
        simple = nx.Graph(multi)
        for v in range(net.n):
            if net.core[v]:
                continue
            flow = nx.DiGraph()
            for a, b in simple.edges():
                for x, y in ((a, b), (b, a)):
                    flow.add_edge(f"{x}o", f"{y}i", capacity=1)
            for x in simple.nodes:
                flow.add_edge(f"{x}i", f"{x}o", capacity=1)
                if net.core[net.index[f"N{x:02d}"]]:
                    flow.add_edge(f"{x}o", "T", capacity=1)
            node = int(net.codes[v][1:])
            expected = nx.maximum_flow_value(flow, f"{node}o", "T") >= 2 if node in simple else False
            pair = g.pair(v)
            assert (pair is not None) == expected, net.codes[v]
            if pair is None:
                continue
            seen: list[set[int]] = []
            ends = []
            for path in pair:
                x, sites = v, set()
                for e in path:
                    assert x in (net.edge_a[e], net.edge_b[e])
                    x = net.edge_a[e] + net.edge_b[e] - x
                    sites.add(x)
                assert net.core[x]
                ends.append(x)
                seen.append(sites)
            assert not seen[0] & seen[1] and ends[0] != ends[1]
            found = srlg_disjoint_pair(g, v)
            if found is not None:
                tags = [set().union(*(g.tags[e] for e in path)) for path in found]
                assert not tags[0] & tags[1]


def test_a_high_site_whose_paths_all_pass_one_hub_is_below_the_default_policy(build, tmp_path) -> None:
    from builders import link, site

    from psninv.analysis.policy import Policy
    from psninv.analysis.redundancy import find_redundancy

    inventory = build(
        tenants=[{"code": "T1"}],
        sites=[
            site("DC1", "T1", role="core"),
            site("DC2", "T1", role="core"),
            site("HUB", "T1", role="hub"),
            site("A", "T1"),
            site("B", "T1"),
            site("H", "T1", crit="high"),
            site("OK", "T1", crit="high"),
        ],
        links=[
            link("C1", "DC1", "DC2"),
            link("U1", "HUB", "DC1"),
            link("U2", "HUB", "DC2"),
            link("HA", "H", "A"),
            link("HB", "H", "B"),
            link("AH", "A", "HUB"),
            link("BH", "B", "HUB"),
            link("O1", "OK", "DC1"),
            link("O2", "OK", "DC2"),
        ],
    )
    findings, _ = find_redundancy(inventory)
    below = {f.sites[0]: f for f in findings if f.kind == "below-policy"}
    assert set(below) == {"H"}
    assert below["H"].impact["measured"]["hangs_on"] == "HUB"
    assert below["H"].impact["shortfalls"] == [
        "needs two paths to the core sharing no site; every path passes through HUB"
    ]

    path = tmp_path / "policy.toml"
    path.write_text('[high]\ndisjoint = "link"\n', encoding="utf-8")
    findings, _ = find_redundancy(inventory, policy=Policy.load(path))
    assert "below-policy" not in {f.kind for f in findings}


def test_a_critical_site_needs_two_cores_by_paths_sharing_no_srlg_tag(build) -> None:
    from builders import link, site

    from psninv.analysis.redundancy import find_redundancy

    def run(tag_b: str) -> list[str]:
        inventory = build(
            tenants=[{"code": "T1"}],
            sites=[
                site("DC1", "T1", role="core"),
                site("DC2", "T1", role="core"),
                site("X", "T1"),
                site("Y", "T1"),
                site("C", "T1", crit="critical"),
            ],
            links=[
                link("CORE", "DC1", "DC2"),
                link("CX", "C", "X", srlg="duct:1"),
                link("CY", "C", "Y", srlg=tag_b),
                link("X1", "X", "DC1", srlg="exchange:E"),
                link("Y2", "Y", "DC2", srlg="exchange:E" if tag_b == "duct:2" else "exchange:F"),
            ],
        )
        findings, _ = find_redundancy(inventory)
        return [s for f in findings if f.kind == "below-policy" for s in f.impact["shortfalls"]]

    # Both paths cross exchange:E further up: one event cuts C off, and the pair shares a tag.
    assert any("exchange:E" in s for s in run("duct:2"))
