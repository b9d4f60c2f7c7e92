"""An interactive session's state, with no UI: the loaded snapshot, the analysis, the what-if, their caches.

The TUI holds one Session and its screens read it; its workers build snapshots, results and
what-ifs off the UI thread and hand them to the session, which decides what is current.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from psninv.session.results import Results, index_analysis
from psninv.session.runner import (
    PROCESS_ROWS,
    AnalysisCancelled,
    AnalysisRunner,
    analyse_database,
    run_analysis,
)
from psninv.session.snapshot import Snapshot, index_inventory, load_snapshot
from psninv.session.whatif import WhatIfView, run_whatif
from psninv.store.fingerprint import fingerprint

__all__ = [
    "PROCESS_ROWS",
    "AnalysisCancelled",
    "AnalysisRunner",
    "Results",
    "Session",
    "Snapshot",
    "WhatIfView",
    "analyse_database",
    "fingerprint",
    "index_analysis",
    "index_inventory",
    "load_snapshot",
    "run_analysis",
    "run_whatif",
]

WHATIF_CACHE = 32
"""How many what-ifs a session keeps, most recently used first out last."""


@dataclass
class Session:
    """What is loaded, what the analysis found for it, and what is failed in the what-if."""

    snapshot: Snapshot | None = None
    results: Results | None = None
    """The analysis of the current snapshot; None until it is done (or if it failed)."""
    analysis_error: str | None = None
    load_error: str | None = None
    failed: list[str] = field(default_factory=list)
    """The sites and circuits failed in the what-if, in the order they were failed."""
    whatif: WhatIfView | None = None
    """The what-if of `failed` on the current snapshot; None while nothing is failed (or it runs)."""
    _results_cache: dict[tuple[Any, ...], Results] = field(default_factory=dict)
    _whatif_cache: OrderedDict[tuple[Any, ...], WhatIfView] = field(default_factory=OrderedDict)

    def loaded(self, snapshot: Snapshot) -> bool:
        """Take a freshly loaded snapshot; True if it needs analysing (no results of the same data)."""
        self.load_error = None
        self.snapshot = snapshot
        cached = self._results_cache.get(snapshot.fingerprint)
        if cached is not None:
            self.results = cached
            return False
        self.results = None
        self.analysis_error = None
        return True

    def analysed(self, results: Results) -> bool:
        """Take finished results; False (and they are dropped) if they are of data no longer loaded."""
        if self.snapshot is None or results.fingerprint != self.snapshot.fingerprint:
            return False
        # One entry is enough: results are only reused for the data they were computed from.
        self._results_cache = {results.fingerprint: results}
        self.results = results
        return True

    def set_failed(self, failed: Iterable[str]) -> None:
        """Replace the failed sites and circuits (their what-if is then looked up or simulated)."""
        self.failed = list(dict.fromkeys(failed))
        if not self.failed:
            self.whatif = None

    def toggle(self, key: str) -> list[str]:
        """The failures with a site or circuit added, or removed if it was failed."""
        return [k for k in self.failed if k != key] if key in self.failed else [*self.failed, key]

    def use_cached_whatif(self) -> bool:
        """Show the cached what-if of the current failures on this snapshot, if there is one."""
        if self.snapshot is None:
            return False
        key = (self.snapshot.fingerprint, frozenset(self.failed))
        cached = self._whatif_cache.get(key)
        if cached is None:
            return False
        self._whatif_cache.move_to_end(key)
        # The cache is keyed by the set of failures; keep this what-if's own order.
        self.whatif = replace(cached, failed=tuple(self.failed))
        return True

    def simulated(self, view: WhatIfView, stamp: tuple[Any, ...]) -> bool:
        """Take a finished what-if of a snapshot; True if it is the one to show now."""
        if self.snapshot is None or stamp != self.snapshot.fingerprint:
            return False
        self._whatif_cache[(stamp, frozenset(view.failed))] = view
        while len(self._whatif_cache) > WHATIF_CACHE:
            self._whatif_cache.popitem(last=False)
        if view.failed != tuple(self.failed):
            return False
        self.whatif = view
        return True
