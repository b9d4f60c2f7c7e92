"""What a reader makes of one import file: raw tables of untyped cells, and the issues met on the way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from psninv.io.issues import ERROR, WARNING, Issue

ZIP_MAGIC = b"PK\x03\x04"
"""How a zip file (an .xlsx workbook) starts, whatever its name says."""


@dataclass(slots=True)
class RawTable:
    """One sheet, CSV file or graph part: headers, untyped cells by column, and row numbers."""

    file: str
    sheet: str | None
    entity: str
    headers: list[str]
    rows: list[int]
    columns: list[Sequence[Any]]
    source: str  # "xlsx", "csv" or "graph"
    header_row: int | None = None
    first_column: int = 0
    """Index of the sheet column the first header is in (a sheet may start at column B)."""
    decimal_comma: bool = False
    """Numbers written as text follow the decimal-comma convention (1.234,5), as semicolon CSV does."""

    def where(self) -> str:
        """The table named for a message: 'sheet sites of inv.xlsx' or 'sites.csv'."""
        return f"sheet {self.sheet} of {self.file}" if self.sheet and self.source != "csv" else self.file


@dataclass(slots=True)
class ReadResult:
    """The tables read from one file and the issues met on the way."""

    tables: list[RawTable] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def error(self, file: str, message: str, **where: Any) -> ReadResult:
        """Add an error about the file (optionally at a sheet, row or column) and return self."""
        return self._add(ERROR, file, message, where)

    def warn(self, file: str, message: str, **where: Any) -> ReadResult:
        """Add a warning about the file and return self."""
        return self._add(WARNING, file, message, where)

    def _add(self, level: str, file: str, message: str, where: dict[str, Any]) -> ReadResult:
        self.issues.append(
            Issue(
                file, where.get("sheet"), where.get("row"), where.get("column"), where.get("value"),
                message, level,
            )
        )
        return self


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no detail"
