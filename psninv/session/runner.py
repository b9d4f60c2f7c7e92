"""Running the analysers for a session: small inventories in a thread, big ones in a child process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psninv.analysis import Analysis, Progress, analyse
from psninv.inventory import Inventory
from psninv.session import cache
from psninv.session.cache import analyse_store, analysis_key, analysis_options, load_cached
from psninv.session.results import Results, index_analysis
from psninv.session.snapshot import Snapshot
from psninv.store import Store, open_store
from psninv.store.fingerprint import fingerprint, rows_in

PROCESS_ROWS = 20_000
"""Inventories with more sites and links than this are analysed in a child process."""


def run_analysis(snapshot: Snapshot, progress: Progress | None = None) -> Results:
    """Run both analysers on a snapshot, in this thread (`progress` hears each stage as it starts)."""
    started = time.perf_counter()
    # The links the TUI proposes are those a re-run of the analysis has proved (verified remedies).
    analysis = analyse(snapshot.inventory, remedies=True, progress=progress)
    return index_analysis(analysis, snapshot.fingerprint, time.perf_counter() - started)


SESSION_OPTIONS = analysis_options(remedies=True)
"""What a session analyses with (the links it proposes are proved): the same as `psninv analyse`'s."""


def analyse_database(
    url: str, *, send: bool = True, min_seconds: float | None = None
) -> tuple[tuple[Any, ...], Analysis | None]:
    """Read an inventory afresh and analyse it (kept in the cache); the entry point of the child process.

    With `send` false an analysis the cache now keeps is not returned (None): the parent reads it
    from there, faster than through the pipe. `min_seconds` is the parent's cache.MIN_SECONDS.
    """
    progress = _to_parent if _PROGRESS is not None else None
    store = open_store(url, read_only=True)

    def load() -> Inventory:
        if progress is not None:
            progress("reading the inventory", 0, 0)
        return store.load()

    try:
        stamp = fingerprint(store)
        run = analyse_store(
            store,
            SESSION_OPTIONS,
            lambda inventory: analyse(inventory, progress=progress, **SESSION_OPTIONS),
            load,
            min_seconds=min_seconds,
            progress=progress,
        )
    finally:
        store.close()
    return stamp, None if run.kept and not send else run.analysis


def session_key(store: Store, stamp: tuple[Any, ...]) -> str:
    """The cache key of the session analysis of the store at `stamp`."""
    return analysis_key(store.url, stamp, SESSION_OPTIONS)


def cached_session_analysis(store: Store, stamp: tuple[Any, ...]) -> Analysis | None:
    """The session analysis of the store at `stamp`, if the cache keeps it."""
    return load_cached(session_key(store, stamp))


class AnalysisCancelled(Exception):
    """The analysis was stopped before it finished (the app is closing or the data changed)."""


