"""The analysers: redundancy gaps and sharing opportunities, as one list of Findings."""

from __future__ import annotations

from collections.abc import Iterable

from psninv.analysis.finding import Analysis, Category, Finding, ProposedLink, Severity
from psninv.analysis.tariff import Tariff, TariffError

__all__ = [
    "Analysis",
    "Category",
    "Finding",
    "ProposedLink",
    "Severity",
    "Tariff",
    "TariffError",
    "analyse",
]


def analyse(
    inventory,
    *,
    only: str | None = None,
    failed: Iterable[str] = (),
    policy=None,
    tariff: Tariff | None = None,
    include_hidden: bool = False,
) -> Analysis:
    """Analyse an inventory for redundancy gaps and sharing opportunities.

    `only` is "redundancy" or "sharing"; `failed` names sites and circuits to treat as failed
    (a what-if); `include_hidden` keeps sharing opportunities below the tariff's threshold.
    """
    raise NotImplementedError("the analysers are being written")
