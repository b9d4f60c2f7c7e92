"""Importing .xlsx workbooks: sheet names, forgiving headers, Excel's numbers and dates, diffs and the log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from builders import write_xlsx
from conftest import digest
from sqlalchemy import select

from psninv.io.importer import import_files
from psninv.io.issues import ImportReport, Issue
from psninv.model import Change
from psninv.store import Store


def changes(store: Store) -> list[dict[str, Any]]:
    """Every change-log row."""
    with store.read() as conn:
        return [dict(row) for row in conn.execute(select(Change.__table__).order_by("id")).mappings()]


TENANTS = [
    ["Tenant Code", "Organisation", "Type"],
    ["SCC", "Staffordshire County Council", "Local Government"],
    ["NHS", "NHS Trust", "HEALTH"],
]
SITES = [
    ["Site Code", "Site Name", "Owner", "lat", "lon", "Demand (Mbps)", "Shared With", "Mystery"],
    [64512.0, "  Stafford HQ  ", "SCC", " 52.8066 ", -2.1171, "1,000", "NHS", "ignored"],
    [],  # a blank row keeps its number
    ["007", "Leek Library", "SCC", 53.1, -2.02, 5, "", None],
    [7.0, "Seven", "NHS", None, None, None, "SCC; NHS", None],
]
LINKS = [
    [
        "cid",
        "A End",
        "B End",
        "Annual Rental (£)",
        "Contract End Date",
        "Media",
        "Bandwidth (kbps)",
        "Status",
    ],
    ["C1", 64512.0, "007", "£4,200.00", dt.datetime(2028, 3, 31), "Fibre", 512000, None],
    ["C2", "64512", "007", 1200.0, 46843, "fiber", None, "Ceased"],
    ["C3", "007", "7", 99.5, "31/03/2029", "Ethernet", "1000", ""],
    ["C4", "7", "64512", None, "2030-01-31", None, None, None],
]
PREFIXES = [
    ["Subnet", "VRF", "Site Code", "desc"],
    ["10.20.0.0/16", None, "64512", "Office LAN"],
    ["2001:DB8::/32", "nhs", "007", None],
]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "inventory.xlsx",
        {
            "Tenants": TENANTS,
            "SITES": SITES,
            "Circuits": LINKS,
            "IP Prefixes": PREFIXES,
            "README": [["How to fill this in"]],
            "Notes": [["scratch"]],
        },
    )


def test_a_messy_workbook_imports_with_excel_realities_resolved(store: Store, workbook: Path) -> None:
    report = import_files(store, [workbook])

    assert report.ok, [str(issue) for issue in report.issues]
    assert report.counts == {
        "tenants": {"created": 2, "updated": 0, "unchanged": 0},
        "sites": {"created": 3, "updated": 0, "unchanged": 0},
        "links": {"created": 4, "updated": 0, "unchanged": 0},
        "prefixes": {"created": 2, "updated": 0, "unchanged": 0},
    }
    assert report.changed and report.batch
    inventory = store.load()
    assert inventory.tenants["SCC"]["sector"] == "local-government"
    assert inventory.tenants["NHS"]["sector"] == "health"
    hq = inventory.sites["64512"]  # 64512.0 from Excel is the code "64512"
    assert (hq["name"], hq["latitude"], hq["longitude"], hq["demand_mbps"]) == (
        "Stafford HQ",
        52.8066,
        -2.1171,
        1000.0,
    )
    assert hq["occupants"] == ["NHS"]
    assert inventory.sites["007"]["name"] == "Leek Library"  # "007" as text stays "007"
    assert inventory.sites["7"]["occupants"] == ["NHS", "SCC"]
    c1, c2, c3, c4 = (inventory.links[cid] for cid in ("C1", "C2", "C3", "C4"))
    assert (c1["a_site"], c1["annual_cost_gbp"], c1["medium"], c1["bandwidth_mbps"]) == (
        "64512",
        4200.0,
        "fibre",
        512.0,
    )
    assert c1["status"] == "active"  # blank status means active
    assert [c["contract_end"] for c in (c1, c2, c3, c4)] == [
        dt.date(2028, 3, 31),
        dt.date(2028, 3, 31),
        dt.date(2029, 3, 31),
        dt.date(2030, 1, 31),
    ]
    assert (c2["medium"], c2["status"]) == ("fibre", "ceased")
    assert c3["bandwidth_mbps"] == 1.0  # "1000" kbit/s
    assert inventory.prefixes[("10.20.0.0/16", "")]["description"] == "Office LAN"
    assert ("2001:db8::/32", "nhs") in inventory.prefixes

    warnings = [str(issue) for issue in report.warnings]
    assert any("sheet Notes" in text for text in warnings)
    assert not any("README" in text for text in warnings)
    unknown = [issue for issue in report.warnings if issue.column == "Mystery"]
    assert len(unknown) == 1 and unknown[0].sheet == "SITES" and unknown[0].row == 1


def test_reimporting_the_same_workbook_changes_nothing_and_writes_nothing(
    store: Store, workbook: Path
) -> None:
    import_files(store, [workbook])
    before = digest(store)

    report = import_files(store, [workbook])

    assert report.ok and not report.changed and report.batch is None
    assert report.counts["sites"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert report.counts["links"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert digest(store) == before


def test_dry_run_reports_the_changes_and_writes_nothing(store: Store, workbook: Path) -> None:
    before = digest(store)

    report = import_files(store, [workbook], dry_run=True)

    assert report.ok and report.dry_run and report.changed and report.batch is None
    assert report.counts["links"]["created"] == 4
    assert digest(store) == before
    assert store.load().counts() == {"tenants": 0, "sites": 0, "links": 0, "prefixes": 0}


def test_only_the_columns_present_are_compared_and_updated(
    store: Store, workbook: Path, tmp_path: Path
) -> None:
    import_files(store, [workbook])
    update = write_xlsx(
        tmp_path / "update.xlsx",
        {
            "sites": [
                ["code", "latitude", "name"],
                ["64512", 52.9, "Stafford HQ"],  # latitude changes, name does not
                ["007", 53.1, None],
            ],  # blank name clears it
            "links": [["circuit_id", "annual_cost_gbp"], ["C4", 10]],  # a_site/b_site absent: kept
        },
    )

    report = import_files(store, [update])

    assert report.ok, [str(issue) for issue in report.issues]
    assert report.counts == {
        "sites": {"created": 0, "updated": 2, "unchanged": 0},
        "links": {"created": 0, "updated": 1, "unchanged": 0},
    }
    inventory = store.load()
    assert inventory.sites["64512"]["latitude"] == 52.9
    assert inventory.sites["64512"]["demand_mbps"] == 1000.0  # column absent: kept
    assert inventory.sites["64512"]["occupants"] == ["NHS"]
    assert inventory.sites["007"]["name"] is None
    assert inventory.links["C4"]["annual_cost_gbp"] == 10.0
    assert inventory.links["C4"]["a_site"] == "7"
    assert inventory.sites["64512"]["version"] == 2


def test_every_created_or_updated_row_is_logged_with_before_after_and_actor(
    store: Store, workbook: Path, tmp_path: Path
) -> None:
    first = import_files(store, [workbook])
    created = changes(store)
    assert len(created) == 11
    assert {row["actor"] for row in created} == {"tester"}
    assert {row["batch"] for row in created} == {first.batch}
    assert {row["action"] for row in created} == {"create"}
    c1 = next(row for row in created if row["entity"] == "links" and row["key"] == "C1")
    assert c1["before"] is None
    assert json.loads(c1["after"])["contract_end"] == "2028-03-31"
    prefix = next(row for row in created if row["entity"] == "prefixes" and row["key"].startswith("10.20"))
    assert prefix["key"] == "10.20.0.0/16|"

    update = write_xlsx(tmp_path / "update.xlsx", {"sites": [["code", "occupants"], ["64512", "SCC"]]})
    second = import_files(store, [update])

    logged = changes(store)[len(created) :]
    assert len(logged) == 1 and logged[0]["batch"] == second.batch != first.batch
    assert logged[0]["action"] == "update" and logged[0]["key"] == "64512"
    assert json.loads(logged[0]["before"]) == {"code": "64512", "occupants": ["NHS"]}
    assert json.loads(logged[0]["after"]) == {"code": "64512", "occupants": ["SCC"]}
    assert store.load().sites["64512"]["occupants"] == ["SCC"]


def test_a_sheet_may_start_below_row_one_and_rows_keep_the_numbers_excel_shows(
    store: Store, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "low.xlsx", {"sites": [["code", "latitude"], ["A", 1], [], ["B", 95]]}, start_row=2
    )

    report = import_files(store, [path])

    assert [(issue.sheet, issue.row, issue.column, issue.value) for issue in report.errors] == [
        ("sites", 6, "latitude", "95")
    ]


def test_sheet_names_are_matched_whatever_their_case_and_order(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "order.xlsx",
        {
            "LINKS": [["circuit_id", "a_site", "b_site"], ["L1", "A", "B"]],
            "Site": [["code"], ["A"], ["B"]],
        },
    )

    report = import_files(store, [path])

    assert report.ok and store.load().counts() == {"tenants": 0, "sites": 2, "links": 1, "prefixes": 0}


def test_report_and_issue_serialise_to_plain_dicts(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", {"sites": [["code", "latitude"], ["A", "95.2"]]})

    report = import_files(store, [path])

    assert isinstance(report, ImportReport) and not report.ok
    data = report.to_dict()
    assert data["ok"] is False and data["errors"] == 1 and data["counts"] == {}
    assert data["issues"][0] == {
        "file": str(path),
        "sheet": "sites",
        "row": 2,
        "column": "latitude",
        "value": "95.2",
        "message": "latitude must be between -90 and 90",
        "level": "error",
    }
    assert json.loads(json.dumps(data)) == data


def test_issue_prints_on_one_line_leaving_out_what_it_does_not_know() -> None:
    issue = Issue("sites.csv", "sites", 5, "latitude", "95.2", "latitude must be between -90 and 90")
    assert str(issue) == (
        "sites.csv, sheet sites, row 5, column latitude: '95.2' — latitude must be between -90 and 90"
    )
    assert str(Issue("x.csv", None, None, None, None, "the file is empty")) == "x.csv — the file is empty"
    multi = Issue("x.csv", None, 2, "name", "two\nlines", "bad\nthing", "warning")
    assert "\n" not in str(multi) and multi.to_dict()["level"] == "warning"
