"""The redundancy analyser: every single point of failure, who it cuts off, and the cheapest fix.

Kinds (their names are part of the interface), one module each: isolated-site, no-core-path, single-homed,
bridge, cut-site, shared-risk, capacity, below-policy. The metrics, the severity rule and the
routing rule are documented in docs/ANALYSIS.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from psninv._gc import collector_paused
from psninv.analysis.analyser import Config
from psninv.analysis.connectivity import Structure, analyse_structure, build_network
from psninv.analysis.events import rank_events
from psninv.analysis.finding import Finding, Kind
from psninv.analysis.pockets import Local, Whole
from psninv.analysis.policy import Policy
from psninv.analysis.redundancy import (
    below_policy,
    bridges,
    capacity,
    cut_sites,
    isolated,
    no_core_path,
    shared_risk,
    single_homed,
)
from psninv.analysis.redundancy.context import Context
from psninv.analysis.redundancy.summary import KINDS, CapacitySummary, RedundancySummary, build_summary
from psninv.analysis.remedies import plan_remedies
from psninv.analysis.tariff import Tariff
from psninv.analysis.verified import attach, verify_remedies
from psninv.inventory import Inventory

__all__ = [
    "KINDS",
    "CapacitySummary",
    "Gaps",
    "RedundancyAnalyser",
    "RedundancySummary",
    "find_redundancy",
    "gaps",
]

# The order matters where finders share state: shared-risk fills ctx.risks, below-policy reads it.
FINDERS = (
    isolated.find,
    no_core_path.find,
    single_homed.find,
    bridges.find,
    cut_sites.find,
    shared_risk.find,
)


FINDING = "finding redundancy gaps"
PROVING = "proving the links that close them"


class RedundancyAnalyser:
    """The redundancy analyser behind the Analyser interface."""

    name = "redundancy"
    kinds: tuple[Kind, ...] = KINDS

    def stages(self, config: Config) -> tuple[str, ...]:
        """Finding the gaps, then (with config.remedies) proving the links that close them."""
        return (FINDING, *((PROVING,) if config.remedies else ()))

    def run(self, inventory: Inventory, config: Config) -> tuple[list[Finding], RedundancySummary]:
        """Every redundancy gap of the active network less config.failed, worst first, and the summary."""
        with collector_paused():
            policy, tariff, failed = config.policy, config.tariff, config.failed
            config.step(FINDING)
            findings, summary, structure = _find(inventory, policy, tariff, failed, events=config.events)
            if config.remedies:
                config.step(PROVING)
                again = Gaps(policy, tariff, tuple(failed))
                summary.verified = verify_remedies(
                    inventory,
                    again,
                    tariff,
                    failed,
                    findings=list(findings),  # this very analysis: the proof need not run it again
                    # Failures are left whole: they may name sites and circuits in any pocket.
                    local=None if failed else Local(inventory, again, findings),
                    structure=structure,
                )
                attach(findings, summary.verified, inventory)
            return findings, summary


def find_redundancy(
    inventory: Inventory,
    *,
    policy: Policy | None = None,
    tariff: Tariff | None = None,
    failed: Iterable[str] = (),
    events: bool = False,
) -> tuple[list[Finding], RedundancySummary]:
    """Find every redundancy gap of the active network (less any failed sites, circuits and events).

    Returns the findings, worst first, and the redundancy summary (with the ranked events if asked).
    """
    config = Config(policy=policy or Policy(), tariff=tariff or Tariff(), failed=tuple(failed), events=events)
    return RedundancyAnalyser().run(inventory, config)


def gaps(inventory: Inventory, policy: Policy, tariff: Tariff, failed: Iterable[str] = ()) -> list[Finding]:
    """The redundancy findings alone (no events, no remedies), worst first: what a proof re-runs."""
    return _find(inventory, policy, tariff, failed)[0]


@dataclass(frozen=True, slots=True)
class Gaps:
    """The redundancy analysis a proof re-runs (findings only) under one policy, tariff and failure set."""

    policy: Policy
    tariff: Tariff
    failed: tuple[str, ...] = ()

    def __call__(self, inventory: Inventory, *, whole: Whole | None = None) -> list[Finding]:
        """The findings, worst first; `whole` tells of the network where the inventory is part of one."""
        # A proof reads which sites have gaps, never the links a finding proposes: none are sought.
        return _find(inventory, self.policy, self.tariff, self.failed, whole=whole, proposals=False)[0]

    def resized(self, inventory: Inventory, previous: Iterable[Finding]) -> list[Finding]:
        """The findings after upgrades: capacity found again, every other kind as in `previous`.

        `inventory` differs from the network `previous` was found in only by circuits' bandwidths
        and costs. No finder but the capacity one reads either, so this is the whole analysis's
        answer at the cost of one routing instead of every finder.
        """
        with collector_paused():
            structure = analyse_structure(build_network(inventory, failed=self.failed))
            ctx = Context(structure, self.policy, self.tariff)
            capacity.find(ctx)
            kept = [finding for finding in previous if finding.kind is not Kind.CAPACITY]
            return sorted(kept + ctx.findings, key=Finding.sort_key)


def _find(
    inventory: Inventory,
    policy: Policy,
    tariff: Tariff,
    failed: Iterable[str],
    *,
    events: bool = False,
    whole: Whole | None = None,
    proposals: bool = True,
) -> tuple[list[Finding], RedundancySummary, Structure]:
    """The findings, worst first, the summary, and the structure they were found in."""
    net = build_network(inventory, failed=failed)
    s = analyse_structure(net)
    ctx = Context(s, policy, tariff, whole=whole)
    if proposals:
        ctx.plan = plan_remedies(s, ctx.needs_second_path, tariff)
    for finder in FINDERS:
        finder(ctx)
    routing = capacity.find(ctx)
    below_policy.find(ctx)
    findings = sorted(ctx.findings, key=Finding.sort_key)
    summary = build_summary(ctx, findings, routing)
    if events:
        summary.events = rank_events(s, ctx.labels)
    return findings, summary, s
