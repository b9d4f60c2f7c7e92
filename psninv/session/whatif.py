"""A what-if as an interactive session shows it: the library's answer plus look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from psninv.analysis.whatif import WhatIf, simulate_failures
from psninv.session.snapshot import Snapshot


@dataclass(slots=True)
class WhatIfView:
    """A what-if result as the screens show it: the library's answer plus look-ups."""

    failed: tuple[str, ...]
    result: WhatIf
    cut_off_sites: frozenset[str] = frozenset()
    failed_sites: frozenset[str] = frozenset()
    failed_links: frozenset[str] = frozenset()
    unknown: tuple[str, ...] = ()
    # Cut-off site codes by tenant, copied once here: table rows look it up on every redraw.
    cut_off: dict[str, list[str]] = field(default_factory=dict)

    @property
    def demand_lost_mbps(self) -> float:
        """The demand that can no longer reach the core, in Mbit/s."""
        return self.result.demand_lost_mbps


def run_whatif(snapshot: Snapshot, failed: Iterable[str]) -> WhatIfView:
    """Simulate failing sites and circuits together (run this in a worker thread)."""
    failed = tuple(dict.fromkeys(failed))
    result = simulate_failures(snapshot.inventory, failed)
    return WhatIfView(
        failed=failed,
        result=result,
        cut_off_sites=frozenset(result.cut_off_sites),
        failed_sites=frozenset(result.failed_sites),
        failed_links=frozenset(result.failed_links),
        unknown=tuple(result.unknown),
        cut_off=dict(result.cut_off),
    )
