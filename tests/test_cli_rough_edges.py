"""The everyday CLI says exactly what it did: exit codes for usage, no stray files, honest counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import link, site, write_rows
from click.testing import CliRunner

from psninv.cli.app import get_cli
from psninv.store import Store

SAMPLE = Path(__file__).resolve().parent.parent / "inventory" / "staffordshire.xlsx"


def invoke(*args: str) -> object:
    return CliRunner().invoke(get_cli(), list(args))


@pytest.fixture
def sample(store: Store) -> Store:
    result = invoke("import", str(SAMPLE), "--db", store.url)
    assert result.exit_code == 0, result.output
    return store


def test_revert_without_a_change_and_history_of_an_unknown_entity_are_usage_errors(sample: Store) -> None:
    revert = invoke("revert", "--db", sample.url)
    assert revert.exit_code == 2 and "name one change to revert" in revert.output
    history = invoke("history", "--entity", "bogus", "--db", sample.url)
    assert history.exit_code == 2 and "unknown entity 'bogus'" in history.output


@pytest.mark.sqlite_only
def test_a_refused_first_import_leaves_no_database_file(tmp_path: Path) -> None:
    bad = tmp_path / "sites.csv"
    bad.write_text("code,latitude\nS1,north\n")
    db = tmp_path / "new.db"
    result = invoke("import", str(bad), "--db", str(db))
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.csv"]


@pytest.mark.sqlite_only
def test_a_refused_import_into_an_existing_inventory_keeps_it(sample: Store, tmp_path: Path) -> None:
    bad = tmp_path / "sites.csv"
    bad.write_text("code,latitude\nS1,north\n")
    assert invoke("import", str(bad), "--db", sample.url).exit_code == 1
    assert len(sample.load().sites) == 200


@pytest.mark.parametrize("name", ["net.graphml", "map.geojson"])
def test_graph_and_map_exports_say_only_what_they_wrote(sample: Store, tmp_path: Path, name: str) -> None:
    result = invoke("export", str(tmp_path / name), "--db", sample.url)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert said.endswith("(200 sites, 277 links).") and "tenants" not in said and "prefixes" not in said
    workbook = invoke("export", str(tmp_path / "all.xlsx"), "--db", sample.url)
    assert "23 tenants, 200 sites, 277 links, 245 prefixes" in " ".join(workbook.output.split())


def test_tenants_as_json_carry_the_sites_and_cost_the_table_shows(sample: Store) -> None:
    rows = json.loads(invoke("tenants", "--format", "json", "--db", sample.url).stdout)
    scc = next(row for row in rows if row["code"] == "SCC")
    table = invoke("tenants", "--db", sample.url).stdout
    line = next(line for line in table.splitlines() if line.startswith("SCC "))
    assert f"{scc['sites']}" in line.split()
    assert f"£{scc['annual_cost_gbp']:,.0f}" in line
    assert scc["annual_cost_gbp"] == pytest.approx(1_121_310)
    assert sum(row["sites"] for row in rows) == 200


def test_an_uncosted_network_costs_unknown_not_nothing(store: Store) -> None:
    write_rows(
        store,
        sites=[site("A", role="core"), site("B"), site("C")],
        links=[link("L1", "A", "B"), link("L2", "B", "C")],
    )
    said = " ".join(invoke("analyse", "--only", "sharing", "--db", store.url).output.split())
    assert "Annual network cost unknown" in said and "£0" not in said.split("savings")[0]
    data = json.loads(invoke("analyse", "--only", "sharing", "--format", "json", "--db", store.url).stdout)
    assert data["summary"]["sharing"]["total_annual_cost_gbp"] is None


def test_a_what_if_counts_in_words_that_agree(store: Store) -> None:
    write_rows(
        store,
        tenants=[{"code": "T1"}],
        sites=[site("A", "T1", role="core"), site("B", "T1"), site("C", "T1")],
        links=[link("L1", "A", "B"), link("L2", "B", "C")],
    )
    said = " ".join(invoke("analyse", "--fail", "L2", "--db", store.url).output.split())
    assert "1 site of 1 tenant cut off" in said


def test_a_partners_tenant_listing_keeps_its_own_cost_whole(sample: Store) -> None:
    whole = json.loads(invoke("tenants", "--format", "json", "--db", sample.url).stdout)
    listed = invoke("tenants", "--tenant", "NHS-MPFT", "--format", "json", "--db", sample.url)
    scoped = json.loads(listed.stdout)
    own = next(row for row in scoped if row["code"] == "NHS-MPFT")
    assert own == next(row for row in whole if row["code"] == "NHS-MPFT")
    # Other bodies appear with only what the partner's part holds of them, never their whole budget.
    scc_whole = next(row for row in whole if row["code"] == "SCC")["annual_cost_gbp"]
    assert all(row["annual_cost_gbp"] < scc_whole for row in scoped if row["code"] == "SCC")
