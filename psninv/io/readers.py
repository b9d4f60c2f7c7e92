"""Reading import files into raw tables: .xlsx via python-calamine, CSV, and GraphML/GML via networkx.

A raw table is one sheet (or CSV file, or the nodes or edges of a graph) as header texts and
untyped cell columns, with the row number the user sees for each data row. Blank rows are
dropped here but keep their place in the numbering. Every failure becomes an Issue; nothing
a file contains makes a reader raise.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import python_calamine

from psninv.io.graph_dialects import (
    LATITUDE_KEYS,
    LONGITUDE_KEYS,
    NAME_KEYS,
    Arc,
    clashes,
    first_present,
    flatten_nested,
    fold_opposite_arcs,
    geographic,
    reencoded,
)
from psninv.io.headers import candidates, entity_for_name, normalise
from psninv.io.issues import ERROR, WARNING, Issue, cell_display
from psninv.io.limits import DEFAULT_LIMITS, LimitError, Limits, check_file_size, check_workbook
from psninv.io.sheet_xml import SheetMarks, sheet_marks

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
GRAPH_SUFFIXES = frozenset({".graphml", ".gml"})
UNSUPPORTED_WORKBOOKS = frozenset({".xls", ".xlsb", ".ods", ".numbers"})
HELP_SHEETS = frozenset({"readme"})
GRAPH_GENERATOR = "psninv"
"""The graph attribute `generator` of psninv's own GraphML export."""

_DELIMITERS = (",", ";", "\t", "|")
_SEP_LINE = re.compile(r"\A\s*sep=([,;\t|])[ \t]*\r?\n")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


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
            _read_graph(path, display, suffix, encoding, limits, result)
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
        result.error(display, f"cannot read the file ({type(error).__name__}: {_first_line(error)})")
    return result


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no detail"


# --- xlsx --------------------------------------------------------------------------------------


