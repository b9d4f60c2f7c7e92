"""The TUI's w on an SRLG event's finding fails what `--fail srlg:TAG` fails (a Pilot run on the sample)."""

from __future__ import annotations

from typing import Any

from test_tui_support import run_app, settle

from psninv import sample_path
from psninv.analysis.whatif import simulate_failures
from psninv.io.importer import import_files
from psninv.store import Store
from psninv.tui.app import PsninvApp
from psninv.tui.table import VirtualTable
from psninv.tui.whatif import WhatIfScreen

EVENT = "srlg:exchange:Burton"


def test_w_on_the_exchange_finding_cuts_off_what_failing_the_srlg_does(store: Store) -> None:
    assert import_files(store, [sample_path()]).ok
    expected = simulate_failures(store.load(), [EVENT]).cut_off_sites
    assert len(expected) == 8
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        await pilot.press("5")
        await settle(pilot)
        findings = app.screen.query_one(VirtualTable)
        findings.move_to_key(f"shared-risk:{EVENT}")
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WhatIfScreen)
        assert app.whatif is not None
        assert set(app.whatif.cut_off_sites) == expected

    run_app(app, scenario)
