"""Hostile and broken files: each gives one clear issue, never a traceback, a crash or a partial write."""

from __future__ import annotations

import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from conftest import digest
from hypothesis import given, settings
from hypothesis import strategies as st

from psninv.io.coerce import cell_text, compile_column
from psninv.io.importer import import_files
from psninv.io.issues import ImportReport
from psninv.io.limits import Limits, used_area
from psninv.records import COLUMNS
from psninv.store import Store

WORKBOOK_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main"><sheets/></workbook>'
)


def refused(store: Store, path: Path, **options: object) -> ImportReport:
    """Import a bad file, check it gave exactly one error and changed nothing, and return the report."""
    before = digest(store)
    report = import_files(store, [path], **options)  # type: ignore[arg-type]
    assert not report.ok
    assert len(report.errors) == 1, [str(issue) for issue in report.issues]
    assert digest(store) == before
    return report


def small_workbook(path: Path, rows: int = 2) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("sites")
    sheet.write_row(0, 0, ["code", "name"])
    for row in range(1, rows):
        sheet.write_row(row, 0, [f"S{row}", "x" * 40])
    workbook.close()
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK_XML)
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000

    report = refused(store, path)

    assert "zip bomb" in report.errors[0].message


def test_a_zip_whose_header_understates_a_member_is_refused(
    store: Store, tmp_path: Path
) -> None:
    path = small_workbook(tmp_path / "liar.xlsx", rows=2000)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # Claim 1,000 bytes uncompressed in both the local header and the central directory.
    struct.pack_into("<I", data, info.header_offset + 22, 1000)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, central + 24, 1000)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))

    report = refused(store, path)

    assert "damaged" in report.errors[0].message


def test_limits_on_zip_members_and_total_size(store: Store, tmp_path: Path) -> None:
    path = small_workbook(tmp_path / "book.xlsx")
    few_members = refused(store, path, limits=Limits(max_zip_members=3))
    assert "files, more than" in few_members.errors[0].message
    small_total = refused(store, path, limits=Limits(max_zip_total_bytes=1000))
    assert "unpacks to" in small_total.errors[0].message


