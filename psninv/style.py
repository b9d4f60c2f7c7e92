"""Presentation constants shared by the CLI and the TUI, so severity looks the same everywhere."""

SEVERITY_STYLES: dict[str, str] = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}
"""Rich/Textual style for each severity."""

SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#c62828",
    "high": "#ef6c00",
    "medium": "#f9a825",
    "low": "#00838f",
    "info": "#9e9e9e",
}
"""The colour of each severity in pictures (report, map, charts): the terminal's hues, told apart."""


def money(value: float | None) -> str:
    """Pounds as an engineer reads them: £12,345 (blank for unknown)."""
    return "" if value is None else f"£{value:,.0f}"


def signed_money(value: float | None) -> str:
    """A change to a bill: +£1,200 spent, -£4,300 saved, £0, or "unknown"."""
    if value is None:
        return "unknown"
    if round(value) == 0:
        return "£0"
    return f"+£{value:,.0f}" if value > 0 else f"-£{-value:,.0f}"


def plural(count: int, noun: str) -> str:
    """A count and its noun, made plural where it needs to be: 1 site, 2 sites, 1,000 sites."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
