"""Writing an Analysis as a report: JSON for tools, CSV for spreadsheets, a workbook for managers."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import xlsxwriter

from psninv._gc import collector_paused
from psninv.analysis.finding import Finding
from psninv.analysis.result import Analysis
from psninv.analysis.sharing.summary import SharingSummary
from psninv.atomic import replacing
from psninv.errors import InputError
from psninv.io.formula import escape_csv_text
from psninv.io.xlsx import open_workbook

REPORT_FORMATS: tuple[str, ...] = ("json", "csv", "xlsx")
"""The formats `write_report` takes."""

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "category",
    "kind",
    "severity",
    "title",
    "savings_gbp",
    "savings_pct",
    "sites",
    "links",
    "tenants",
    "remedy",
    "impact",
    "assumptions",
)
"""The columns of a CSV report, one finding a row; lists are joined by '; ', dicts written as JSON."""

CURRENCY_FORMAT = "£#,##0"
PERCENT_FORMAT = '0.0"%"'


def write_report(analysis: Analysis, path: str | Path, fmt: str) -> Path:
    """Write the analysis to path as json, csv or xlsx, replacing any file there only once it is complete."""
    fmt = fmt.lower()
    if fmt not in REPORT_FORMATS:
        raise InputError(f"unknown report format {fmt!r}: use one of {', '.join(REPORT_FORMATS)}")
    target = Path(path)
    with replacing(target) as temporary:
        if fmt == "json":
            _write_json(analysis, temporary)
        elif fmt == "csv":
            _write_csv(analysis, temporary)
        else:
            _write_xlsx(analysis, temporary)
    return target


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def iter_json(
    analysis: Analysis,
    *,
    indent: int | None = None,
    default: Callable[[Any], Any] = _json_default,
    chunk: int = 1000,
) -> Iterator[str]:
    """The analysis as JSON text in pieces, the same text as json.dumps(analysis.to_dict()) gives.

    Findings are encoded a chunk at a time without copying them, so a report of 100k findings
    never holds its dicts or its text all at once.
    """
    encoder = json.JSONEncoder(indent=indent, ensure_ascii=False, default=default)
    # The document with no findings, split where they go: findings is the last key, so its [] is the last.
    head, _, tail = encoder.encode({"summary": analysis.summary_to_dict(), "findings": []}).rpartition("[]")
    findings = analysis.findings
    if not findings:
        yield head + "[]" + tail
        return
    yield head + "["
    separator = ", " if indent is None else ","
    for start in range(0, len(findings), chunk):
        text = encoder.encode([f.to_dict(copy=False) for f in findings[start : start + chunk]])
        # Indented, each line goes one level deeper: the chunk was a top-level list, findings sit in one.
        body = text[1:-1] if indent is None else text[1:-2].replace("\n", "\n" + " " * indent)
        yield (separator if start else "") + body
    yield ("" if indent is None else "\n" + " " * indent) + "]" + tail


def write_json(
    analysis: Analysis,
    stream: TextIO,
    *,
    indent: int | None = None,
    default: Callable[[Any], Any] = _json_default,
) -> None:
    """Write the analysis as JSON to a text stream, a chunk of findings at a time, ending with a newline."""
    # The finding dicts are short-lived and acyclic; the collector would rescan everything else meanwhile.
    with collector_paused():
        for part in iter_json(analysis, indent=indent, default=default):
            stream.write(part)
        stream.write("\n")


def _write_json(analysis: Analysis, path: Path) -> None:
    with path.open("w", encoding="utf-8") as stream:
        write_json(analysis, stream, indent=2)


def _cell(value: Any) -> Any:
    """A value for a CSV cell: lists joined, dicts as JSON, text defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, default=_json_default, sort_keys=True)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    return escape_csv_text(str(value))


def _write_csv(analysis: Analysis, path: Path) -> None:
    # The byte-order mark makes Excel read the file as UTF-8, so £ signs in titles survive.
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_COLUMNS)
        for finding in analysis.findings:
            data = finding.to_dict()
            writer.writerow([_cell(data[column]) for column in CSV_COLUMNS])


