"""Stored text on the screen: through psninv.display's sanitiser, never parsed as markup."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.color import Color
from textual.content import Content
from textual.filter import LineFilter

from psninv.display import clean, is_clean


def plain(value: Any, style: str = "") -> Text:
    """A value as styled text that shows exactly what it holds (control characters made visible)."""
    return Text(clean(value), style=style)


def cleaned(text: Text, *, lines: bool = False) -> Text:
    """A copy of styled text with its control characters made visible; its styles stay in place.

    `lines=True` keeps newlines, for a block we laid out in several lines ourselves.
    """
    if is_clean(text.plain):
        return text
    safe = text.copy()
    # clean() keeps the length, so every span still covers the same characters.
    safe.plain = clean(text.plain, lines=lines)
    return safe


def cell(value: Any) -> Any:
    """What a table or field shows for a value: text through the sanitiser, anything else as it is."""
    if isinstance(value, Text):
        return cleaned(value)
    if isinstance(value, str):
        return Text(clean(value))
    return value


def cells(*values: Any) -> list[Any]:
    """A table row's values, each as `cell` shows it."""
    return [cell(value) for value in values]


def markup(template: str, **values: Any) -> Content:
    """Our own markup with stored values put in as `$name`: the values are shown, never parsed."""
    return Content.from_markup(template, **{name: clean(value) for name, value in values.items()})


class ControlCodeFilter(LineFilter):
    """The last guard: no control character reaches the terminal, whatever a widget was given."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """Drop control characters from every segment; they take no cells, so the layout holds."""
        if all(is_clean(segment.text) for segment in segments if not segment.control):
            return segments
        return [
            segment
            if segment.control or is_clean(segment.text)
            else Segment(_drop_controls(segment.text), segment.style, segment.control)
            for segment in segments
        ]


def _drop_controls(text: str) -> str:
    # Visible replacements would change widths here, after layout: the widgets show them instead.
    return "".join(char for char in text if is_clean(char))
