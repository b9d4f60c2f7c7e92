"""Hand-built networks with known answers: every redundancy kind, its sites, links and impact."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from builders import link, site

from psninv.analysis import analyse
from psninv.analysis.connectivity import analyse_structure, bridges_and_cut_sites, build_network
from psninv.analysis.finding import Finding, Severity
from psninv.analysis.redundancy import find_redundancy
from psninv.inventory import Inventory

TENANTS = [{"code": code} for code in ("T1", "T2", "T3", "T4")]


def by_kind(findings: list[Finding], kind: str) -> dict[str, Finding]:
    """Findings of one kind by subject."""
    return {f.id.split(":", 1)[1]: f for f in findings if f.kind == kind}


def test_parallel_links_are_never_bridges_but_leave_the_site_single_homed(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core"), site("HUB", "T1", role="hub"), site("A", "T1")],
        links=[link("C1", "DC", "HUB"), link("C2", "HUB", "A"), link("C3", "HUB", "A")],
    )
    findings, summary = find_redundancy(inventory)

    assert set(by_kind(findings, "bridge")) == {"C1"}
    single = by_kind(findings, "single-homed")
    assert set(single) == {"A", "DC"}  # the core hangs off HUB alone too
    assert single["A"].sites == ["A", "HUB"] and single["A"].links == ["C2", "C3"]
    bridge = by_kind(findings, "bridge")["C1"]
    assert bridge.impact["sites_cut_off"] == 2
    assert bridge.impact["cut_off_sites"] == ["A", "HUB"]
    assert set(by_kind(findings, "cut-site")) == {"HUB"}
    assert summary.by_kind["bridge"] == 1


def test_a_ring_has_no_single_point_of_failure(build) -> None:
    codes = ["DC", "R1", "R2", "R3", "R4"]
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core")] + [site(c, "T1", crit="high") for c in codes[1:]],
        links=[link(f"C{i}", codes[i], codes[(i + 1) % 5]) for i in range(5)],
    )
    findings, summary = find_redundancy(inventory)

    gaps = [f for f in findings if f.kind in ("bridge", "cut-site", "single-homed", "isolated-site")]
    assert gaps == []
    assert summary.remedy.lower_bound == 0 and summary.remedy.proposed == 0


def test_a_star_makes_every_spoke_a_bridge_and_the_centre_a_cut_site(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core"), site("HUB", "T1", role="hub")]
        + [site(f"A{i}", f"T{i}") for i in range(1, 4)],
        links=[link("UP", "DC", "HUB")] + [link(f"C{i}", "HUB", f"A{i}") for i in range(1, 4)],
    )
    findings, _ = find_redundancy(inventory)

    bridges = by_kind(findings, "bridge")
    assert set(bridges) == {"UP", "C1", "C2", "C3"}
    assert bridges["C2"].impact["cut_off_sites"] == ["A2"]
    assert bridges["C2"].impact["tenants_affected"] == ["T2"]
    assert bridges["UP"].impact["sites_cut_off"] == 4
    assert set(by_kind(findings, "single-homed")) == {"A1", "A2", "A3", "DC"}
    hub = by_kind(findings, "cut-site")["HUB"]
    assert hub.impact["cut_off_sites"] == ["A1", "A2", "A3"]
    assert hub.impact["tenants_affected"] == ["T1", "T2", "T3"]
    assert hub.impact["parts"] == 4


def test_a_chain_cuts_off_everything_beyond_each_link_and_site(build) -> None:
    codes = ["DC", "B", "C", "D", "E"]
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core")] + [site(c, "T1", demand_mbps=10) for c in codes[1:]],
        links=[link(f"C{i}", codes[i], codes[i + 1]) for i in range(4)],
    )
    findings, _ = find_redundancy(inventory)

    bridges = by_kind(findings, "bridge")
    assert {cid: f.impact["sites_cut_off"] for cid, f in bridges.items()} == {
        "C0": 4,
        "C1": 3,
        "C2": 2,
        "C3": 1,
    }
    assert bridges["C1"].impact["cut_off_sites"] == ["C", "D", "E"]
    assert bridges["C1"].impact["demand_mbps_lost"] == 30.0
    cut = by_kind(findings, "cut-site")
    assert {code: f.impact["sites_cut_off"] for code, f in cut.items()} == {"B": 3, "C": 2, "D": 1}
    assert set(by_kind(findings, "single-homed")) == {"DC", "E"}


def test_without_a_core_the_smaller_side_is_cut_off(build) -> None:
    # Two triangles joined by a chain X–Y: whichever way the search runs, the smaller side is the impact.
    inventory = build(
        tenants=TENANTS,
        sites=[site(c, "T1") for c in ("A1", "A2", "A3", "X", "Y", "B1", "B2")],
        links=[
            link("a1", "A1", "A2"),
            link("a2", "A2", "A3"),
            link("a3", "A3", "A1"),
            link("ax", "A1", "X"),
            link("xy", "X", "Y"),
            link("yb", "Y", "B1"),
            link("b1", "B1", "B2"),
        ],
    )
    findings, summary = find_redundancy(inventory)

    assert summary.mode == "whole-network"
    bridges = by_kind(findings, "bridge")
    assert set(bridges) == {"ax", "xy", "yb", "b1"}
    assert bridges["xy"].impact["cut_off_sites"] == ["B1", "B2", "Y"]
    assert bridges["ax"].impact["cut_off_sites"] == ["A1", "A2", "A3"]  # 3 against 4
    assert bridges["b1"].impact["cut_off_sites"] == ["B2"]
    cut = by_kind(findings, "cut-site")
    assert set(cut) == {"A1", "X", "Y", "B1"}
    assert cut["X"].impact["sites_cut_off"] == 3  # a tie: either side of X, never both
    assert cut["A1"].impact["cut_off_sites"] == ["A2", "A3"]


def test_two_components_each_analysed_and_the_coreless_one_counted(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC", "T1", role="core"),
            site("A", "T1"),
            site("P", "T1"),
            site("Q", "T1"),
            site("LONE", "T1"),
        ],
        links=[link("C1", "DC", "A"), link("C2", "P", "Q")],
    )
    findings, summary = find_redundancy(inventory)

    assert summary.components == 4 - 1
    assert summary.sites_without_core == 3
    assert set(by_kind(findings, "bridge")) == {"C1", "C2"}
    assert by_kind(findings, "bridge")["C1"].impact["cut_off_sites"] == ["A"]
    assert by_kind(findings, "bridge")["C2"].impact["sites_cut_off"] == 1
    isolated = by_kind(findings, "isolated-site")
    assert set(isolated) == {"LONE"}
    assert isolated["LONE"].impact["cut_off_sites"] == ["LONE"]


def test_ceased_and_planned_links_are_ignored(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core"), site("A", "T1"), site("B", "T1")],
        links=[
            link("C1", "DC", "A"),
            link("C2", "DC", "B"),
            link("OLD", "A", "B", status="ceased"),
            link("NEW", "B", "DC", status="planned"),
        ],
    )
    findings, _ = find_redundancy(inventory)

    assert set(by_kind(findings, "bridge")) == {"C1", "C2"}
    assert set(by_kind(findings, "single-homed")) == {"A", "B"}
    assert all("OLD" not in f.links and "NEW" not in f.links for f in findings)


def test_a_link_between_two_cores_splits_the_network_but_cuts_nobody_off(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC1", "T1", role="core"),
            site("DC2", "T1", role="datacentre"),
            site("A", "T1"),
            site("B", "T1"),
        ],
        links=[
            link("A1", "DC1", "A"),
            link("A2", "DC1", "A"),
            link("X", "DC1", "DC2"),
            link("B1", "DC2", "B"),
            link("B2", "DC2", "B"),
        ],
    )
    findings, _ = find_redundancy(inventory)

    split = by_kind(findings, "bridge")["X"]
    assert split.severity == Severity.LOW
    assert split.impact["sites_cut_off"] == 0 and split.impact["splits_network"] is True
    assert {code: f.impact["sites_cut_off"] for code, f in by_kind(findings, "cut-site").items()} == {
        "DC1": 1,
        "DC2": 1,
    }


def test_srlg_shared_by_both_paths_is_a_shared_risk_and_below_policy_for_critical(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC1", "T1", role="core"),
            site("DC2", "T1", role="core"),
            site("H", "T2", crit="critical"),
            site("OK", "T1", crit="critical"),
        ],
        links=[
            link("CORE", "DC1", "DC2"),
            link("CORE2", "DC1", "DC2"),
            link("P1", "H", "DC1", srlg="exchange:X"),
            link("P2", "H", "DC2", srlg="duct:9;exchange:X"),
            link("Q1", "OK", "DC1", srlg="exchange:X"),
            link("Q2", "OK", "DC2", srlg="exchange:Y"),
        ],
    )
    findings, _ = find_redundancy(inventory)

    # One finding per event, naming every circuit of the tag and every site it cuts off (issue 13).
    risks = by_kind(findings, "shared-risk")
    assert set(risks) == {"srlg:exchange:X"}
    risk = risks["srlg:exchange:X"]
    assert risk.links == ["P1", "P2", "Q1"]
    assert risk.sites == ["H"]
    assert risk.impact["srlg"] == "exchange:X"
    assert risk.impact["cut_off_sites"] == ["H"]
    assert risk.severity == Severity.CRITICAL
    below = by_kind(findings, "below-policy")
    assert set(below) == {"H"}
    assert below["H"].impact["shortfalls"] == ["needs SRLG-diverse paths; all share exchange:X"]
    assert below["H"].severity == Severity.HIGH


def test_paths_that_all_ride_one_provider_are_a_lower_severity_shared_risk(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC1", "T1", role="core"),
            site("DC2", "T1", role="core"),
            site("H", "T1", crit="critical"),
            site("D", "T1", crit="critical"),
        ],
        links=[
            link("CORE", "DC1", "DC2", provider="BT"),
            link("CORE2", "DC1", "DC2", provider="Kcom"),
            link("P1", "H", "DC1", provider="BT"),
            link("P2", "H", "DC2", provider="BT"),
            link("Q1", "D", "DC1", provider="BT"),
            link("Q2", "D", "DC2", provider="Kcom"),
        ],
    )
    findings, _ = find_redundancy(inventory)

    risks = by_kind(findings, "shared-risk")
    assert set(risks) == {"provider:BT"}
    assert risks["provider:BT"].impact["provider"] == "BT"
    assert risks["provider:BT"].impact["hidden_sites"] == ["H"]
    assert risks["provider:BT"].severity == Severity.MEDIUM  # critical, two levels down
    assert "below-policy" not in {f.kind for f in findings}


def test_capacity_overload_when_the_primary_fails(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC", "T1", role="core"),
            site("HUB", "T1", role="hub", demand_mbps=300),
            site("B1", "T1", demand_mbps=200),
            site("MID", "T1", role="hub", demand_mbps=0),
        ],
        links=[
            link("PRI", "DC", "HUB", bandwidth_mbps=10000),
            link("BAK", "HUB", "MID", bandwidth_mbps=400),
            link("MUP", "MID", "DC", bandwidth_mbps=10000),
            link("ACC", "HUB", "B1", bandwidth_mbps=1000),
        ],
    )
    findings, summary = find_redundancy(inventory)

    capacity = by_kind(findings, "capacity")
    assert set(capacity) == {"BAK"}
    assert capacity["BAK"].impact["failure"] == "PRI"
    assert capacity["BAK"].impact["load_mbps"] == 500.0
    assert capacity["BAK"].impact["bandwidth_mbps"] == 400.0
    assert capacity["BAK"].impact["demand_mbps_lost"] == 100.0
    assert summary.capacity.overloaded == 1


def test_capacity_of_a_bundle_drops_when_one_of_its_circuits_fails(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core"), site("A", "T1", demand_mbps=700)],
        links=[link("BIG", "DC", "A", bandwidth_mbps=1000), link("SMALL", "DC", "A", bandwidth_mbps=500)],
    )
    capacity = by_kind(find_redundancy(inventory)[0], "capacity")

    assert set(capacity) == {"BIG+SMALL"}
    assert capacity["BIG+SMALL"].impact["failure"] == "BIG"
    assert capacity["BIG+SMALL"].impact["failures"] == ["BIG"]


def test_an_already_overloaded_link_is_reported_with_nothing_failed(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core"), site("A", "T1", demand_mbps=700)],
        links=[link("C", "DC", "A", bandwidth_mbps=500)],
    )
    capacity = by_kind(find_redundancy(inventory)[0], "capacity")

    assert capacity["C"].impact["failure"] is None
    assert "with nothing failed" in capacity["C"].title


def test_severity_follows_criticality_and_impact(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC", "T1", role="core"),
            site("HUB", "T1", role="hub"),
            site("CRIT", "T1", crit="critical"),
            site("LIB", "T1"),
        ]
        + [site(f"X{i}", f"T{1 + i % 4}") for i in range(10)],
        links=[link("UP", "DC", "HUB"), link("C1", "HUB", "CRIT"), link("C2", "HUB", "LIB")]
        + [link(f"Y{i}", "HUB", f"X{i}") for i in range(10)],
    )
    bridges = by_kind(find_redundancy(inventory)[0], "bridge")

    assert bridges["C2"].severity == Severity.LOW  # one standard site
    assert bridges["C1"].severity == Severity.CRITICAL  # a critical site
    assert bridges["UP"].severity == Severity.CRITICAL  # critical, raised by 13 sites and 4 tenants


def test_ids_are_stable_and_findings_sorted_worst_first(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core"), site("A", "T1", crit="high"), site("B", "T1")],
        links=[link("C1", "DC", "A"), link("C2", "A", "B")],
    )
    first = analyse(inventory, only="redundancy")
    second = analyse(inventory, only="redundancy")

    assert [f.id for f in first.findings] == [f.id for f in second.findings]
    assert [f.sort_key() for f in first.findings] == sorted(f.sort_key() for f in first.findings)
    assert {f.id for f in first.findings} >= {"bridge:C1", "bridge:C2", "cut-site:A", "single-homed:B"}
    assert first.by_severity["high"] >= 1
    assert set(first.summary_to_dict()) >= {"redundancy", "findings_by_severity"}


def test_analyse_with_failures_reports_the_what_if_and_the_degraded_network(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC", "T1", role="core"),
            site("HUB", "T1", role="hub"),
            site("A", "T2", demand_mbps=50),
            site("B", "T1"),
        ],
        links=[
            link("UP", "DC", "HUB"),
            link("C1", "HUB", "A"),
            link("C2", "HUB", "B"),
            link("C3", "A", "DC"),
        ],
    )
    result = analyse(inventory, only="redundancy", failed=["C3"])

    assert result.what_if.failed_links == ["C3"]
    assert result.what_if.sites_cut_off == 0
    assert "bridge:C1" in {f.id for f in result.findings}  # only a bridge once C3 is gone
    healthy = analyse(inventory, only="redundancy")
    assert "bridge:C1" not in {f.id for f in healthy.findings}


def test_a_random_multigraph_matches_networkx() -> None:
    rnd = random.Random(11)
    for _ in range(40):
        graph = nx.gnm_random_graph(30, 36, seed=rnd.randrange(10**6))
        multi = nx.MultiGraph(graph)
        for a, b in rnd.sample(list(graph.edges), 5):
            multi.add_edge(a, b)
        inventory = Inventory()
        for node in multi.nodes:
            inventory.sites[f"N{node:02d}"] = {"code": f"N{node:02d}", "occupants": []}
        for i, (a, b) in enumerate(multi.edges()):
            inventory.links[f"E{i:03d}"] = {
                "circuit_id": f"E{i:03d}",
                "a_site": f"N{a:02d}",
                "b_site": f"N{b:02d}",
            }
        bridges, cut_sites = bridges_and_cut_sites(inventory)
        ends = {cid: {inventory.links[cid]["a_site"], inventory.links[cid]["b_site"]} for cid in bridges}
        expected = {
            frozenset((f"N{a:02d}", f"N{b:02d}"))
            for a, b in nx.bridges(graph)
            if multi.number_of_edges(a, b) == 1
        }
        assert {frozenset(e) for e in ends.values()} == expected
        assert set(cut_sites) == {f"N{n:02d}" for n in nx.articulation_points(graph)}


def test_the_structure_counts_paths_to_the_core(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC1", "T1", role="core"),
            site("DC2", "T1", role="core"),
            site("ONE", "T1"),
            site("TWO", "T1"),
            site("FAR", "T1"),
        ],
        links=[
            link("c", "DC1", "DC2"),
            link("o", "ONE", "DC1"),
            link("t1", "TWO", "DC1"),
            link("t2", "TWO", "DC2"),
            link("f", "FAR", "TWO"),
        ],
    )
    s = analyse_structure(build_network(inventory))
    paths = {s.net.codes[v]: s.paths_to_core(v) for v in range(s.net.n)}

    assert paths == {"DC1": 2, "DC2": 2, "ONE": 1, "TWO": 2, "FAR": 1}


@pytest.mark.parametrize("failed", [["HUB"], ["UP"]])
def test_find_redundancy_accepts_failures_by_site_or_circuit(build, failed: list[str]) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core"), site("HUB", "T1", role="hub"), site("A", "T1")],
        links=[link("UP", "DC", "HUB"), link("C1", "HUB", "A")],
    )
    findings, summary = find_redundancy(inventory, failed=failed)

    assert "isolated-site:A" in {f.id for f in findings} or "bridge:C1" in {f.id for f in findings}
    assert summary.sites_without_core >= 1
