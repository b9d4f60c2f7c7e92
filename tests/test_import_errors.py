"""Bad input: every error found in one pass, located at file, sheet, row and column, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import write_csv, write_rows, write_xlsx
from conftest import digest

from psninv.io.importer import import_files
from psninv.io.issues import ImportReport
from psninv.io.limits import Limits
from psninv.store import Store


def located(report: ImportReport) -> set[tuple[str, str | None, int | None, str | None]]:
    """Each error as (file name, sheet, row, column)."""
    return {(Path(i.file).name, i.sheet, i.row, i.column) for i in report.errors}


LINK = {"circuit_id": "L1", "a_site": "OLD", "b_site": "NEW"}


@pytest.fixture
def seeded(store: Store) -> Store:
    write_rows(store, tenants=[{"code": "SCC"}], sites=[{"code": "OLD", "tenant": "SCC"}])
    return store


def test_every_error_of_every_file_is_reported_at_its_cell_and_nothing_is_written(
    seeded: Store, tmp_path: Path
) -> None:
    # A good row in each file too: with any error, even good rows must not be written.
    workbook = write_xlsx(
        tmp_path / "inventory.xlsx",
        {
            "sites": [
                ["code", "tenant", "latitude", "role", "occupants"],
                ["A", "SCC", 52.0, "hub", ""],
                ["B", "NOPE", 95.2, "access", ""],  # unknown tenant; latitude out of range
                ["C", "SCC", 52.0, "mainframe", "SCC; GHOST"],  # unknown choice; unknown occupant
                [None, "SCC", 52.0, "hub", ""],
            ],  # missing code
            "links": [
                ["circuit_id", "a_site", "b_site", "annual_cost_gbp", "contract_end"],
                ["L1", "A", "OLD", 100, "2028-03-31"],  # fine: OLD is in the inventory
                ["L2", "A", "MISSING", -5, "2028-03-31"],  # unknown site; negative cost
                ["L3", "C", "C", 10, "sometime"],
            ],  # self link; bad date
        },
    )
    prefixes = write_csv(
        tmp_path / "prefixes.csv",
        [["prefix", "site"], ["10.0.0.0/8", "A"], ["10.300.0.0/16", "A"], ["192.168.1.7/24", "A"]],
    )
    more_sites = write_csv(tmp_path / "sites.csv", [["code", "name"], ["D", "fine"], ["A", "again"]])
    before = digest(seeded)

    report = import_files(seeded, [workbook, prefixes, more_sites])

    assert not report.ok and report.counts == {} and report.batch is None
    assert located(report) == {
        ("inventory.xlsx", "sites", 3, "tenant"),
        ("inventory.xlsx", "sites", 3, "latitude"),
        ("inventory.xlsx", "sites", 4, "role"),
        ("inventory.xlsx", "sites", 4, "occupants"),
        ("inventory.xlsx", "sites", 5, "code"),
        ("inventory.xlsx", "links", 3, "b_site"),
        ("inventory.xlsx", "links", 3, "annual_cost_gbp"),
        ("inventory.xlsx", "links", 4, "b_site"),
        ("inventory.xlsx", "links", 4, "contract_end"),
        ("prefixes.csv", None, 3, "prefix"),
        ("prefixes.csv", None, 4, "prefix"),
        ("sites.csv", None, 3, "code"),
    }
    messages = {(Path(i.file).name, i.row, i.column): i for i in report.errors}
    assert messages[("inventory.xlsx", 3, "latitude")].value == "95.2"
    assert "between -90 and 90" in messages[("inventory.xlsx", 3, "latitude")].message
    assert "unknown tenant code 'NOPE'" in messages[("inventory.xlsx", 3, "tenant")].message
    assert "GHOST" in messages[("inventory.xlsx", 4, "occupants")].message
    assert "core, datacentre, hub" in messages[("inventory.xlsx", 4, "role")].message
    assert "unknown site code 'MISSING'" in messages[("inventory.xlsx", 3, "b_site")].message
    assert "must not be negative" in messages[("inventory.xlsx", 3, "annual_cost_gbp")].message
    assert "to itself" in messages[("inventory.xlsx", 4, "b_site")].message
    assert "192.168.1.0/24" in messages[("prefixes.csv", 4, "prefix")].message
    duplicate = messages[("sites.csv", 3, "code")]
    assert "duplicate site code 'A'" in duplicate.message and "inventory.xlsx" in duplicate.message
    assert digest(seeded) == before


def test_a_missing_key_column_is_an_error_naming_the_sheet(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"Circuits": [["a_site", "b_site"], ["A", "B"]]})
    before = digest(store)

    report = import_files(store, [path])

    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.sheet == "Circuits" and "circuit_id" in error.message and "sheet Circuits" in error.message
    assert digest(store) == before


def test_a_header_meaning_a_column_twice_is_an_error(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sites.csv", [["Site Code", "slug", "name", "Name"], ["A", "a", "x", "y"]])

    report = import_files(store, [path])

    assert {(issue.row, issue.column) for issue in report.errors} == {(1, "slug"), (1, "Name")}
    assert any("both" in issue.message or "all mean code" in issue.message for issue in report.errors)


def test_new_links_need_both_ends_but_updates_do_not(seeded: Store, tmp_path: Path) -> None:
    write_rows(seeded, sites=[{"code": "NEW"}], links=[LINK])
    costs = write_csv(tmp_path / "links.csv", [["circuit_id", "annual_cost_gbp"], ["L1", "10"], ["L9", "5"]])

    report = import_files(seeded, [costs])

    assert len(report.errors) == 1 and "a_site or b_site" in report.errors[0].message
    assert "row 3" in report.errors[0].message.replace("rows 3", "row 3")

    fixed = write_csv(tmp_path / "links.csv", [["circuit_id", "annual_cost_gbp"], ["L1", "10"]])
    assert import_files(seeded, [fixed]).ok
    assert seeded.load().links["L1"]["annual_cost_gbp"] == 10.0


def test_moving_one_end_of_a_link_onto_the_other_is_an_error(seeded: Store, tmp_path: Path) -> None:
    write_rows(seeded, sites=[{"code": "NEW"}], links=[LINK])
    before = digest(seeded)
    path = write_csv(tmp_path / "links.csv", [["circuit_id", "b_site"], ["L1", "OLD"]])

    report = import_files(seeded, [path])

    assert [(issue.row, issue.column) for issue in report.errors] == [(2, "b_site")]
    assert digest(seeded) == before


def test_a_reference_in_the_wrong_case_suggests_the_right_one(seeded: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sites.csv", [["code", "tenant"], ["X", "scc"]])

    report = import_files(seeded, [path])

    assert "did you mean 'SCC'?" in report.errors[0].message


def test_many_errors_are_capped_with_one_closing_count(store: Store, tmp_path: Path) -> None:
    rows = [["code", "latitude"]] + [[f"S{i}", "999"] for i in range(50)]
    path = write_csv(tmp_path / "sites.csv", rows)

    report = import_files(store, [path], limits=Limits(max_issues=10))

    assert len(report.issues) == 11 and not report.ok
    assert "40 more errors" in report.issues[-1].message


def test_read_only_store_imports_nothing_but_can_dry_run(db: str, tmp_path: Path) -> None:
    from psninv.store import open_store

    open_store(db).close()
    path = write_csv(tmp_path / "sites.csv", [["code"], ["A"]])
    with open_store(db, read_only=True) as store:
        refused = import_files(store, [path])
        dry = import_files(store, [path], dry_run=True)
    assert not refused.ok and "read-only" in refused.errors[0].message
    assert dry.ok and dry.counts == {"sites": {"created": 1, "updated": 0, "unchanged": 0}}


def test_unknown_kind_and_no_files_are_errors(store: Store, tmp_path: Path) -> None:
    assert not import_files(store, []).ok
    report = import_files(store, [write_csv(tmp_path / "x.csv", [["code"], ["A"]])], kind="widgets")
    assert not report.ok and "tenants, sites, links, prefixes" in report.errors[0].message
