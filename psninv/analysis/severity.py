"""The severity rule: criticality of what a failure cuts off sets the base, impact raises it."""

from __future__ import annotations

from psninv.analysis.finding import Severity
from psninv.analysis.policy import Policy
from psninv.model import Criticality

# Worst first: _LADDER[severity.rank] is severity.
_LADDER = list(Severity)
_LAST = len(_LADDER) - 1

BASE = {
    Criticality.CRITICAL.value: Severity.CRITICAL,
    Criticality.HIGH.value: Severity.HIGH,
    Criticality.STANDARD.value: Severity.LOW,
}


def shift(severity: Severity, levels: int) -> Severity:
    """Move a severity up (positive) or down (negative) the ladder, stopping at critical and info."""
    rank = severity.rank - levels
    return _LADDER[0 if rank < 0 else _LAST if rank > _LAST else rank]


def grade(
    criticality: str | None,
    *,
    sites: int,
    tenants: int,
    demand_mbps: float,
    policy: Policy,
) -> Severity:
    """The severity of losing sites of this (highest) criticality, raised by the size of the loss.

    Base: critical → critical, high → high, standard → low; nothing cut off → info. One level
    up for each of: at least policy.many_sites sites, at least policy.many_tenants tenants, at
    least policy.much_demand_mbps of demand; never above critical.
    """
    if sites <= 0:
        return Severity.INFO
    severity = BASE.get(criticality or "", Severity.LOW)
    raised = (
        (sites >= policy.many_sites)
        + (tenants >= policy.many_tenants)
        + (demand_mbps >= policy.much_demand_mbps and demand_mbps > 0)
    )
    return shift(severity, raised)
