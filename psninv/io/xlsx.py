"""Writing an inventory as a workbook with the import's own sheets and headers, strings kept as strings."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from psninv.errors import InputError
from psninv.inventory import Inventory
from psninv.io.formula import looks_like_formula
from psninv.io.partner import export_columns, export_rows
from psninv.records import Column, Kind

CellValue = str | float | dt.date | None

EXCEL_MAX_CHARS = 32_767
# Excel's 1900 date system cannot show earlier dates (and gets February 1900 wrong), so such
# dates are written as ISO text, which the importer reads as well.
_FIRST_EXCEL_DATE = dt.date(1900, 3, 1)
_MIN_WIDTH, _MAX_WIDTH = 10, 50


def cell_text(column_kind: Kind, value: Any) -> str:
    """The text a list-valued cell is written as: codes and tags joined by '; '."""
    if column_kind is Kind.TAGS:
        return "; ".join(tag for tag in (value or "").split(";") if tag)
    return "; ".join(value or ())


def cell_value(column: Column, value: Any) -> CellValue:
    """The value one cell is exported as: text, a finite float, a date, or None for an empty cell."""
    if column.kind in (Kind.REFS, Kind.TAGS):
        value = cell_text(column.kind, value)
    if value is None or value == "":
        return None
    if column.kind is Kind.NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    if column.kind is Kind.DATE and isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    return str(value)


def row_values(columns: Sequence[Column], row: Mapping[str, Any]) -> list[CellValue]:
    """A row's exported cells in sheet order."""
    return [cell_value(column, row.get(column.name)) for column in columns]


def open_workbook(path: str | Path, *, constant_memory: bool = False) -> Workbook:
    """A new workbook that writes every string as a string, never as a formula, number or link."""
    return xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


@dataclass(frozen=True, slots=True)
class Styles:
    """The cell formats of an inventory sheet."""

    header: Format
    text: Format
    quoted: Format
    date: Format
    number: Format

    @classmethod
    def of(cls, workbook: Workbook) -> Styles:
        """Register the formats in a workbook."""
        return cls(
            header=workbook.add_format({"bold": True, "bottom": 1, "num_format": "@"}),
            # '@' keeps what a user later types in the column as text too ("007" stays "007").
            text=workbook.add_format({"num_format": "@"}),
            # Excel's quote prefix keeps "=1+1" text even after the user edits the cell.
            quoted=workbook.add_format({"num_format": "@", "quote_prefix": True}),
            date=workbook.add_format({"num_format": "yyyy-mm-dd"}),
            number=workbook.add_format(),
        )

    def column(self, column: Column) -> Format:
        """The default format of a whole column, for the cells a user fills in later."""
        if column.kind is Kind.DATE:
            return self.date
        if column.kind is Kind.NUMBER:
            return self.number
        return self.text


def _shown_length(value: CellValue) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return len(f"{value:g}")
    return max((len(line) for line in value.splitlines()), default=0)


def column_widths(columns: Sequence[Column], rows: Iterable[Sequence[CellValue]]) -> list[int]:
    """Column widths that fit the header and the longest value, within sensible bounds."""
    widths = [len(column.name) + 2 for column in columns]
    for values in rows:
        for index, value in enumerate(values):
            widths[index] = max(widths[index], _shown_length(value) + 2)
    return [min(_MAX_WIDTH, max(_MIN_WIDTH, width)) for width in widths]


def start_sheet(
    sheet: Worksheet,
    columns: Sequence[Column],
    styles: Styles,
    widths: Sequence[int],
) -> None:
    """Write the bold header row, set column widths and formats, and freeze the header."""
    for index, column in enumerate(columns):
        sheet.set_column(index, index, widths[index], styles.column(column))
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.name, styles.header)
    sheet.freeze_panes(1, 0)


def write_cell(
    sheet: Worksheet, row: int, col: int, column: Column, value: CellValue, styles: Styles
) -> None:
    """Write one cell with its proper type: numbers as numbers, dates as dates, all else as text."""
    if value is None:
        return
    if isinstance(value, float):
        sheet.write_number(row, col, value, styles.number)
    elif isinstance(value, dt.date) and value >= _FIRST_EXCEL_DATE:
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), styles.date)
    else:
        text = value.isoformat() if isinstance(value, dt.date) else value
        if len(text) > EXCEL_MAX_CHARS:
            # Excel would cut the text short and the round trip would silently lose it.
            raise InputError(
                f"{sheet.name}!{column.name} row {row + 1}: text of {len(text)} characters is longer "
                f"than Excel's limit of {EXCEL_MAX_CHARS}"
            )
        sheet.write_string(row, col, text, styles.quoted if looks_like_formula(text) else styles.text)


def write_workbook(inventory: Inventory, path: str | Path, *, created: dt.datetime | None = None) -> None:
    """Write every entity to its sheet, headers in row 1, in the order of COLUMNS."""
    # Widths must be known before the first row goes out in constant-memory mode.
    sheets = {entity: export_columns(inventory, entity) for entity, _ in inventory.entities()}
    tables = {
        entity: [row_values(sheets[entity], row) for row in export_rows(inventory, entity, rows)]
        for entity, rows in inventory.entities()
    }
    workbook = open_workbook(path, constant_memory=True)
    try:
        if created is not None:
            # A fixed creation time makes the file byte-identical from run to run (the sample).
            workbook.set_properties({"created": created})
        styles = Styles.of(workbook)
        for entity, values in tables.items():
            columns = sheets[entity]
            sheet = workbook.add_worksheet(entity)
            start_sheet(sheet, columns, styles, column_widths(columns, values))
            for row_index, cells in enumerate(values, start=1):
                for col, (column, value) in enumerate(zip(columns, cells, strict=True)):
                    write_cell(sheet, row_index, col, column, value, styles)
            sheet.autofilter(0, 0, max(1, len(values)), len(columns) - 1)
    finally:
        workbook.close()
