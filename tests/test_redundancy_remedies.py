"""Remedies: add the proposed links, analyse again, and no high or critical site is left single-homed."""

from __future__ import annotations

import math
import random

from psninv.analysis.finding import Finding
from psninv.analysis.redundancy import find_redundancy
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory

HIGH = {"high", "critical"}


def _site(
    code: str, role: str, crit: str, tenant: str, lat: float | None, lon: float | None, **extra
) -> dict:
    return {
        "code": code,
        "role": role,
        "criticality": crit,
        "tenant": tenant,
        "latitude": lat,
        "longitude": lon,
        "occupants": [],
        **extra,
    }


def _link(cid: str, a: str, b: str) -> dict:
    return {"circuit_id": cid, "a_site": a, "b_site": b, "status": "active"}


def gaps_for_high_sites(inventory: Inventory, findings: list[Finding]) -> list[str]:
    """Bridge and single-homed findings that leave a high or critical site with one path."""
    out = []
    for f in findings:
        if f.kind == "single-homed":
            left_alone = [f.sites[0]]
        elif f.kind == "bridge":
            left_alone = f.impact["cut_off_sites"]
        else:
            continue
        if any(inventory.sites[code].get("criticality") in HIGH for code in left_alone):
            out.append(f.id)
    return out


def apply(inventory: Inventory, findings: list[Finding]) -> Inventory:
    """The inventory with every proposed link added as an active circuit."""
    proposed = {(p.a_site, p.b_site) for f in findings for p in f.proposed_links}
    links = dict(inventory.links)
    for i, (a, b) in enumerate(sorted(proposed)):
        links[f"NEW-{i:04d}"] = _link(f"NEW-{i:04d}", a, b)
    return Inventory(
        tenants=inventory.tenants, sites=inventory.sites, links=links, prefixes=inventory.prefixes
    )


def test_proposed_links_close_every_gap_of_high_sites_in_a_hand_built_network(build) -> None:
    # A core ring of hubs; high sites hang off it singly, one behind another, one on two parallel circuits.
    inventory = build(
        tenants=[{"code": "T1"}, {"code": "T2"}],
        sites=[
            _site("DC", "core", "critical", "T1", 52.80, -2.10),
            _site("H1", "hub", "high", "T1", 52.80, -2.00),
            _site("H2", "hub", "high", "T1", 52.70, -2.00),
            _site("A1", "access", "high", "T1", 52.801, -2.001),
            _site("A2", "access", "critical", "T2", 52.702, -2.003),
            _site("A3", "access", "high", "T1", 52.703, -2.004),
            _site("A4", "access", "high", "T2", 52.704, -2.005),
            _site("B1", "access", "standard", "T2", 52.802, -2.002),
        ],
        links=[
            _link("R1", "DC", "H1"),
            _link("R2", "H1", "H2"),
            _link("R3", "H2", "DC"),
            _link("a1", "H1", "A1"),
            _link("a2", "H2", "A2"),
            _link("a3", "A2", "A3"),
            _link("p1", "H2", "A4"),
            _link("p2", "H2", "A4"),
            _link("b1", "H1", "B1"),
        ],
    )
    findings, summary = find_redundancy(inventory)

    assert set(gaps_for_high_sites(inventory, findings)) == {
        "single-homed:A1",
        "bridge:a1",
        "bridge:a2",
        "bridge:a3",
        "single-homed:A3",
        "single-homed:A4",
    }
    remedy = summary["remedy"]
    assert remedy["sites_left"] == []
    assert remedy["lower_bound"] == math.ceil(remedy["bridge_tree_leaves"] / 2) == 2
    assert remedy["lower_bound"] <= remedy["proposed"] <= remedy["lower_bound"] + 1
    for f in findings:
        for link in f.proposed_links:
            assert link.length_km is not None and link.length_km <= Tariff().max_remedy_km
            assert link.annual_cost_gbp == Tariff().crosslink_cost(link.length_km)

    again, _ = find_redundancy(apply(inventory, findings))
    assert gaps_for_high_sites(inventory, again) == []


def test_a_site_without_coordinates_still_gets_a_link_with_no_length(build) -> None:
    inventory = build(
        tenants=[{"code": "T1"}],
        sites=[
            _site("DC", "core", "critical", "T1", 52.8, -2.1),
            _site("H1", "hub", "high", "T1", 52.8, -2.0, district="North"),
            _site("H2", "hub", "high", "T1", 52.7, -2.0, district="North"),
            _site("NOWHERE", "access", "high", "T1", None, None, district="North"),
        ],
        links=[
            _link("R1", "DC", "H1"),
            _link("R2", "H1", "H2"),
            _link("R3", "H2", "DC"),
            _link("n", "H1", "NOWHERE"),
        ],
    )
    findings, summary = find_redundancy(inventory)

    proposed = [p for f in findings for p in f.proposed_links]
    assert proposed and all(p.length_km is None and p.annual_cost_gbp is None for p in proposed)
    assert {(p.a_site, p.b_site) for p in proposed} == {("NOWHERE", "H2")}  # same district, not its own hub
    assert summary["remedy"]["links_without_length"] == 1
    again, _ = find_redundancy(apply(inventory, findings))
    assert gaps_for_high_sites(inventory, again) == []


def test_nothing_within_reach_leaves_the_site_listed_without_a_proposal(build) -> None:
    inventory = build(
        tenants=[{"code": "T1"}],
        sites=[
            _site("DC", "core", "critical", "T1", 52.8, -2.1),
            _site("FAR", "access", "high", "T1", 55.0, -4.0),
        ],
        links=[_link("l", "DC", "FAR")],
    )
    findings, summary = find_redundancy(inventory)

    assert summary["remedy"]["sites_left"] == ["FAR"]
    assert summary["remedy"]["proposed"] == 0
    assert all(not f.proposed_links for f in findings)


def test_random_trees_are_fully_remedied_near_the_lower_bound() -> None:
    rnd = random.Random(5)
    for trial in range(25):
        inventory = Inventory()
        count = rnd.randint(8, 60)
        for i in range(count):
            role = "core" if i < 2 else "access"
            crit = rnd.choice(["standard", "high", "critical"]) if i >= 2 else "critical"
            inventory.sites[f"S{i:03d}"] = _site(
                f"S{i:03d}",
                role,
                crit,
                rnd.choice(["T1", "T2"]),
                52.5 + rnd.random() * 0.2,
                -2 + rnd.random() * 0.2,
            )
        for i in range(1, count):
            parent = rnd.randrange(0, i) if i > 1 else 0
            inventory.links[f"L{i:03d}"] = _link(f"L{i:03d}", f"S{parent:03d}", f"S{i:03d}")
        findings, summary = find_redundancy(inventory)
        remedy = summary["remedy"]
        assert remedy["sites_left"] == [], trial
        assert remedy["proposed"] >= remedy["lower_bound"]
        again, _ = find_redundancy(apply(inventory, findings))
        assert gaps_for_high_sites(inventory, again) == [], trial
