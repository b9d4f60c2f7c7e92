"""Reading import files into raw tables: .xlsx via python-calamine and CSV here; GraphML/GML in graph_files.

A raw table is one sheet (or CSV file, or the nodes or edges of a graph) as header texts and
untyped cell columns, with the row number the user sees for each data row. Blank rows are
dropped here but keep their place in the numbering. Every failure becomes an Issue; nothing
a file contains makes a reader raise.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import python_calamine

from psninv.io.graph_files import read_graph
from psninv.io.headers import candidates, entity_for_name, normalise
from psninv.io.issues import cell_display
from psninv.io.limits import DEFAULT_LIMITS, LimitError, Limits, check_file_size, check_workbook
from psninv.io.raw import ZIP_MAGIC, RawTable, ReadResult, first_line
from psninv.io.sheet_xml import SheetMarks, sheet_marks

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
GRAPH_SUFFIXES = frozenset({".graphml", ".gml"})
UNSUPPORTED_WORKBOOKS = frozenset({".xls", ".xlsb", ".ods", ".numbers"})
HELP_SHEETS = frozenset({"readme", "plan summary", "plan changes"})
"""Sheets of notes for people (a README, a plan's summary and changes): read past without a warning."""

_DELIMITERS = (",", ";", "\t", "|")
_SEP_LINE = re.compile(r"\A\s*sep=([,;\t|])[ \t]*\r?\n")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def read_path(
    path: Path,
    display: str,
    *,
    kind: str | None = None,
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    skip_hidden: bool = False,
) -> ReadResult:
    """Read one import file of any supported format; problems come back as issues, never raised.

    Hidden rows of a workbook are read with a warning, or left out with `skip_hidden`.
    """
    result = ReadResult()
    try:
        if not path.exists():
            return result.error(display, "no such file")
        if path.is_dir():
            return result.error(display, "is a folder, not a file: name the files in it")
        if not path.is_file():
            return result.error(display, "is not a regular file")
        suffix = path.suffix.lower()
        size_limit = limits.max_graph_bytes if suffix in GRAPH_SUFFIXES else limits.max_file_bytes
        size = check_file_size(path, size_limit)
        if size == 0:
            return result.error(display, "the file is empty")
        if suffix in WORKBOOK_SUFFIXES:
            _read_workbook(path, display, limits, skip_hidden, result)
        elif suffix in CSV_SUFFIXES:
            _read_csv(path, display, kind, encoding, limits, result)
        elif suffix in GRAPH_SUFFIXES:
            read_graph(path, display, suffix, encoding, limits, result)
        elif suffix in UNSUPPORTED_WORKBOOKS:
            result.error(display, f"{suffix} workbooks are not read: save it as .xlsx (or CSV)")
        else:
            result.error(
                display,
                f"cannot import {suffix or 'files without an extension'}: use .xlsx, .csv, .graphml or .gml",
            )
    except LimitError as error:
        result.tables.clear()
        result.error(display, str(error))
    except PermissionError:
        result.tables.clear()
        result.error(display, "permission denied: cannot read the file")
    except MemoryError:
        result.tables.clear()
        result.error(display, "the file needs more memory than this machine has")
    except Exception as error:  # noqa: BLE001 - a hostile file must give an issue, not a traceback
        result.tables.clear()
        result.error(display, f"cannot read the file ({type(error).__name__}: {first_line(error)})")
    return result


# --- xlsx --------------------------------------------------------------------------------------


def _read_workbook(path: Path, display: str, limits: Limits, skip_hidden: bool, result: ReadResult) -> None:
    check_workbook(path, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        result.error(display, "the workbook is password-protected: save a copy without a password")
        return
    except python_calamine.CalamineError as error:
        result.error(display, f"not a readable .xlsx workbook ({first_line(error)})")
        return
    marks = sheet_marks(path)
    with workbook:
        known = 0
        hidden: list[str] = []
        for meta in workbook.sheets_metadata:
            name = meta.name
            words = normalise(name)
            if words in HELP_SHEETS:
                continue
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                # "links (old)", hidden by someone who meant it to be out of the way, is not live data.
                hidden.append(name)
                continue
            entity = entity_for_name(name)
            if entity is None:
                if meta.typ == python_calamine.SheetTypeEnum.WorkSheet:
                    result.warn(
                        display,
                        "sheet ignored: its name is not tenants, sites, links or prefixes",
                        sheet=name,
                    )
                continue
            known += 1
            sheet = workbook.get_sheet_by_name(name)
            table = _sheet_table(sheet, display, name, entity, limits, result)
            if table is not None:
                _apply_marks(table, marks.get(name), skip_hidden, result)
                result.tables.append(table)
        if hidden:
            shown = ", ".join(repr(name) for name in hidden)
            plural = "s" if len(hidden) > 1 else ""
            result.warn(display, f"hidden sheet{plural} {shown} skipped: unhide to import")
        if not known:
            result.error(display, "no sheet named tenants, sites, links or prefixes")


def _sheet_table(
    sheet: Any, display: str, name: str, entity: str, limits: Limits, result: ReadResult
) -> RawTable | None:
    start = sheet.start
    if start is None:
        result.warn(display, "the sheet is empty", sheet=name)
        return None
    if sheet.width > limits.max_columns:
        result.error(
            display, f"the sheet has {sheet.width:,} columns, more than {limits.max_columns:,}", sheet=name
        )
        return None
    if sheet.height > limits.max_rows + 1:
        result.error(
            display, f"the sheet has {sheet.height:,} rows, more than {limits.max_rows:,}", sheet=name
        )
        return None
    cells = sheet.to_python(skip_empty_area=True)
    if not cells:
        result.warn(display, "the sheet is empty", sheet=name)
        return None
    first_row = start[0] + 1  # to_python starts at the first used row; the user counts from 1
    at = header_index(cells, entity, lambda value: (cell_display(value) or "").strip())
    if at:
        _note_skipped(display, name, first_row, first_row + at, result)
    header_row = first_row + at
    headers = [(cell_display(value) or "").strip() for value in cells[at]]
    body = cells[at + 1 :]
    kept = [i for i, row in enumerate(body) if _has_value(row)]
    groups = _group_rows(sheet, start, header_row, len(headers))
    if groups:
        kept = [i for i in kept if header_row + 1 + i not in groups]
        shown = _numbers(sorted(groups))
        result.warn(display, f"merged group-header rows {shown} skipped", sheet=name, row=min(groups))
    if len(kept) != len(body):
        body = [body[i] for i in kept]
    numbers = [header_row + 1 + i for i in kept]
    columns: list[Sequence[Any]] = list(zip(*body, strict=True)) if body else [() for _ in headers]
    return RawTable(display, name, entity, headers, numbers, columns, "xlsx", header_row, start[1])


def header_index(rows: Sequence[Sequence[Any]], entity: str, text: Any = str.strip) -> int:
    """The index of the header among a table's first rows: the first row naming two known columns.

    A sheet without such a row keeps its first row as the header (its messages then say what is missing).
    """
    first = None
    for index, row in enumerate(rows[:_HEADER_SEARCH]):
        names = [text(value) for value in row]
        if not any(names):
            continue
        if first is None:
            first = index
        known = {
            targets[0].column.name for name in names if name and len(targets := candidates(entity, name)) == 1
        }
        if len(known) >= 2:
            return index
    return first or 0


_HEADER_SEARCH = 20


def _note_skipped(display: str, sheet: str | None, first: int, header_row: int, result: ReadResult) -> None:
    span = f"row {first}" if header_row - first == 1 else f"rows {first}–{header_row - 1}"
    result.warn(display, f"{span} above the header (row {header_row}) skipped", sheet=sheet, row=first)


def _numbers(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" …" if len(numbers) > 10 else "")


def _group_rows(sheet: Any, start: tuple[int, int], header_row: int, width: int) -> set[int]:
    """Row numbers below the header of cells merged across the table's width, as group headings are."""
    if width < 2:
        return set()
    rows = set()
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or ():
        if top == bottom and top + 1 > header_row and right - left + 1 >= min(width, 2) and left <= start[1]:
            rows.add(top + 1)
    return rows


def _apply_marks(table: RawTable, marks: SheetMarks | None, skip_hidden: bool, result: ReadResult) -> None:
    """Warn of hidden rows (or drop them) and of formula cells; refuse formulas without a saved value."""
    if marks is None:
        return
    hidden = [number for number in table.rows if number in marks.hidden_rows]
    if hidden:
        if skip_hidden:
            keep = [i for i, number in enumerate(table.rows) if number not in marks.hidden_rows]
            table.rows = [table.rows[i] for i in keep]
            table.columns = [[column[i] for i in keep] for column in table.columns]
            message = f"hidden rows {_numbers(hidden)} skipped (--skip-hidden)"
        else:
            message = f"hidden rows {_numbers(hidden)} imported: use --skip-hidden to leave them out"
        result.warn(table.file, message, sheet=table.sheet, row=hidden[0])
    if not marks.formulas:
        return
    present = set(table.rows)
    cached: list[str] = []
    for (row, column), has_value in sorted(marks.formulas.items()):
        index = column - 1 - table.first_column
        if row not in present or not 0 <= index < len(table.headers):
            continue
        if has_value:
            cached.append(f"{_letters(column)}{row}")
        else:
            result.error(
                table.file,
                "a formula with no saved value: open the file in Excel and save it, or paste values",
                sheet=table.sheet,
                row=row,
                column=table.headers[index],
            )
    if cached:
        result.warn(
            table.file,
            f"formula cells {_numbers(cached)} read as their saved values",
            sheet=table.sheet,
            row=int(re.sub(r"[A-Z]+", "", cached[0])),
        )


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _has_value(row: Sequence[Any]) -> bool:
    for value in row:
        if value.__class__ is str:
            if value and not value.isspace():
                return True
        else:
            return True
    return False


# --- CSV ---------------------------------------------------------------------------------------


def csv_entity(path: Path, kind: str | None) -> str | None:
    """The entity a CSV file holds: `kind` if given, else its name's (sites.csv, 'IP prefixes.csv')."""
    return kind or entity_for_name(path.stem)


def _read_csv(
    path: Path, display: str, kind: str | None, encoding: str | None, limits: Limits, result: ReadResult
) -> None:
    entity = csv_entity(path, kind)
    text = _decode(path.read_bytes(), display, encoding, result)
    if text is None:
        return
    if not text.strip():
        result.error(display, "the file is empty")
        return
    sep = _SEP_LINE.match(text)
    if sep:
        # Excel's own "sep=;" first line names the delimiter and is not part of the table.
        delimiter, text = sep.group(1), text[sep.end() :]
    else:
        delimiter = sniff_delimiter(text)
    # Lines are handed to the reader one at a time (a StringIO would copy the text at four bytes
    # a character), and the limits are checked as rows arrive: memory follows the limits, not the file.
    reader = csv.reader(_lines(text), delimiter=delimiter)
    records: list[list[str]] = []
    cells = 0
    try:
        for record in reader:
            records.append(record)
            cells += len(record)
            if cells > limits.max_cells or len(records) > limits.max_rows + 1:
                break
    except csv.Error as error:
        result.error(display, f"not readable as CSV near line {reader.line_num} ({first_line(error)})")
        return
    if cells > limits.max_cells:
        too_many = f"the file holds more than {limits.max_cells:,} cells (rows × columns)"
        result.error(display, f"{too_many}: split it into smaller files", row=reader.line_num)
        return
    del text
    first = next((i for i, row in enumerate(records) if "".join(row).strip()), None)
    if first is None:
        result.error(display, "the file is empty")
        return
    from psninv.io.netbox import netbox_kind  # NetBox's tables are read here, turned into ours later

    found = netbox_kind(records[first], path.stem) if kind is None else None
    if found:
        entity = found
    elif entity is None:
        result.error(
            display,
            "cannot tell what the file holds from its name: call it tenants.csv, "
            "sites.csv, links.csv or prefixes.csv, or give --kind",
        )
        return
    start = first if found else header_index(records, entity)
    offset = 1 if sep else 0  # the sep= line is line 1 of the file the user sees
    if start > first:
        _note_skipped(display, None, first + 1 + offset, start + 1 + offset, result)
    header = [cell.strip() for cell in records[start]]
    header_row, width = start + 1 + offset, len(header)
    if width > limits.max_columns:
        result.error(
            display, f"the header has {width:,} columns, more than {limits.max_columns:,}", row=header_row
        )
        return
    body = records[start + 1 :]
    del records
    if len(body) > limits.max_rows:
        result.error(display, f"the file has more than {limits.max_rows:,} rows")
        return
    if set(map(len, body)) - {width}:
        body = _even_rows(body, width, header_row, display, result)
    # Row numbers are records as a spreadsheet shows them; blank lines keep their number.
    kept = [i for i, row in enumerate(body) if row and (row[0].strip() or "".join(row).strip())]
    if not kept:
        result.warn(
            display, "the file has a header but no data rows: nothing to import from it", row=header_row
        )
        return
    if len(kept) != len(body):
        body = [body[i] for i in kept]
    numbers = [header_row + 1 + i for i in kept]
    columns: list[Sequence[Any]] = list(zip(*body, strict=True))
    table = RawTable(display, None, entity, header, numbers, columns, "csv", header_row)
    table.decimal_comma = delimiter == ";"
    result.tables.append(table)


def _even_rows(
    body: list[list[str]], width: int, header_row: int, display: str, result: ReadResult
) -> list[list[str]]:
    # Short rows are padded (spreadsheets drop trailing empty cells); extra cells are dropped,
    # with a warning when they held anything.
    ragged: list[int] = []
    even = []
    for number, row in enumerate(body, start=header_row + 1):
        if len(row) < width:
            row = row + [""] * (width - len(row)) if row else row
        elif len(row) > width:
            if "".join(row[width:]).strip():
                ragged.append(number)
            row = row[:width]
        even.append(row)
    if ragged:
        shown = ", ".join(str(n) for n in ragged[:5]) + (" …" if len(ragged) > 5 else "")
        result.warn(
            display,
            f"{len(ragged)} rows have more cells than the header has columns; "
            f"the extra cells were ignored (rows {shown})",
            row=ragged[0],
        )
    return even


def _decode(data: bytes, display: str, encoding: str | None, result: ReadResult) -> str | None:
    if data.startswith(ZIP_MAGIC):
        result.error(display, "this is a zip file (an .xlsx workbook?), not CSV text: name it .xlsx")
        return None
    if data.startswith(_OLE_MAGIC):
        result.error(display, "this is an Excel .xls workbook, not CSV text: save it as .xlsx or CSV")
        return None
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            result.error(display, f"unknown text encoding {encoding!r}")
            return None
        if codec == "utf-8":
            codec = "utf-8-sig"
        try:
            return data.decode(codec).lstrip("\ufeff")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            result.error(
                display, f"the file is not valid {encoding} text (first bad byte on line {line})", row=line
            )
            return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            result.error(display, "the file starts like UTF-16 text but is not valid UTF-16")
            return None
    if b"\x00" in data[:65536]:
        result.error(display, "this is binary data, not CSV text")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        result.error(
            display,
            f"the file is not UTF-8 text (first bad byte on line {line}): save it as 'CSV UTF-8', "
            "or import it again with --encoding latin-1 (or --encoding cp1252 for Windows files)",
            row=line,
        )
        return None


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, one at a time, as a file would give them to csv.reader."""
    start, end = 0, len(text)
    find = text.find
    while start < end:
        stop = find("\n", start)
        if stop < 0:
            yield text[start:]
            return
        yield text[start : stop + 1]
        start = stop + 1


def sniff_delimiter(text: str) -> str:
    """The delimiter of CSV text: whichever of , ; tab | occurs most in its first non-blank line."""
    for line in text.splitlines()[:50]:
        if line.strip():
            # Quoted parts may hold any character; only the unquoted ones separate fields.
            unquoted = re.sub(r'"[^"]*"', "", line)
            counts = Counter({d: unquoted.count(d) for d in _DELIMITERS})
            delimiter, count = counts.most_common(1)[0]
            return delimiter if count else ","
    return ","
