"""The bundled Staffordshire sample: every planted sharing opportunity found, with its kind, sites and pounds.

The pounds are recomputed here by hand, from the sample's stored circuits and the tariff, with
plain Decimal arithmetic that shares no code with the analyser.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from conftest import Databases

from psninv.analysis.finding import Finding
from psninv.analysis.geo import haversine_km
from psninv.analysis.sharing import KINDS, find_sharing
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory
from psninv.io.importer import import_files
from psninv.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inventory" / "staffordshire.xlsx"
README = ROOT / "inventory" / "README.md"
TARIFF = Tariff()
UPLIFT = Decimal(str(TARIFF.uplift_per_mbps_gbp))
UPSTREAM = {"hub", "core", "datacentre"}


def planted() -> dict[str, dict]:
    """The README's planted features naming a sharing kind (or `none`), by kind."""
    rows: dict[str, dict] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not cells[0].isdigit():
            continue
        kinds = set(re.findall(r"`([a-z-]+)`", cells[5]))
        for kind in kinds & (set(KINDS) | {"none"}):
            if kind == "none" and "VRF" not in cells[1]:
                continue
            rows[kind] = {
                "sites": re.findall(r"`([^`]+)`", cells[2]),
                "circuits": re.findall(r"`([^`]+)`", cells[3]),
                "why": cells[4],
            }
    return rows


PLANTED = planted()


@pytest.fixture(scope="module")
def sample(databases: Databases) -> Inventory:
    """The bundled workbook imported into a real store on the database under test."""
    with open_store(databases.new(), actor="tester") as store:
        report = import_files(store, [SAMPLE])
        assert report.ok, [str(issue) for issue in report.issues]
        return store.load()


@pytest.fixture(scope="module")
def analysed(sample: Inventory) -> tuple[list[Finding], dict]:
    """Every sharing finding of the sample, hidden ones too, and the summary."""
    return find_sharing(sample, include_hidden=True)


def of_kind(analysed: tuple[list[Finding], dict], kind: str) -> list[Finding]:
    return [f for f in analysed[0] if f.kind == kind]


def cost(inventory: Inventory, cid: str) -> Decimal:
    return Decimal(str(inventory.links[cid]["annual_cost_gbp"]))


def bandwidth(inventory: Inventory, cid: str) -> Decimal:
    return Decimal(str(inventory.links[cid]["bandwidth_mbps"]))


def circuits_at(inventory: Inventory, site: str) -> list[str]:
    return sorted(
        cid
        for cid, row in inventory.links.items()
        if site in (row["a_site"], row["b_site"]) and (row["status"] or "active") == "active"
    )


