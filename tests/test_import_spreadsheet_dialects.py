"""Real spreadsheets: title rows, sep= lines, decimal commas, hidden sheets and rows, formulas, bad cells."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from builders import write_csv, write_rows, write_xlsx
from click.testing import CliRunner

from psninv.cli.app import get_cli
from psninv.io.importer import import_files
from psninv.io.issues import ImportReport, Issue
from psninv.store import Store

EMPTY = {"tenants": 0, "sites": 0, "links": 0, "prefixes": 0}
SITES = [{"code": "A"}, {"code": "B"}]
LINK_HEADER = ["circuit_id", "a_site", "b_site", "bandwidth_mbps", "annual_cost_gbp", "contract_end"]


def only_error(report: ImportReport) -> Issue:
    assert len(report.errors) == 1, [str(issue) for issue in report.issues]
    return report.errors[0]


def where(issue: Issue) -> tuple:
    return (Path(issue.file).name, issue.sheet, issue.row, issue.column)


def with_sites(store: Store) -> Store:
    write_rows(store, sites=SITES)
    return store


# --- the header row ----------------------------------------------------------------------------


def test_a_title_row_above_the_header_is_skipped_with_a_note(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "inv.xlsx",
        {
            "sites": [
                ["Staffordshire PSN – inventory, March 2026"],
                [],
                ["code", "name", "role"],
                ["S1", "Leek", "hub"],
            ]
        },
    )

    report = import_files(store, [path])

    assert report.ok, [str(issue) for issue in report.issues]
    assert store.load().sites["S1"]["name"] == "Leek"
    [note] = report.warnings
    assert (note.sheet, note.row) == ("sites", 1)
    assert note.message == "rows 1–2 above the header (row 3) skipped"


def test_a_csv_title_row_and_an_excel_sep_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text(
        "sep=;\nExport from finance;;\n" + ";".join(LINK_HEADER) + "\nC1;A;B;10.000;1.500,25;31/03/2028\n",
        encoding="utf-8",
    )

    report = import_files(with_sites(store), [path])

    assert report.ok, [str(issue) for issue in report.issues]
    link = store.load().links["C1"]
    assert (link["bandwidth_mbps"], link["annual_cost_gbp"]) == (10000.0, 1500.25)
    assert [issue.message for issue in report.warnings] == ["row 2 above the header (row 3) skipped"]


def test_a_merged_group_header_row_is_skipped(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "inv.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("sites")
    sheet.write_row(0, 0, ["code", "name", "role"])
    sheet.merge_range(1, 0, 1, 2, "North district")
    sheet.write_row(2, 0, ["S1", "Leek", "hub"])
    workbook.close()

    report = import_files(store, [path])

    assert report.ok, [str(issue) for issue in report.issues]
    assert set(store.load().sites) == {"S1"}
    [note] = report.warnings
    assert (note.sheet, note.row, note.message) == ("sites", 2, "merged group-header rows 2 skipped")


# --- number conventions ------------------------------------------------------------------------


def test_a_semicolon_csv_reads_the_decimal_comma(store: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "links.csv",
        [LINK_HEADER, ["C1", "A", "B", "10.000", "12.000", ""], ["C2", "A", "B", "12,5", "1,500", ""]],
        delimiter=";",
    )

    report = import_files(with_sites(store), [path])

    assert report.ok, [str(issue) for issue in report.issues]
    links = store.load().links
    assert (links["C1"]["bandwidth_mbps"], links["C1"]["annual_cost_gbp"]) == (10000.0, 12000.0)
    assert (links["C2"]["bandwidth_mbps"], links["C2"]["annual_cost_gbp"]) == (12.5, 1.5)


def test_a_comma_csv_keeps_the_decimal_point(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "links.csv", [LINK_HEADER, ["C1", "A", "B", "10.000", "1,500", ""]])

    report = import_files(with_sites(store), [path])

    assert report.ok
    link = store.load().links["C1"]
    assert (link["bandwidth_mbps"], link["annual_cost_gbp"]) == (10.0, 1500.0)


def test_a_number_against_the_files_convention_is_refused_naming_it(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "links.csv", [LINK_HEADER, ["C1", "A", "B", "10.5", "", ""]], delimiter=";")

    report = import_files(with_sites(store), [path])

    error = only_error(report)
    assert where(error) == ("links.csv", None, 2, "bandwidth_mbps")
    assert "'10.5' is ambiguous" in error.message and "decimal comma" in error.message
    assert store.load().counts() == EMPTY | {"sites": 2}


# --- refused cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("contract_end", "2027", "contract_end: 2027 is a year, not a date"),
        ("annual_cost_gbp", "€950", "annual_cost_gbp must be in pounds (£): convert '€950' to pounds first"),
        ("annual_cost_gbp", "$1,000", "must be in pounds"),
        ("annual_cost_gbp", "950 EUR", "must be in pounds"),
        ("annual_cost_gbp", "USD 1000", "must be in pounds"),
        ("bandwidth_mbps", "1e308", "bandwidth_mbps must be at most 10,000,000 Mbit/s"),
        ("annual_cost_gbp", "1e23", "annual_cost_gbp must be at most £100,000,000"),
        ("circuit_id", "1.23457E+11", "Excel turned this circuit_id into a number (1.23457E+11)"),
    ],
)
def test_cells_that_cannot_be_right_are_refused(
    store: Store, tmp_path: Path, column: str, value: str, message: str
) -> None:
    row = dict(zip(LINK_HEADER, ["C1", "A", "B", "100", "950", "31/03/2028"], strict=True)) | {column: value}
    path = write_csv(tmp_path / "links.csv", [LINK_HEADER, list(row.values())])

    report = import_files(with_sites(store), [path])

    error = only_error(report)
    assert where(error) == ("links.csv", None, 2, column)
    assert message in error.message
    assert store.load().links == {}


def test_a_year_in_a_date_cell_of_a_workbook_is_refused(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "inv.xlsx", {"links": [LINK_HEADER, ["C1", "A", "B", 100, 950, 2027]]})

    report = import_files(with_sites(store), [path])

    assert where(only_error(report)) == ("inv.xlsx", "links", 2, "contract_end")
    assert store.load().links == {}


def test_pounds_and_real_dates_pass(store: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "links.csv", [LINK_HEADER, ["C1", "A", "B", "9,999,999", "£99,000,000", "2027-03-31"]]
    )

    report = import_files(with_sites(store), [path])

    assert report.ok, [str(issue) for issue in report.issues]
    link = store.load().links["C1"]
    assert (link["bandwidth_mbps"], link["annual_cost_gbp"], link["contract_end"]) == (
        9999999.0,
        99000000.0,
        dt.date(2027, 3, 31),
    )


# --- hidden sheets and rows, formulas ----------------------------------------------------------


def hidden_workbook(path: Path) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sites = workbook.add_worksheet("sites")
    for r, row in enumerate([["code", "name"], ["S1", "Leek"], ["S2", "Stoke"], ["S3", "Tamworth"]]):
        sites.write_row(r, 0, row)
    sites.set_row(2, None, None, {"hidden": True})
    old = workbook.add_worksheet("links (old)")
    old.write_row(0, 0, ["circuit_id", "a_site", "b_site"])
    old.write_row(1, 0, ["OLD-1", "S1", "S3"])
    old.hide()
    gone = workbook.add_worksheet("links")
    gone.write_row(0, 0, ["circuit_id", "a_site", "b_site"])
    gone.write_row(1, 0, ["GONE-1", "S1", "S3"])
    gone.very_hidden()
    workbook.close()
    return path


def test_hidden_sheets_are_skipped_and_named(store: Store, tmp_path: Path) -> None:
    report = import_files(store, [hidden_workbook(tmp_path / "inv.xlsx")])

    assert report.ok, [str(issue) for issue in report.issues]
    assert store.load().links == {}
    messages = [issue.message for issue in report.warnings]
    assert "hidden sheets 'links (old)', 'links' skipped: unhide to import" in messages


def test_hidden_rows_are_imported_with_a_warning_or_skipped(store: Store, tmp_path: Path) -> None:
    path = hidden_workbook(tmp_path / "inv.xlsx")

    report = import_files(store, [path], dry_run=True)
    skipped = import_files(store, [path], skip_hidden=True)

    assert set(report.counts["sites"].values()) == {0, 3}
    [warning] = [issue for issue in report.warnings if issue.sheet == "sites"]
    assert (warning.row, warning.message) == (
        3,
        "hidden rows 3 imported: use --skip-hidden to leave them out",
    )
    assert skipped.ok and set(store.load().sites) == {"S1", "S3"}
    assert any(issue.message == "hidden rows 3 skipped (--skip-hidden)" for issue in skipped.warnings)


def test_the_cli_takes_skip_hidden(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    result = CliRunner().invoke(
        get_cli(), ["import", str(hidden_workbook(tmp_path / "inv.xlsx")), "--db", db, "--skip-hidden"]
    )
    assert result.exit_code == 0, result.output
    assert "hidden rows 3 skipped" in result.output


def formula_workbook(path: Path, *, cached: bool) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("links")
    sheet.write_row(0, 0, ["circuit_id", "a_site", "b_site", "bandwidth_mbps"])
    sheet.write_row(1, 0, ["C1", "A", "B"])
    sheet.write_formula(1, 3, "=1+1", None, 2)
    workbook.close()
    if not cached:
        # Tools other than Excel (openpyxl, scripts) save formulas with no value: take the <v> out.
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        parts["xl/worksheets/sheet1.xml"] = re.sub(
            rb"(<f>1\+1</f>)<v>[^<]*</v>", rb"\1", parts["xl/worksheets/sheet1.xml"]
        )
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    return path


def test_a_formula_takes_its_saved_value_with_a_warning(store: Store, tmp_path: Path) -> None:
    report = import_files(with_sites(store), [formula_workbook(tmp_path / "inv.xlsx", cached=True)])

    assert report.ok, [str(issue) for issue in report.issues]
    assert store.load().links["C1"]["bandwidth_mbps"] == 2.0
    [warning] = report.warnings
    assert (warning.sheet, warning.row, warning.message) == (
        "links",
        2,
        "formula cells D2 read as their saved values",
    )


def test_a_formula_without_a_saved_value_is_refused(store: Store, tmp_path: Path) -> None:
    report = import_files(with_sites(store), [formula_workbook(tmp_path / "inv.xlsx", cached=False)])

    error = only_error(report)
    assert where(error) == ("inv.xlsx", "links", 2, "bandwidth_mbps")
    assert "formula with no saved value" in error.message
    assert store.load().links == {}


# --- British National Grid --------------------------------------------------------------------


def test_easting_and_northing_become_latitude_and_longitude(store: Store, tmp_path: Path) -> None:
    # Staffordshire Place, Stafford: SJ 92130 23050 on the grid.
    path = write_csv(
        tmp_path / "sites.csv",
        [["code", "name", "Easting", "Northing"], ["S1", "Staffordshire Place", "392130", "323050"]],
    )

    report = import_files(store, [path])

    assert report.ok and not report.issues, [str(issue) for issue in report.issues]
    site = store.load().sites["S1"]
    assert site["latitude"] == pytest.approx(52.8049, abs=1e-3)
    assert site["longitude"] == pytest.approx(-2.1182, abs=1e-3)


def test_a_grid_reference_off_the_grid_is_refused(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sites.csv", [["code", "easting", "northing"], ["S1", "-52.8", "323050"]])

    report = import_files(store, [path])

    error = only_error(report)
    assert where(error) == ("sites.csv", None, 2, "easting")
    assert error.message == "easting must be metres on the British National Grid (0 to 700,000)"
    assert store.load().counts() == EMPTY
