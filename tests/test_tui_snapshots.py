"""Snapshot tests of the main screens on the Staffordshire sample (pytest-textual-snapshot, 80×24)."""

from __future__ import annotations

from typing import Any

import pytest
from builders import write_rows
from test_tui_support import settle, staffordshire_rows
from textual.widgets import Input

from psninv.store import Store
from psninv.tui.app import PsninvApp


@pytest.fixture
def sample_store(store: Store) -> Store:
    """The Staffordshire sample in a fresh SQLite store."""
    write_rows(store, **staffordshire_rows())
    return store


def steps(*keys: str, open_site: str | None = None) -> Any:
    """A run_before that waits for the data, presses keys, waits again, and stills the screen."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await settle(pilot)
        if open_site:
            app.open_site(open_site)
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        app.clear_notifications()
        await pilot.pause()

    return run_before


def test_dashboard(sample_store: Store, snap_compare: Any) -> None:
    assert snap_compare(PsninvApp(sample_store), run_before=steps())


def test_sites(sample_store: Store, snap_compare: Any) -> None:
    assert snap_compare(PsninvApp(sample_store), run_before=steps("2", "j", "j"))


def test_site_detail(sample_store: Store, snap_compare: Any) -> None:
    assert snap_compare(PsninvApp(sample_store), run_before=steps(open_site="SML-HUB"))


def test_findings(sample_store: Store, snap_compare: Any) -> None:
    assert snap_compare(PsninvApp(sample_store), run_before=steps("5"))


def test_what_if(sample_store: Store, snap_compare: Any) -> None:
    # Fail the Moorlands hub from its detail, then look at who went dark.
    assert snap_compare(PsninvApp(sample_store), run_before=steps("f", "6", open_site="SML-HUB"))


def test_map(sample_store: Store, snap_compare: Any) -> None:
    assert snap_compare(PsninvApp(sample_store), run_before=steps("7"), terminal_size=(100, 30))


@pytest.mark.parametrize("read_only", [False, True], ids=["writable", "read-only"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_dashboard_sizes(sample_store: Store, snap_compare: Any, size: tuple[int, int], read_only: bool):
    app = PsninvApp(sample_store, read_only=read_only)
    assert snap_compare(app, run_before=steps(), terminal_size=size)
