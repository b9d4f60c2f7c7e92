"""Reading cells as typed values, a whole column at a time, with one compiled function per column Kind.

Spreadsheets arrive messy: 64512.0 for a code, "£4,200.00" for a cost, 46843 or "31/03/2028"
for a date, "Fibre" for "fibre". Each column gets a function built once for its Kind and
options that turns the column's raw cells into stored values and a list of (index, message)
errors, so the per-cell work is a tight loop (or a C-level map) without dispatch on the Kind.

Rules worth knowing:
- Text is trimmed; a blank cell is None (a REFS cell becomes [], a TAGS cell None).
- CODE/REF/TEXT cells that Excel holds as numbers lose a trailing ".0" (64512.0 -> "64512");
  codes written as text keep their form ("007").
- In CSV text, the exporter's formula guard (a ' before = + - @ tab CR) is taken off again.
- NUMBER accepts "1,000", "£4,200.00", "(120)" for -120 and, in Mbit/s columns, units such
  as "1 Gbps" or "512k"; "52,8066" (not thousands groups) is read as a decimal comma.
- DATE accepts calamine dates, Excel serial numbers, ISO text and UK dd/mm/yyyy text.
- CIDR is normalised by netaddr; an address with host bits set ("10.1.2.3/24") is an error
  that names the network ("10.1.2.0/24"), because a mistyped length must not pass silently.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from netaddr import AddrFormatError, IPNetwork

from psninv.display import is_clean
from psninv.errors import CellError
from psninv.io.formula import unescape_csv_text
from psninv.io.issues import cell_display
from psninv.model import join_srlg
from psninv.records import Column, Kind, bound_text

Errors = list[tuple[int, str]]
ColumnCoercer = Callable[[Sequence[Any]], tuple[list[Any], Errors]]

EXCEL_EPOCH = dt.date(1899, 12, 30)
_LAST_SERIAL = 2_958_465  # 9999-12-31
_SPLIT = re.compile(r"[;,]")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_NUMBER_AND_UNIT = re.compile(r"([0-9][0-9.,]*(?:[eE][-+]?[0-9]+)?|\.[0-9]+)\s*([A-Za-z/]*)")
_UK_DATE = re.compile(
    r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_YMD_DATE = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_NAMED_MONTH_FORMATS = ("%d %b %Y", "%d %B %Y", "%d %b %y", "%d %B %y", "%b %d %Y", "%B %d %Y")

_RATE_UNITS = {
    "bps": 1e-6,
    "b/s": 1e-6,
    "bit/s": 1e-6,
    "k": 1e-3,
    "kbps": 1e-3,
    "kb/s": 1e-3,
    "kbit/s": 1e-3,
    "kbit": 1e-3,
    "kb": 1e-3,
    "m": 1.0,
    "mbps": 1.0,
    "mb/s": 1.0,
    "mbit/s": 1.0,
    "mbit": 1.0,
    "mb": 1.0,
    "g": 1e3,
    "gbps": 1e3,
    "gb/s": 1e3,
    "gbit/s": 1e3,
    "gbit": 1e3,
    "gb": 1e3,
    "ge": 1e3,
    "t": 1e6,
    "tbps": 1e6,
    "tb/s": 1e6,
    "tbit/s": 1e6,
}
_MONEY_UNITS = {"gbp": 1.0, "pa": 1.0, "p/a": 1.0}
_CURRENCY = str.maketrans("", "", "£$€\u00a0 ")

# Spellings seen in provider and finance sheets, mapped to the choice they mean.
CHOICE_ALIASES = {
    "fiber": "fibre",
    "datacenter": "datacentre",
    "dc": "datacentre",
    "live": "active",
    "inservice": "active",
    "decommissioned": "ceased",
    "cancelled": "ceased",
    "nhs": "health",
    "council": "local-government",
    "localauthority": "local-government",
}


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def cell_text(value: Any) -> str:
    """Any raw cell as trimmed text: 7.0 -> '7', True -> 'TRUE', dates as ISO."""
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, dt.datetime):  # a date-time at midnight is a date typed into Excel
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return (cell_display(value) or "").strip()


def texts(values: Sequence[Any], *, csv_text: bool = False) -> list[str]:
    """A column's cells as trimmed text, with the CSV formula guard taken off when from CSV."""
    try:
        out = list(map(str.strip, values))  # C speed when every cell is text, as in CSV
    except TypeError:
        out = [cell_text(value) for value in values]
    # Joining is one C call; only columns with a leading quote somewhere pay for the loop.
    if csv_text and out and ("\x00'" in "\x00".join(out) or out[0].startswith("'")):
        out = [unescape_csv_text(text) if text[:1] == "'" else text for text in out]
    return out


