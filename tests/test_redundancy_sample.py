"""The bundled Staffordshire sample: every planted redundancy gap found, with its kind, sites and circuits."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import Databases

from psninv.analysis import analyse
from psninv.analysis.finding import Finding
from psninv.analysis.redundancy import KINDS, find_redundancy
from psninv.analysis.whatif import simulate_failures
from psninv.inventory import Inventory
from psninv.io.importer import import_files
from psninv.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inventory" / "staffordshire.xlsx"
README = ROOT / "inventory" / "README.md"
HIGH = {"high", "critical"}


def planted() -> list[dict]:
    """The README's planted features that name a redundancy kind: sites, circuits and kinds."""
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not cells[0].isdigit():
            continue
        kinds = set(re.findall(r"`([a-z-]+)`", cells[5])) & set(KINDS)
        if kinds:
            rows.append(
                {
                    "feature": cells[1],
                    "sites": re.findall(r"`([^`]+)`", cells[2]),
                    "circuits": re.findall(r"`([^`]+)`", cells[3]),
                    "kinds": kinds,
                }
            )
    return rows


@pytest.fixture(scope="module")
def sample(databases: Databases) -> Inventory:
    """The bundled workbook imported into a real store on the database under test."""
    with open_store(databases.new(), actor="tester") as store:
        report = import_files(store, [SAMPLE])
        assert report.ok, [str(issue) for issue in report.issues]
        return store.load()


@pytest.fixture(scope="module")
def findings(sample: Inventory) -> dict[str, Finding]:
    """The sample's redundancy findings by id."""
    return {f.id: f for f in find_redundancy(sample)[0]}


def test_the_readme_plants_every_redundancy_kind_but_isolated_sites() -> None:
    kinds = set().union(*(row["kinds"] for row in planted()))
    # The sample is one connected network: nothing in it reaches no core (no-core-path, issue 13).
    assert kinds == set(KINDS) - {"isolated-site", "no-core-path"}


def test_every_planted_single_homed_site_and_its_bridge(findings: dict[str, Finding]) -> None:
    for row in planted():
        if "single-homed" in row["kinds"]:
            for site in row["sites"]:
                assert findings[f"single-homed:{site}"].sites[0] == site, row["feature"]
        if "bridge" in row["kinds"]:
            assert len(row["sites"]) == len(row["circuits"])
            for site, circuit in zip(row["sites"], row["circuits"], strict=True):
                bridge = findings[f"bridge:{circuit}"]
                assert site in bridge.sites and bridge.impact["cut_off_sites"] == [site], row["feature"]
        elif "single-homed" in row["kinds"]:
            # Two circuits to one neighbour: single-homed, and never a bridge.
            assert all(f"bridge:{circuit}" not in findings for circuit in row["circuits"])
            assert findings[f"single-homed:{row['sites'][0]}"].links == sorted(row["circuits"])


def test_the_planted_cut_site_cuts_off_its_district(sample: Inventory, findings: dict[str, Finding]) -> None:
    (row,) = [row for row in planted() if "cut-site" in row["kinds"]]
    (hub,) = row["sites"]
    district = sample.sites[hub]["district"]
    expected = sorted(
        code for code, site in sample.sites.items() if site["district"] == district and code != hub
    )

    cut = findings[f"cut-site:{hub}"]
    assert cut.impact["cut_off_sites"] == expected
    assert f"{len(expected)} sites" in row_text(row)


def row_text(row: dict) -> str:
    """The README line of a planted feature."""
    return next(line for line in README.read_text(encoding="utf-8").splitlines() if row["feature"] in line)


def test_the_planted_shared_risk_and_nothing_else_shares_an_srlg(findings: dict[str, Finding]) -> None:
    (row,) = [row for row in planted() if "shared-risk" in row["kinds"]]
    (site,) = row["sites"]
    # One finding per event (issue 13): it names every circuit of the tag and every site it cuts off;
    # the planted site is the one only the event (no single failure) cuts off.
    srlg = [f for f in findings.values() if f.kind == "shared-risk" and "srlg" in f.impact]
    assert [f.impact["hidden_sites"] for f in srlg] == [[site]]
    (risk,) = srlg
    assert risk.id == f"shared-risk:srlg:{risk.impact['srlg']}"
    assert set(row["circuits"]) <= set(risk.links)
    assert site in risk.sites
    assert risk.impact["srlg"] in row_text(row)
    assert risk.severity == "critical"


