"""ip-overlap and cidr-merge on hand-built stores: VRFs, nesting, equal blocks and replacement blocks."""

from __future__ import annotations

from builders import prefix

from psninv.analysis.geo import KM_PER_DEGREE
from psninv.analysis.sharing import find_sharing
from psninv.analysis.tariff import Tariff

TENANTS = [{"code": "CC"}, {"code": "NHS"}, {"code": "POL"}]
LAT, LON = 52.8, -2.1
SITES = [
    {"code": "A", "tenant": "CC", "latitude": LAT, "longitude": LON, "role": "access"},
    {"code": "B", "tenant": "NHS", "latitude": LAT + 5 / KM_PER_DEGREE, "longitude": LON, "role": "access"},
]


def overlaps(findings):
    return [f for f in findings if f.kind == "ip-overlap"]


def test_nested_and_equal_prefixes_in_different_vrfs_do_not_overlap(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=SITES,
        prefixes=[
            prefix("10.0.0.0/16", "CC", "A", vrf="council"),
            prefix("10.0.1.0/24", "NHS", "B", vrf="health"),
            prefix("192.168.1.0/24", "CC", "A", vrf="council"),
            prefix("192.168.1.0/24", "NHS", "B", vrf="health"),
        ],
    )
    findings, summary = find_sharing(inventory)
    assert overlaps(findings) == []
    assert summary.opportunities["ip-overlap"] == 0


def test_nested_prefixes_in_one_vrf_overlap_and_get_a_block_from_the_tenants_own_range(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=SITES,
        prefixes=[
            prefix("10.0.0.0/16", "CC", "A"),
            prefix("10.0.1.0/24", "NHS", "B"),
            # NHS's own unallocated range, whose first /24 is taken already.
            prefix("10.8.0.0/16", "NHS"),
            prefix("10.8.0.0/24", "NHS", "B"),
        ],
    )
    findings, _summary = find_sharing(inventory)
    (found,) = overlaps(findings)
    assert found.id == "ip-overlap:10.0.0.0/16~10.0.1.0/24"
    assert found.sites == ["B", "A"]
    assert found.tenants == ["CC", "NHS"]
    assert found.savings_gbp is None
    assert found.severity.value == "medium"  # no shown opportunity puts CC and NHS together
    assert found.impact["renumber"] == "10.0.1.0/24"
    assert found.impact["replacement"] == "10.8.1.0/24"
    assert found.impact["replacement_from"] == "NHS's range 10.8.0.0/16"
    assert "10.8.1.0/24" in found.title and "10.0.0.0/16" in found.title


def test_equal_prefixes_in_one_vrf_overlap_and_the_pool_supplies_a_block(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=SITES,
        prefixes=[
            # The same network written two ways is two rows of one VRF, and one block of addresses.
            prefix("172.16.5.0/24", "CC", "A", vrf="psn"),
            prefix("172.16.5.9/24", "NHS", "B", vrf="psn"),
            prefix("100.64.0.0/24", "POL", vrf="psn"),  # the start of the pool is in use
        ],
    )
    tariff = Tariff(renumber_pool=("100.64.0.0/22",))
    findings, _summary = find_sharing(inventory, tariff=tariff)
    (found,) = overlaps(findings)
    assert found.id == "ip-overlap:172.16.5.0/24~172.16.5.9/24@psn"
    assert found.impact["equal"] is True
    assert found.impact["replacement"] == "100.64.1.0/24"
    assert found.impact["replacement_from"] == "the pool 100.64.0.0/22"
    assert found.assumptions["renumber_pool"] == ["100.64.0.0/22"]


def test_two_movers_never_get_the_same_block(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=SITES,
        prefixes=[
            prefix("10.0.0.0/8", "CC"),
            prefix("10.1.0.0/24", "NHS", "B"),
            prefix("10.2.0.0/24", "NHS", "B"),
        ],
    )
    findings, _summary = find_sharing(inventory, tariff=Tariff(renumber_pool=("192.168.0.0/23",)))
    replacements = sorted(f.impact["replacement"] for f in overlaps(findings))
    assert replacements == ["192.168.0.0/24", "192.168.1.0/24"]


def test_no_free_block_says_so(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=SITES,
        prefixes=[prefix("10.0.0.0/16", "CC", "A"), prefix("10.0.1.0/24", "NHS", "B")],
    )
    (found,) = overlaps(find_sharing(inventory)[0])
    assert found.impact["replacement"] is None
    assert "renumber_pool" in found.title


def test_overlap_blocking_a_found_opportunity_is_high(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            {
                "code": "H",
                "tenant": "CC",
                "latitude": LAT + 5 / KM_PER_DEGREE,
                "longitude": LON,
                "role": "hub",
            },
            {"code": "A", "tenant": "CC", "latitude": LAT, "longitude": LON, "role": "access"},
            {"code": "B", "tenant": "NHS", "latitude": LAT + 0.04 / KM_PER_DEGREE, "longitude": LON},
        ],
        links=[
            {
                "circuit_id": "L-A",
                "a_site": "A",
                "b_site": "H",
                "bandwidth_mbps": 100,
                "annual_cost_gbp": 5000,
            },
            {
                "circuit_id": "L-B",
                "a_site": "B",
                "b_site": "H",
                "bandwidth_mbps": 100,
                "annual_cost_gbp": 5000,
            },
        ],
        prefixes=[prefix("10.0.0.0/16", "CC", "A"), prefix("10.0.1.0/24", None, "B")],
    )
    findings, _summary = find_sharing(inventory)
    (found,) = overlaps(findings)
    assert found.tenants == ["CC", "NHS"]  # B's prefix belongs to its site's tenant
    assert found.severity.value == "high"
    assert found.impact["blocks_found_opportunity"] is True


def test_site_prefixes_that_summarise_are_info_tidy_ups(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=SITES,
        prefixes=[
            prefix("10.20.0.0/24", "CC", "A"),
            prefix("10.20.1.0/24", "CC", "A"),
            prefix("10.20.3.0/24", "CC", "A"),
            prefix("10.30.0.0/24", "CC", "A", vrf="other"),
            prefix("10.40.0.0/24", "NHS", "B"),
            prefix("10.40.1.0/24", "NHS", "B", vrf="x"),  # another table: not summarised with it
        ],
    )
    findings, summary = find_sharing(inventory)
    (tidy,) = [f for f in findings if f.kind == "cidr-merge"]
    assert tidy.id == "cidr-merge:A"
    assert tidy.severity.value == "info"
    assert tidy.impact["merges"] == [
        {
            "vrf": "",
            "tenant": "CC",
            "from": ["10.20.0.0/24", "10.20.1.0/24", "10.20.3.0/24"],
            "to": ["10.20.0.0/23", "10.20.3.0/24"],
        }
    ]
    assert summary.opportunities["cidr-merge"] == 1


def test_bad_prefix_is_a_warning_not_a_crash(build) -> None:
    inventory = build(tenants=TENANTS, sites=SITES, prefixes=[prefix("not-an-ip", "CC", "A")])
    _findings, summary = find_sharing(inventory)
    assert any("not-an-ip" in warning for warning in summary.warnings)