def _too_long(strings: list[str], column: Column, max_chars: int) -> Errors:
    if not strings or max(map(len, strings)) <= max_chars:
        return []
    return [
        (index, f"{column.name} is {len(text):,} characters long, more than {max_chars:,}")
        for index, text in enumerate(strings)
        if len(text) > max_chars
    ]


def compile_column(
    column: Column,
    *,
    scale: float | None = None,
    csv_text: bool = False,
    max_chars: int = 32_767,
    blank: Any = None,
    decimal_comma: bool = False,
) -> ColumnCoercer:
    """The function that reads a whole column of raw cells as the column's Kind.

    `scale` multiplies numbers (a kbit/s header into Mbit/s), `csv_text` takes the exporter's
    formula guard off text, `blank` is what an empty cell becomes (None unless the column has
    a meaning for blank, such as a link's status or a prefix's vrf); `decimal_comma` reads
    numbers written as text with the decimal comma (a semicolon CSV's convention).
    """
    kind = column.kind
    if kind in (Kind.CODE, Kind.REF, Kind.TEXT):
        return _text_coercer(column, csv_text, max_chars, blank)
    if kind is Kind.REFS:
        return _list_coercer(column, csv_text, max_chars, tags=False)
    if kind is Kind.TAGS:
        return _list_coercer(column, csv_text, max_chars, tags=True)
    if kind is Kind.NUMBER:
        return _number_coercer(column, scale, csv_text, decimal_comma)
    if kind is Kind.CHOICE:
        return _cached_coercer(column, _choice_reader(column), csv_text, max_chars, blank)
    if kind is Kind.DATE:
        return _date_coercer(column, csv_text)
    if kind is Kind.CIDR:
        return _cached_coercer(column, _cidr_reader(column), csv_text, max_chars, blank)
    raise ValueError(f"no reader for column kind {kind}")  # pragma: no cover - every Kind is handled


def _control_characters(strings: list[str], column: Column) -> Errors:
    # A code is typed into commands and matched exactly: an invisible character makes it a
    # different code that looks the same (and an escape code reaches every terminal that shows it).
    if is_clean("".join(strings)):
        return []
    return [
        (index, f"{column.name} holds an invisible control character ({_control_name(text)}); retype it")
        for index, text in enumerate(strings)
        if not is_clean(text)
    ]


def _scientific_ids(strings: list[str], values: Sequence[Any], column: Column) -> Errors:
    # "1.23457E+11" is what Excel shows (and saves to CSV) for a long ID typed into a General cell.
    joined = "\x00".join(strings)
    if "E+" not in joined and "e+" not in joined and "E1" not in joined:
        return []
    return [
        (index, f"Excel turned this {column.name} into a number ({text}); format the column as text")
        for index, text in enumerate(strings)
        if _SCIENTIFIC.fullmatch(text) and values[index].__class__ is str
    ]


def _control_name(text: str) -> str:
    char = next(char for char in text if not is_clean(char))
    return {"\x1b": "ESC", "\n": "a line break", "\r": "a carriage return", "\t": "a tab"}.get(
        char, f"U+{ord(char):04X}"
    )


