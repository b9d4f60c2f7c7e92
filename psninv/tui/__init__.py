"""The terminal UI: `psninv tui` and `psninv demo` open it through run_tui."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psninv.store import Store

__all__ = ["run_tui"]


def run_tui(store: Store, *, read_only: bool = False) -> Any:
    """Run the terminal UI on an opened inventory (Textual is imported only when it is used)."""
    from psninv.tui.app import run_tui as run

    return run(store, read_only=read_only)
