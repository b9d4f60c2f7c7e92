"""The blank import workbook: each entity's sheet with headers and an example row, and a README sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from psninv.atomic import replacing
from psninv.errors import InputError
from psninv.io.xlsx import CellValue, Styles, column_widths, open_workbook, start_sheet, write_cell
from psninv.records import COLUMNS, Column, Kind, bound_text

README_SHEET = "README"
README_HEADERS: tuple[str, ...] = (
    "entity", "column", "required", "type", "allowed values", "synonyms accepted", "help", "example",
)
"""The README sheet's columns: one row per entity column."""

_KIND_TEXT = {
    Kind.CODE: "code (text; leading zeros kept)",
    Kind.TEXT: "text",
    Kind.NUMBER: "number",
    Kind.DATE: "date",
    Kind.CHOICE: "one of a list",
    Kind.REF: "code of one of the {ref}",
    Kind.REFS: "codes of {ref}, separated by ';'",
    Kind.TAGS: "tags, separated by ';'",
    Kind.CIDR: "IP prefix (IPv4 or IPv6 CIDR)",
}

README_NOTES: tuple[str, ...] = (
    "How to use this workbook",
    "Fill in one sheet per entity (tenants, sites, links, prefixes); row 1 holds the headers.",
    "Replace or delete the example rows before importing (row 2 of each sheet, and the rows it refers to).",
    "Sheets may be left empty; rows are matched on their key (code, circuit_id, prefix + vrf) "
    "and update what is there already.",
    "Headers may also be written as any of the synonyms listed above, in any case.",
    "Dates: a real Excel date, yyyy-mm-dd, or dd/mm/yyyy.",
    "Codes are text: type 007 and it stays 007.",
    "Then run: psninv import <this file>",
)


def kind_text(column: Column) -> str:
    """How the README describes a column's type."""
    return _KIND_TEXT[column.kind].format(ref=column.ref or "rows")


def allowed_text(column: Column) -> str:
    """How the README describes a column's allowed values: its choices or its bounds."""
    if column.choices:
        return ", ".join(column.choices)
    if column.minimum is not None and column.maximum is not None:
        return f"{bound_text(column.minimum)} to {bound_text(column.maximum)}"
    if column.minimum is not None:
        return f"{bound_text(column.minimum)} or more"
    if column.maximum is not None:
        return f"{bound_text(column.maximum)} or less"
    if column.kind is Kind.DATE:
        return "yyyy-mm-dd, dd/mm/yyyy or an Excel date"
    return ""


def synonyms_text(column: Column) -> str:
    """The other headers a column is recognised by, those in another unit with their factor."""
    names = list(column.synonyms)
    names += [f"{name} (× {factor:g})" for name, factor in column.scaled_synonyms.items()]
    return "; ".join(names)


def example_value(column: Column) -> CellValue:
    """A column's example as a typed cell value: numbers as numbers, dates as dates."""
    if not column.example:
        return None
    if column.kind is Kind.NUMBER:
        return float(column.example)
    if column.kind is Kind.DATE:
        return dt.date.fromisoformat(column.example)
    if column.kind is Kind.REFS or column.kind is Kind.TAGS:
        return "; ".join(part.strip() for part in column.example.split(";") if part.strip())
    return column.example


def readme_rows() -> list[list[str]]:
    """One README row per column of every entity, in sheet order."""
    return [
        [
            entity,
            column.name,
            "yes" if column.required else "no",
            kind_text(column),
            allowed_text(column),
            synonyms_text(column),
            column.help,
            column.example,
        ]
        for entity, columns in COLUMNS.items()
        for column in columns
    ]


REFERENCED = {
    "tenants": [
        {"code": "NHS-SSOT", "name": "NHS Staffordshire and Stoke-on-Trent ICB", "sector": "health"},
        {"code": "POL", "name": "Staffordshire Police", "sector": "police"},
    ],
    "sites": [
        {
            "code": "STA-HUB",
            "name": "Stafford Hub",
            "tenant": "SCC",
            "role": "hub",
            "district": "Stafford",
            "latitude": 52.8073,
            "longitude": -2.1164,
            "criticality": "high",
        },
    ],
}
"""Rows the example rows refer to (the occupants, a circuit's far end), so the template imports as it is."""


def write_template(path: str | Path) -> Path:
    """Write the import template workbook (.xlsx) and return its path."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"the template is an .xlsx workbook, not {path.name!r}")
    with replacing(path) as temporary:
        _write_template(temporary)
    return path


def _write_template(path: Path) -> None:
    workbook = open_workbook(path)
    try:
        styles = Styles.of(workbook)
        wrap = workbook.add_format({"text_wrap": True, "valign": "top", "num_format": "@"})
        for entity, columns in COLUMNS.items():
            sheet = workbook.add_worksheet(entity)
            example = [example_value(column) for column in columns]
            start_sheet(sheet, columns, styles, column_widths(columns, [example]))
            for index, (column, value) in enumerate(zip(columns, example, strict=True)):
                write_cell(sheet, 1, index, column, value, styles)
                for row, record in enumerate(REFERENCED.get(entity, ()), start=2):
                    write_cell(sheet, row, index, column, record.get(column.name), styles)
                sheet.write_comment(0, index, _header_note(column), {"x_scale": 2, "y_scale": 1.5})
                if column.choices:
                    # A drop-down, but only a warning on other text: choices match in any case.
                    sheet.data_validation(1, index, 10_000, index, {
                        "validate": "list", "source": list(column.choices),
                        "error_type": "warning", "error_title": column.name,
                        "error_message": f"Expected one of: {', '.join(column.choices)}",
                    })
        readme = workbook.add_worksheet(README_SHEET)
        readme.activate()  # opens on the README, while entity sheets keep their import order
        widths = (10, 16, 9, 28, 30, 40, 50, 24)
        for index, header in enumerate(README_HEADERS):
            readme.set_column(index, index, widths[index], wrap)
            readme.write_string(0, index, header, styles.header)
        readme.freeze_panes(1, 0)
        rows = readme_rows()
        for row_index, values in enumerate(rows, start=1):
            for index, text in enumerate(values):
                if text:
                    readme.write_string(row_index, index, text, wrap)
        readme.autofilter(0, 0, len(rows), len(README_HEADERS) - 1)
        notes_start = len(rows) + 2
        readme.write_string(notes_start, 0, README_NOTES[0], styles.header)
        for offset, note in enumerate(README_NOTES[1:], start=1):
            readme.write_string(notes_start + offset, 0, note)
    finally:
        workbook.close()


def _header_note(column: Column) -> str:
    note = f"{column.help}\nType: {kind_text(column)}"
    if column.required:
        note += " (required)"
    allowed = allowed_text(column)
    if allowed:
        note += f"\nAllowed: {allowed}"
    return note
