"""Every colour the TUI gives meaning to, in one place: severities (as the CLI's) and what-if states."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from psninv.style import SEVERITY_STYLES

SEVERITY_SHORT = {"critical": "crit", "high": "high", "medium": "med", "low": "low", "info": "info"}
"""Four-letter severities for narrow columns."""

SEVERITY = {name: Style.parse(style) for name, style in SEVERITY_STYLES.items()}
"""Rich style for each severity, exactly the CLI's."""

FAILED = Style.parse("bold white on dark_red")
"""A site or circuit marked failed in the what-if."""

CUT_OFF = Style.parse("bold magenta")
"""A site cut off from the core by the current failures."""

CORE = Style.parse("bold green")
"""Core and data-centre sites on the map and in the tree."""

HUB = Style.parse("bold cyan")
"""District hubs on the map and in the tree."""

SELECTED = Style.parse("bold black on yellow")
"""The selected site on the map."""

MUTED = Style.parse("dim")
"""Secondary text: units, blanks, hints."""


def severity_style(severity: object) -> Style:
    """The style for a severity name or Severity (plain for anything unknown)."""
    return SEVERITY.get(str(severity), Style())


def severity_text(severity: object, *, width: int | None = None) -> Text:
    """A severity word in its colour, padded to width where given."""
    word = str(severity)
    if width is not None:
        word = word.ljust(width)
    return Text(word, style=severity_style(severity))


def severity_badge(severity: object, count: int) -> Text:
    """A count followed by its severity, coloured: '3 critical'."""
    return Text.assemble((f"{count} {severity}", severity_style(severity) if count else MUTED))
