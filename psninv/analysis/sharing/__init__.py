"""The sharing analyser: where tenants can share circuits, buildings and contracts, and what it saves."""

from __future__ import annotations

from typing import Any

from psninv._gc import collector_paused
from psninv.analysis.finding import Finding
from psninv.analysis.sharing import co_location, hubs, ip_overlap, mutual_backup, parallel, renewals
from psninv.analysis.sharing.context import KINDS, Context
from psninv.analysis.sharing.summary import build_summary, summary_lines
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory

__all__ = ["KINDS", "find_sharing", "summary_lines"]

# Searches that retire circuits run first, so the later ones do not pair or re-count them.
SEARCHES = (
    co_location.find,
    hubs.find,
    parallel.find,
    mutual_backup.find,
    renewals.find,
    ip_overlap.find,
)


def find_sharing(
    inventory: Inventory, *, tariff: Tariff | None = None, include_hidden: bool = False
) -> tuple[list[Finding], dict[str, Any]]:
    """Find the sharing opportunities of an inventory, worst first, and summarise their savings.

    Opportunities saving less than the tariff's threshold are left out unless include_hidden; the
    summary counts them either way and never adds their pounds to the totals.
    """
    with collector_paused():
        ctx = Context(inventory, tariff or Tariff())
        for search in SEARCHES:
            search(ctx)
        findings = [o.finding for o in ctx.opportunities if include_hidden or not o.hidden]
        findings.sort(key=Finding.sort_key)
        return findings, build_summary(ctx)
