"""Formula-injection safety: text a spreadsheet would run as a formula, and the quote that defuses it.

OWASP's CSV-injection guidance: a cell that starts with = + - @ tab or carriage return may be
evaluated when the file is opened in a spreadsheet, so exported text cells starting with one of
them get a single quote in front. The importer takes exactly that quote off again with
`unescape_csv_text`, so an export read back gives the original text.
"""

from __future__ import annotations

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet treat a cell as a formula."""

QUOTE = "'"


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def escape_csv_text(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula with one single quote."""
    # Text that already has quotes before a trigger ("'=x") gets one more too; otherwise the
    # importer would take its own quote off and read "=x" back.
    if text.lstrip(QUOTE).startswith(FORMULA_TRIGGERS):
        return QUOTE + text
    return text


def unescape_csv_text(text: str) -> str:
    """Undo `escape_csv_text`: drop the one quote it put in front, and nothing else."""
    if text.startswith(QUOTE) and text.lstrip(QUOTE).startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def csv_safe(value: object) -> object:
    """A value ready for a CSV cell: text defused against formulas; numbers, dates and None unchanged."""
    # A negative number is data; only text can smuggle a formula into a spreadsheet.
    if isinstance(value, str):
        return escape_csv_text(value)
    return value