def _text_coercer(column: Column, csv_text: bool, max_chars: int, blank: Any) -> ColumnCoercer:
    is_code = column.kind in (Kind.CODE, Kind.REF)

    def coerce(values: Sequence[Any]) -> tuple[list[Any], Errors]:
        strings = texts(values, csv_text=csv_text)
        errors = _too_long(strings, column, max_chars)
        if is_code:
            errors.extend(_control_characters(strings, column))
            errors.extend(_scientific_ids(strings, values, column))
        if "" not in strings:  # a column without blanks, as keys are: nothing to replace
            return strings, errors
        if blank is None:
            return [text or None for text in strings], errors
        return [text or blank for text in strings], errors

    return coerce


def _list_coercer(column: Column, csv_text: bool, max_chars: int, *, tags: bool) -> ColumnCoercer:
    def coerce(values: Sequence[Any]) -> tuple[list[Any], Errors]:
        strings = texts(values, csv_text=csv_text)
        errors = _too_long(strings, column, max_chars)
        if not tags:  # a list of codes
            errors.extend(_control_characters(strings, column))
        cache: dict[str, Any] = {}
        out: list[Any] = []
        for text in strings:
            value = cache.get(text)
            if value is None and text not in cache:
                parts = {part.strip() for part in _SPLIT.split(text)} - {""}
                value = join_srlg(parts) if tags else sorted(parts)
                cache[text] = value
            # Lists are shared between equal cells, so each row gets its own copy.
            out.append(value if tags else list(value))
        return out, errors

    return coerce


def _cached_coercer(
    column: Column, read: Callable[[str], Any], csv_text: bool, max_chars: int, blank: Any
) -> ColumnCoercer:
    # Choices and prefixes repeat a lot: each distinct text is read once.
    def coerce(values: Sequence[Any]) -> tuple[list[Any], Errors]:
        strings = texts(values, csv_text=csv_text)
        errors = _too_long(strings, column, max_chars)
        cache: dict[str, Any] = {"": blank}
        failed: dict[str, str] = {}
        for text in set(strings).difference(cache):
            try:
                cache[text] = read(text)
            except CellError as error:
                failed[text] = str(error)
        if not failed:
            return list(map(cache.__getitem__, strings)), errors
        errors.extend((index, failed[text]) for index, text in enumerate(strings) if text in failed)
        return [cache.get(text) for text in strings], errors

    return coerce


def _choice_reader(column: Column) -> Callable[[str], str]:
    lookup = {_key(choice): choice for choice in column.choices}
    for alias, choice in CHOICE_ALIASES.items():
        if choice in column.choices:
            lookup.setdefault(alias, choice)
    message = f"{column.name} must be one of {', '.join(column.choices)}"

    def read(text: str) -> str:
        try:
            return lookup[_key(text)]
        except KeyError:
            raise CellError(message) from None

    return read


def _cidr_reader(column: Column) -> Callable[[str], str]:
    def read(text: str) -> str:
        try:
            network = IPNetwork(text)
        except (AddrFormatError, ValueError, TypeError, IndexError):
            raise CellError(
                f"{column.name} must be an IP prefix in CIDR notation, such as 10.20.0.0/24"
            ) from None
        if network.ip != network.network:
            raise CellError(f"{column.name} has host bits set: write the network address {network.cidr}")
        return str(network.cidr)

    return read


# --- numbers -----------------------------------------------------------------------------------


def _bounds_messages(column: Column) -> tuple[str, str]:
    """What to say of a value below the column's minimum and of one above its maximum."""
    low, high = column.minimum, column.maximum
    if low is not None and high is not None and low != 0:
        between = f"{column.name} must be between {bound_text(low)} and {bound_text(high)}"
        return between, between
    below = f"{column.name} must not be negative"
    if low:
        below = f"{column.name} must be at least {bound_text(low)}"
    unit = " Mbit/s" if column.name.endswith("_mbps") else ""
    money = "£" if column.name.endswith("_gbp") else ""
    above = (
        f"{column.name} must be at most {money}{bound_text(high)}{unit}: check the figure and its unit"
        if high is not None
        else ""
    )
    return below, above


_OTHER_CURRENCY = re.compile(r"[$€¥]|\b(?:eur|euros?|usd|dollars?|us\$)\b", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+")
_POINT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_POINT_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:\.\d{3})+,\d+")
DECIMAL_COMMA_NOTE = "this file uses the decimal comma (it is semicolon-separated): write 1.234,5 or 1234,5"


