"""--tenant scoping: listings and every export format hold one tenant's part and nothing of another's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import write_rows
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from psninv.cli.app import get_cli
from psninv.store import Store

# Strings only other tenants' records hold: none may appear anywhere in ALPHA's view.
SECRETS = (
    "B-HIDDEN", "CIRC-BONLY", "CIRC-C", "C-SITE", "CHARLIE", "Charlie Fire", "1 Secret Street",
    "ZZ9 9ZZ", "10.66.0.0", "10.67.0.0", "10.99.0.0", "10.98.0.0", "bravo-secret-lan", "99999",
)
EXPECTED = {
    "sites": {"A-1", "SHARED", "B-DC"},
    "links": {"CIRC-A", "CIRC-SH"},
    "prefixes": {"10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"},
    "tenants": {"ALPHA", "BRAVO"},
}


@pytest.fixture
def shared(store: Store, db: str) -> str:
    """Three tenants: ALPHA owns a site, occupies BRAVO's, and has a circuit to BRAVO's data centre."""
    write_rows(
        store,
        tenants=[{"code": "ALPHA", "name": "Alpha Council", "sector": "local-government"},
                 {"code": "BRAVO", "name": "Bravo Police", "sector": "police"},
                 {"code": "CHARLIE", "name": "Charlie Fire", "sector": "fire"}],
        sites=[
            {"code": "A-1", "name": "Alpha House", "tenant": "ALPHA", "address": "2 Alpha Road",
             "latitude": 52.8, "longitude": -2.1},
            {"code": "SHARED", "name": "Joint Office", "tenant": "BRAVO", "occupants": ["ALPHA"],
             "latitude": 52.7, "longitude": -2.0},
            {"code": "B-DC", "name": "Bravo DC", "tenant": "BRAVO", "role": "datacentre",
             "address": "1 Secret Street", "postcode": "ZZ9 9ZZ", "criticality": "critical",
             "demand_mbps": 99999.0, "occupants": ["CHARLIE"], "latitude": 52.9, "longitude": -2.2},
            {"code": "B-HIDDEN", "name": "Bravo Control", "tenant": "BRAVO"},
            {"code": "C-SITE", "name": "Fire Station", "tenant": "CHARLIE"},
        ],
        links=[
            {"circuit_id": "CIRC-A", "a_site": "A-1", "b_site": "B-DC", "tenant": "ALPHA",
             "annual_cost_gbp": 1000.0},
            {"circuit_id": "CIRC-SH", "a_site": "SHARED", "b_site": "B-DC", "tenant": "BRAVO"},
            {"circuit_id": "CIRC-BONLY", "a_site": "B-DC", "b_site": "B-HIDDEN", "tenant": "BRAVO"},
            {"circuit_id": "CIRC-C", "a_site": "C-SITE", "b_site": "B-DC", "tenant": "CHARLIE"},
        ],
        prefixes=[
            {"prefix": "10.1.0.0/24", "site": "A-1", "tenant": "ALPHA"},
            {"prefix": "10.2.0.0/24", "site": "A-1"},
            {"prefix": "10.3.0.0/24", "site": "SHARED", "tenant": "ALPHA"},
            {"prefix": "10.66.0.0/24", "site": "SHARED", "tenant": "BRAVO",
             "description": "bravo-secret-lan"},
            {"prefix": "10.67.0.0/24", "site": "SHARED"},
            {"prefix": "10.99.0.0/24", "site": "B-DC", "tenant": "BRAVO"},
            {"prefix": "10.98.0.0/24", "site": "C-SITE", "tenant": "CHARLIE"},
        ],
    )
    return db


def run(*args: str):
    result = CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def export_text(path: Path) -> str:
    """Everything an export holds, as text, whatever its format."""
    if path.is_dir():
        return "\n".join(file.read_text(encoding="utf-8") for file in sorted(path.iterdir()))
    if path.suffix == ".xlsx":
        book = CalamineWorkbook.from_path(str(path))
        return "\n".join(
            "\t".join(str(cell) for cell in row)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
        )
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("entity", ["sites", "links", "prefixes", "tenants"])
def test_listings_hold_exactly_the_tenants_part(shared: str, entity: str) -> None:
    key = {"sites": "code", "links": "circuit_id", "prefixes": "prefix", "tenants": "code"}[entity]
    scoped = run(entity, "--db", shared, "--tenant", "ALPHA", "--format", "json")
    assert {row[key] for row in json.loads(scoped.stdout)} == EXPECTED[entity]
    assert leaked(scoped.stdout) == []
    for fmt in ("csv", "table"):
        assert leaked(run(entity, "--db", shared, "--tenant", "ALPHA", "--format", fmt).output) == []


def test_a_far_end_site_is_only_a_reference(shared: str) -> None:
    rows = {row["code"]: row for row in json.loads(
        run("sites", "--db", shared, "--tenant", "ALPHA", "--format", "json").stdout)}
    far = rows["B-DC"]
    assert (far["name"], far["tenant"], far["role"]) == ("Bravo DC", "BRAVO", "datacentre")
    assert far["address"] is far["postcode"] is far["criticality"] is far["demand_mbps"] is None
    assert far["occupants"] == ""
    # A site it occupies is one of its own: the whole row, with the owner and the other occupants.
    assert rows["SHARED"]["occupants"] == "ALPHA"
    assert rows["A-1"]["address"] == "2 Alpha Road"


@pytest.mark.parametrize("name", ["alpha.xlsx", "alpha-csv", "alpha.graphml", "alpha.geojson"])
def test_exports_hold_the_tenants_part_and_nothing_of_another(shared: str, tmp_path: Path, name: str) -> None:
    everything = tmp_path / f"all-{name}"
    run("export", "--db", shared, str(everything))
    scoped = tmp_path / name
    run("export", "--db", shared, "--tenant", "ALPHA", str(scoped))

    full_text, text = export_text(everything), export_text(scoped)
    # The check can fail: the whole inventory's export of the same format holds what ALPHA's must not.
    carried = [s for s in SECRETS if s in full_text]
    assert carried, name
    assert leaked(text) == []
    for entity, keys in EXPECTED.items():
        if name.endswith((".graphml", ".geojson")) and entity in ("prefixes", "tenants"):
            continue  # graph and map formats carry only sites and links
        for code in keys:
            assert code in text, (entity, code)


def test_another_tenant_sees_its_own_part(shared: str) -> None:
    sites = {row["code"]: row for row in json.loads(
        run("sites", "--db", shared, "--tenant", "CHARLIE", "--format", "json").stdout)}
    # It occupies the data centre, so every circuit there is its business, their far ends as references.
    assert set(sites) == {"C-SITE", "B-DC", "A-1", "SHARED", "B-HIDDEN"}
    assert sites["B-DC"]["address"] == "1 Secret Street"
    assert sites["A-1"]["address"] is None and sites["SHARED"]["occupants"] == ""
    prefixes = json.loads(run("prefixes", "--db", shared, "--tenant", "CHARLIE", "--format", "json").stdout)
    assert [row["prefix"] for row in prefixes] == ["10.98.0.0/24"]
    links = json.loads(run("links", "--db", shared, "--tenant", "CHARLIE", "--format", "json").stdout)
    assert {row["circuit_id"] for row in links} == {"CIRC-A", "CIRC-SH", "CIRC-BONLY", "CIRC-C"}


def test_an_unknown_tenant_is_refused_for_exports_too(shared: str, tmp_path: Path) -> None:
    args = ["export", "--db", shared, "--tenant", "NOPE", str(tmp_path / "x.xlsx")]
    result = CliRunner().invoke(get_cli(), args)
    assert result.exit_code == 2 and "NOPE" in result.output
    assert not (tmp_path / "x.xlsx").exists()
