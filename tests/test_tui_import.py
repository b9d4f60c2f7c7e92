"""Import with review in the TUI: a bad file shows its errors, a clean one its diff; only confirm writes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from builders import write_rows, write_xlsx
from sqlalchemy import func, select
from test_tui_support import run_app, screen_text
from textual.widgets import DataTable, Input

from psninv.io.diff import change_rows, shown
from psninv.io.importer import import_files
from psninv.model import Change
from psninv.store import Store
from psninv.tui.app import PsninvApp
from psninv.tui.import_review import ImportScreen, counts_line

CHANGES = Change.__table__


@pytest.fixture
def county(store: Store) -> Store:
    """A tiny inventory: two tenants, three sites, two circuits."""
    write_rows(
        store,
        tenants=[{"code": "SCC", "name": "County"}, {"code": "POL", "name": "Police"}],
        sites=[
            {"code": "HQ", "name": "Headquarters", "tenant": "SCC", "role": "datacentre"},
            {"code": "LEEK", "name": "Leek library", "tenant": "SCC", "role": "access"},
            {"code": "STN", "name": "Stafford station", "tenant": "POL", "role": "access"},
        ],
        links=[
            {"circuit_id": "C1", "a_site": "HQ", "b_site": "LEEK", "annual_cost_gbp": 1000.0},
            {"circuit_id": "C2", "a_site": "HQ", "b_site": "STN", "annual_cost_gbp": 2000.0},
        ],
    )
    return store


def clean_workbook(tmp_path: Path) -> Path:
    """A partner's workbook that renames LEEK, adds a site and a circuit, and repeats STN as it is."""
    return write_xlsx(
        tmp_path / "partner.xlsx",
        {
            "Sites": [
                ["Site Code", "Site Name", "Tenant"],
                ["LEEK", "Leek joint office", "SCC"],
                ["STN", "Stafford station", "POL"],
                ["CANNOCK", "Cannock fire station", "POL"],
            ],
            "Links": [["Circuit ID", "A Site", "B Site", "Annual Cost"], ["C3", "HQ", "CANNOCK", 1500]],
        },
    )


def bad_workbook(tmp_path: Path) -> Path:
    """A workbook with a latitude that is not a number and a circuit to a site nobody knows."""
    return write_xlsx(
        tmp_path / "bad.xlsx",
        {
            "Sites": [["code", "name", "latitude"], ["BURTON", "Burton office", "north-ish"]],
            "Links": [["circuit_id", "a_site", "b_site"], ["C9", "HQ", "NOWHERE"]],
        },
    )


def change_count(store: Store) -> int:
    """How many rows the change log holds."""
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(CHANGES)).scalar_one()


def notices(app: PsninvApp) -> list[str]:
    """The notifications the app is showing."""
    return [notification.message for notification in app._notifications]


def table_rows(screen: ImportScreen) -> list[list[str]]:
    """The review table's cells, as text."""
    table = screen.query_one("#import-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def wait_until(pilot: Any, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until a condition holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause()
        if condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the condition never held; the screen was:\n" + screen_text(pilot.app))


async def review(pilot: Any, path: Path | str) -> ImportScreen:
    """Open the import screen with `i`, type a path, press Enter and wait for the review."""
    app = pilot.app
    await pilot.press("i")
    await wait_until(pilot, lambda: isinstance(app.screen, ImportScreen))
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#import-path", Input).value = str(path)
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen.reviewed is not None and screen.running is None)
    return screen


def test_a_bad_file_shows_each_error_in_the_table_and_writes_nothing(county: Store, tmp_path: Path) -> None:
    before, logged = county.load(), change_count(county)
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        screen = await review(pilot, bad_workbook(tmp_path))
        rows = table_rows(screen)
        latitude = [row for row in rows if row[4] == "latitude"]
        assert latitude and latitude[0][:4] == ["error", "bad.xlsx", "Sites", "2"]
        assert latitude[0][5] == "north-ish"
        assert any(row[4] == "b_site" and row[5] == "NOWHERE" for row in rows), rows
        assert "errors" in screen_text(app) and "cannot be imported" in screen_text(app)
        await pilot.press("a")  # apply is not offered for a file with errors
        await pilot.pause()
        assert screen.running is None and not screen.applied

    run_app(app, scenario, size=(120, 30))
    assert county.load().sites == before.sites and change_count(county) == logged