def number_text(text: str, column: Column, *, decimal_comma: bool = False) -> float | None:
    """A number written as text the way spreadsheets do: '1,000', '£4,200.00', '(120)', '1 Gbps'.

    With `decimal_comma` (a semicolon CSV) '10.000' is ten thousand and '12,5' twelve and a half;
    a figure that fits neither convention's groups ('10.5' there) is refused, not guessed.
    """
    stripped = text.strip()
    if not stripped:
        return None
    if _OTHER_CURRENCY.search(stripped):
        raise CellError(f"{column.name} must be in pounds (£): convert {stripped!r} to pounds first")
    work = stripped.replace("\u2212", "-")
    negative = False
    if work.startswith("(") and work.endswith(")"):
        negative, work = True, work[1:-1].strip()
    if work[:1] in "-+":
        negative ^= work[0] == "-"
        work = work[1:].strip()
    work = work.translate(_CURRENCY)
    match = _NUMBER_AND_UNIT.fullmatch(work)
    if not match:
        raise CellError(f"{column.name} must be a number")
    digits, unit = match.groups()
    factor = 1.0
    if unit:
        units = (
            _RATE_UNITS
            if column.name.endswith("_mbps")
            else (_MONEY_UNITS if column.name.endswith("_gbp") else {})
        )
        if unit.casefold() not in units:
            raise CellError(f"{column.name} must be a number (unit {unit!r} not understood)")
        factor = units[unit.casefold()]
    if decimal_comma:
        if _POINT_THOUSANDS_COMMA.fullmatch(digits):
            digits = digits.replace(".", "").replace(",", ".")
        elif _POINT_THOUSANDS.fullmatch(digits):
            digits = digits.replace(".", "")
        elif _DECIMAL_COMMA.fullmatch(digits):
            digits = digits.replace(",", ".")
        elif "." in digits or "," in digits:
            raise CellError(f"{column.name}: {stripped!r} is ambiguous; {DECIMAL_COMMA_NOTE}")
    elif "," in digits:
        if _THOUSANDS.fullmatch(digits):
            digits = digits.replace(",", "")
        elif _DECIMAL_COMMA.fullmatch(digits):
            digits = digits.replace(",", ".")
        else:
            raise CellError(f"{column.name} must be a number")
    try:
        value = float(digits)
    except ValueError:
        raise CellError(f"{column.name} must be a number") from None
    if factor != 1.0:
        value = value / round(1 / factor) if factor < 1 else value * factor
    return -value if negative else value


def _number_coercer(
    column: Column, scale: float | None, csv_text: bool, decimal_comma: bool
) -> ColumnCoercer:
    low = -math.inf if column.minimum is None else column.minimum
    high = math.inf if column.maximum is None else column.maximum
    below, above = _bounds_messages(column)
    not_number = f"{column.name} must be a number"

    def convert(value: Any) -> float | None:
        cls = value.__class__
        if cls is float:
            return value
        if cls is str:
            if not value:
                return None
            if decimal_comma and ("." in value or "," in value):
                return number_text(value, column, decimal_comma=True)
            try:
                return float(value)
            except ValueError:
                return number_text(value, column, decimal_comma=decimal_comma)
        if cls is int:
            return float(value)
        if value is None:
            return None
        raise CellError(not_number)

    def coerce(values: Sequence[Any]) -> tuple[list[Any], Errors]:
        errors: Errors = []
        out: list[Any] | None = None
        if csv_text and not (decimal_comma and "." in "".join(values)):
            try:
                out = list(map(float, values))  # every cell plain numeric text: C speed
            except ValueError:
                out = None
        if out is None:
            out = []
            append = out.append
            for index, value in enumerate(values):
                try:
                    append(convert(value))
                except CellError as error:
                    append(None)
                    errors.append((index, str(error)))
        if scale is not None:
            divisor = round(1 / scale) if scale < 1 else None
            out = [
                None if x is None else (x / divisor if divisor else x * scale)  # type: ignore[operator]
                for x in out
            ]
        present = [x for x in out if x is not None]
        if present:
            try:
                total = math.fsum(present) if len(present) < 8 else sum(present)
            except OverflowError:  # two huge finite cells: still checked one by one below
                total = math.inf
            if not math.isfinite(total) or min(present) < low or max(present) > high:
                for index, x in enumerate(out):
                    if x is None:
                        continue
                    if not math.isfinite(x):
                        errors.append((index, f"{column.name} must be a finite number"))
                        out[index] = None
                    elif x < low:
                        errors.append((index, below))
                        out[index] = None
                    elif x > high:
                        errors.append((index, above))
                        out[index] = None
        return out, errors

    return coerce


