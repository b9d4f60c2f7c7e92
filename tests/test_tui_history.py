"""Pilot tests of the History section and of reverting from it, on a real store."""

from __future__ import annotations

from typing import Any

import pytest
from builders import write_rows
from test_tui_support import run_app, screen_text, settle, synthetic_rows
from textual.widgets import Input, Select

from psninv.changes import create, history, update
from psninv.store import Store
from psninv.tui.app import PsninvApp
from psninv.tui.forms import ConfirmScreen
from psninv.tui.help import HelpScreen, help_sections
from psninv.tui.history import ChangeScreen, HistoryScreen
from psninv.tui.table import VirtualTable


@pytest.fixture
def edited(store: Store) -> Store:
    """A county network, a coordinate correction by alice and a new tenant added by bob."""
    write_rows(store, **synthetic_rows(30))
    site = store.load().sites["HUB-LEEK"]
    alice = Store(store.engine, actor="alice")
    update(alice, "sites", "HUB-LEEK", {"latitude": "53.1"}, version=site["version"])
    bob = Store(store.engine, actor="bob")
    create(bob, "tenants", {"code": "UNI", "name": "Keele University", "sector": "education"})
    return store


async def settle_history(pilot: Any) -> VirtualTable:
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    return screen.table


def test_history_lists_filters_and_shows_a_change(edited: Store) -> None:
    app = PsninvApp(edited)

    async def scenario(pilot: Any) -> None:
        await pilot.press("8")
        table = await settle_history(pilot)
        assert table.row_count == 2
        first = " ".join(map(str, table.row_cells(table.visible_keys[0])))
        assert "bob" in first and "tenants" in first and "UNI" in first
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        screen.query_one("#history-entity", Select).value = "sites"
        table = await settle_history(pilot)
        assert table.row_count == 1
        screen.query_one("#history-entity", Select).value = Select.NULL
        actor = screen.query_one("#history-actor", Input)
        actor.focus()
        await pilot.press("b")
        await pilot.pause(0.2)
        assert actor._suggestion == "bob"  # completes the names in the log
        await pilot.press(*"ob", "enter")
        table = await settle_history(pilot)
        assert table.row_count == 1 and table.has_focus
        assert "UNI" in " ".join(map(str, table.row_cells(table.visible_keys[0])))
        screen.select_filters()
        table = await settle_history(pilot)
        assert table.move_to_key(history(edited, actor="alice")[0].id)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChangeScreen)
        text = screen_text(app)
        assert "update site HUB-LEEK" in text and "alice" in text and "53.1" in text

    run_app(app, scenario, size=(100, 30))


def test_revert_from_history_is_logged_and_the_inventory_reloads(edited: Store) -> None:
    app = PsninvApp(edited)

    async def scenario(pilot: Any) -> None:
        original = app.snapshot.sites["HUB-LEEK"]["latitude"]
        assert original == 53.1
        await pilot.press("8")
        table = await settle_history(pilot)
        change = history(edited, actor="alice")[0]
        assert table.move_to_key(change.id)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Revert change" in screen_text(app)
        await pilot.press("y")
        table = await settle_history(pilot)
        restored = edited.load().sites["HUB-LEEK"]["latitude"]
        assert restored != 53.1
        assert app.snapshot.sites["HUB-LEEK"]["latitude"] == restored
        latest = history(edited, limit=1)[0]
        assert latest.reverts == change.id and latest.actor == "tester"
        assert table.row_count == 3
        # Reverting it again is refused, with the reason shown.
        assert table.move_to_key(change.id)
        await pilot.press("u")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("already reverted" in n.message for n in app._notifications)

    run_app(app, scenario, size=(100, 30))


def test_a_refused_revert_says_why_and_writes_nothing(edited: Store) -> None:
    app = PsninvApp(edited)
    tenant = history(edited, actor="bob")[0]
    write_rows(edited, sites=[{"code": "KEELE", "tenant": "UNI"}])

    async def scenario(pilot: Any) -> None:
        await pilot.press("8")
        table = await settle_history(pilot)
        assert table.move_to_key(tenant.id)
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await settle_history(pilot)
        messages = [n.message for n in app._notifications]
        assert any("cannot revert" in m and "other records now refer to tenant UNI" in m for m in messages)
        assert "UNI" in edited.load().tenants
        assert history(edited, limit=1)[0].id == tenant.id

    run_app(app, scenario, size=(100, 30))


def test_site_detail_shows_its_own_history_and_reverts_from_it(edited: Store) -> None:
    app = PsninvApp(edited)

    async def scenario(pilot: Any) -> None:
        app.open_site("HUB-LEEK")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        table = app.screen.query_one("#site-history", VirtualTable)
        assert table.row_count == 1
        table.focus()
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert edited.load().sites["HUB-LEEK"]["latitude"] != 53.1
        assert app.screen.query_one("#site-history", VirtualTable).row_count == 2

    run_app(app, scenario, size=(100, 40))


def test_help_lists_the_editing_and_history_keys(edited: Store) -> None:
    app = PsninvApp(edited)

    async def scenario(pilot: Any) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        sections = dict(help_sections(app.BINDINGS))
        assert ("u", "Revert") in sections["History (8), a site's history"]
        assert ("E", "Edit row") in sections["Editing: a site, circuit or tenant"]
        assert ("p", "Add prefix") in sections["Editing: a site, circuit or tenant"]
        assert ("^s", "Save") in sections["Forms and questions"]
        assert ("8", "History") in sections["Everywhere"]
        await pilot.press("escape")
        await pilot.pause()
        assert "8 History" in screen_text(app)

    run_app(app, scenario, size=(100, 30))


def test_read_only_app_refuses_to_revert(edited: Store) -> None:
    app = PsninvApp(edited, read_only=True)

    async def scenario(pilot: Any) -> None:
        await pilot.press("8")
        table = await settle_history(pilot)
        assert table.row_count == 2
        await pilot.press("u")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert len(history(edited)) == 2

    run_app(app, scenario, size=(100, 30))


def test_revert_a_whole_batch_from_history(edited: Store) -> None:
    app = PsninvApp(edited)

    async def scenario(pilot: Any) -> None:
        app.open_site("S000001")
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert "S000001" not in app.snapshot.sites
        assert app.screen.subject != ("site", "S000001")  # the detail of a deleted site closes
        await pilot.press("8")
        table = await settle_history(pilot)
        assert table.move_to_key(history(edited, limit=1)[0].id)
        await pilot.press("U")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "Revert all" in screen_text(app)
        await pilot.press("y")
        await settle_history(pilot)
        assert "S000001" in app.snapshot.sites and app.snapshot.links_by_site["S000001"]
        assert "S000001" in edited.load().sites

    run_app(app, scenario, size=(100, 30))
