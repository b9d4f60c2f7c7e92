"""The sharing analyser: where tenants can share circuits, buildings and contracts, and what it saves."""

from __future__ import annotations

from psninv._gc import collector_paused
from psninv.analysis.analyser import Config
from psninv.analysis.finding import Finding, Kind
from psninv.analysis.redundancy import Gaps
from psninv.analysis.sharing import co_location, hubs, ip_overlap, mutual_backup, parallel, renewals
from psninv.analysis.sharing.context import KINDS, Context
from psninv.analysis.sharing.summary import KindTally, SharingSummary, TenantSavings, build_summary
from psninv.analysis.sharing.verdicts import check_opportunities
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory

__all__ = ["KINDS", "KindTally", "SharingAnalyser", "SharingSummary", "TenantSavings", "find_sharing"]

# Searches that retire circuits run first, so the later ones do not pair or re-count them.
SEARCHES = (
    co_location.find,
    hubs.find,
    parallel.find,
    mutual_backup.find,
    renewals.find,
    ip_overlap.find,
)


SEARCHING = "searching for sharing"
CHECKING = "checking sharing against the policy"


class SharingAnalyser:
    """The sharing analyser behind the Analyser interface (it reads no failures: sharing is about spend)."""

    name = "sharing"
    kinds: tuple[Kind, ...] = KINDS

    def stages(self, config: Config) -> tuple[str, ...]:
        """Searching for opportunities, then (with config.check_policy) checking them against the policy."""
        return (SEARCHING, *((CHECKING,) if config.check_policy else ()))

    def run(self, inventory: Inventory, config: Config) -> tuple[list[Finding], SharingSummary]:
        """Find the sharing opportunities, worst first, and summarise their savings.

        Opportunities saving less than the tariff's threshold are left out unless
        config.include_hidden; the summary counts them either way and never adds their pounds to
        the totals.
        """
        with collector_paused():
            config.step(SEARCHING)
            ctx = Context(inventory, config.tariff)
            for search in SEARCHES:
                search(ctx)
            if config.check_policy:
                config.step(CHECKING)
                check_opportunities(ctx, Gaps(config.policy, config.tariff), config.gaps)
            findings = [o.finding for o in ctx.opportunities if config.include_hidden or not o.hidden]
            findings.sort(key=Finding.sort_key)
            return findings, build_summary(ctx)


def find_sharing(
    inventory: Inventory, *, tariff: Tariff | None = None, include_hidden: bool = False
) -> tuple[list[Finding], SharingSummary]:
    """Find the sharing opportunities of an inventory, worst first, and summarise their savings."""
    config = Config(tariff=tariff or Tariff(), include_hidden=include_hidden)
    return SharingAnalyser().run(inventory, config)
