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


def test_the_events_screen_ranks_sorts_and_fails_an_event(store: Store) -> None:
    from textual.widgets import OptionList


    assert import_files(store, [sample_path()]).ok
    expected = simulate_failures(store.load(), [EVENT]).cut_off_sites
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        screen = await events_listed(pilot)
        names = [e.fail_name for e in screen.events]
        assert names[0] == "provider:Kcom" and EVENT in names
        sites = [e.sites_cut_off for e in screen.events]
        assert sites == sorted(sites, reverse=True)
        await pilot.press("s")  # by tenants
        tenants = [len(e.tenants_affected) for e in screen.events]
        assert tenants == sorted(tenants, reverse=True)
        options = screen.query_one(OptionList)
        options.highlighted = [e.fail_name for e in screen.events].index(EVENT)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WhatIfScreen)
        assert app.whatif is not None and set(app.whatif.cut_off_sites) == expected

    run_app(app, scenario)


def test_a_circuits_detail_offers_its_own_tags_and_provider(store: Store) -> None:
    from psninv.model import srlg_tags
    from psninv.tui.links import LinkScreen

    assert import_files(store, [sample_path()]).ok
    links = store.load().links
    cid = next(c for c, row in sorted(links.items()) if "exchange:Burton" in srlg_tags(row["srlg"]))
    own = {f"srlg:{t}" for t in srlg_tags(links[cid]["srlg"])} | {f"provider:{links[cid]['provider']}"}
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        await settle(pilot)
        app.push_screen(LinkScreen(cid))
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        screen = await events_listed(pilot)
        assert {e.fail_name for e in screen.events} == own

    run_app(app, scenario)


async def events_listed(pilot: Any) -> Any:
    """The events screen now open, once its worker has listed the events (a few seconds at most)."""
    from psninv.tui.events import EventsScreen

    screen = pilot.app.screen
    assert isinstance(screen, EventsScreen)
    for _ in range(50):
        if screen.events:
            break
        await pilot.pause(0.1)
    return screen
