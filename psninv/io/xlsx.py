"""Writing an inventory as a workbook with the import's own sheets and headers, strings kept as strings."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import xlsxwriter

from psninv.inventory import Inventory
from psninv.io.columns import COLUMNS, Kind


def cell_text(column_kind: Kind, value: Any) -> str:
    """The text a list-valued cell is written as: codes and tags joined by '; '."""
    if column_kind is Kind.TAGS:
        return "; ".join(tag for tag in (value or "").split(";") if tag)
    return "; ".join(value or ())


def write_workbook(inventory: Inventory, path: str | Path) -> None:
    """Write every entity to its sheet, headers in row 1, in the order of COLUMNS."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            # Text must never turn into a formula, a number or a link when written.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for entity, rows in inventory.entities():
            sheet = workbook.add_worksheet(entity)
            columns = COLUMNS[entity]
            for col, column in enumerate(columns):
                sheet.write_string(0, col, column.name, bold)
                sheet.set_column(col, col, max(10, len(column.name) + 2))
            sheet.freeze_panes(1, 0)
            for row_index, row in enumerate(rows.values(), start=1):
                for col, column in enumerate(columns):
                    value = row.get(column.name)
                    if column.kind in (Kind.REFS, Kind.TAGS):
                        value = cell_text(column.kind, value)
                    if value is None or value == "":
                        continue
                    if column.kind is Kind.NUMBER:
                        if isinstance(value, float) and not math.isfinite(value):
                            continue
                        sheet.write_number(row_index, col, value)
                    elif column.kind is Kind.DATE and isinstance(value, dt.date):
                        sheet.write_datetime(
                            row_index, col, dt.datetime.combine(value, dt.time()), date_format
                        )
                    else:
                        sheet.write_string(row_index, col, str(value))
    finally:
        workbook.close()
