"""Topology Zoo networks (no cores): bridges and cut sites equal networkx's on the same graph."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from conftest import TOPOLOGY_ZOO

from psninv.analysis.redundancy import find_redundancy
from psninv.analysis.whatif import simulate_failures
from psninv.graph import build_graph
from psninv.io.importer import import_files
from psninv.store import Store

FILES = sorted(TOPOLOGY_ZOO.glob("*.graphml"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bridges_and_cut_sites_equal_networkx(store: Store, path: Path) -> None:
    assert import_files(store, [path]).ok
    inventory = store.load()
    findings, summary = find_redundancy(inventory)

    graph = build_graph(inventory)
    simple = nx.Graph(graph)
    expected_bridges = {
        cid for a, b in nx.bridges(simple) if graph.number_of_edges(a, b) == 1 for cid in graph[a][b]
    }
    assert {f.links[0] for f in findings if f.kind == "bridge"} == expected_bridges
    assert {f.sites[0] for f in findings if f.kind == "cut-site"} == set(nx.articulation_points(simple))
    assert summary.mode == "whole-network"

    # The same counts straight from the file, read by networkx with parallel edges kept.
    raw = nx.read_graphml(path, force_multigraph=True)
    raw_simple = nx.Graph(raw)
    raw_bridges = [e for e in nx.bridges(raw_simple) if raw.number_of_edges(*e) == 1]
    assert len(raw_bridges) == len(expected_bridges)
    assert len(list(nx.articulation_points(raw_simple))) == summary.by_kind["cut-site"]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_without_a_core_impact_is_what_a_what_if_cuts_off(store: Store, path: Path) -> None:
    assert import_files(store, [path]).ok
    inventory = store.load()
    for f in find_redundancy(inventory)[0]:
        if f.kind == "bridge":
            cut = simulate_failures(inventory, f.links).cut_off_sites
            assert len(cut) == f.impact["sites_cut_off"], f.id
        if f.kind == "cut-site":
            cut = simulate_failures(inventory, f.sites).cut_off_sites
            assert len(cut) == f.impact["sites_cut_off"], f.id
