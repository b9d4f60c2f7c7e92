"""The messages the app's workers and screens post to it: loaded, analysed, failed, changed."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from psninv.session import Results, Snapshot, WhatIfView
from psninv.tui.progress import Progressed


class InventoryLoaded(Message):
    """A worker finished reading and indexing the inventory."""

    def __init__(self, snapshot: Snapshot, seconds: float) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.seconds = seconds


class Failed(Message):
    """A worker's work raised: the `error`, for the screen to say in one line (or as a bug)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class LoadFailed(Failed):
    """A worker could not read the inventory."""


class AnalysisDone(Message):
    """A worker finished the analysis of a snapshot."""

    def __init__(self, results: Results) -> None:
        super().__init__()
        self.results = results


class AnalysisProgress(Progressed):
    """The analysis started one of its stages ("finding redundancy gaps")."""


class AnalysisFailed(Failed):
    """The analysers raised."""


class WhatIfDone(Message):
    """A worker finished a what-if simulation."""

    def __init__(self, view: WhatIfView, stamp: tuple[Any, ...]) -> None:
        super().__init__()
        self.view = view
        self.stamp = stamp


class DataChanged(Message):
    """The database changed under the app (another process wrote to it)."""
