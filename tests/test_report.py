"""The report writer: JSON that parses, CSV that spreadsheets cannot run, a workbook a manager can open."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from python_calamine import CalamineWorkbook

from psninv.analysis import Analysis
from psninv.analysis.geo import KM_PER_DEGREE
from psninv.analysis.redundancy import find_redundancy
from psninv.analysis.sharing import find_sharing
from psninv.inventory import Inventory
from psninv.io.report import CSV_COLUMNS, CURRENCY_FORMAT, write_report

LAT, LON = 52.8, -2.1
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def analysis(build) -> Analysis:
    """A real sharing analysis whose codes look like formulas, wrapped as analyse() wraps it."""
    inventory = build(
        tenants=[{"code": "+CC", "name": "=County"}, {"code": "@NHS", "name": "NHS"}],
        sites=[
            {
                "code": "HUB",
                "tenant": "+CC",
                "role": "hub",
                "latitude": LAT + 5 / KM_PER_DEGREE,
                "longitude": LON,
            },
            {
                "code": "=A1",
                "tenant": "+CC",
                "role": "access",
                "latitude": LAT,
                "longitude": LON,
                "name": "-Council office",
            },
            {
                "code": "B",
                "tenant": "@NHS",
                "role": "access",
                "latitude": LAT + 0.05 / KM_PER_DEGREE,
                "longitude": LON,
                "name": "Clinic",
            },
        ],
        links=[
            {
                "circuit_id": "-L1",
                "a_site": "=A1",
                "b_site": "HUB",
                "tenant": "+CC",
                "bandwidth_mbps": 100,
                "annual_cost_gbp": 5000,
            },
            {
                "circuit_id": "L2",
                "a_site": "B",
                "b_site": "HUB",
                "tenant": "@NHS",
                "bandwidth_mbps": 100,
                "annual_cost_gbp": 6000,
            },
        ],
        prefixes=[{"prefix": "10.0.0.0/16", "site": "=A1"}, {"prefix": "10.0.1.0/24", "site": "B"}],
    )
    findings, summary = find_sharing(inventory)
    return Analysis(findings=findings, sharing=summary)


def test_json_parses_and_keeps_everything(analysis: Analysis, tmp_path: Path) -> None:
    written = write_report(analysis, tmp_path / "out" / "report.json", "json")
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["summary"]["sharing"]["savings_gbp"] == analysis.sharing.savings_gbp
    assert [f["id"] for f in data["findings"]] == [f.id for f in analysis.findings]
    colocation = next(f for f in data["findings"] if f["kind"] == "co-location")
    assert colocation["savings_gbp"] == 5750 and colocation["category"] == "sharing"
    assert "£" in colocation["title"]


def test_csv_is_formula_safe_and_strings_stay_strings(analysis: Analysis, tmp_path: Path) -> None:
    path = write_report(analysis, tmp_path / "report.csv", "CSV")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_id = {row[0]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    colocation = by_id["co-location:=A1"]
    assert colocation["savings_gbp"] == "5750"
    assert colocation["sites"] == "'=A1; B"
    assert colocation["links"] == "'-L1; L2"
    assert colocation["tenants"] == "'+CC; @NHS"
    for row in rows[1:]:
        for cell in row:
            if cell.startswith(TRIGGERS):
                # Only numbers may start with a sign; every text cell is defused.
                float(cell)
    assert set(by_id) == {f.id for f in analysis.findings}


def test_xlsx_opens_with_currency_columns_and_a_summary_per_tenant(
    analysis: Analysis, tmp_path: Path
) -> None:
    path = write_report(analysis, tmp_path / "report.xlsx", "xlsx")
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["Findings", "Summary"]
    rows = workbook.get_sheet_by_name("Findings").to_python()
    header = rows[0]
    assert header[:6] == ["Severity", "Category", "Kind", "Title", "Saving £/yr", "Saving %"]
    colocation = next(row for row in rows[1:] if row[2] == "co-location")
    assert colocation[4] == 5750
    assert colocation[5] == pytest.approx(52.3)
    assert colocation[6] == "=A1; B"  # text, not a formula
    assert colocation[8] == "+CC; @NHS"
    summary = workbook.get_sheet_by_name("Summary").to_python()
    assert summary[0][:6] == ["Tenant", "Name", "Annual cost £", "Savings £/yr", "Savings %", "Avoided £/yr"]
    tenants = {row[0]: row for row in summary[1:4]}
    assert tenants["+CC"][1] == "=County" and tenants["+CC"][2] == 5000
    assert tenants["@NHS"][3] == analysis.sharing.by_tenant["@NHS"].savings_gbp
    assert tenants["All"][3] == 5750

    # The saving cell itself carries the £ format, and nothing became a formula.
    with zipfile.ZipFile(path) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    formats = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind(".//m:numFmt", NS)}
    assert CURRENCY_FORMAT in formats.values()
    xfs = styles.find("m:cellXfs", NS).findall("m:xf", NS)
    row_number = rows.index(colocation) + 1
    cell = sheet.find(f".//m:c[@r='E{row_number}']", NS)
    assert formats[xfs[int(cell.get("s"))].get("numFmtId")] == CURRENCY_FORMAT
    assert sheet.find(".//m:f", NS) is None


def test_unknown_format_is_refused(analysis: Analysis, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="json, csv, xlsx"):
        write_report(analysis, tmp_path / "x.pdf", "pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_a_summary_without_sharing_still_writes(tmp_path: Path) -> None:
    # An inventory with nothing in it: the redundancy summary is all zeros and no sharing ran.
    _findings, redundancy = find_redundancy(Inventory())
    empty = Analysis(findings=[], redundancy=redundancy)
    path = write_report(empty, tmp_path / "empty.xlsx", "xlsx")
    summary = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Summary").to_python()
    assert ["redundancy.links", 0] in [row[:2] for row in summary]
