"""Limits that keep a hostile or broken file from exhausting memory or time, checked before parsing."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from psninv.errors import LimitError

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds an import file must stay within."""

    max_file_bytes: int = 256 * MiB
    max_graph_bytes: int = 64 * MiB  # XML trees take about ten times their file size in memory
    max_zip_members: int = 10_000
    max_zip_total_bytes: int = 1 * GiB  # uncompressed, all members together
    max_zip_ratio: float = 200.0  # uncompressed / compressed, for members over ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MiB
    max_rows: int = 2_000_000  # per sheet or file
    max_columns: int = 500
    max_cell_chars: int = 32_767  # Excel's own limit
    # Rows × columns of a sheet's used area (as calamine allocates it) or of a CSV file: each cell
    # is a Python object of about 120 bytes by the end of validation, so this keeps an import
    # under 1.5 GB (scripts/bench_hostile_memory.py).
    max_cells: int = 8_000_000
    max_issues: int = 10_000  # issues listed; the rest are counted in one closing issue


DEFAULT_LIMITS = Limits()


def check_file_size(path: Path, limit: int) -> int:
    """The file's size, or LimitError when it is larger than `limit` bytes."""
    size = path.stat().st_size
    if size > limit:
        raise LimitError(f"the file is {_size(size)}, more than the {_size(limit)} an import accepts")
    return size


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SMALL_XML = 16 * MiB


def check_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise LimitError unless the file is an .xlsx zip that calamine can open without blowing up.

    Checks, before calamine sees the file: it is a zip holding xl/workbook.xml; member count,
    total uncompressed size and compression ratio (zip bombs); every worksheet decompresses to
    no more than its declared size (a lying header is caught by zipfile's size and CRC checks);
    and each worksheet's used area — calamine allocates rows × columns cells, so a single cell
    at XFD1048576 would ask for 17 billion — stays within max_cells.
    """
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise LimitError(
            "this is an old-style .xls workbook or a password-protected one: "
            "save it from Excel as .xlsx without a password"
        )
    if not zipfile.is_zipfile(path):
        if magic.startswith(b"PK"):
            raise LimitError("the workbook is damaged or cut short (its zip directory is missing)")
        if _looks_like_text(path):
            raise LimitError("this is text, not an .xlsx workbook: if it is CSV, name it .csv")
        raise LimitError("this is not an .xlsx workbook (it is not a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise LimitError(f"the workbook's zip structure is damaged ({exc})") from None


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    if b"\0" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(sample) - 4  # a character cut by the sample's end
    return True


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise LimitError(f"the workbook holds {len(members):,} files, more than {limits.max_zip_members:,}")
    total = sum(member.file_size for member in members)
    if total > limits.max_zip_total_bytes:
        raise LimitError(
            f"the workbook unpacks to {_size(total)}, more than {_size(limits.max_zip_total_bytes)}"
        )
    for member in members:
        if member.file_size > limits.ratio_floor_bytes:
            ratio = member.file_size / max(1, member.compress_size)
            if ratio > limits.max_zip_ratio:
                raise LimitError(
                    f"{member.filename} is compressed {ratio:,.0f} to 1, "
                    f"more than {limits.max_zip_ratio:,.0f} to 1 (a zip bomb?)"
                )
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise LimitError("this zip file is not an .xlsx workbook (it has no xl/workbook.xml)")
    sheet_names = _sheet_names(archive, names)
    for member in members:
        if member.is_dir():
            continue
        if not _is_sheet(archive, member, sheet_names):
            continue
        data = archive.read(member)  # also checks the declared size and CRC
        rows, columns = used_area(data)
        del data
        sheet = sheet_names.get(member.filename, member.filename)
        if columns > limits.max_columns:
            raise LimitError(
                f"sheet {sheet} has cells in {columns:,} columns, more than {limits.max_columns:,}"
            )
        if rows * columns > limits.max_cells:
            raise LimitError(
                f"sheet {sheet} spans {rows:,} rows × {columns:,} columns, "
                f"more than {limits.max_cells:,} cells"
            )


def _is_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, sheet_names: dict[str, str]) -> bool:
    """True for a worksheet, wherever the workbook keeps it; any other member is unpacked to check it."""
    if member.filename in sheet_names or (
        member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
    ):
        return True
    # The workbook may point at a sheet stored anywhere (xl/sheet1.xml): look at what it holds.
    with archive.open(member) as stream:
        head = stream.read(64 * 1024)
        if _WORKSHEET.search(head):
            return True
        # Unpacking checks the declared size and CRC, which calamine's zip reader trusts.
        while stream.read(4 * MiB):
            pass
    return False


_WORKSHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:worksheet|sheetData)\b")


def _sheet_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    # Only for messages: maps xl/worksheets/sheetN.xml to the sheet name the user sees.
    try:
        if (
            archive.getinfo("xl/workbook.xml").file_size > _SMALL_XML
            or "xl/_rels/workbook.xml.rels" not in names
            or archive.getinfo("xl/_rels/workbook.xml.rels").file_size > _SMALL_XML
        ):
            return {}
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (ElementTree.ParseError, KeyError, zipfile.BadZipFile, ValueError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = target
    found = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(_REL_NS))
        if target:
            found[target] = sheet.get("name", target)
    return found


def used_area(sheet_xml: bytes) -> tuple[int, int]:
    """An upper bound of (rows, columns) of a worksheet's used area, as calamine will allocate it.

    Reading every cell reference would cost seconds on a large sheet, so the common case is
    bounded by one C-speed regex pass that matches nothing in an ordinary sheet: references
    with more row digits than the last row element has, and references past column Z, however
    the attribute is quoted or spaced. What it matches is measured exactly. A reference written
    with character references is refused. Cells written without an `r` reference (rare; Excel,
    LibreOffice and every common library write it) are not counted.
    """
    last = sheet_xml.rfind(b'<row r="')
    digits = 1
    if last >= 0:
        end = sheet_xml.find(b'"', last + 8, last + 40)
        digits = max(1, end - last - 8) if end > 0 else 1
    if b"&#" in sheet_xml and _ESCAPED_REFERENCE.search(sheet_xml):
        # calamine decodes character references: "X&#70;D1048576" is XFD1048576 to it.
        raise LimitError("a cell reference in the workbook is written with XML character references")
    # Any quoting and spacing (r='A1', r = "A1"): calamine's XML reader accepts them all.
    pattern = re.compile(_REFERENCE % (digits + 1))
    max_row = 10**digits - 1
    max_column = 26
    for ref in set(pattern.findall(sheet_xml)):
        split = len(ref) - len(ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
        letters, number = ref[:split], ref[split:]
        max_row = max(max_row, int(number[:12]))
        if letters:
            max_column = max(max_column, column_number(letters.decode("ascii").upper()))
    return max_row, max_column


_REFERENCE = rb"""[ \t\r\n]r\s*=\s*["']([A-Za-z]{2,3}[0-9]+|[A-Za-z]?[0-9]{%d,})["']"""
_ESCAPED_REFERENCE = re.compile(rb"""[ \t\r\n]r\s*=\s*["'][^"'<>]*&#""")


def column_number(letters: str) -> int:
    """Excel column letters as a 1-based number: A = 1, Z = 26, AA = 27."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet's part in the archive (xl/worksheets/sheet1.xml) mapped to its sheet name."""
    return _sheet_names(archive, set(archive.namelist()))
