"""How the screens write values: blanks for unknowns, short roles and criticalities, bandwidths, pounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psninv.style import money

__all__ = ["criticality_text", "mbps", "money", "role_text", "text"]


def text(value: Any) -> str:
    """A cell value as text: blank for None, dates as ISO, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


ROLE_SHORT = {"datacentre": "dc"}
CRITICALITY_SHORT = {"critical": "crit", "standard": "std"}


def role_text(role: str | None) -> str:
    """A site role short enough for a narrow column: datacentre becomes dc."""
    return ROLE_SHORT.get(role or "", role or "")


def criticality_text(value: str | None) -> str:
    """A criticality short enough for a narrow column: crit, high, std."""
    return CRITICALITY_SHORT.get(value or "", value or "")


def mbps(value: float | None) -> str:
    """A bandwidth as an engineer reads it: 100M, 1G, 10G."""
    if value is None:
        return ""
    if value >= 1000 and value % 1000 == 0:
        return f"{value / 1000:.0f}G"
    if value >= 1000:
        return f"{value / 1000:.1f}G"
    return f"{value:.0f}M" if float(value).is_integer() else f"{value:.1f}M"
