"""Failure events (srlg:TAG, provider:NAME), the worst events, tag hygiene, parts that reach no core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import link, site
from click.testing import CliRunner
from conftest import Databases

from psninv import open_store, sample_path
from psninv.analysis import analyse
from psninv.analysis.failures import expand_failures
from psninv.analysis.redundancy import find_redundancy
from psninv.analysis.whatif import simulate_failures
from psninv.cli.app import get_cli
from psninv.inventory import Inventory
from psninv.io.importer import import_files
from psninv.model import canonical_tag, join_srlg, srlg_tags

TENANTS = [{"code": code} for code in ("T1", "T2")]
BURTON = "exchange:Burton"
HOSPITAL = "EST-QHB"


@pytest.fixture(scope="module")
def sample_db(databases: Databases) -> str:
    db = databases.new()
    with open_store(db, actor="tester") as store:
        assert import_files(store, [sample_path()]).ok
    return db


@pytest.fixture(scope="module")
def sample(sample_db: str) -> Inventory:
    with open_store(sample_db, actor="tester") as store:
        return store.load()


def cli(*args: str) -> str:
    result = CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def tagged(inventory: Inventory, tag: str) -> list[str]:
    return sorted(cid for cid, row in inventory.links.items() if tag in srlg_tags(row.get("srlg")))


def test_failing_an_srlg_cuts_off_exactly_what_failing_its_circuits_by_name_does(sample_db, sample) -> None:
    circuits = tagged(sample, BURTON)
    assert len(circuits) == 15
    by_name = simulate_failures(sample, circuits)
    by_event = simulate_failures(sample, [f"srlg:{BURTON}"])
    assert by_event.cut_off_sites == by_name.cut_off_sites
    assert by_event.failed_links == circuits and by_event.failed_events == [f"srlg:{BURTON}"]
    assert HOSPITAL in by_event.cut_off_sites and by_event.sites_cut_off == 8

    out = json.loads(cli("analyse", "--db", sample_db, "--only", "redundancy", "--format", "json",
                         "--fail", f"srlg:{BURTON}"))
    assert set(out["summary"]["what_if"]["cut_off_sites"]) == by_name.cut_off_sites
    named = json.loads(cli("analyse", "--db", sample_db, "--only", "redundancy", "--format", "json",
                           "--fail", ",".join(circuits)))
    assert named["summary"]["what_if"]["cut_off_sites"] == out["summary"]["what_if"]["cut_off_sites"]
    # The degraded network is the same whichever way the circuits were named.
    assert [f["id"] for f in named["findings"]] == [f["id"] for f in out["findings"]]


def test_the_shared_risk_finding_is_one_per_event_and_names_every_site_it_cuts_off(sample) -> None:
    findings, _ = find_redundancy(sample)
    risks = [f for f in findings if f.kind == "shared-risk"]
    assert len({f.id for f in risks}) == len(risks)
    (burton,) = [f for f in risks if f.impact.get("srlg") == BURTON]
    assert burton.id == f"shared-risk:srlg:{BURTON}"
    assert set(burton.sites) == simulate_failures(sample, [f"srlg:{BURTON}"]).cut_off_sites
    # Failing the finding's circuits (what the TUI's w does) is failing the event.
    assert burton.links == tagged(sample, BURTON) or set(burton.links) <= set(tagged(sample, BURTON))
    assert simulate_failures(sample, burton.links).cut_off_sites == set(burton.sites)
    assert burton.severity == "critical"


def test_events_rank_every_tag_and_provider_as_failing_it_does(sample_db, sample) -> None:
    result = analyse(sample, only="redundancy", events=True)
    events = result.redundancy.events
    active = [row for row in sample.links.values() if row["status"] == "active"]
    tags = {f"srlg:{tag}" for row in active for tag in srlg_tags(row.get("srlg"))}
    providers = {f"provider:{row['provider']}" for row in active if row.get("provider")}
    assert {e.fail_name for e in events} == tags | providers
    for event in events:
        expected = simulate_failures(sample, [event.fail_name])
        assert set(event.cut_off_sites) == expected.cut_off_sites, event.fail_name
        assert event.tenants_affected == expected.tenants_affected, event.fail_name
    ranks = [(-e.sites_cut_off, -len(e.tenants_affected), -e.demand_mbps_lost) for e in events]
    assert ranks == sorted(ranks)

    out = json.loads(cli("analyse", "--db", sample_db, "--only", "redundancy", "--events", "--format=json"))
    assert [e["event"] for e in out["summary"]["redundancy"]["events"]] == [e.fail_name for e in events]
    table = cli("analyse", "--db", sample_db, "--only", "redundancy", "--events")
    assert "Failure events" in table and "provider:Kcom" in table


def test_fail_names_expand_and_unknown_ones_are_refused(sample_db, sample) -> None:
    failures = expand_failures(sample, ["provider:kcom", "srlg:Exchange : Burton", "SML-HUB", "srlg:nowhere"])
    assert failures.sites == ["SML-HUB"]
    assert failures.events == ["provider:kcom", "srlg:Exchange : Burton"]
    assert failures.unknown == ["srlg:nowhere"]
    kcom = {cid for cid, row in sample.links.items() if row.get("provider") == "Kcom"}
    assert kcom | set(tagged(sample, BURTON)) == set(failures.links)
    result = CliRunner().invoke(get_cli(), ["analyse", "--db", sample_db, "--fail", "srlg:nowhere"])
    assert result.exit_code == 2 and "'srlg:nowhere'" in result.output


def test_tags_are_stored_in_one_canonical_form() -> None:
    assert canonical_tag("Exchange : Burton  Stapenhill") == "exchange:Burton-Stapenhill"
    assert canonical_tag("exchange:Burton - Stapenhill") == "exchange:Burton-Stapenhill"
    assert canonical_tag("DUCT:A34-north") == "duct:A34-north"
    assert join_srlg(["Exchange: Burton", "exchange:Burton", " duct:9 "]) == "duct:9;exchange:Burton"


def test_importing_a_misspelt_tag_keeps_the_hospitals_critical_finding(tmp_path: Path, databases: Databases):
    with open_store(databases.new(), actor="tester") as store:
        assert import_files(store, [sample_path()]).ok
        links = store.load().links
        hospital = [cid for cid, row in links.items() if HOSPITAL in (row["a_site"], row["b_site"])]
        assert len(hospital) == 2 and all(BURTON in srlg_tags(links[cid]["srlg"]) for cid in hospital)
        lines = ["circuit id,srlg"]
        for cid in hospital:
            tags = [("Exchange: Burton" if tag == BURTON else tag) for tag in srlg_tags(links[cid]["srlg"])]
            lines.append(f'{cid},"{";".join(tags)}"')
        path = tmp_path / "links.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert import_files(store, [path]).ok
        inventory = store.load()
    assert all(BURTON in srlg_tags(inventory.links[cid]["srlg"]) for cid in hospital)
    findings, _ = find_redundancy(inventory)
    (burton,) = [f for f in findings if f.kind == "shared-risk" and f.impact.get("srlg") == BURTON]
    assert HOSPITAL in burton.impact["hidden_sites"] and burton.severity == "critical"
    assert f"below-policy:{HOSPITAL}" in {f.id for f in findings}


def test_near_duplicate_tags_are_import_warnings(tmp_path: Path, databases: Databases) -> None:
    path = tmp_path / "links.csv"
    path.write_text(
        "circuit id,a site,b site,srlg\n"
        "C1,A,B,exchange:Burton\n"
        "C2,A,B,Exchange : Burton  Stapenhill\n"
        "C3,A,B,exchange:Burton-Stapenhill;exchange:BURTON\n"
        "C4,A,B,duct:Other\n",
        encoding="utf-8",
    )
    sites = tmp_path / "sites.csv"
    sites.write_text("code,name\nA,A\nB,B\n", encoding="utf-8")
    with open_store(databases.new(), actor="tester") as store:
        report = import_files(store, [sites, path])
        assert report.ok
        rows = store.load().links
    assert rows["C2"]["srlg"] == "exchange:Burton-Stapenhill"
    warnings = sorted(issue.message for issue in report.issues if "same shared risk" in issue.message)
    assert warnings == [
        "`exchange:BURTON` and `exchange:Burton-Stapenhill`: the same shared risk?",
        "`exchange:BURTON` and `exchange:Burton`: the same shared risk?",
        "`exchange:Burton` and `exchange:Burton-Stapenhill`: the same shared risk?",
    ]


def test_a_part_that_reaches_no_core_is_its_own_finding_and_counted(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[
            site("DC", "T1", role="core"),
            site("A", "T1"),
            site("P", "T1", crit="critical"),
            site("Q", "T2"),
            site("LONE", "T1"),
        ],
        links=[link("C1", "DC", "A"), link("C2", "P", "Q")],
    )
    findings, summary = find_redundancy(inventory)
    islands = [f for f in findings if f.kind == "no-core-path"]
    assert [(f.id, f.sites, f.severity) for f in islands] == [("no-core-path:P", ["P", "Q"], "critical")]
    assert summary.sites_without_core == 3
    assert summary.by_kind["no-core-path"] == 1


def test_without_any_core_every_site_is_counted_without_one(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("A", "T1"), site("B", "T1"), site("C", "T1")],
        links=[link("L1", "A", "B"), link("L2", "B", "C")],
    )
    findings, summary = find_redundancy(inventory)
    assert summary.sites_without_core == 3
    assert not [f for f in findings if f.kind == "no-core-path"]