def test_below_policy_is_exactly_the_planted_sites(findings: dict[str, Finding]) -> None:
    expected = {site for row in planted() if "below-policy" in row["kinds"] for site in row["sites"]}
    # The default policy counts sites (issue 13): high LIC-LDC has two circuits, both to LIC-HUB, so
    # every path passes through that hub; it is single-homed in the README, and now below policy too.
    expected.add("LIC-LDC")
    assert findings["below-policy:LIC-LDC"].impact["measured"]["hangs_on"] == "LIC-HUB"
    assert sorted(f.sites[0] for f in findings.values() if f.kind == "below-policy") == sorted(expected)


def test_the_planted_capacity_case_and_no_other(findings: dict[str, Finding]) -> None:
    (row,) = [row for row in planted() if "capacity" in row["kinds"]]
    failed, overloaded = row["circuits"]
    capacity = [f for f in findings.values() if f.kind == "capacity"]
    assert [f.id for f in capacity] == [f"capacity:{overloaded}"]
    assert capacity[0].impact["failure"] == failed
    load = re.search(r"Tamworth's (\d+) Mbit/s", row_text(row))
    assert load and capacity[0].impact["load_mbps"] == float(load.group(1))


def test_failing_the_district_hub_cuts_off_its_sites_grouped_by_tenant(sample: Inventory) -> None:
    (row,) = [row for row in planted() if "cut-site" in row["kinds"]]
    (hub,) = row["sites"]
    expected: dict[str, list[str]] = defaultdict(list)
    for code, site in sorted(sample.sites.items()):
        if site["district"] == sample.sites[hub]["district"] and code != hub:
            for tenant in dict.fromkeys([site["tenant"], *site["occupants"]]):
                expected[tenant].append(code)

    result = analyse(sample, only="redundancy", failed=[hub])
    what_if = result.what_if.to_dict()
    assert what_if["cut_off"] == dict(sorted(expected.items()))
    assert what_if["failed_sites"] == [hub]
    assert what_if["demand_lost_mbps"] == sum(
        sample.sites[code]["demand_mbps"] or 0 for code in what_if["cut_off_sites"]
    )
    tenants = re.search(r"\(([A-Z, -]+)\)\. \|", row_text(row))
    assert tenants and what_if["tenants_affected"] == tenants.group(1).split(", ")
    # The degraded network: the district's sites are now isolated.
    isolated = {f.sites[0] for f in result.findings if f.kind == "isolated-site"}
    assert isolated == set(what_if["cut_off_sites"])


def test_every_bridge_and_cut_site_impact_matches_a_what_if(
    sample: Inventory, findings: dict[str, Finding]
) -> None:
    for f in findings.values():
        if f.kind in ("bridge", "cut-site"):
            failed = f.links if f.kind == "bridge" else f.sites
            assert sorted(simulate_failures(sample, failed).cut_off_sites) == f.impact["cut_off_sites"], f.id


def test_remedies_close_the_gaps_of_high_and_critical_sites(
    sample: Inventory, findings: dict[str, Finding]
) -> None:
    proposed = sorted({(p.a_site, p.b_site) for f in findings.values() for p in f.proposed_links})
    assert proposed
    links = dict(sample.links)
    for i, (a, b) in enumerate(proposed):
        links[f"NEW-{i}"] = {"circuit_id": f"NEW-{i}", "a_site": a, "b_site": b, "status": "active"}
    fixed = Inventory(tenants=sample.tenants, sites=sample.sites, links=links, prefixes=sample.prefixes)

    again, summary = find_redundancy(fixed)
    for f in again:
        if f.kind == "single-homed":
            assert sample.sites[f.sites[0]]["criticality"] not in HIGH, f.id
        if f.kind == "bridge":
            assert not any(sample.sites[c]["criticality"] in HIGH for c in f.impact["cut_off_sites"]), f.id
    assert summary.remedy.proposed == 0


def test_titles_fit_a_100_column_table(findings: dict[str, Finding]) -> None:
    # The table gives the title most of 100 columns beside severity, kind and impact; longer ones wrap.
    assert max(len(f.title) for f in findings.values()) <= 100
