"""Remedies: add the proposed links, analyse again, and no high or critical site is left single-homed."""

from __future__ import annotations

import math
import random

from builders import link as link_row
from builders import site

from psninv.analysis.finding import Finding
from psninv.analysis.redundancy import find_redundancy
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory

HIGH = {"high", "critical"}


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
        links[f"NEW-{i:04d}"] = link_row(f"NEW-{i:04d}", a, b, status="active")
    return Inventory(
        tenants=inventory.tenants, sites=inventory.sites, links=links, prefixes=inventory.prefixes
    )


def test_proposed_links_close_every_gap_of_high_sites_in_a_hand_built_network(build) -> None:
    # A core ring of hubs; high sites hang off it singly, one behind another, one on two parallel circuits.
    inventory = build(
        tenants=[{"code": "T1"}, {"code": "T2"}],
        sites=[
            site("DC", "T1", 52.80, -2.10, role="core", crit="critical"),
            site("H1", "T1", 52.80, -2.00, role="hub", crit="high"),
            site("H2", "T1", 52.70, -2.00, role="hub", crit="high"),
            site("A1", "T1", 52.801, -2.001, crit="high"),
            site("A2", "T2", 52.702, -2.003, crit="critical"),
            site("A3", "T1", 52.703, -2.004, crit="high"),
            site("A4", "T2", 52.704, -2.005, crit="high"),
            site("B1", "T2", 52.802, -2.002, crit="standard"),
        ],
        links=[
            link_row("R1", "DC", "H1"),
            link_row("R2", "H1", "H2"),
            link_row("R3", "H2", "DC"),
            link_row("a1", "H1", "A1"),
            link_row("a2", "H2", "A2"),
            link_row("a3", "A2", "A3"),
            link_row("p1", "H2", "A4"),
            link_row("p2", "H2", "A4"),
            link_row("b1", "H1", "B1"),
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
    remedy = summary.remedy
    assert remedy.sites_left == []
    assert remedy.lower_bound == math.ceil(remedy.bridge_tree_leaves / 2) == 2
    assert remedy.lower_bound <= remedy.proposed <= remedy.lower_bound + 1
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
            site("DC", "T1", 52.8, -2.1, role="core", crit="critical"),
            site("H1", "T1", 52.8, -2.0, role="hub", crit="high", district="North"),
            site("H2", "T1", 52.7, -2.0, role="hub", crit="high", district="North"),
            site("NOWHERE", "T1", None, None, crit="high", district="North"),
        ],
        links=[
            link_row("R1", "DC", "H1"),
            link_row("R2", "H1", "H2"),
            link_row("R3", "H2", "DC"),
            link_row("n", "H1", "NOWHERE"),
        ],
    )
    findings, summary = find_redundancy(inventory)

    proposed = [p for f in findings for p in f.proposed_links]
    assert proposed and all(p.length_km is None and p.annual_cost_gbp is None for p in proposed)
    assert {(p.a_site, p.b_site) for p in proposed} == {("NOWHERE", "H2")}  # same district, not its own hub
    assert summary.remedy.links_without_length == 1
    again, _ = find_redundancy(apply(inventory, findings))
    assert gaps_for_high_sites(inventory, again) == []


def test_nothing_within_reach_leaves_the_site_listed_without_a_proposal(build) -> None:
    inventory = build(
        tenants=[{"code": "T1"}],
        sites=[
            site("DC", "T1", 52.8, -2.1, role="core", crit="critical"),
            site("FAR", "T1", 55.0, -4.0, crit="high"),
        ],
        links=[link_row("l", "DC", "FAR")],
    )
    findings, summary = find_redundancy(inventory)

    assert summary.remedy.sites_left == ["FAR"]
    assert summary.remedy.proposed == 0
    assert all(not f.proposed_links for f in findings)


def test_random_trees_are_fully_remedied_near_the_lower_bound() -> None:
    rnd = random.Random(5)
    for trial in range(25):
        inventory = Inventory()
        count = rnd.randint(8, 60)
        for i in range(count):
            role = "core" if i < 2 else "access"
            crit = rnd.choice(["standard", "high", "critical"]) if i >= 2 else "critical"
            inventory.sites[f"S{i:03d}"] = site(
                f"S{i:03d}",
                rnd.choice(["T1", "T2"]),
                52.5 + rnd.random() * 0.2,
                -2 + rnd.random() * 0.2,
                role=role,
                crit=crit,
            )
        for i in range(1, count):
            parent = rnd.randrange(0, i) if i > 1 else 0
            inventory.links[f"L{i:03d}"] = link_row(
                f"L{i:03d}", f"S{parent:03d}", f"S{i:03d}", status="active"
            )
        findings, summary = find_redundancy(inventory)
        remedy = summary.remedy
        assert remedy.sites_left == [], trial
        assert remedy.proposed >= remedy.lower_bound
        again, _ = find_redundancy(apply(inventory, findings))
        assert gaps_for_high_sites(inventory, again) == [], trial
