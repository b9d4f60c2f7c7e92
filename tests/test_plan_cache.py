"""Plans kept between runs: read back only for the same inventory and options; one serves CLI, report, TUI."""

from __future__ import annotations

import json
import pickle
import stat
from pathlib import Path
from typing import Any

import pytest
from builders import run_cli as run
from conftest import Databases
from test_tui_plan import planned
from test_tui_support import run_app

from psninv import open_store, sample_path
from psninv.analysis import analyse
from psninv.analysis.plan import make_plan
from psninv.inventory import Inventory
from psninv.report import build_report
from psninv.session.kept_plan import KeptPlan, plan_store
from psninv.store.fingerprint import fingerprint
from psninv.style import money, plural, signed_money
from psninv.tui.app import PsninvApp

READ_BACK = "Read from the cache"


@pytest.fixture
def db(databases: Databases) -> str:
    """A sample inventory of the test's own (tests write to it)."""
    db = databases.new()
    assert run("import", str(sample_path()), "--db", db).exit_code == 0
    return db


def test_a_kept_plan_restores_the_plan_it_was_made_as(sample: Inventory) -> None:
    plan = make_plan(sample)
    kept = KeptPlan.of(plan, sample)
    assert kept is not None
    # Only the circuits the plan adds or changes are kept, not a second copy of the inventory.
    assert 0 < len(kept.links) < len(sample.links) and not kept.plan.after.sites
    again = pickle.loads(pickle.dumps(kept)).restore(sample)
    assert list(again.after.links.items()) == list(plan.after.links.items())
    assert again.after.sites is sample.sites
    assert again.to_dict() == plan.to_dict()
    # An after-state built on another copy of the inventory is not kept: it could not be rebuilt.
    other = Inventory(sites=dict(sample.sites), links=dict(sample.links), tenants=sample.tenants)
    assert KeptPlan.of(plan, other) is None


def test_plan_reads_back_an_unchanged_inventorys_plan_and_replans_after_an_edit(
    cache_folder: Path, db: str, tmp_path: Path
) -> None:
    first = run("plan", "--format", "json", "--db", db)
    assert first.exit_code == 0
    kept = list(cache_folder.glob("*.plan"))
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    table = run("plan", "--db", db)
    assert READ_BACK in table.stderr and "£32,300 a year saved by sharing" in table.stdout
    again = run("plan", "--format", "json", "--db", db)
    assert again.stdout == first.stdout

    edit = tmp_path / "links.csv"
    edit.write_text("circuit_id,a_site,b_site,bandwidth_mbps\nNEW-1,SML-HUB,STA-DC,1000\n", encoding="utf-8")
    assert run("import", str(edit), "--db", db).exit_code == 0
    after = run("plan", "--db", db)
    assert after.exit_code == 0 and READ_BACK not in after.stderr
    assert len(list(cache_folder.glob("*.plan"))) == 2


def test_a_tenants_plan_is_the_kept_whole_plan_as_it_sees_it(cache_folder: Path, db: str) -> None:
    assert run("plan", "--format", "json", "--db", db).exit_code == 0
    mine = run("plan", "--tenant", "POL", "--db", db)
    assert READ_BACK in mine.stderr
    kept = json.loads(run("plan", "--tenant", "POL", "--format", "json", "--db", db).stdout)
    with open_store(db) as store:
        fresh = make_plan(store.load(), tenant="POL").to_dict()
    assert kept == fresh and kept["tenant"] == "POL"
    assert len(list(cache_folder.glob("*.plan"))) == 1  # one whole plan serves every tenant


def test_other_options_and_no_cache_never_read_another_runs_plan(cache_folder: Path, db: str) -> None:
    assert run("plan", "--db", db).exit_code == 0
    for args in (["--no-sharing"], ["--budget", "50000"], ["--no-cache"]):
        result = run("plan", *args, "--db", db)
        assert result.exit_code == 0 and READ_BACK not in result.stderr, args
    # --no-cache neither reads nor keeps; the cache holds two plans at most.
    assert len(list(cache_folder.glob("*.plan"))) == 2
    bogus = run("plan", "--tenant", "NOPE", "--db", db)
    assert bogus.exit_code == 2 and "NOPE" in bogus.stderr


def test_the_plan_and_analyse_share_the_analysis_of_the_network_as_it_is(cache_folder: Path, db: str) -> None:
    assert run("plan", "--db", db).exit_code == 0
    # The plan analysed the network as `psninv analyse` does, and kept that too.
    assert READ_BACK in run("analyse", "--db", db).stderr
    with open_store(db) as store:
        inventory = store.load()
        made = plan_store(store, inventory, stamp=fingerprint(store))
    assert made.from_cache
    assert made.plan.before_analysis.findings == analyse(inventory, remedies=True).findings


def test_reports_with_the_plan_share_one_kept_plan(cache_folder: Path, db: str, tmp_path: Path) -> None:
    whole = run("report", str(tmp_path / "all.html"), "--db", db)
    assert whole.exit_code == 0 and len(list(cache_folder.glob("*.plan"))) == 1
    partner = run("report", str(tmp_path / "pol.html"), "--tenant", "POL", "--db", db)
    assert partner.exit_code == 0 and READ_BACK in partner.stderr
    with open_store(db) as store:
        fresh = build_report(store.load(), tenant="POL").plan
    assert fresh is not None and fresh.changes > 0
    said = (
        f"the plan: {plural(fresh.changes, 'change')}, {money(fresh.savings_gbp)} a year saved by sharing, "
        f"net {signed_money(-fresh.net_gbp)} a year"
    )
    assert said in " ".join(partner.stderr.split())


def test_the_tui_plan_screen_keeps_the_plan_the_cli_reads(cache_folder: Path, db: str) -> None:
    store = open_store(db)

    async def scenario(pilot: Any) -> None:
        screen = await planned(pilot)
        assert screen.plan is not None and len(screen.plan.changes) > 50

    run_app(PsninvApp(store), scenario)
    store.close()
    assert len(list(cache_folder.glob("*.plan"))) == 1
    again = run("plan", "--db", db)
    assert READ_BACK in again.stderr and "5 critical gaps closed" in again.stdout


def test_the_kept_plan_names_the_kept_analysis_and_replans_without_it(cache_folder: Path, db: str) -> None:
    assert run("plan", "--db", db).exit_code == 0
    (kept_file,) = cache_folder.glob("*.plan")
    with kept_file.open("rb") as stream:
        kept = pickle.load(stream)  # noqa: S301 - the test's own cache
    # The analysis before is kept once, as the analysis `psninv analyse` reads back.
    assert kept.before is not None and not kept.plan.before_analysis.findings
    assert (cache_folder / f"{kept.before}.analysis").is_file()
    for path in cache_folder.glob("*.analysis"):
        path.unlink()
    again = run("plan", "--db", db)
    assert again.exit_code == 0 and READ_BACK not in again.stderr
    assert "5 critical gaps closed" in again.stdout
