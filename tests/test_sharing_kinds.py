"""parallel-circuits, hub-consolidation, mutual-backup and renewal-window on hand-built stores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from builders import LAT, LON, link, north, site

from psninv.analysis.geo import haversine_km
from psninv.analysis.sharing import find_sharing
from psninv.analysis.tariff import Tariff

TENANTS = [
    {"code": "CC", "name": "County Council"},
    {"code": "NHS", "name": "NHS Trust"},
    {"code": "EDU", "name": "Schools"},
]
UPLIFT = Decimal(str(Tariff().uplift_per_mbps_gbp))


def of_kind(findings, kind: str):
    return [f for f in findings if f.kind == kind]


def test_parallel_circuits_become_one_bearer(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("P", "CC", LAT, LON),
            site("Q", "NHS", north(300), LON),  # too far for co-location, near enough for parallel
            site("H1", "CC", north(10000), LON, role="hub"),
            site("H2", "NHS", north(10200), LON, role="hub"),
            site("FAR", "NHS", north(11000), LON),  # 800 m from H1: not the same place
        ],
        links=[
            link("L1", "P", "H1", "CC", 100, 8000),
            link("L2", "Q", "H2", "NHS", 200, 9000),
            link("L3", "Q", "FAR", "NHS", 100, 7000),
        ],
    )
    findings, summary = find_sharing(inventory)
    (found,) = of_kind(findings, "parallel-circuits")
    # Keep L1 and raise it to 300 Mbit/s: £9,000 - 200 x £2.50 = £8,500 (keeping L2 saves only £7,750).
    savings = Decimal(9000) - Decimal(200) * UPLIFT
    assert found.id == "parallel-circuits:L1"
    assert found.savings_gbp == int(savings) == 8500
    assert found.savings_pct == 50.0  # of the £17,000 both circuits cost
    assert found.links == ["L1", "L2"]
    assert found.sites == ["P", "H1", "Q", "H2"]
    assert found.tenants == ["CC", "NHS"]
    assert found.impact["summed_mbps"] == 300
    assert found.assumptions["parallel_end_m"] == 500.0
    assert summary.opportunities["parallel-circuits"] == 1


def test_own_hub_near_a_shared_hub_is_consolidated(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("CORE", "CC", north(20000), LON, role="core"),
            site("DC", "CC", north(-20000), LON, role="datacentre"),
            site("SH", "CC", LAT, LON, role="hub"),
            site("S1", "CC", north(-3000), LON),
            site("S2", "EDU", north(-3500), LON),
            site("NH", "NHS", north(3000), LON, role="hub"),
            site("N1", "NHS", north(6000), LON),
            site("N2", "NHS", north(6500), LON),
        ],
        links=[
            link("SH-UP", "SH", "CORE", "CC", 10000, 30000),
            link("S1-A", "S1", "SH", "CC", 100, 2000),
            link("S2-A", "S2", "SH", "EDU", 100, 2000),
            link("NH-UP1", "NH", "CORE", "NHS", 1000, 20000),
            link("NH-UP2", "NH", "DC", "NHS", 1000, 15000),
            link("DC-CORE", "DC", "CORE", "CC", 10000, 20000),
            link("N1-A", "N1", "NH", "NHS", 100, 3000),
            link("N2-A", "N2", "NH", "NHS", 100, 3000),
        ],
    )
    findings, _summary = find_sharing(inventory)
    (found,) = of_kind(findings, "hub-consolidation")
    # Retire both uplinks (£35,000); SH's uplink carries the main one's 1,000 Mbit/s more; NH's own
    # building is re-homed on SH by a new 3 km circuit (£1,500 + £650 x 3 km).
    savings = Decimal(35000) - Decimal(1000) * UPLIFT - Decimal(3450)
    assert found.id == "hub-consolidation:NH"
    assert found.sites == ["NH", "SH"]
    assert found.impact["rehome_link_gbp"] == 3450
    assert found.savings_gbp == int(savings) == 29050
    assert found.savings_pct == 70.9  # of £41,000: uplinks plus the re-homed access links
    assert found.breaks_policy is None
    assert found.impact["rehomed"] == ["N1-A", "N2-A"]
    assert found.impact["distance_km"] == 3.0
    assert found.severity.value == "medium", found.breaks_policy


def test_single_homed_neighbours_back_each_other_up(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("C", "CC", north(30000), LON, role="core"),
            site("H1", "CC", north(8000), LON, role="hub"),
            site("H2", "NHS", north(-8000), LON, role="hub"),
            site("D", "CC", LAT, LON),
            site("E", "NHS", north(400), LON),
        ],
        links=[
            link("H1-C", "H1", "C", "CC", 1000, None),
            link("H2-C", "H2", "C", "NHS", 1000, None),
            link("L-D", "D", "H1", "CC", 100, 3000),
            link("L-E", "E", "H2", "NHS", 100, 3500),
        ],
    )
    findings, summary = find_sharing(inventory)
    (found,) = of_kind(findings, "mutual-backup")
    tariff = Tariff()
    km = haversine_km(LAT, LON, north(400), LON)
    crosslink = round(tariff.crosslink_fixed_gbp + tariff.crosslink_per_km_gbp * km)
    assert crosslink == 1760  # £1,500 + £650 x 0.4 km
    assert found.id == "mutual-backup:D~E"
    assert found.savings_gbp == 3000 + 3500 - crosslink
    assert found.impact["helped"] == ["D", "E"]
    assert found.breaks_policy is None  # each really gets a second path through the other
    assert found.proposed_links[0].annual_cost_gbp == crosslink
    assert found.proposed_links[0].length_km == round(km, 4)
    # A cost avoided, not cut: reported apart from the savings.
    assert summary.savings_gbp == 0
    assert summary.avoided_gbp == found.savings_gbp


def test_neighbours_on_the_same_hub_are_not_a_backup(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("H1", "CC", north(8000), LON, role="hub"),
            site("D", "CC", LAT, LON),
            site("E", "NHS", north(400), LON),
        ],
        links=[link("L-D", "D", "H1", "CC", 100, 3000), link("L-E", "E", "H1", "NHS", 100, 3500)],
    )
    assert of_kind(find_sharing(inventory)[0], "mutual-backup") == []


def renewal_inventory(build, second_end: dt.date):
    return build(
        tenants=TENANTS,
        sites=[
            site("H1", "CC", north(8000), LON, role="hub"),
            site("H2", "NHS", north(-8000), LON, role="hub"),
            site("R1", "CC", LAT, LON),
            site("R2", "NHS", north(1000), LON),
        ],
        links=[
            link("C1", "R1", "H1", "CC", 100, 4000, contract_end=dt.date(2026, 1, 15)),
            link("C2", "R2", "H2", "NHS", 100, 5000, contract_end=second_end),
        ],
    )


def test_contracts_11_months_apart_are_in_one_window(build) -> None:
    findings, _summary = find_sharing(renewal_inventory(build, dt.date(2026, 12, 15)))
    (found,) = of_kind(findings, "renewal-window")
    assert found.id == "renewal-window:C1"
    assert found.links == ["C1", "C2"]
    assert found.impact["contract_ends"] == {"C1": "2026-01-15", "C2": "2026-12-15"}
    assert found.impact["combined_annual_gbp"] == 9000
    assert "2026-01-15" in found.title and "2026-12-15" in found.title and "£9,000" in found.title
    # Not costed by default: there is no discount figure until the tariff gives one.
    assert found.savings_gbp is None and found.savings_pct is None


def test_contracts_13_months_apart_are_not(build) -> None:
    findings, _summary = find_sharing(renewal_inventory(build, dt.date(2027, 2, 15)))
    assert of_kind(findings, "renewal-window") == []


def test_renewal_discount_costs_the_window(build) -> None:
    inventory = renewal_inventory(build, dt.date(2027, 1, 15))  # exactly 12 months: still in
    findings, summary = find_sharing(inventory, tariff=Tariff(renewal_discount_pct=12.5))
    (found,) = of_kind(findings, "renewal-window")
    assert found.savings_gbp == 1125  # £9,000 x 12.5%
    assert found.savings_pct == 12.5
    assert summary.by_tenant["CC"].savings_gbp == 500
    assert summary.by_tenant["NHS"].savings_gbp == 625


def test_uncosted_circuits_give_uncosted_findings(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("H", "CC", north(5000), LON, role="hub"),
            site("A", "CC", LAT, LON),
            site("B", "NHS", north(40), LON),
        ],
        links=[link("L-A", "A", "H", "CC", 100, 5000), link("L-B", "B", "H", "NHS", 100, None)],
    )
    findings, summary = find_sharing(inventory)
    (found,) = of_kind(findings, "co-location")
    # Keeping the uncosted circuit and retiring the costed one is a known saving of an unknown share.
    assert found.id == "co-location:B"
    assert found.savings_gbp == 4750 and found.savings_pct is None
    assert summary.uncosted_links == 1


def test_nothing_costed_gives_no_pounds(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("H", "CC", north(5000), LON, role="hub"),
            site("A", "CC", LAT, LON),
            site("B", "NHS", north(40), LON),
        ],
        links=[link("L-A", "A", "H", "CC", 100, None), link("L-B", "B", "H", "NHS", 100, None)],
    )
    (found,) = of_kind(find_sharing(inventory)[0], "co-location")
    assert found.savings_gbp is None and found.savings_pct is None
    assert found.severity.value == "low"
