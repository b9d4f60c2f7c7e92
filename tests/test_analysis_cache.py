"""Analyses kept between runs: read back only for the same inventory, options and code; never stale."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Databases

from psninv import open_store, sample_path
from psninv.analysis import Policy, analyse
from psninv.cli.app import get_cli
from psninv.session import cache
from psninv.session.cache import analyse_store, analysis_key, analysis_options, load_cached
from psninv.session.runner import SESSION_OPTIONS, AnalysisRunner
from psninv.session.snapshot import load_snapshot

READ_BACK = "Read from the cache"


def run(*args: str):
    return CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)


@pytest.fixture
def sample_db(databases: Databases) -> str:
    db = databases.new()
    assert run("import", str(sample_path()), "--db", db).exit_code == 0
    return db


def test_analyse_reads_back_an_unchanged_inventorys_analysis_and_reruns_after_an_edit(
    cache_folder: Path, sample_db: str, tmp_path: Path
) -> None:
    first = run("analyse", "--format", "json", "--db", sample_db)
    assert first.exit_code == 0 and READ_BACK not in first.stderr
    kept = list(cache_folder.glob("*.analysis"))
    assert len(kept) == 1
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_folder.stat().st_mode) == 0o700
    table = run("analyse", "--db", sample_db)
    assert READ_BACK in table.stderr
    again = run("analyse", "--format", "json", "--db", sample_db)
    assert again.stdout == first.stdout

    # A new circuit: the kept analysis is not this inventory's any more.
    edit = tmp_path / "links.csv"
    edit.write_text("circuit_id,a_site,b_site,bandwidth_mbps\nNEW-1,SML-HUB,STA-DC,1000\n", encoding="utf-8")
    assert run("import", str(edit), "--db", sample_db).exit_code == 0
    after = run("analyse", "--format", "json", "--db", sample_db)
    assert READ_BACK not in after.stderr
    links = [json.loads(out.stdout)["summary"]["sharing"]["active_links"] for out in (first, after)]
    assert links[1] == links[0] + 1


def test_options_what_ifs_and_no_cache_are_never_answered_from_another_run(
    cache_folder: Path, sample_db: str
) -> None:
    assert run("analyse", "--db", sample_db).exit_code == 0
    for args in (
        ["--only", "redundancy"],
        ["--no-remedies"],
        ["--all"],
        ["--no-cache"],
        ["--fail", "SML-HUB"],
    ):
        result = run("analyse", *args, "--db", sample_db)
        assert result.exit_code == 0 and READ_BACK not in result.stderr, args
    assert len(list(cache_folder.glob("*.analysis"))) == 4  # default, --only, --no-remedies, --all


def test_keys_follow_the_fingerprint_the_options_and_the_database() -> None:
    options = analysis_options(remedies=True)
    key = analysis_key("sqlite:///a.db", (1, 2), options)
    assert key == analysis_key("sqlite:///a.db", (1, 2), analysis_options(remedies=True))
    assert key != analysis_key("sqlite:///a.db", (1, 3), options)
    assert key != analysis_key("sqlite:///b.db", (1, 2), options)
    assert key != analysis_key(
        "sqlite:///a.db", (1, 2), analysis_options(remedies=True, policy=Policy(many_sites=5))
    )
    with pytest.raises(TypeError, match="not an option"):
        analysis_options(colour="red")


def test_a_damaged_entry_is_a_miss_and_off_keeps_nothing(
    cache_folder: Path, sample_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(sample_db, read_only=True) as store:
        first = analyse_store(store, SESSION_OPTIONS, lambda work: analyse(work, **SESSION_OPTIONS))
        (entry,) = cache_folder.glob("*.analysis")
        entry.write_bytes(b"not an analysis")
        second = analyse_store(store, SESSION_OPTIONS, lambda work: analyse(work, **SESSION_OPTIONS))
        assert not first.from_cache and not second.from_cache
        assert [f.id for f in first.analysis.findings] == [f.id for f in second.analysis.findings]
        assert load_cached(entry.stem) is not None  # written again, whole
        monkeypatch.setenv(cache.CACHE_ENV, "off")
        assert load_cached(entry.stem) is None


def test_the_tui_runner_shows_a_kept_analysis_without_a_child_process(
    cache_folder: Path, sample_db: str
) -> None:
    with open_store(sample_db, read_only=True) as store:
        kept = analyse_store(store, SESSION_OPTIONS, lambda work: analyse(work, **SESSION_OPTIONS))
        runner = AnalysisRunner(store, process_rows=0)  # the child-process path, as for 100k sites
        snapshot = load_snapshot(store)
        assert runner.uses_process(snapshot)
        results = runner.run(snapshot, cancelled=lambda: True)  # a child would be cancelled at once
    assert [f.id for f in results.findings] == [f.id for f in kept.analysis.findings]
    assert runner.running == 0


@pytest.mark.parametrize("kept", [True, False])
def test_the_tui_runners_child_process_hands_over_its_analysis_kept_or_sent(
    cache_folder: Path, sample_db: str, monkeypatch: pytest.MonkeyPatch, kept: bool
) -> None:
    if not kept:
        monkeypatch.setattr(cache, "MIN_SECONDS", 3600.0)  # nothing is worth keeping: it comes by pipe
    with open_store(sample_db, read_only=True) as store:
        runner = AnalysisRunner(store, process_rows=0)
        snapshot = load_snapshot(store)
        results = runner.run(snapshot)
        direct = analyse(store.load(), **SESSION_OPTIONS)
    assert [f.id for f in results.findings] == [f.id for f in direct.findings]
    assert len(list(cache_folder.glob("*.analysis"))) == (1 if kept else 0)
    assert runner.running == 0


def test_a_cache_folder_that_cannot_be_used_is_no_cache(
    tmp_path: Path, sample_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocked / "cache"))
    monkeypatch.setattr(cache, "MIN_SECONDS", 0.0)
    first = run("analyse", "--db", sample_db)
    again = run("analyse", "--db", sample_db)
    assert first.exit_code == again.exit_code == 0
    assert READ_BACK not in again.stderr and blocked.read_text(encoding="utf-8") == "not a folder"


def test_a_kept_analysis_reads_back_equal_field_for_field(sample_db: str) -> None:
    import pickle

    with open_store(sample_db, read_only=True) as store:
        analysis = analyse(store.load(), remedies=True)
    again = pickle.loads(pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert again.findings == analysis.findings and again.redundancy == analysis.redundancy
    assert any(f.proposed_links for f in again.findings) and any(f.breaks_policy for f in again.findings)
    assert [type(f.kind) for f in again.findings[:3]] == [type(f.kind) for f in analysis.findings[:3]]
