"""Long work says what it is doing: the analysis's stages and its keeping, in order, through one callback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_tui_plan import planned
from test_tui_support import run_app, screen_text
from textual.widgets import Static

from psninv import open_store
from psninv.analysis import analyse
from psninv.inventory import Inventory
from psninv.session.cache import analyse_store, analysis_options
from psninv.session.kept_plan import plan_store
from psninv.session.runner import AnalysisRunner
from psninv.session.snapshot import load_snapshot
from psninv.store.fingerprint import fingerprint
from psninv.tui.app import PsninvApp
from psninv.tui.dashboard import DashboardScreen
from psninv.tui.messages import AnalysisProgress
from psninv.tui.plan_screen import PlanProgress
from psninv.tui.table import VirtualTable

EVERY_STAGE = [
    ("finding redundancy gaps", 0, 4),
    ("proving the links that close them", 1, 4),
    ("searching for sharing", 2, 4),
    ("checking sharing against the policy", 3, 4),
]


def test_the_analysis_announces_each_stage_as_it_starts(sample: Inventory) -> None:
    heard: list[tuple[str, int, int]] = []
    result = analyse(sample, remedies=True, progress=lambda *call: heard.append(call))
    assert heard == EVERY_STAGE
    # The same findings as without anyone listening.
    assert [f.id for f in result.findings] == [f.id for f in analyse(sample, remedies=True).findings]


@pytest.mark.parametrize(
    ("options", "stages"),
    [
        ({"only": "redundancy"}, ["finding redundancy gaps"]),
        ({"only": "sharing"}, ["searching for sharing", "checking sharing against the policy"]),
        ({}, ["finding redundancy gaps", "searching for sharing", "checking sharing against the policy"]),
    ],
)
def test_only_the_stages_a_run_goes_through_are_counted(
    sample: Inventory, options: dict, stages: list[str]
) -> None:
    heard: list[tuple[str, int, int]] = []
    analyse(sample, progress=lambda *call: heard.append(call), **options)
    assert heard == [(stage, index, len(stages)) for index, stage in enumerate(stages)]


def test_keeping_is_announced_only_when_something_is_kept(
    cache_folder: Path, sample_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = analysis_options(only="redundancy")
    with open_store(sample_db, read_only=True) as store:
        heard: list[str] = []
        analyse_store(
            store, options, lambda work: analyse(work, **options), progress=lambda s, d, t: heard.append(s)
        )
        assert heard == ["keeping the analysis for the next run"]
        again: list[str] = []
        analyse_store(
            store, options, lambda work: analyse(work, **options), progress=lambda s, d, t: again.append(s)
        )
        assert again == []  # read back: nothing run, nothing kept
        monkeypatch.setenv("PSNINV_CACHE_DIR", "off")
        off: list[str] = []
        other = analysis_options(only="sharing")
        analyse_store(
            store, other, lambda work: analyse(work, **other), progress=lambda s, d, t: off.append(s)
        )
        assert off == []

        planned: list[str] = []
        monkeypatch.setenv("PSNINV_CACHE_DIR", str(cache_folder))
        inventory = store.load()
        plan_store(store, inventory, stamp=fingerprint(store), progress=lambda s, d, t: planned.append(s))
        assert (
            planned[0] == "analysing the network as it is"
            and planned[-1] == "keeping the plan for the next run"
        )
        assert (
            "keeping the analysis for the next run" not in planned
        )  # the plan's own analysis: not announced


def test_the_tuis_analysis_child_tells_the_app_each_stage(cache_folder: Path, sample_db: str) -> None:
    heard: list[tuple[str, int, int]] = []
    with open_store(sample_db, read_only=True) as store:
        runner = AnalysisRunner(store, process_rows=0)  # the child-process path, as for 100k sites
        runner.run(load_snapshot(store), progress=lambda *call: heard.append(call))
    stages = [stage for stage, _done, _total in heard]
    assert stages == [
        "reading the inventory",
        *(stage for stage, _done, _total in EVERY_STAGE),
        "keeping the analysis for the next run",
        "reading the analysis",  # kept by the child, read back by the app
    ]
    assert heard[1:5] == EVERY_STAGE


def test_the_dashboard_says_which_stage_the_analysis_is_at(sample_db: str) -> None:
    app = PsninvApp(open_store(sample_db, read_only=True))

    async def scenario(pilot: Any) -> None:
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen) and app.results is not None
        waiting = dashboard.query_one("#top-findings", VirtualTable)
        # Once the analysis has ended, a late word from it changes nothing.
        app.post_message(AnalysisProgress("searching for sharing", 2, 4))
        await pilot.pause()
        assert app.analysis_stage == "" and waiting._waiting == ""
        # While one runs, the tables waiting for it say where it is.
        app._begin("analysing")
        app.session.results = None
        dashboard.refresh_data()
        assert waiting._waiting == "analysing…" and waiting.row_count == 0
        app.post_message(AnalysisProgress("checking sharing against the policy", 3, 4))
        await pilot.pause()
        assert waiting._waiting == "analysing: checking sharing against the policy (4 of 4)…"
        assert "analysing: checking sharing" in screen_text(app)

    run_app(app, scenario, size=(100, 30))


def test_the_plan_screen_says_which_stage_the_plan_is_at(sample_db: str) -> None:
    app = PsninvApp(open_store(sample_db, read_only=True))

    async def scenario(pilot: Any) -> None:
        screen = await planned(pilot)
        summary = screen.query_one("#plan-summary", Static)
        made = str(summary.render())
        assert "ticked" in made
        screen.post_message(PlanProgress("proving remedies", 1, 5))  # late: the plan is made
        await pilot.pause()
        assert str(summary.render()) == made
        screen.plan = None  # as while the worker still plans
        screen.post_message(PlanProgress("proving remedies", 1, 5))
        await pilot.pause()
        assert str(summary.render()) == "making the plan: proving remedies (2 of 5)…"

    run_app(app, scenario, size=(100, 30))