def test_a_clean_file_shows_its_diff_and_confirm_writes_it_to_the_change_log(
    county: Store, tmp_path: Path
) -> None:
    logged = change_count(county)
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        screen = await review(pilot, clean_workbook(tmp_path))
        rows = table_rows(screen)
        assert ["update", "sites", "LEEK", "name", "Leek library", "Leek joint office"] in rows
        assert any(row[:3] == ["create", "sites", "CANNOCK"] and "tenant=POL" in row[5] for row in rows)
        assert any(row[:3] == ["create", "links", "C3"] for row in rows)
        assert not any(row[2] == "STN" for row in rows)  # unchanged rows are only counted
        text = screen_text(app)
        assert "sites: 1 created, 1 updated, 1 unchanged" in text
        # Reviewing wrote nothing.
        assert "CANNOCK" not in county.load().sites and change_count(county) == logged

        await pilot.press("a")
        await wait_until(pilot, lambda: screen.applied)
        assert "Imported" in screen_text(app)
        # The app reloads and re-analyses: the new site is in the TUI's own data and findings.
        await wait_until(pilot, lambda: "CANNOCK" in app.snapshot.sites)
        await wait_until(pilot, lambda: app.results is not None and not app.busy)
        assert app.results.fingerprint == app.snapshot.fingerprint

    run_app(app, scenario, size=(120, 30))
    inventory = county.load()
    assert inventory.sites["LEEK"]["name"] == "Leek joint office"
    assert inventory.links["C3"]["b_site"] == "CANNOCK"
    with county.read() as conn:
        logged_now = conn.execute(
            select(CHANGES.c.action, CHANGES.c.entity, CHANGES.c.key, CHANGES.c.actor).where(
                CHANGES.c.id > 0
            ).order_by(CHANGES.c.id)
        ).all()
    new = [tuple(row) for row in logged_now[logged:]]
    assert ("update", "sites", "LEEK", "tester") in new
    assert ("create", "sites", "CANNOCK", "tester") in new
    assert ("create", "links", "C3", "tester") in new
    assert len(new) == 3


def test_cancel_after_review_writes_nothing(county: Store, tmp_path: Path) -> None:
    before, logged = county.load(), change_count(county)
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        screen = await review(pilot, clean_workbook(tmp_path))
        assert screen.reviewed is not None and screen.reviewed.changed
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ImportScreen))

    run_app(app, scenario, size=(120, 30))
    after = county.load()
    assert after.sites == before.sites and after.links == before.links
    assert change_count(county) == logged


def test_a_change_between_review_and_confirm_is_checked_again_and_reported(
    county: Store, tmp_path: Path
) -> None:
    app = PsninvApp(county)
    workbook = clean_workbook(tmp_path)

    async def scenario(pilot: Any) -> None:
        screen = await review(pilot, workbook)
        # Someone else imports the same site first, in another process or terminal.
        other = write_xlsx(
            tmp_path / "other.xlsx",
            {"Sites": [["code", "name", "tenant"], ["CANNOCK", "Cannock fire station", "POL"]]},
        )
        assert import_files(county, [other]).ok
        await pilot.press("a")
        await wait_until(pilot, lambda: screen.applied)
        text = screen_text(app)
        assert "changed since the review" in text
        assert "sites: 0 created, 1 updated, 2 unchanged" in text

    run_app(app, scenario, size=(120, 30))
    assert county.load().sites["LEEK"]["name"] == "Leek joint office"


def test_the_palette_opens_the_import_screen(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"import a file")
        await wait_until(pilot, lambda: "Import a file" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ImportScreen))

    run_app(app, scenario)


def test_the_review_helpers_show_values_as_a_reviewer_reads_them() -> None:
    from psninv.store import ChangeRecord

    assert shown(12.0) == "12" and shown(None) == "—" and shown(["SCC", "POL"]) == "SCC;POL"
    rows = change_rows(
        [ChangeRecord("update", "links", "C1", {"circuit_id": "C1", "annual_cost_gbp": 1000.0},
                      {"circuit_id": "C1", "annual_cost_gbp": 1250.5})]
    )
    assert rows == [("update", "links", "C1", "annual_cost_gbp", "1000", "1250.5")]
    assert counts_line({"sites": {"created": 1, "updated": 0, "unchanged": 2}}) == (
        "sites: 1 created, 0 updated, 2 unchanged"
    )


def test_several_files_separated_by_semicolons_are_one_import(county: Store, tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("code,name,tenant\nBURTON,Burton office,SCC\n", encoding="utf-8")
    links = tmp_path / "links.csv"
    links.write_text("circuit_id,a_site,b_site\nC7,HQ,BURTON\n", encoding="utf-8")
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        # The circuit names a site that only the other file creates: one import, so it is found.
        screen = await review(pilot, f"{links}; {sites}")
        assert screen.reviewed is not None and screen.reviewed.ok, screen_text(app)
        await pilot.press("a")
        await wait_until(pilot, lambda: screen.applied)

    run_app(app, scenario, size=(120, 30))
    assert county.load().links["C7"]["b_site"] == "BURTON"
