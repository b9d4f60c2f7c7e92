"""The one sanitiser: stored text made safe to show in a terminal, a TUI, a table or a report.

Partners' spreadsheets may carry terminal escape codes (a site named ``ESC[2J`` clears the
screen; OSC 52 writes the clipboard; OSC 8 makes links) and markup (a name ``x[/]y`` made Rich
fail for every user). Everything that shows stored text passes it through `clean`, and, where
the text goes into Rich console markup, through `escape_markup`. (The TUI never puts stored
text into markup: it builds styled text objects, which are not parsed.)
"""

from __future__ import annotations

import re
from typing import Any

# One visible character for each invisible one, so a cleaned string is exactly as long as the
# original: spans of styled text built on it stay where they were.
_C0 = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟ (␛ for ESC, ␊ for a newline)
_DEL = {0x7F: "\u2421"}  # ␡
_C1 = {code: "\ufffd" for code in range(0x80, 0xA0)}  # CSI (0x9B) and OSC (0x9D) start sequences
# Bidirectional overrides and isolates reorder what is shown ("Trojan Source"); line and
# paragraph separators break a line as a newline does.
_FORMAT = {code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)}
_VISIBLE = str.maketrans(_C0 | _DEL | _C1 | _FORMAT)
_VISIBLE_KEEPING_LINES = str.maketrans(_C0 | _DEL | _C1 | _FORMAT | {ord("\n"): "\n"})
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

# What Rich's console markup reads as a tag: a "[" that starts a style, a closing tag or a link.
_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def clean(value: Any, *, lines: bool = False) -> str:
    """The text of a value with every control character made visible (ESC as ␛, a newline as ␊).

    `lines=True` keeps newlines, for a block of several lines that we laid out ourselves.
    """
    text = "" if value is None else str(value)
    # Most stored text is clean: checking first keeps the common case to one regex scan.
    if not _UNSAFE.search(text):
        return text
    return text.translate(_VISIBLE_KEEPING_LINES if lines else _VISIBLE)


def is_clean(text: str) -> bool:
    """True if the text holds no control character that `clean` would have to make visible."""
    return _UNSAFE.search(text) is None


def escape_markup(value: Any) -> str:
    """`clean` text that Rich's console markup shows literally, to put inside markup of our own."""
    text = _TAG.sub(lambda match: f"{match[1]}{match[1]}\\{match[2]}", clean(value))
    # A trailing backslash would escape the closing tag that follows it in our markup.
    if text.endswith("\\") and not text.endswith("\\\\"):
        text += "\\"
    return text
