"""What calamine does not tell about a worksheet, read from its XML: hidden rows and formula cells."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from psninv.io.limits import column_number, sheet_parts

_ROW = re.compile(rb"<row\b([^>]*)>")
_HIDDEN = re.compile(rb"""\bhidden\s*=\s*["'](?:1|true)["']""")
_ROW_NUMBER = re.compile(rb"""\br\s*=\s*["'](\d+)["']""")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_CELL_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]+)(\d+)["']""")
_VALUE = re.compile(rb"<v>[^<]+</v>|<is>")


@dataclass(slots=True)
class SheetMarks:
    """A sheet's hidden row numbers, and its formula cells ((row, column), 1-based): is a value saved?"""

    hidden_rows: set[int] = field(default_factory=set)
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)


def sheet_marks(path: Path) -> dict[str, SheetMarks]:
    """The marks of every worksheet of a workbook that has hidden rows or formulas, by sheet name."""
    marks: dict[str, SheetMarks] = {}
    with zipfile.ZipFile(path) as archive:
        for part, name in sheet_parts(archive).items():
            try:
                data = archive.read(part)
            except KeyError:
                continue
            found = _marks(data)
            if found.hidden_rows or found.formulas:
                marks[name] = found
    return marks


def _marks(data: bytes) -> SheetMarks:
    found = SheetMarks()
    # One C-speed test each keeps a plain sheet free of the per-row scan.
    if b"hidden" in data:
        for match in _ROW.finditer(data):
            attributes = match.group(1)
            if _HIDDEN.search(attributes):
                number = _ROW_NUMBER.search(attributes)
                if number:
                    found.hidden_rows.add(int(number.group(1)))
    if b"<f" in data:
        for match in _CELL.finditer(data):
            body = match.group(2)
            if not body or b"<f" not in body:
                continue
            ref = _CELL_REF.search(match.group(1))
            if ref:
                column = column_number(ref.group(1).decode("ascii").upper())
                found.formulas[(int(ref.group(2)), column)] = bool(_VALUE.search(body))
    return found
