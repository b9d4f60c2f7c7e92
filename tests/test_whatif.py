"""What-if: failing sites and circuits lists who is cut off from the core, by tenant, with the demand lost."""

from __future__ import annotations

from builders import link, site

from psninv.analysis.whatif import WhatIf, simulate_failures

TENANTS = [{"code": code} for code in ("COUNCIL", "NHS", "POLICE")]


def _network(build):
    return build(
        tenants=TENANTS,
        sites=[
            site("DC1", "COUNCIL", role="core"),
            site("DC2", "COUNCIL", role="datacentre"),
            site("HUB", "COUNCIL", role="hub"),
            site("GP", "NHS", demand_mbps=40, occupants=["COUNCIL"]),
            site("STN", "POLICE", demand_mbps=60),
            site("LIB", None, demand_mbps=5),
            site("RING", "COUNCIL", demand_mbps=1),
        ],
        links=[
            link("UP1", "DC1", "HUB"),
            link("UP2", "DC2", "HUB"),
            link("CORE", "DC1", "DC2"),
            link("g", "HUB", "GP"),
            link("s", "HUB", "STN"),
            link("l", "STN", "LIB"),
            link("r1", "RING", "DC1"),
            link("r2", "RING", "DC2"),
            link("gone", "LIB", "DC1", status="ceased"),
        ],
    )


def test_failing_a_hub_cuts_off_its_sites_grouped_by_tenant(build) -> None:
    result = simulate_failures(_network(build), ["HUB"])

    assert result.failed_sites == ["HUB"] and result.failed_links == [] and result.unknown == []
    assert result.cut_off_sites == {"GP", "STN", "LIB"}
    assert result.cut_off == {"": ["LIB"], "COUNCIL": ["GP"], "NHS": ["GP"], "POLICE": ["STN"]}
    assert result.demand_lost_mbps == 105.0


def test_failing_circuits_and_unknown_names(build) -> None:
    result = simulate_failures(_network(build), ["s", "nonsense", "s", " "])

    assert result.failed_links == ["s"] and result.unknown == ["nonsense"]
    assert result.cut_off_sites == {"STN", "LIB"}
    data = result.to_dict()
    assert data["sites_cut_off"] == 2 and data["cut_off_sites"] == ["LIB", "STN"]
    assert data["tenants_affected"] == ["POLICE"]
    assert set(data) >= {"failed_sites", "failed_links", "unknown", "cut_off", "demand_lost_mbps"}


def test_a_redundant_site_survives_any_one_failure(build) -> None:
    inventory = _network(build)
    for name in ("r1", "r2", "DC1", "DC2", "CORE", "UP1"):
        assert "RING" not in simulate_failures(inventory, [name]).cut_off_sites, name
    assert simulate_failures(inventory, ["r1", "r2"]).cut_off_sites == {"RING"}
    assert simulate_failures(inventory, []).cut_off_sites == set()


def test_without_a_core_the_largest_surviving_part_keeps_going(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site(c, "COUNCIL") for c in ("A", "B", "C", "D", "E", "ISLAND")],
        links=[link("ab", "A", "B"), link("bc", "B", "C"), link("cd", "C", "D"), link("de", "D", "E")],
    )
    assert simulate_failures(inventory, ["de"]).cut_off_sites == {"E"}
    assert simulate_failures(inventory, ["B"]).cut_off_sites == {"A"}
    assert simulate_failures(inventory, ["C"]).cut_off_sites in ({"A", "B"}, {"D", "E"})
    assert "ISLAND" not in simulate_failures(inventory, ["C"]).cut_off_sites


def test_a_what_if_on_a_large_tree_cuts_off_the_whole_subtree() -> None:
    from psninv.inventory import Inventory

    inventory = Inventory()
    for i in range(20_000):
        inventory.sites[f"S{i:05d}"] = {
            "code": f"S{i:05d}",
            "role": "core" if i == 0 else "access",
            "tenant": "T",
            "occupants": [],
            "demand_mbps": 1,
        }
    for i in range(1, 20_000):
        inventory.links[f"L{i:05d}"] = {
            "circuit_id": f"L{i:05d}",
            "a_site": f"S{(i - 1) // 3:05d}",
            "b_site": f"S{i:05d}",
            "status": "active",
        }
    result = simulate_failures(inventory, ["S00001"])
    assert isinstance(result, WhatIf)
    # S00001's subtree: every site whose chain of parents (i - 1) // 3 passes through 1.
    expected = set()
    for i in range(1, 20_000):
        j = i
        while j > 1:
            j = (j - 1) // 3
        if j == 1 and i != 1:
            expected.add(f"S{i:05d}")
    assert result.cut_off_sites == expected