# --- dates -------------------------------------------------------------------------------------


def excel_serial(number: float) -> dt.date:
    """The date of an Excel (1900 system) serial number; the time of day is dropped."""
    if not 1 <= number <= _LAST_SERIAL:
        raise ValueError("out of range")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def _refuse_year(number: float, column: Column) -> None:
    # Excel serial 2027 is 1905-07-19, a date no contract in an inventory has: it is a year typed alone.
    if _YEARS[0] <= number <= _YEARS[1] and float(number).is_integer():
        year = int(number)
        message = f"{column.name}: {year} is a year, not a date: write the whole date (e.g. 31/03/{year})"
        raise CellError(message)


_YEARS = (1950, 2200)


def date_text(text: str, column: Column) -> dt.date:
    """A date written as ISO, UK dd/mm/yyyy, '31 Mar 2028' or an Excel serial number."""
    message = f"{column.name} must be a date: yyyy-mm-dd or dd/mm/yyyy"
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    match = _UK_DATE.fullmatch(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if year < 70 else 1900
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise CellError(f"{column.name} is not a real date (dates are read as dd/mm/yyyy)") from None
    match = _YMD_DATE.fullmatch(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellError(f"{column.name} is not a real date") from None
    if text.isdigit():
        try:
            number = int(text)  # "²" is a digit to isdigit, not to int
        except ValueError:
            raise CellError(message) from None
        _refuse_year(number, column)
        try:
            return excel_serial(number)
        except ValueError:
            raise CellError(message) from None
    spaced = " ".join(text.replace("-", " ").replace("/", " ").replace(",", " ").split())
    for pattern in _NAMED_MONTH_FORMATS:
        try:
            return dt.datetime.strptime(spaced, pattern).date()
        except ValueError:
            continue
    raise CellError(message)


def _date_coercer(column: Column, csv_text: bool) -> ColumnCoercer:
    not_date = f"{column.name} must be a date: yyyy-mm-dd or dd/mm/yyyy"

    def convert(value: Any, cache: dict[str, dt.date | None]) -> dt.date | None:
        cls = value.__class__
        if cls is dt.date:
            return value
        if cls is str:
            try:
                return cache[value]
            except KeyError:
                text = value.strip()
                if csv_text:
                    text = unescape_csv_text(text)
                result = cache[value] = date_text(text, column) if text else None
                return result
        if cls is dt.datetime:
            return value.date()
        if cls is float or cls is int:
            _refuse_year(value, column)
            try:
                return excel_serial(value)
            except ValueError:
                raise CellError(f"{column.name}: {value:g} is not a date Excel knows") from None
        if value is None:
            return None
        if cls is dt.time:
            raise CellError(f"{column.name} holds a time of day, not a date")
        raise CellError(not_date)

    def coerce(values: Sequence[Any]) -> tuple[list[Any], Errors]:
        cache: dict[str, dt.date | None] = {"": None}
        out: list[Any] = []
        errors: Errors = []
        if csv_text:  # every cell is text: read each distinct one once, then look them all up
            try:
                for text in set(values).difference(cache):
                    convert(text, cache)
                return list(map(cache.__getitem__, values)), errors
            except CellError:
                pass  # the loop below finds every bad cell with its row
        append = out.append
        for index, value in enumerate(values):
            try:
                append(convert(value, cache))
            except CellError as error:
                append(None)
                errors.append((index, str(error)))
        return out, errors

    return coerce
