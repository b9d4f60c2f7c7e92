"""The dashboard and the map at the window they have: titles keep their numbers, the map its fit."""

from __future__ import annotations

from typing import Any

import pytest
from builders import write_rows
from test_tui_support import run_app, screen_text, settle, staffordshire_rows, synthetic_rows

from psninv.store import Store
from psninv.tui.app import PsninvApp
from psninv.tui.findings import fit_title
from psninv.tui.map import MapCanvas
from psninv.tui.map_draw import fit_view
from psninv.tui.table import VirtualTable


@pytest.mark.parametrize(
    ("title", "width", "fitted"),
    [
        (
            "Losing CAN-HUB (Cannock Hub, Walsall Ro…) cuts off 13 sites of 9 tenants",
            49,
            "Losing CAN-HUB cuts off 13 sites of 9 tenants",
        ),
        (
            "CAN-CCH (Cannock Chase Council H…), high: 1 of 2 link-disjoint paths",
            45,
            "CAN-CCH, high: 1 of 2 link-disjoint paths",
        ),
        (
            "Circuit KC-1 (A–B) is the only path for 1 site",
            80,
            "Circuit KC-1 (A–B) is the only path for 1 site",
        ),
        (
            "No brackets at all and far too long for the column",
            20,
            "No brackets at all and far too long for the column",
        ),
    ],
)
def test_a_title_too_wide_loses_its_bracketed_names_first(title: str, width: int, fitted: str) -> None:
    assert fit_title(title, width) == fitted


def test_the_dashboard_at_80x24_keeps_the_numbers_and_gives_up_the_empty_savings_column(store: Store) -> None:
    write_rows(store, **staffordshire_rows())
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        text = screen_text(app)
        assert "Losing CAN-HUB cuts off 13 sites of 9 tenants" in text
        top = app.screen.query_one("#top-findings", VirtualTable)
        savings = app.screen.query_one("#top-savings", VirtualTable)
        assert [c.key for c, w in zip(top.columns, top._widths, strict=True) if w] == [
            "severity",
            "title",
            "where",
        ]
        assert savings._widths[-1] > 0 and "Saves £/yr" in text

    run_app(app, scenario, size=(80, 24))


def test_the_map_keeps_its_fit_when_the_window_changes_and_names_its_districts(store: Store) -> None:
    write_rows(store, **synthetic_rows(60))
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        await pilot.press("7")
        await settle(pilot)
        canvas = app.screen.query_one(MapCanvas)
        assert canvas.data is not None and canvas.data.districts
        small = canvas.view
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert canvas.view == fit_view(canvas.data, canvas.size.width, canvas.size.height)
        assert canvas.view.scale > small.scale  # the bigger window is filled
        drawn = "\n".join(strip.text for strip in canvas._frame)
        assert any(district in drawn for district in canvas.data.districts)
        # Blank cells carry the theme's background, not the terminal's default.
        assert all(
            segment.style is not None and segment.style.bgcolor is not None
            for segment in canvas.render_line(0)
        )
        await pilot.press("plus")
        zoomed = canvas.view
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert canvas.view == zoomed  # a view the user chose stays where it is
        await pilot.press("0")
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert canvas.view == fit_view(canvas.data, canvas.size.width, canvas.size.height)

    run_app(app, scenario, size=(80, 24))