def _read_workbook(path: Path, display: str, limits: Limits, skip_hidden: bool, result: ReadResult) -> None:
    check_workbook(path, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        result.error(display, "the workbook is password-protected: save a copy without a password")
        return
    except python_calamine.CalamineError as error:
        result.error(display, f"not a readable .xlsx workbook ({_first_line(error)})")
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
        result.error(display, f"not readable as CSV near line {reader.line_num} ({_first_line(error)})")
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

    found = netbox_kind(records[first]) if kind is None else None
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
    if data.startswith(_ZIP_MAGIC):
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


# --- GraphML and GML ---------------------------------------------------------------------------

_SITE_ALIASES = {"label": "name", "Latitude": "latitude", "Longitude": "longitude"}
# networkx and graph tools add these; they are not inventory columns.
_DROPPED = frozenset({"id", "key", "version", "LinkSpeedRaw"})
_LINK_ENDS = ("circuit_id", "a_site", "b_site")


def _read_graph(
    path: Path, display: str, suffix: str, encoding: str | None, limits: Limits, result: ReadResult
) -> None:
    data = path.read_bytes()
    if data.startswith(_ZIP_MAGIC):
        result.error(display, "this is a zip file (an .xlsx workbook?), not a graph: name it .xlsx")
        return
    if suffix == ".graphml" and _declares_a_dtd(data):
        # Entity declarations are how XML bombs expand; graph files never need a DTD.
        result.error(display, "the file declares a DTD or XML entities, which are not accepted")
        return
    kind = "GraphML" if suffix == ".graphml" else "GML"
    groups: tuple[str, ...] = ()
    try:
        if suffix == ".graphml":
            if encoding:
                data = reencoded(data, encoding)
            flat = flatten_nested(data)
            groups = flat.groups
            graph = _parse_graphml(flat.data)
        else:
            graph = _parse_gml(data, encoding)
    except UnicodeDecodeError as error:
        result.error(display, _undecodable(error, encoding))
        return
    except LookupError:
        result.error(display, f"unknown text encoding {encoding!r}: use e.g. utf-8, latin-1 or cp1252")
        return
    except (
        ElementTree.ParseError,
        nx.NetworkXError,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
    ) as error:
        result.error(display, f"not a valid {kind} file ({type(error).__name__}: {_first_line(error)})")
        return
    if graph.number_of_nodes() > limits.max_rows or graph.number_of_edges() > limits.max_rows:
        result.error(display, f"the graph has more than {limits.max_rows:,} nodes or edges")
        return
    if graph.number_of_nodes() == len(groups):
        result.error(display, f"the {kind} graph has no nodes: nothing to import from it")
        return
    ours = str(graph.graph.get("generator", "")).strip().casefold() == GRAPH_GENERATOR
    if ours:
        _our_graph(graph, display, suffix, result)
    else:
        _foreign_graph(graph, path.stem, display, groups, result)


def _undecodable(error: UnicodeDecodeError, encoding: str | None) -> str:
    byte = error.object[error.start : error.start + 1].hex()
    read_as = encoding or "UTF-8"
    advice = (
        "check --encoding"
        if encoding
        else "import it again with --encoding latin-1 (or --encoding cp1252 for Windows files)"
    )
    return f"the file is not {read_as} text (byte 0x{byte} at offset {error.start}): {advice}"


def _declares_a_dtd(data: bytes) -> bool:
    """True if the XML declares a document type or entities anywhere (behind a long comment too)."""
    if b"\0" in data[:4]:
        # UTF-16 or UTF-32 (the XML spec's other encodings): the markup is only found in the text.
        for encoding in ("utf-32", "utf-16"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return "<!DOCTYPE" in text or "<!ENTITY" in text
        return True  # neither: expat would refuse it anyway, so say so without parsing
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data


def _parse_graphml(data: bytes) -> Any:
    # edge_key_type=str keeps circuit ids such as "007" as written.
    return nx.read_graphml(io.BytesIO(data), edge_key_type=str, force_multigraph=True)


def _parse_gml(data: bytes, encoding: str | None) -> Any:
    text = data.decode(encoding or "utf-8", errors="strict").lstrip("\ufeff")
    try:
        return nx.parse_gml(text.splitlines(), label="id")
    except nx.NetworkXError as error:
        if "duplicated" not in str(error):
            raise
    # A simple-graph GML with parallel edges: read it as the multigraph it really is.
    fixed = re.sub(r"\bgraph\s*\[", "graph [\n  multigraph 1", text, count=1)
    return nx.parse_gml(fixed.splitlines(), label="id")


def _edges(graph: Any) -> list[tuple[Any, Any, Any, dict[str, Any]]]:
    if graph.is_multigraph():
        return list(graph.edges(keys=True, data=True))
    return [(u, v, None, data) for u, v, data in graph.edges(data=True)]


def _foreign_graph(
    graph: Any, stem: str, display: str, groups: tuple[str, ...], result: ReadResult
) -> None:
    # Topology Zoo, topohub, Gephi, yEd: only names, coordinates and link speeds mean something to us.
    group_nodes = set(groups)
    if groups:
        result.warn(
            display,
            f"nested graphs flattened: group node{'s' if len(groups) > 1 else ''} "
            f"{', '.join(map(str, groups))} not imported as sites",
            sheet="nodes",
        )
    nodes = [(node, data) for node, data in graph.nodes(data=True) if node not in group_nodes]
    codes = {node: f"{stem}-{node}" for node, _ in nodes}
    for code, sources in clashes(codes).items():
        result.error(
            display,
            f"nodes {', '.join(repr(str(s)) for s in sources)} would all get the site code {code!r}: "
            "give them distinct ids",
            sheet="nodes",
        )
    site_headers = ["code", "name"]
    site_columns: list[list[Any]] = [
        [codes[node] for node, _ in nodes],
        [first_present(data, NAME_KEYS) for _, data in nodes],
    ]
    latitudes = [first_present(data, LATITUDE_KEYS) for _, data in nodes]
    longitudes = [first_present(data, LONGITUDE_KEYS) for _, data in nodes]
    if not any(v is not None for v in latitudes + longitudes):
        xs = [data.get("x") for _, data in nodes]
        ys = [data.get("y") for _, data in nodes]
        if geographic(xs, 180) and geographic(ys, 90):
            latitudes, longitudes = ys, xs
        elif any(v is not None for v in xs + ys):
            result.warn(
                display,
                "x/y are not longitudes and latitudes (some lie outside ±180/±90): read as drawing "
                "positions and not imported",
                sheet="nodes",
            )
    for header, values in (("latitude", latitudes), ("longitude", longitudes)):
        if any(value is not None for value in values):
            site_headers.append(header)
            site_columns.append(values)
    result.tables.append(
        RawTable(
            display,
            "nodes",
            "sites",
            site_headers,
            list(range(1, len(nodes) + 1)),
            [_blank_none(c) for c in site_columns],
            "graph",
        )
    )
    arcs: list[Arc] = []
    for position, (u, v, _key, data) in enumerate(_edges(graph), start=1):
        if u == v:
            result.warn(display, f"edge from node {u} to itself skipped", sheet="edges", row=position)
        elif u in group_nodes or v in group_nodes:
            group = u if u in group_nodes else v
            message = f"edge to group node {group} skipped (a group is not a site)"
            result.warn(display, message, sheet="edges", row=position)
        else:
            arcs.append(Arc(u, v, position, data))
    if graph.is_directed():
        arcs, folded = fold_opposite_arcs(arcs)
        if folded:
            result.warn(
                display,
                f"directed graph: {folded} pair{'s' if folded != 1 else ''} of opposite arcs "
                f"read as one link each ({len(arcs)} links)",
                sheet="edges",
            )
    seen: Counter[tuple[str, str]] = Counter()
    link_rows: list[list[Any]] = []
    numbers: list[int] = []
    for arc in arcs:
        pair = (str(arc.u), str(arc.v))
        n = seen[pair]
        seen[pair] += 1
        bandwidth = _mbps(arc.data.get("LinkSpeedRaw"))
        link_rows.append([f"{stem}-{arc.u}-{arc.v}-{n}", codes[arc.u], codes[arc.v], bandwidth])
        numbers.append(arc.position)
    circuits = {(row[1], row[2], number): row[0] for row, number in zip(link_rows, numbers, strict=True)}
    for circuit, sources in clashes(circuits).items():
        rows = ", ".join(str(number) for *_, number in sources)
        result.error(
            display,
            f"edges at positions {rows} would all get the circuit id {circuit!r} (node ids joined by '-' "
            "are ambiguous): rename the nodes so that no id contains '-'",
            sheet="edges",
        )
    headers = ["circuit_id", "a_site", "b_site"]
    if any(row[3] is not None for row in link_rows):
        headers.append("bandwidth_mbps")
    else:
        link_rows = [row[:3] for row in link_rows]
    columns = (
        [_blank_none(list(c)) for c in zip(*link_rows, strict=True)] if link_rows else [() for _ in headers]
    )
    result.tables.append(RawTable(display, "edges", "links", headers, numbers, columns, "graph"))


def _mbps(bits_per_second: Any) -> float | None:
    # Topology Zoo's LinkSpeedRaw is bit/s, usually a number, sometimes text.
    if isinstance(bits_per_second, bool):
        return None
    try:
        value = float(bits_per_second)
    except (TypeError, ValueError):
        return None
    return value / 1e6 if math.isfinite(value) and value >= 0 else None


def _blank_none(values: Sequence[Any]) -> list[Any]:
    return ["" if value is None else value for value in values]


def _our_graph(graph: Any, display: str, suffix: str, result: ReadResult) -> None:
    # psninv's own export: node ids are site codes, edge keys circuit ids, attributes our columns.
    nodes = list(graph.nodes(data=True))
    # networkx's GML writer keeps node names in `label` and numbers the ids.
    codes = [str(data.get("label", node)) if suffix == ".gml" else str(node) for node, data in nodes]
    names = _attribute_names(data for _, data in nodes)
    pairs: list[tuple[str, str]] = []
    for name in names:
        alias = _SITE_ALIASES.get(name)
        if name in _DROPPED or name == "code" or (alias and (alias in names or suffix == ".gml")):
            continue
        pairs.append((alias or name, name))
    headers = ["code"] + [header for header, _ in pairs]
    columns: list[Sequence[Any]] = [codes] + [[_attr(data, name) for _, data in nodes] for _, name in pairs]
    result.tables.append(
        RawTable(display, "nodes", "sites", headers, list(range(1, len(nodes) + 1)), columns, "graph")
    )
    code_of = dict(zip((node for node, _ in nodes), codes, strict=True))
    edges = _edges(graph)
    extra = [
        name
        for name in _attribute_names(data for *_, data in edges)
        if name not in _DROPPED and name not in _LINK_ENDS
    ]
    rows: list[list[Any]] = []
    for u, v, key, data in edges:
        circuit = data.get("circuit_id", key)
        row = [cell_display(circuit) or "", data.get("a_site", code_of[u]), data.get("b_site", code_of[v])]
        rows.append(row + [_attr(data, name) for name in extra])
    headers = list(_LINK_ENDS) + extra
    link_columns: list[Sequence[Any]] = (
        [list(c) for c in zip(*rows, strict=True)] if rows else [() for _ in headers]
    )
    result.tables.append(
        RawTable(display, "edges", "links", headers, list(range(1, len(rows) + 1)), link_columns, "graph")
    )


def _attribute_names(rows: Any) -> list[str]:
    names: dict[str, None] = {}
    for data in rows:
        for name in data:
            names.setdefault(str(name), None)
    return list(names)


def _attr(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    return "" if value is None else value