def pounds(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_the_readme_plants_every_sharing_kind() -> None:
    assert set(PLANTED) == set(KINDS) | {"none"}


def test_co_located_groups_are_found_with_the_best_host_and_exact_pounds(
    sample: Inventory, analysed: tuple[list[Finding], dict]
) -> None:
    groups = [part.split(" (")[0].split(" + ") for part in PLANTED["co-location"]["why"].split("; ")]
    assert sorted(code for group in groups for code in group) == sorted(PLANTED["co-location"]["sites"])
    found = {frozenset(f.sites): f for f in of_kind(analysed, "co-location")}
    # Only the planted groups lie within 100 m of each other.
    assert set(found) == {frozenset(group) for group in groups}
    for group in groups:
        finding = found[frozenset(group)]

        def by_hand(host: str, group: list[str] = group) -> Decimal:
            # Keep the host's largest circuit; everyone else's circuits go; demand above it is uplift.
            own = {site: circuits_at(sample, site) for site in group}
            bearer = max(own[host], key=lambda cid: (bandwidth(sample, cid), cost(sample, cid)))
            demand = sum(Decimal(str(sample.sites[site]["demand_mbps"])) for site in group)
            retired = sum(cost(sample, cid) for site in group if site != host for cid in own[site])
            return retired - max(Decimal(0), demand - bandwidth(sample, bearer)) * UPLIFT

        best = max(group, key=by_hand)
        assert finding.id == f"co-location:{best}"
        # A joiner the policy needs two paths for keeps one through a new link, netted from the saving.
        assert finding.savings_gbp == pounds(by_hand(best)) - finding.impact.get("policy_links_gbp", 0)
        assert set(finding.tenants) >= {sample.sites[site]["tenant"] for site in group}
        assert finding.savings_pct is not None and finding.savings_pct >= TARIFF.threshold_pct
    castle = found[frozenset({"NUL-CHB", "NUL-CHS", "NUL-CHP"})]
    # £5,600 + £4,700 + £7,300 retired; 150 + 60 + 40 Mbit/s on a 200 Mbit/s bearer: 50 x £2.50.
    assert (castle.id, castle.impact["savings_before_policy_gbp"]) == ("co-location:NUL-CHS", "17475")
    # NUL-CHB (high: two site-disjoint paths) would hang off the host's one circuit: a link to its hub.
    assert [(link.a_site, link.b_site) for link in castle.proposed_links] == [("NUL-CHB", "NUL-HUB")]
    assert castle.savings_gbp == 17475 - castle.impact["policy_links_gbp"]


def test_renewal_neighbours_are_one_window_with_their_dates_and_value(
    sample: Inventory, analysed: tuple[list[Finding], dict]
) -> None:
    wanted = set(PLANTED["renewal-window"]["circuits"])
    (finding,) = [f for f in of_kind(analysed, "renewal-window") if wanted <= set(f.links)]
    assert set(PLANTED["renewal-window"]["sites"]) <= set(finding.sites)
    ends = {cid: sample.links[cid]["contract_end"].isoformat() for cid in finding.links}
    assert finding.impact["contract_ends"] == ends
    value = sum(cost(sample, cid) for cid in finding.links)
    assert Decimal(str(finding.impact["combined_annual_gbp"])) == value
    assert finding.savings_gbp is None  # no discount in the default tariff
    discounted = find_sharing(sample, tariff=Tariff(renewal_discount_pct=12.5), include_hidden=True)[0]
    (costed,) = [f for f in discounted if f.id == finding.id]
    assert costed.savings_gbp == pounds(value * Decimal("12.5") / 100)


def test_overlapping_prefixes_are_found_and_other_vrfs_are_not(analysed: tuple[list[Finding], dict]) -> None:
    found = of_kind(analysed, "ip-overlap")
    assert {frozenset(f.impact["prefixes"]) for f in found} == {
        frozenset({"10.20.0.0/16", "10.20.4.0/24"}),
        frozenset({"192.168.0.0/23", "192.168.1.0/24"}),
    }
    assert {site for f in found for site in f.sites} == set(PLANTED["ip-overlap"]["sites"])
    assert all(f.impact["vrf"] == "" for f in found)
    # The same 10.20.4.0/24 in VRF POL-SECURE at STA-PHQ is no overlap.
    assert not any("STA-PHQ" in f.sites for f in found)
    assert all(f.severity.value in ("medium", "high") and f.savings_gbp is None for f in found)


def test_parallel_circuits_share_one_bearer(sample: Inventory, analysed: tuple[list[Finding], dict]) -> None:
    (finding,) = of_kind(analysed, "parallel-circuits")
    pair = PLANTED["parallel-circuits"]["circuits"]
    assert sorted(finding.links) == sorted(pair)
    assert set(finding.sites) == set(PLANTED["parallel-circuits"]["sites"])

    def by_hand(keep: str) -> Decimal:
        (other,) = [cid for cid in pair if cid != keep]
        return cost(sample, other) - bandwidth(sample, other) * UPLIFT

    best = max(pair, key=by_hand)
    assert finding.id == f"parallel-circuits:{best}"
    assert finding.savings_gbp == pounds(by_hand(best))


def test_own_hub_is_consolidated_into_the_shared_hub(
    sample: Inventory, analysed: tuple[list[Finding], dict]
) -> None:
    (finding,) = of_kind(analysed, "hub-consolidation")
    hub, shared = PLANTED["hub-consolidation"]["sites"]
    assert finding.sites == [hub, shared]
    uplinks = [
        cid
        for cid in circuits_at(sample, hub)
        if sample.sites[{sample.links[cid]["a_site"], sample.links[cid]["b_site"]}.difference({hub}).pop()][
            "role"
        ]
        in UPSTREAM
    ]
    main = max(uplinks, key=lambda cid: (bandwidth(sample, cid), cost(sample, cid)))
    km = haversine_km(
        *(float(sample.sites[code][axis]) for code in (hub, shared) for axis in ("latitude", "longitude"))
    )
    rehome = round(TARIFF.crosslink_fixed_gbp + TARIFF.crosslink_per_km_gbp * km)
    expected = sum(cost(sample, cid) for cid in uplinks) - bandwidth(sample, main) * UPLIFT - rehome
    assert sorted(finding.impact["uplinks"]) == sorted(uplinks)
    assert finding.savings_gbp == pounds(expected)
    # The issue's own case: the high-criticality hub's 250 Mbit/s would fall back on a 100 Mbit/s
    # circuit when its one new link fails, so the saving is not offered and not in the totals.
    assert finding.breaks_policy and "overloads" in finding.breaks_policy
    assert finding.severity.value == "info"


def test_single_homed_library_is_backed_up_by_the_fire_hq(
    sample: Inventory, analysed: tuple[list[Finding], dict]
) -> None:
    site, partner = PLANTED["mutual-backup"]["sites"]
    (finding,) = [f for f in of_kind(analysed, "mutual-backup") if f.sites == [site, partner]]
    a, b = sample.sites[site], sample.sites[partner]
    km = haversine_km(a["latitude"], a["longitude"], b["latitude"], b["longitude"])
    crosslink = round(TARIFF.crosslink_fixed_gbp + TARIFF.crosslink_per_km_gbp * km)
    (circuit,) = PLANTED["mutual-backup"]["circuits"]
    assert finding.links == [circuit]
    assert finding.savings_gbp == pounds(cost(sample, circuit) - Decimal(crosslink))
    assert finding.proposed_links[0].annual_cost_gbp == crosslink


def test_adjacent_prefixes_are_a_tidy_up(analysed: tuple[list[Finding], dict]) -> None:
    (finding,) = of_kind(analysed, "cidr-merge")
    assert finding.sites == PLANTED["cidr-merge"]["sites"]
    assert finding.impact["merges"][0]["to"] == ["10.12.0.0/23"]
    assert finding.severity.value == "info"


def test_the_summary_adds_up(analysed: tuple[list[Finding], dict]) -> None:
    findings, summary = analysed
    shown = [f for f in findings if not f.impact["below_threshold"]]
    cash = [
        f
        for f in shown
        if f.kind not in ("mutual-backup",) and f.savings_gbp is not None and not f.breaks_policy
    ]
    assert summary.savings_gbp == sum(f.savings_gbp for f in cash)
    assert sum(entry.savings_gbp for entry in summary.by_tenant.values()) == summary.savings_gbp
    assert summary.avoided_gbp == sum(
        f.savings_gbp or 0 for f in shown if f.kind == "mutual-backup" and not f.breaks_policy
    )
    assert summary.hidden == len(findings) - len(shown)
    assert summary.total_annual_cost_gbp > summary.savings_gbp > 0
    assert summary.warnings == []


def test_a_renewal_discount_never_hides_the_renewal_windows(sample: Inventory) -> None:
    plain = [f for f in find_sharing(sample)[0] if f.kind == "renewal-window"]
    for discount in (5, 12.5):
        findings, summary = find_sharing(sample, tariff=Tariff(renewal_discount_pct=discount))
        shown = [f for f in findings if f.kind == "renewal-window"]
        assert {f.id for f in shown} == {f.id for f in plain} and len(shown) > 10
        assert all(f.savings_gbp is not None and not f.impact["below_threshold"] for f in shown)
        assert summary.by_kind["renewal-window"].hidden == 0