def _flatten(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Scalar entries of a nested summary as ('a.b', value) pairs; lists joined, big tables skipped."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key in ("by_tenant", "by_kind", "tariff"):
            continue
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        elif isinstance(value, list | tuple):
            yield name, "; ".join(str(item) for item in value)
        else:
            yield name, value


class _Sheet:
    """A worksheet writer that keeps text as text and puts money in currency cells."""

    def __init__(self, workbook: xlsxwriter.Workbook, name: str):
        self.sheet = workbook.add_worksheet(name)
        self.bold = workbook.add_format({"bold": True})
        self.currency = workbook.add_format({"num_format": CURRENCY_FORMAT})
        self.currency_bold = workbook.add_format({"num_format": CURRENCY_FORMAT, "bold": True})
        self.percent = workbook.add_format({"num_format": PERCENT_FORMAT})

    def header(self, row: int, names: list[str]) -> None:
        for col, name in enumerate(names):
            self.sheet.write_string(row, col, name, self.bold)

    def value(self, row: int, col: int, value: Any, kind: str = "text", *, bold: bool = False) -> None:
        if value is None or value == "":
            return
        if kind == "gbp" and isinstance(value, int | float):
            self.sheet.write_number(row, col, value, self.currency_bold if bold else self.currency)
        elif kind == "pct" and isinstance(value, int | float):
            self.sheet.write_number(row, col, value, self.percent)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.sheet.write_number(row, col, value)
        else:
            self.sheet.write_string(row, col, str(value), self.bold if bold else None)


FINDING_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Severity", "text", 10),
    ("Category", "text", 11),
    ("Kind", "text", 18),
    ("Title", "text", 80),
    ("Saving £/yr", "gbp", 13),
    ("Saving %", "pct", 10),
    ("Sites", "text", 24),
    ("Links", "text", 24),
    ("Tenants", "text", 18),
    ("Remedy", "text", 60),
    ("Calculation", "text", 50),
    ("ID", "text", 30),
)


def _finding_values(finding: Finding) -> list[Any]:
    return [
        finding.severity.value,
        finding.category.value,
        finding.kind,
        finding.title,
        finding.savings_gbp,
        finding.savings_pct,
        "; ".join(finding.sites),
        "; ".join(finding.links),
        "; ".join(finding.tenants),
        finding.remedy,
        finding.calculation,
        finding.id,
    ]


def _write_xlsx(analysis: Analysis, path: Path) -> None:
    # Titles and codes must never turn into a formula, a number or a link.
    workbook = open_workbook(path)
    try:
        findings = _Sheet(workbook, "Findings")
        findings.header(0, [name for name, _kind, _width in FINDING_COLUMNS])
        for col, (_name, _kind, width) in enumerate(FINDING_COLUMNS):
            findings.sheet.set_column(col, col, width)
        for row, finding in enumerate(analysis.findings, start=1):
            for col, value in enumerate(_finding_values(finding)):
                findings.value(row, col, value, FINDING_COLUMNS[col][1])
        findings.sheet.freeze_panes(1, 0)
        findings.sheet.autofilter(0, 0, max(len(analysis.findings), 1), len(FINDING_COLUMNS) - 1)
        _write_summary_sheet(_Sheet(workbook, "Summary"), analysis)
    finally:
        workbook.close()


def _write_summary_sheet(sheet: _Sheet, analysis: Analysis) -> None:
    """Per tenant: annual cost, savings and cost avoided; then the totals and counts by kind."""
    sheet.sheet.set_column(0, 0, 28)
    sheet.sheet.set_column(1, 6, 16)
    row = 0
    if analysis.sharing is not None:
        row = _write_sharing_tables(sheet, analysis.sharing, row)
    sheet.header(row, ["Figure", "Value"])
    row += 1
    for name, value in _flatten(analysis.summary_to_dict()):
        sheet.value(row, 0, name)
        sheet.value(row, 1, value, "gbp" if name.endswith("_gbp") else "text")
        row += 1


def _write_sharing_tables(sheet: _Sheet, sharing: SharingSummary, row: int) -> int:
    """The per-tenant and per-kind tables of the sharing summary from row on; returns the next free row."""
    sheet.header(row, ["Tenant", "Name", "Annual cost £", "Savings £/yr", "Savings %", "Avoided £/yr"])
    row += 1
    for code, entry in sharing.by_tenant.items():
        sheet.value(row, 0, code)
        sheet.value(row, 1, entry.name)
        sheet.value(row, 2, entry.annual_cost_gbp, "gbp")
        sheet.value(row, 3, entry.savings_gbp, "gbp")
        sheet.value(row, 4, entry.savings_pct, "pct")
        sheet.value(row, 5, entry.avoided_gbp, "gbp")
        row += 1
    sheet.value(row, 0, "All", bold=True)
    sheet.value(row, 2, sharing.total_annual_cost_gbp, "gbp", bold=True)
    sheet.value(row, 3, sharing.savings_gbp, "gbp", bold=True)
    sheet.value(row, 4, sharing.savings_pct, "pct")
    sheet.value(row, 5, sharing.avoided_gbp, "gbp", bold=True)
    row += 2
    sheet.header(row, ["Kind", "Shown", "Hidden", "Savings £/yr"])
    row += 1
    for kind, tally in sharing.by_kind.items():
        sheet.value(row, 0, kind.value)
        sheet.value(row, 1, tally.count)
        sheet.value(row, 2, tally.hidden)
        sheet.value(row, 3, tally.savings_gbp, "gbp")
        row += 1
    return row + 1