def test_one_cell_far_away_cannot_make_calamine_allocate_billions_of_cells(db: str, tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("sites")
    sheet.write(0, 0, "code")
    sheet.write(1_048_575, 16_383, "far away")
    workbook.close()
    # In a child process: if the guard failed, calamine would abort the whole interpreter.
    script = (
        "import sys; from psninv.store import open_store; from psninv.io.importer import import_files\n"
        f"r = import_files(open_store({db!r}), [{str(path)!r}])\n"
        "print(r.errors[0].message if r.errors else 'NO ERROR')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr[-2000:]
    assert "16,384 columns" in done.stdout


def test_the_used_area_bound_is_exact_for_references_beyond_the_ordinary() -> None:
    ordinary = b'<row r="1"><c r="A1"/><c r="K1"/></row><row r="150001"><c r="K150001"/></row>'
    assert used_area(ordinary) == (999_999, 26)
    wide = b'<row r="1"><c r="A1"/><c r="AB1"/></row><row r="2"><c\nr="B2"/></row>'
    assert used_area(wide) == (9, 28)
    far = b'<row r="1"><c r="A1"/></row><row r="2"><c r="XFD1048576"/></row>'
    assert used_area(far) == (1_048_576, 16_384)
    out_of_order = b'<row r="1048576"><c r="A1048576"/></row><row r="2"><c r="A2"/></row>'
    assert used_area(out_of_order)[0] == 1_048_576


def test_thousands_of_columns_are_refused(store: Store, tmp_path: Path) -> None:
    csv_path = tmp_path / "sites.csv"
    csv_path.write_text(",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("x" * 5000) + "\n")
    assert "5,000 columns" in refused(store, csv_path).errors[0].message

    xlsx_path = tmp_path / "wide.xlsx"
    workbook = xlsxwriter.Workbook(str(xlsx_path))
    workbook.add_worksheet("sites").write_row(0, 0, ["code"] + [f"c{i}" for i in range(1000)])
    workbook.close()
    assert "1,001 columns" in refused(store, xlsx_path).errors[0].message


@pytest.mark.parametrize("name", ["garbage.xlsx", "garbage.csv", "garbage.graphml", "garbage.gml"])
def test_binary_garbage_is_refused(store: Store, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(random.Random(7).randbytes(4096))

    refused(store, path, kind="sites")


def test_a_renamed_file_is_refused_with_the_right_advice(store: Store, tmp_path: Path) -> None:
    text_as_workbook = tmp_path / "sites.xlsx"
    text_as_workbook.write_text("code,name\nA,Alpha\n")
    assert "name it .csv" in refused(store, text_as_workbook).errors[0].message

    workbook_as_text = tmp_path / "sites.csv"
    small_workbook(tmp_path / "real.xlsx").rename(workbook_as_text)
    assert "name it .xlsx" in refused(store, workbook_as_text).errors[0].message


def test_a_truncated_workbook_is_refused(store: Store, tmp_path: Path) -> None:
    path = small_workbook(tmp_path / "sites.xlsx", rows=500)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    refused(store, path)


@pytest.mark.parametrize("name", ["sites.csv", "sites.xlsx", "sites.graphml"])
def test_an_empty_file_is_refused(store: Store, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")

    assert "empty" in refused(store, path).errors[0].message


def test_a_blank_csv_is_refused_and_a_header_only_csv_warns(
    store: Store, tmp_path: Path
) -> None:
    blank = tmp_path / "sites.csv"
    blank.write_text("\n \n,,\n")
    assert "empty" in refused(store, blank).errors[0].message

    header_only = tmp_path / "links.csv"
    header_only.write_text("circuit_id,a_site,b_site\n")
    before = digest(store)
    report = import_files(store, [header_only])
    assert report.ok and not report.changed
    assert len(report.warnings) == 1 and "no data rows" in report.warnings[0].message
    assert digest(store) == before


def test_missing_files_folders_and_unknown_formats_are_refused(
    store: Store, tmp_path: Path
) -> None:
    assert "no such file" in refused(store, tmp_path / "nowhere.csv").errors[0].message
    folder = tmp_path / "sites"
    folder.mkdir()
    assert "folder" in refused(store, folder).errors[0].message
    for name in ("sites.json", "sites.xls"):
        (tmp_path / name).write_text("{}")
        refused(store, tmp_path / name)


def test_a_huge_cell_is_refused_at_its_row_and_column(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("code,name\nA,short\nB," + "x" * 40_000 + "\n")

    report = refused(store, path)

    assert (report.errors[0].row, report.errors[0].column) == (3, "name")
    assert len(str(report.errors[0])) < 300


def test_xml_entity_declarations_and_broken_xml_are_refused(
    store: Store, tmp_path: Path
) -> None:
    laughs = tmp_path / "laughs.graphml"
    laughs.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">'
        '<node id="&lol2;"/></graph></graphml>'
    )
    assert "entities" in refused(store, laughs).errors[0].message

    broken = tmp_path / "broken.graphml"
    broken.write_text('<graphml><graph edgedefault="undirected"><node id="a"></graph>')
    refused(store, broken)


def test_one_bad_file_among_good_ones_stops_the_whole_import(
    store: Store, tmp_path: Path
) -> None:
    good = tmp_path / "sites.csv"
    good.write_text("code\nA\n")
    bad = tmp_path / "links.xlsx"
    bad.write_bytes(b"\x00" * 100)
    before = digest(store)

    report = import_files(store, [good, bad])

    assert not report.ok and [Path(issue.file).name for issue in report.errors] == ["links.xlsx"]
    assert digest(store) == before


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(
        st.one_of(
            st.text(max_size=40),
            st.floats(),
            st.integers(-(10**20), 10**20),
            st.booleans(),
            st.dates(),
            st.datetimes(),
            st.none(),
        ),
        max_size=8,
    )
)
def test_any_cell_in_any_column_gives_a_value_or_an_error_message(cells: list[object]) -> None:
    for entity, columns in COLUMNS.items():
        for column in columns:
            for csv_text in (False, True):
                values = [c if c is not None else "" for c in cells]
                if csv_text:
                    values = [cell_text(value) for value in values]
                out, errors = compile_column(column, csv_text=csv_text)(values)
                assert len(out) == len(values), (entity, column.name)
                assert all(isinstance(message, str) and message for _, message in errors)