class AnalysisRunner:
    """Runs the analysers: small inventories in the calling thread, big ones in a child process.

    The analysers are pure Python, so in a thread they would take the GIL the UI needs to draw
    for as long as they run; a child process leaves the UI thread free, and can be stopped.
    """

    def __init__(self, store: Store, *, process_rows: int = PROCESS_ROWS) -> None:
        self.store = store
        self.process_rows = process_rows
        self._lock = threading.Lock()
        self._pools: set[Any] = set()
        self._stopped = False
        self._early: _Child | None = None
        self.started = 0
        """How many analysis child processes were started (a reader of the figures, or a test, asks)."""

    @property
    def running(self) -> int:
        """How many analysis child processes are running."""
        with self._lock:
            return len(self._pools)

    def _shareable(self) -> bool:
        url = self.store.engine.url
        return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")

    def uses_process(self, snapshot: Snapshot) -> bool:
        """Whether this snapshot is big enough to analyse in a child process (and can be)."""
        size = len(snapshot.sites) + len(snapshot.links)
        return self._shareable() and size > self.process_rows

    def prestart(self, stamp: tuple[Any, ...]) -> bool:
        """Start analysing the inventory at this fingerprint now, while the caller reads it; True if started.

        Only where run() would analyse in a child process and the cache keeps no analysis of it:
        the child reads the database itself, so its start, its reading and its first stages
        overlap the caller's reading (about 2 s of a first run at 100k sites). run() with a
        snapshot of the same fingerprint then waits for this child instead of starting one.
        """
        if not self._shareable() or rows_in(stamp) <= self.process_rows:
            return False
        if cache.is_cached(session_key(self.store, stamp)):
            return False
        with self._lock:
            stale, self._early = self._early, None
        if stale is not None:
            self._finish(stale)
        child = self._start(send=False, stamp=stamp)
        with self._lock:
            self._early = child
        return True

    def run(
        self,
        snapshot: Snapshot,
        cancelled: Callable[[], bool] = lambda: False,
        progress: Progress | None = None,
    ) -> Results:
        """Analyse a snapshot; raise AnalysisCancelled if stopped or `cancelled()` turns true.

        `progress` hears each stage as it starts, from the child process too.
        """
        if not self.uses_process(snapshot):
            return run_analysis(snapshot, progress)
        started = time.perf_counter()
        with self._lock:
            early, self._early = self._early, None
        if early is not None and early.stamp != snapshot.fingerprint:
            self._finish(early)  # the inventory changed since it started: its analysis is not wanted
            early = None
        if early is None:
            # A large network opened again, unchanged, shows its analysis at once.
            stamp = snapshot.fingerprint
            cached = cached_session_analysis(self.store, stamp) if stamp else None
            if cached is not None:
                return index_analysis(cached, stamp, time.perf_counter() - started)
        child = early or self._start(send=False)
        stamp, analysis = self._wait(child, cancelled, progress)
        if analysis is None:
            if progress is not None:
                progress("reading the analysis", 0, 0)
            analysis = cached_session_analysis(self.store, stamp)
        if analysis is None:  # the kept file went before it was read: have it sent this time
            stamp, analysis = self._wait(self._start(send=True), cancelled, progress)
        assert analysis is not None
        return index_analysis(analysis, stamp, time.perf_counter() - started)

    def _start(self, *, send: bool, stamp: tuple[Any, ...] | None = None) -> _Child:
        """Start a child process analysing the database (its stages queued for whoever waits)."""
        import multiprocessing

        url = self.store.engine.url.render_as_string(hide_password=False)
        with self._lock:
            if self._stopped:
                raise AnalysisCancelled()
            _start_resource_tracker()
            # spawn, not fork: the app has threads running, and a forked child could inherit a held lock.
            context = multiprocessing.get_context("spawn")
            stages = context.Queue()
            pool = context.Pool(1, initializer=_child_init, initargs=(stages,))
            self._pools.add(pool)
            self.started += 1
        options = {"send": send, "min_seconds": cache.MIN_SECONDS}
        return _Child(pool, pool.apply_async(analyse_database, (url,), options), stages, stamp)

    def _wait(
        self, child: _Child, cancelled: Callable[[], bool], progress: Progress | None
    ) -> tuple[tuple[Any, ...], Analysis | None]:
        """The child's (fingerprint, analysis or None), its stages passed on as they come; then stop it."""
        import multiprocessing

        try:
            while True:
                try:
                    return child.pending.get(timeout=0.25)
                except multiprocessing.TimeoutError:
                    if self._stopped or cancelled():
                        raise AnalysisCancelled() from None
                finally:
                    _relay(child.stages, progress)
        finally:
            self._finish(child)

    def _finish(self, child: _Child) -> None:
        with self._lock:
            self._pools.discard(child.pool)
        child.pool.terminate()
        child.pool.join()
        child.stages.close()
        child.stages.cancel_join_thread()

    def stop(self) -> None:
        """Stop every analysis child process, now and for good (the app is closing)."""
        with self._lock:
            self._stopped = True
            pools = list(self._pools)
        for pool in pools:
            pool.terminate()


@dataclass(frozen=True, slots=True)
class _Child:
    """An analysis child process under way: its pool, its pending result, its stages queue."""

    pool: Any
    pending: Any
    stages: Any
    stamp: tuple[Any, ...] | None = None
    """The fingerprint of the inventory it was started for, where the starter knew it."""


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr to hand it.

    While an app runs, Textual replaces sys.stderr with a capture whose fileno() is -1, and the
    tracker, which passes stderr's descriptor on, would fail to start.
    """
    import sys
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable or sys.__stderr__ is None:
        resource_tracker.ensure_running()
        return
    captured, sys.stderr = sys.stderr, sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


_PROGRESS: Any = None
"""In the analysis child: the queue its stages go to the parent by (None: nobody listens)."""


def _to_parent(stage: str, done: int, total: int) -> None:
    _PROGRESS.put((stage, done, total))


def _relay(stages: Any, progress: Progress | None) -> None:
    """Pass the stages the child has announced so far on to the parent's progress callback."""
    import queue

    if stages is None or progress is None:
        return
    while True:
        try:
            stage, done, total = stages.get_nowait()
        except (queue.Empty, OSError, ValueError):
            return
        progress(stage, done, total)


def _child_init(stages: Any = None) -> None:
    """Prepare the analysis child: quiet (its output would land on the TUI) and at a lower priority."""
    import os

    global _PROGRESS
    _PROGRESS = stages
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    if hasattr(os, "nice"):
        # On a small machine the UI still gets the CPU first.
        os.nice(10)
