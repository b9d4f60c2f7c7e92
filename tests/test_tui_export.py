"""Export from the TUI: each format through the CLI's export function, per tenant, and a clear refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx
import pytest
from test_tui_import import county, wait_until  # noqa: F401 - county is a fixture
from test_tui_support import run_app, screen_text
from textual.widgets import Input, Select

from psninv.io.importer import import_files
from psninv.store import Store, open_store
from psninv.tui.app import PsninvApp
from psninv.tui.export_screen import ExportScreen, with_format

DONE = ("Wrote", "Nothing was exported", "Give a file name")


async def export(pilot: Any, fmt: str, path: Path, tenant: str | None = None) -> ExportScreen:
    """Open the export screen with `x`, choose a format, a tenant and a path, and export."""
    app = pilot.app
    await pilot.press("x")
    await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    screen.query_one("#export-format", Select).value = fmt
    await pilot.pause()
    if tenant is not None:
        screen.query_one("#export-tenant", Select).value = tenant
    field = screen.query_one("#export-path", Input)
    field.value = str(path)
    field.focus()
    await pilot.press("enter")
    status = screen.query_one("#export-status")
    await wait_until(pilot, lambda: not screen.running and any(w in str(status.render()) for w in DONE))
    return screen


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "graphml", "geojson"])
def test_each_format_is_written_and_reads_back(county: Store, tmp_path: Path, fmt: str) -> None:  # noqa: F811
    target = tmp_path / ("out" if fmt == "csv" else f"out.{fmt}")
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await export(pilot, fmt, target)
        text = screen_text(app)
        assert "Wrote" in text and "3 sites" in text

    run_app(app, scenario, size=(120, 30))
    assert target.exists()
    if fmt == "geojson":
        assert json.loads(target.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
        return
    if fmt == "graphml":
        graph = networkx.read_graphml(target)
        assert set(graph.nodes) == {"HQ", "LEEK", "STN"} and graph.number_of_edges() == 2
        return
    # The export imports back into an empty inventory unchanged.
    with open_store(tmp_path / "copy.db", actor="tester") as copy:
        files = sorted(target.glob("*.csv")) if fmt == "csv" else [target]
        report = import_files(copy, files)
        assert report.ok, [str(issue) for issue in report.issues]
        assert set(copy.load().sites) == {"HQ", "LEEK", "STN"}


def test_a_tenant_export_holds_only_that_tenants_part(county: Store, tmp_path: Path) -> None:  # noqa: F811
    target = tmp_path / "police.xlsx"
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await export(pilot, "xlsx", target, tenant="POL")

    run_app(app, scenario, size=(120, 30))
    with open_store(tmp_path / "copy.db", actor="tester") as copy:
        assert import_files(copy, [target]).ok
        inventory = copy.load()
    assert "STN" in inventory.sites and "LEEK" not in inventory.sites
    assert set(inventory.links) == {"C2"}


def test_an_unwritable_path_is_one_clear_line_and_no_traceback(county: Store, tmp_path: Path) -> None:  # noqa: F811
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        screen = await export(pilot, "xlsx", blocker / "out.xlsx")
        assert "Nothing was exported" in str(screen.query_one("#export-status").render())

    run_app(app, scenario, size=(120, 30))
    assert not (blocker / "out.xlsx").exists()


def test_choosing_a_format_changes_the_extension() -> None:
    assert with_format("psninv-export.xlsx", "graphml") == "psninv-export.graphml"
    assert with_format("reports/net.graphml", "csv") == "reports/net"
    assert with_format("reports/net", "geojson") == "reports/net.geojson"
    assert with_format("", "xlsx") == "psninv-export.xlsx"


def test_the_export_screens_key_bar_sits_at_the_bottom(store: Store) -> None:
    from psninv.tui.base import KeyBar
    from psninv.tui.export_screen import ExportScreen

    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        bar = app.screen.query_one(KeyBar)
        assert bar.region.bottom == app.size.height

    run_app(app, scenario, size=(80, 24))
