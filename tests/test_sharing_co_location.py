"""co-location on hand-built stores, with every pound recomputed by hand from the tariff."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from builders import LAT, LON, link, north, site

from psninv.analysis.finding import Category, Severity
from psninv.analysis.sharing import find_sharing
from psninv.analysis.tariff import Tariff

TENANTS = [
    {"code": "CC", "name": "County Council", "sector": "local-government"},
    {"code": "NHS", "name": "NHS Trust", "sector": "health"},
    {"code": "POL", "name": "Police", "sector": "police"},
]


def hub_sites() -> list[dict]:
    # A county hub 5 km away that both tenants already hang off: a shared hub, so no other kind fires.
    return [site("HUB", "CC", north(5000), LON, "hub")]


def two_tenants(build, metres: float, *, cost_b: float = 6000):
    return build(
        tenants=TENANTS,
        sites=[
            *hub_sites(),
            site("A", "CC", LAT, LON),
            site("B", "NHS", north(metres), LON),
        ],
        links=[
            link("L-A", "A", "HUB", "CC", 100, 5000),
            link("L-B", "B", "HUB", "NHS", 100, cost_b),
        ],
    )


def of_kind(findings, kind: str):
    return [f for f in findings if f.kind == kind]


def test_two_tenants_50_m_apart_share_one_circuit(build) -> None:
    findings, summary = find_sharing(two_tenants(build, 50))
    (found,) = of_kind(findings, "co-location")
    tariff = Tariff()
    # By hand: keep A's 100 Mbit/s circuit, retire B's £6,000 one; demand 100 + 100 needs 100 more.
    retired = Decimal(6000)
    uplift = (Decimal(100) + Decimal(100) - Decimal(100)) * Decimal(str(tariff.uplift_per_mbps_gbp))
    savings = retired - uplift
    assert savings == Decimal(5750)
    assert found.id == "co-location:A"
    assert found.category is Category.SHARING
    assert found.savings_gbp == 5750
    assert found.savings_pct == 52.3  # 5,750 / 11,000
    assert found.sites == ["A", "B"]
    assert found.links == ["L-A", "L-B"]
    assert found.tenants == ["CC", "NHS"]
    assert found.severity is Severity.LOW  # under the £10,000 of medium
    assert found.impact["bearer"] == "L-A" and found.impact["uplift_mbps"] == 100
    assert found.impact["distance_m"] == {"B": 50.0}
    assert found.assumptions["uplift_per_mbps_gbp"] == tariff.uplift_per_mbps_gbp
    assert found.assumptions["co_location_m"] == 100.0
    assert summary.opportunities["co-location"] == 1
    assert summary.total_annual_cost_gbp == 11000
    assert summary.savings_gbp == 5750
    assert summary.savings_pct == 52.3
    # Shared out by what each pays (5,000 : 6,000), whole pounds adding up exactly.
    assert summary.by_tenant["CC"].savings_gbp == 2614
    assert summary.by_tenant["NHS"].savings_gbp == 3136
    assert summary.by_tenant["CC"].savings_pct == 52.3


def test_two_tenants_150_m_apart_are_not_co_located(build) -> None:
    findings, summary = find_sharing(two_tenants(build, 150))
    assert of_kind(findings, "co-location") == []
    assert summary.opportunities["co-location"] == 0
    # Their two circuits to the same hub are still parallel (ends within 500 m): a different kind.
    assert [f.id for f in findings] == ["parallel-circuits:L-A"]


def test_three_tenants_in_one_building_make_one_finding(build) -> None:
    where = {"address": "1 Market Square", "postcode": "ST16 2AB"}
    inventory = build(
        tenants=TENANTS,
        sites=[
            *hub_sites(),
            site("A", "CC", LAT, LON, **where),
            site("B", "NHS", north(20), LON, address="1, Market  Square", postcode="st162ab"),
            # No coordinates at all: the address still puts it in the building.
            site("C", "POL", None, None, **where),
        ],
        links=[
            link("L-A", "A", "HUB", "CC", 100, 5000),
            link("L-B", "B", "HUB", "NHS", 100, 6000),
            link("L-C", "C", "HUB", "POL", 50, 4000),
        ],
    )
    findings, summary = find_sharing(inventory)
    (found,) = of_kind(findings, "co-location")
    # Host C keeps its 50 Mbit/s circuit: £11,000 retired - (250 - 50) x £2.50 = £10,500.
    assert found.id == "co-location:C"
    assert sorted(found.sites) == ["A", "B", "C"]
    assert found.tenants == ["CC", "NHS", "POL"]
    assert found.savings_gbp == 10500
    assert found.severity is Severity.MEDIUM
    assert "in one building" in found.title
    assert summary.warnings and "C" in summary.warnings[0]


def test_occupant_host_is_preferred_and_named(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            *hub_sites(),
            site("T", "NHS", north(60), LON),
            site("S", "CC", LAT, LON, occupants=["NHS"]),
        ],
        links=[
            link("L-S", "S", "HUB", "CC", 100, 5000),
            link("L-T", "T", "HUB", "NHS", 100, 5000),
        ],
    )
    findings, _summary = find_sharing(inventory)
    (found,) = of_kind(findings, "co-location")
    # Either host saves the same, so the site NHS already occupies keeps its circuit.
    assert found.id == "co-location:S"
    assert found.savings_gbp == 4750
    assert found.impact["retired"] == {"L-T": 5000}


def test_demand_sets_the_uplift(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            *hub_sites(),
            site("A", "CC", LAT, LON, demand_mbps=400),
            site("B", "NHS", north(30), LON, demand_mbps=300.5),
        ],
        links=[
            link("L-A", "A", "HUB", "CC", 1000, 9000.25),
            link("L-B", "B", "HUB", "NHS", 500, 7000.40),
        ],
    )
    (found,) = of_kind(find_sharing(inventory)[0], "co-location")
    # Keeping A's 1 Gbit/s bearer (700.5 Mbit/s of demand fits) saves £7,000.40; keeping B's
    # 500 Mbit/s one saves more: £9,000.25 - 200.5 x £2.50 = £8,499.
    assert found.id == "co-location:B"
    assert found.impact["uplift_mbps"] == 200.5
    assert found.impact["demand_mbps"] == 700.5
    assert found.savings_gbp == 8499
    assert found.impact["savings_exact_gbp"] == "8499"


def test_site_without_coordinates_is_skipped_with_a_warning(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[*hub_sites(), site("A", "CC", LAT, LON), site("LOST", "NHS", None, None)],
        links=[link("L-A", "A", "HUB", "CC", 100, 5000), link("L-L", "LOST", "HUB", "NHS", 100, 5000)],
    )
    findings, summary = find_sharing(inventory)
    assert of_kind(findings, "co-location") == []
    assert summary.warnings == ["1 site(s) without coordinates skipped by the distance searches: LOST"]


def test_threshold_hides_and_include_hidden_shows(build) -> None:
    inventory = two_tenants(build, 50)
    tariff = Tariff(threshold_pct=60)  # the 52.3% opportunity is now below the bar
    findings, summary = find_sharing(inventory, tariff=tariff)
    assert of_kind(findings, "co-location") == []
    # The same two circuits are also parallel, and just as far below the bar.
    assert findings == []
    assert summary.hidden == 2
    assert summary.by_kind["co-location"].to_dict() == {
        "count": 0,
        "hidden": 1,
        "savings_gbp": 0,
        "breaks_policy": 0,
    }
    assert summary.savings_gbp == 0
    shown, summary_all = find_sharing(inventory, tariff=tariff, include_hidden=True)
    (found,) = of_kind(shown, "co-location")
    assert found.savings_gbp == 5750 and found.impact["below_threshold"] is True
    # Hidden opportunities never add to the totals, --all or not.
    assert summary_all.savings_gbp == 0 and summary_all.hidden == 2


def test_tariff_override_changes_the_pounds_exactly(build, tmp_path: Path) -> None:
    inventory = two_tenants(build, 50, cost_b=6000.5)
    tariff_file = tmp_path / "tariff.toml"
    tariff_file.write_text("[tariff]\nuplift_per_mbps_gbp = 2.5\nmedium_savings_gbp = 5000\n")
    (found,) = of_kind(find_sharing(inventory, tariff=Tariff.load(tariff_file))[0], "co-location")
    # £6,000.50 - 100 x £2.50 = £5,750.50: halves round up, to £5,751.
    assert found.savings_gbp == 5751
    assert found.severity is Severity.MEDIUM
    tariff_file.write_text("uplift_per_mbps_gbp = 4.25\n")
    tariff = Tariff.load(tariff_file)
    (found,) = of_kind(find_sharing(inventory, tariff=tariff)[0], "co-location")
    exact = Decimal("6000.5") - 100 * Decimal("4.25")
    assert found.savings_gbp == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)) == 5576
    assert found.assumptions["uplift_per_mbps_gbp"] == 4.25


def test_ceased_circuits_do_not_count(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[*hub_sites(), site("A", "CC", LAT, LON), site("B", "NHS", north(50), LON)],
        links=[
            link("L-A", "A", "HUB", "CC", 100, 5000),
            link("L-B", "B", "HUB", "NHS", 100, 6000, status="ceased"),
        ],
    )
    findings, summary = find_sharing(inventory)
    assert of_kind(findings, "co-location") == []
    assert summary.total_annual_cost_gbp == 5000
