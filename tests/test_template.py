"""The import template: entity sheets with headers and a typed example row, and a README sheet."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from python_calamine import CalamineWorkbook

from psninv.io.template import README_HEADERS, README_SHEET, REFERENCED, write_template
from psninv.records import COLUMNS, Kind

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The template written once for all tests of this module."""
    path = tmp_path_factory.mktemp("template") / "psninv-template.xlsx"
    assert write_template(path) == path
    return path


def sheets(path: Path) -> dict[str, list[list[object]]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def sheet_xml(path: Path, index: int) -> ElementTree.Element:
    with zipfile.ZipFile(path) as archive:
        return ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))


def bold_styles(path: Path) -> set[int]:
    """The indices of cell styles whose font is bold."""
    with zipfile.ZipFile(path) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    fonts = [font.find(f"{NS}b") is not None for font in styles.find(f"{NS}fonts")]
    return {
        index
        for index, xf in enumerate(styles.find(f"{NS}cellXfs"))
        if fonts[int(xf.get("fontId", "0"))]
    }


def test_template_has_each_entity_sheet_then_readme(template):
    assert list(sheets(template)) == [*COLUMNS, README_SHEET]


def test_entity_sheets_have_the_import_headers_and_one_typed_example_row(template):
    book = sheets(template)
    for entity, columns in COLUMNS.items():
        header, example, *rest = book[entity]
        assert header == [column.name for column in columns]
        assert len(rest) == len(REFERENCED.get(entity, ()))  # the rows the example refers to
        for column, value in zip(columns, example, strict=True):
            if not column.example:
                assert value == ""
            elif column.kind is Kind.NUMBER:
                assert value == float(column.example)
                assert isinstance(value, float)
            elif column.kind is Kind.DATE:
                assert value == dt.date.fromisoformat(column.example)
            elif column.kind in (Kind.REFS, Kind.TAGS):
                assert value.replace(" ", "") == column.example.replace(" ", "")
            else:
                assert value == column.example
    assert book["sites"][1][0] == "STA-001"
    assert book["links"][1][7] == dt.date(2028, 3, 31)


def test_headers_are_bold_frozen_and_columns_sized(template):
    bold = bold_styles(template)
    for index, (entity, columns) in enumerate([*COLUMNS.items(), (README_SHEET, README_HEADERS)], start=1):
        root = sheet_xml(template, index)
        pane = root.find(f".//{NS}pane")
        assert pane is not None, entity
        assert pane.get("state") == "frozen" and pane.get("ySplit") == "1"
        header_cells = [cell for cell in root.iter(f"{NS}c") if cell.get("r", "").endswith("1")
                        and cell.get("r", "")[:-1].isalpha()]
        assert len(header_cells) == len(columns)
        assert all(int(cell.get("s", "0")) in bold for cell in header_cells), entity
        spans = list(root.iter(f"{NS}col"))  # neighbours of equal width share one span
        assert sum(int(col.get("max")) - int(col.get("min")) + 1 for col in spans) >= len(columns)
        assert all(8 <= float(col.get("width")) <= 60 for col in spans), entity


def test_choice_columns_offer_their_values_in_a_drop_down(template):
    root = sheet_xml(template, 2)  # sites
    formulas = [v.findtext(f"{NS}formula1") for v in root.iter(f"{NS}dataValidation")]
    assert '"core,datacentre,hub,access"' in formulas
    assert '"critical,high,standard"' in formulas


def test_readme_explains_every_column(template):
    header, *rows = sheets(template)[README_SHEET]
    assert header == list(README_HEADERS)
    assert header[:7] == ["entity", "column", "required", "type", "allowed values", "synonyms accepted",
                          "help"]
    table = {(row[0], row[1]): dict(zip(header, row, strict=True)) for row in rows if row[1]}
    expected = {(entity, column.name) for entity, columns in COLUMNS.items() for column in columns}
    assert expected <= set(table)
    for entity, columns in COLUMNS.items():
        for column in columns:
            line = table[entity, column.name]
            assert line["help"] == column.help
            assert line["required"] == ("yes" if column.required else "no")
            for synonym in column.synonyms:
                assert synonym in line["synonyms accepted"]
            for choice in column.choices:
                assert choice in line["allowed values"]
    assert table["sites", "latitude"]["allowed values"] == "-90 to 90"
    assert table["links", "bandwidth_mbps"]["allowed values"] == "0 to 10,000,000"  # issue 15: upper bounds
    assert "bandwidth_kbps (× 0.001)" in table["links", "bandwidth_mbps"]["synonyms accepted"]
    assert "tenants" in table["sites", "occupants"]["type"]
    assert table["links", "contract_end"]["type"] == "date"
    notes = " ".join(str(row[0]) for row in rows if not row[1])
    assert "psninv import" in notes


def test_template_must_be_xlsx(tmp_path):
    with pytest.raises(ValueError, match=r"\.xlsx"):
        write_template(tmp_path / "template.csv")
    assert not (tmp_path / "template.csv").exists()


def test_the_importer_reads_every_template_header_and_example_value(template, store):
    from psninv.io.importer import import_files

    # The example rows import as they are into an empty inventory: the rows they refer to are there too.
    report = import_files(store, [template])
    assert report.ok and not report.issues, [str(issue) for issue in report.issues]
    assert store.load().counts() == {"tenants": 3, "sites": 2, "links": 1, "prefixes": 1}
