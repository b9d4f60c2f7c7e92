"""The Analyser interface every analyser implements, and the Config an analysis run is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from psninv.analysis.finding import Finding, Kind
from psninv.analysis.policy import Policy
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory

SummaryT_co = TypeVar("SummaryT_co", covariant=True)

Progress = Callable[[str, int, int], None]
"""A progress callback: (what is being done, steps done, steps in all; 0 in all when unknown)."""


class Steps:
    """Counts an analysis's stages through to a progress callback, one call as each stage starts."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self, stage: str) -> None:
        """Say that this stage starts (the stages before it are done)."""
        self.progress(stage, min(self.done, self.total), self.total)
        self.done += 1


@dataclass(frozen=True, slots=True)
class KnownGaps:
    """The redundancy findings of an inventory already analysed, and how long that analysis took."""

    findings: tuple[Finding, ...]
    seconds: float
    """For the record only: no check decides anything by it (see policy_check.EXACT_WORK)."""


@dataclass(frozen=True, slots=True)
class Config:
    """What an analysis run is told besides the inventory: policy, tariff, failures and thresholds."""

    policy: Policy = field(default_factory=Policy)
    tariff: Tariff = field(default_factory=Tariff)
    failed: tuple[str, ...] = ()
    """Sites and circuits to treat as failed (a what-if); analysers that model the network drop them."""
    include_hidden: bool = False
    """Keep sharing opportunities below the tariff's savings threshold."""
    events: bool = False
    """Rank every SRLG tag and provider by what its failure cuts off (the redundancy summary's events)."""
    remedies: bool = False
    """Verify remedies: propose links for every high or critical site short of policy, keep the proven."""
    check_policy: bool = True
    """Apply each sharing opportunity, re-analyse, and mark those that break the policy (breaks_policy)."""
    gaps: KnownGaps | None = None
    """The redundancy findings of this very inventory, if already known: the policy checks start from them."""
    steps: Steps | None = None
    """Where the analysers say which of their stages starts (see Analyser.stages), if anyone listens."""

    def step(self, stage: str) -> None:
        """Say that one of the analyser's stages starts."""
        if self.steps is not None:
            self.steps(stage)


class Analyser(Protocol[SummaryT_co]):
    """One analyser: a name, the finding kinds it can emit, and a run giving findings and a typed summary."""

    @property
    def name(self) -> str:
        """The name `--only` selects it by, and the Analysis field its summary goes in."""
        ...

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """Every kind of finding it can emit, in the order its summary lists them."""
        ...

    def stages(self, config: Config) -> tuple[str, ...]:
        """The stages a run with this config goes through, each announced by config.step as it starts."""
        ...

    def run(self, inventory: Inventory, config: Config) -> tuple[list[Finding], SummaryT_co]:
        """Analyse an inventory: the findings, worst first, and the summary."""
        ...
