"""An engineer's day through the CLI on the bundled sample: import, analyse, what-if, export, re-import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Databases, digest

from psninv import open_store, sample_path
from psninv.analysis import analyse
from psninv.cli.app import get_cli
from psninv.session import index_inventory

FINDING_FIELDS = {
    "id", "category", "kind", "severity", "title", "sites", "links", "tenants", "impact",
    "remedy", "proposed_links",
}


@pytest.fixture(scope="module")
def sample_db(databases: Databases) -> str:
    """The sample imported once through `psninv import`."""
    db = databases.new()
    result = CliRunner().invoke(get_cli(), ["import", str(sample_path()), "--db", db])
    assert result.exit_code == 0, result.output
    return db


def load(db: str):
    with open_store(db) as store:
        return store.load()


def checksum(db: str) -> str:
    with open_store(db) as store:
        return digest(store)


def run(*args: str):
    return CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)


def test_import_reports_counts_and_a_second_import_changes_nothing(sample_db: str) -> None:
    counts = load(sample_db).counts()
    assert counts["sites"] == 200
    again = run("import", str(sample_path()), "--db", sample_db, "--report", "json")
    report = json.loads(again.stdout)
    assert again.exit_code == 0
    assert all(c["created"] == 0 and c["updated"] == 0 for c in report["counts"].values())


def test_export_then_import_reports_everything_unchanged(sample_db: str, tmp_path: Path) -> None:
    exported = tmp_path / "export.xlsx"
    assert run("export", str(exported), "--db", sample_db).exit_code == 0
    result = run("import", str(exported), "--db", sample_db, "--report", "json")
    counts = json.loads(result.stdout)["counts"]
    assert {e: c["unchanged"] for e, c in counts.items()} == load(sample_db).counts()
    assert all(c["created"] == c["updated"] == 0 for c in counts.values())


def test_analyse_json_has_every_field(sample_db: str) -> None:
    result = run("analyse", "--db", sample_db, "--format", "json")
    document = json.loads(result.stdout)
    assert set(document) == {"summary", "findings"}
    kinds = {f["kind"] for f in document["findings"]}
    assert {"single-homed", "bridge", "cut-site", "shared-risk", "capacity", "below-policy"} <= kinds
    assert {"co-location", "renewal-window", "ip-overlap"} <= kinds
    for finding in document["findings"]:
        assert set(finding) >= FINDING_FIELDS
        assert finding["id"].startswith(finding["kind"] + ":")


def test_analyse_json_summary_keeps_its_keys(sample_db: str) -> None:
    # The typed summaries write the same JSON document the dict summaries did; scripts read these keys.
    summary = json.loads(run("analyse", "--db", sample_db, "--format", "json").stdout)["summary"]
    assert list(summary) == ["redundancy", "sharing", "findings", "findings_by_severity"]
    assert list(summary["redundancy"]) == [
        "sites", "links", "cores", "mode", "components", "sites_without_core", "findings",
        "by_severity", "by_kind", "remedy", "capacity", "policy",
        "verified_remedies",  # on by default: advice is offered only once re-analysis proves it
    ]
    assert list(summary["sharing"]) == [
        "total_annual_cost_gbp", "active_links", "uncosted_links", "savings_gbp", "savings_pct",
        "avoided_gbp", "by_tenant", "opportunities", "by_kind", "hidden", "breaks_policy", "threshold_pct",
        "tariff",
        "warnings",
    ]
    assert list(summary["sharing"]["by_tenant"]["SCC"]) == [
        "name", "annual_cost_gbp", "savings_gbp", "savings_pct", "avoided_gbp",
    ]
    assert summary["findings"] == sum(summary["findings_by_severity"].values())


def test_analyse_sharing_prints_the_savings_of_each_tenant(sample_db: str) -> None:
    data = json.loads(run("analyse", "--db", sample_db, "--only", "sharing", "--format", "json").stdout)
    by_tenant = data["summary"]["sharing"]["by_tenant"]
    saving = {code: entry for code, entry in by_tenant.items() if entry["savings_gbp"]}
    assert len(saving) >= 3
    table = run("analyse", "--db", sample_db, "--only", "sharing").stdout
    lines = table.splitlines()
    columns = ["tenant", "annual", "cost", "savings", "%"]
    header = next(i for i, line in enumerate(lines) if line.split() == columns)
    rows = [line.split() for line in lines[header + 1 : header + 1 + len(saving)]]
    # Largest saving first, each row the tenant's own figures from the summary.
    assert [row[0] for row in rows] == sorted(saving, key=lambda code: -saving[code]["savings_gbp"])
    for code, cost, saved, pct in rows:
        entry = saving[code]
        assert cost == f"£{entry['annual_cost_gbp']:,}" and saved == f"£{entry['savings_gbp']:,}"
        assert pct == f"{entry['savings_pct']:.1f}%"


def test_analyse_table_fits_100_columns(sample_db: str) -> None:
    result = run("analyse", "--db", sample_db, "--only", "redundancy")
    assert result.exit_code == 0
    assert "SML-HUB" in result.stdout
    assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= 100


def test_failing_the_moorlands_hub_cuts_off_its_district_by_tenant(sample_db: str) -> None:
    result = run("analyse", "--db", sample_db, "--fail", "SML-HUB", "--format", "json")
    what_if = json.loads(result.stdout)["summary"]["what_if"]
    cut = what_if["cut_off"]
    sites = load(sample_db).sites
    assert what_if["sites_cut_off"] == len(what_if["cut_off_sites"]) == 22
    assert len(cut) >= 2
    assert set().union(*cut.values()) == set(what_if["cut_off_sites"])
    for tenant, codes in cut.items():
        for code in codes:
            assert sites[code]["district"] == "Staffordshire Moorlands"
            assert tenant == (sites[code]["tenant"] or "") or tenant in sites[code]["occupants"]
    table = run("analyse", "--db", sample_db, "--fail", "SML-HUB", "--only", "redundancy")
    assert "22 sites of 11 tenants cut off" in table.stdout


def test_fail_on_sets_the_exit_status(sample_db: str) -> None:
    assert run("analyse", "--db", sample_db, "--fail-on", "critical").exit_code == 1
    quiet = run("analyse", "--db", sample_db, "--only", "sharing", "--fail-on", "critical")
    assert quiet.exit_code == 0


def test_unknown_failure_name_is_a_usage_error(sample_db: str) -> None:
    result = run("analyse", "--db", sample_db, "--fail", "NOWHERE")
    assert result.exit_code == 2
    assert "NOWHERE" in result.output


def test_analyse_writes_a_workbook(sample_db: str, tmp_path: Path) -> None:
    target = tmp_path / "findings.xlsx"
    result = run("analyse", "--db", sample_db, "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0 and target.stat().st_size > 0
    assert run("analyse", "--db", sample_db, "--format", "xlsx").exit_code == 2


def test_demo_without_a_terminal_prints_a_summary(db: str) -> None:
    result = run("demo", "--db", db)
    assert result.exit_code == 0
    assert "200 sites" in result.stdout
    assert "The ten most severe findings" in result.stdout


def test_bad_import_is_one_line_per_error_and_writes_nothing(sample_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "links.csv"
    bad.write_text("circuit_id,a_site,b_site,annual_cost_gbp\nX1,STA-DC,NOWHERE,-5\n", encoding="utf-8")
    before = checksum(sample_db)
    result = run("import", str(bad), "--db", sample_db)
    assert result.exit_code == 1
    assert "row 2" in result.output and "b_site" in result.output and "annual_cost_gbp" in result.output
    assert "Traceback" not in result.output
    assert checksum(sample_db) == before


def test_scc_costs_the_same_everywhere_on_the_sample(sample_db: str) -> None:
    # The TUI showed £1,122,880 until the analysis finished (it counted the ceased BT-200043, £1,570).
    inventory = load(sample_db)
    assert inventory.links["BT-200043"]["status"] == "ceased"
    before = index_inventory(inventory).tenant_cost("SCC")
    after = analyse(inventory).sharing.by_tenant["SCC"].annual_cost_gbp
    assert before == after == 1_121_310
    for scope in ([], ["--tenant", "SCC"]):
        listed = run("tenants", "--db", sample_db, *scope).stdout
        (row,) = [line.split() for line in listed.splitlines() if line.startswith("SCC ")]
        assert row[-1] == "£1,121,310"
