"""A large inventory's analysis starts in its own process while the TUI is still reading the inventory."""

from __future__ import annotations

import asyncio
from pathlib import Path

from builders import run_cli
from conftest import Databases

from psninv import open_store, sample_path
from psninv.analysis import analyse
from psninv.session.runner import SESSION_OPTIONS, AnalysisRunner
from psninv.session.snapshot import load_snapshot
from psninv.store.fingerprint import fingerprint, rows_in
from psninv.tui.app import PsninvApp


def _imported(databases: Databases) -> str:
    db = databases.new()
    assert run_cli("import", str(sample_path()), "--db", db).exit_code == 0
    return db


def test_a_fingerprint_counts_the_sites_and_circuits(databases: Databases) -> None:
    with open_store(_imported(databases), read_only=True) as store:
        inventory = store.load()
        assert rows_in(fingerprint(store)) == len(inventory.sites) + len(inventory.links) == 200 + 277


def test_run_waits_for_the_prestarted_child_instead_of_starting_one(
    cache_folder: Path, databases: Databases
) -> None:
    with open_store(_imported(databases), read_only=True) as store:
        runner = AnalysisRunner(store, process_rows=0)  # the child-process path, as for 100k sites
        stamp = fingerprint(store)
        assert runner.prestart(stamp)
        snapshot = load_snapshot(store, stamp)
        stages: list[str] = []
        results = runner.run(snapshot, progress=lambda stage, done, total: stages.append(stage))
        direct = analyse(store.load(), **SESSION_OPTIONS)
        assert runner.started == 1 and runner.running == 0
        assert [f.id for f in results.findings] == [f.id for f in direct.findings]
        assert "finding redundancy gaps" in stages  # the early child's stages reach whoever waits
        # Kept now: opening it again starts nothing.
        assert not runner.prestart(stamp)
        assert runner.run(load_snapshot(store, stamp)).findings
        assert runner.started == 1


def test_a_small_inventory_or_one_in_memory_is_not_prestarted(
    databases: Databases, cache_folder: Path
) -> None:
    with open_store(_imported(databases), read_only=True) as store:
        assert not AnalysisRunner(store).prestart(fingerprint(store))  # 477 rows: analysed in a thread
    with open_store("sqlite://") as store:
        assert not AnalysisRunner(store, process_rows=0).prestart(fingerprint(store))


def test_an_inventory_changed_after_the_prestart_is_analysed_afresh(
    cache_folder: Path, databases: Databases, tmp_path: Path
) -> None:
    db = _imported(databases)
    with open_store(db, read_only=True) as store:
        runner = AnalysisRunner(store, process_rows=0)
        assert runner.prestart(fingerprint(store))
        # Meanwhile another engineer imports a new site: the early child's inventory is out of date.
        extra = tmp_path / "sites.csv"
        extra.write_text("code,name,tenant,role\nNEW-001,New Library,SCC,access\n", encoding="utf-8")
        assert run_cli("import", str(extra), "--db", db).exit_code == 0
        snapshot = load_snapshot(store)
        results = runner.run(snapshot)
        assert runner.started == 2 and runner.running == 0
        assert "NEW-001" in snapshot.sites
        assert any("NEW-001" in f.sites for f in results.findings)  # an isolated new site


def test_the_dashboard_shows_the_analysis_of_the_child_started_before_it_read_the_inventory(
    cache_folder: Path, databases: Databases
) -> None:
    with open_store(_imported(databases), read_only=True) as store:
        app = PsninvApp(store)
        app.analyser = AnalysisRunner(store, process_rows=0)

        async def shown() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                for _ in range(1200):
                    if app.results is not None or app.analysis_error is not None:
                        break
                    await asyncio.sleep(0.05)
                await pilot.pause()
                assert app.analysis_error is None and app.results is not None
                assert len(app.results.findings) == 381
                assert app.analyser.started == 1

        asyncio.run(shown())
