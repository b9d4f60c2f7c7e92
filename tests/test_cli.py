"""The command line through CliRunner, checked through the library: exit codes, formats, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from builders import write_rows
from click.testing import CliRunner

from psninv import open_store
from psninv.cli.app import get_cli


def load(db: str):
    with open_store(db) as store:
        return store.load()


@pytest.fixture
def run(monkeypatch, db: str):
    """Invoke psninv with arguments; the default database ($PSNINV_DB) is a fresh one."""
    monkeypatch.setenv("PSNINV_DB", db)
    monkeypatch.setenv("PSNINV_ACTOR", "cli-tester")
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(get_cli(), list(args), catch_exceptions=False)

    return _run


@pytest.fixture
def filled(run, db: str) -> str:
    """A small inventory written through the library."""
    run("init")
    store = open_store(db)
    write_rows(
        store,
        tenants=[{"code": "SCC", "name": "County", "sector": "local-government"},
                 {"code": "POL", "name": "Police", "sector": "police"}],
        sites=[
            {"code": "DC1", "name": "Data Centre", "tenant": "SCC", "role": "datacentre"},
            {"code": "S1", "name": "=HYPERLINK(\"x\")", "tenant": "POL", "occupants": ["SCC"]},
        ],
        links=[{"circuit_id": "007", "a_site": "DC1", "b_site": "S1", "tenant": "POL",
                "annual_cost_gbp": 4200.0, "bandwidth_mbps": 100.0}],
    )
    store.close()
    return db


def test_init_creates_the_database(run, db: str) -> None:
    result = run("init")
    assert result.exit_code == 0
    assert "Inventory ready" in result.output
    with open_store(db, read_only=True) as store:
        assert store.where in result.output
        assert store.load().counts() == {"tenants": 0, "sites": 0, "links": 0, "prefixes": 0}


def test_listing_as_json_matches_the_library(run, filled: str) -> None:
    result = run("sites", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [row["code"] for row in data] == sorted(load(filled).sites)
    assert data[1]["occupants"] == "SCC"


def test_listing_as_csv_is_formula_safe(run, filled: str) -> None:
    result = run("sites", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[1]["name"].startswith("'=")


def test_listing_as_table_and_tenant_scope(run, filled: str) -> None:
    result = run("links")
    assert "007" in result.stdout and "£4,200" in result.stdout
    scoped = run("tenants", "--tenant", "POL", "--format", "json")
    assert {row["code"] for row in json.loads(scoped.stdout)} == {"POL", "SCC"}


def test_unknown_tenant_is_a_usage_error(run, filled: str) -> None:
    result = run("sites", "--tenant", "NOPE")
    assert result.exit_code == 2
    assert "no tenant with code 'NOPE'" in result.output


@pytest.mark.sqlite_only  # a missing file; test_postgres checks a missing server and database
def test_a_missing_database_is_one_clear_line(run, tmp_path: Path) -> None:
    result = run("sites", "--db", str(tmp_path / "missing.db"))
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "psninv init" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "missing.db").exists()


def test_read_only_refuses_writes(run, filled: str, tmp_path: Path) -> None:
    sheet = tmp_path / "tenants.csv"
    sheet.write_text("code,name\nFIRE,Fire and Rescue\n", encoding="utf-8")
    result = run("import", str(sheet), "--read-only")
    assert result.exit_code == 1
    assert "read-only" in result.output
    assert "FIRE" not in load(filled).tenants
