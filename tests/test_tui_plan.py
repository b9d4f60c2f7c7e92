"""The Plan screen (p) on the sample: ticks recompute the after-state; write and apply use the import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_tui_support import run_app, settle

from psninv import sample_path
from psninv.analysis.plan_selection import select
from psninv.cli.app import get_cli
from psninv.io.importer import import_files
from psninv.store import Store, open_store
from psninv.tui.app import PsninvApp
from psninv.tui.import_review import ImportScreen
from psninv.tui.plan_screen import PlanScreen


async def planned(pilot: Any, *, want: int | None = None) -> PlanScreen:
    """The Plan screen, once its worker has made the plan (and analysed the ticks, if `want` of them)."""
    await pilot.press("p")
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen)
    await until(pilot, lambda: screen.plan is not None)
    await settle(pilot)
    return screen


async def until(pilot: Any, ready: Any) -> None:
    """Wait (30 s at most) for a worker's result."""
    for _ in range(300):
        if ready():
            return
        await pilot.pause(0.1)
    raise AssertionError("the worker never finished")


async def shown_after(pilot: Any, screen: PlanScreen, ticked: int) -> None:
    await until(pilot, lambda: len(screen.ticked) == ticked and screen.shown not in (None, screen.plan))


def test_the_plan_screen_lists_changes_and_an_untick_reanalyses(store: Store) -> None:
    assert import_files(store, [sample_path()]).ok
    inventory = store.load()
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        screen = await planned(pilot)
        plan = screen.plan
        assert plan is not None and len(screen.ticked) == len(plan.changes) > 50
        summary = str(screen.query_one("#plan-summary").render())
        assert "critical 5→0" in summary and "high 8→0" in summary
        # Untick the co-location at Castle House: its ceases, upgrade and new circuits go together.
        castle = [i for i, c in enumerate(plan.changes) if c.source == "co-location:NUL-CHS"]
        assert len(castle) > 2
        screen.query_one("#plan-table").move_cursor(row=castle[0])
        await pilot.press("space")
        expected_ticks = len(plan.changes) - len(castle)
        await shown_after(pilot, screen, expected_ticks)
        assert not screen.ticked & set(castle)
        by_hand = select(plan, inventory, screen.ticked)
        assert screen.shown is not None
        assert screen.shown.totals == by_hand.totals
        assert screen.shown.severity_counts("after") == by_hand.severity_counts("after")
        assert screen.shown.totals.savings_gbp < plan.totals.savings_gbp
        assert "co-location:NUL-CHS" not in screen.shown.taken

    run_app(app, scenario)


def test_write_makes_a_scenario_and_apply_goes_through_the_import_review(
    store: Store, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert import_files(store, [sample_path()]).ok
    monkeypatch.chdir(tmp_path)
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        screen = await planned(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert (tmp_path / "plan.xlsx").exists()
        await pilot.press("a")
        review = pilot.app.screen
        assert isinstance(review, ImportScreen)
        await until(pilot, lambda: review.reviewed is not None)
        assert review.reviewed is not None and review.reviewed.ok and review.reviewed.changed
        await pilot.press("a")
        await until(pilot, lambda: review.applied)
        assert screen.plan is not None

    run_app(app, scenario)
    with open_store(db, read_only=True) as reopened:
        links = reopened.load().links
    assert any(cid.startswith("PLANNED-") and row["status"] == "planned" for cid, row in links.items())
    plan_file = str(tmp_path / "plan.xlsx")
    args = ["analyse", "--db", db, "--scenario", plan_file, "--format", "json"]
    scenario_json = CliRunner().invoke(get_cli(), args)
    findings = json.loads(scenario_json.stdout)["findings"]
    assert not [f for f in findings if f["severity"] in ("critical", "high")]


def test_a_read_only_session_shows_the_plan_but_cannot_apply_it(store: Store) -> None:
    assert import_files(store, [sample_path()]).ok
    app = PsninvApp(store, read_only=True)

    async def scenario(pilot: Any) -> None:
        screen = await planned(pilot)
        assert screen.plan is not None and screen.plan.changes
        assert screen.check_action("apply", ()) is False
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PlanScreen)

    run_app(app, scenario)
