"""Pausing Python's cyclic garbage collector around bulk work that builds no reference cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block, restoring its previous state afterwards."""
    # Imports, loads and analyses allocate hundreds of thousands of small acyclic objects; left on,
    # the collector rescans the whole inventory again and again (about a third of the time at 100k).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
