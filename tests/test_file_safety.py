"""Files and databases are changed only on purpose: exports keep what exists, readers never write."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import digest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from psninv.cli.app import get_cli
from psninv.inventory import Inventory
from psninv.io.atomic import remove_stale_parts
from psninv.io.export import export_inventory
from psninv.store import Store, open_store

TESTS = Path(__file__).resolve().parent
OLD_SCHEMA = TESTS / "data" / "upgrade" / "schema-0001.db"


def invoke(*args: str) -> object:
    return CliRunner().invoke(get_cli(), list(args))


def fingerprint(path: Path) -> dict[str, str]:
    """Every file under path (or path itself) with the hash of its bytes."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p.relative_to(path.parent)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def dead_pid() -> int:
    """The process id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def filled(store: Store) -> Store:
    result = invoke("import", str(TESTS.parent / "inventory" / "staffordshire.xlsx"), "--db", store.url)
    assert result.exit_code == 0, result.output
    return store


@pytest.mark.parametrize("name", ["out.xlsx", "out.graphml", "out.geojson", "folder"])
def test_export_refuses_an_existing_target_without_force(filled: Store, tmp_path: Path, name: str) -> None:
    target = tmp_path / "exports" / name
    first = invoke("export", str(target), "--db", filled.url)
    assert first.exit_code == 0, first.output
    before = fingerprint(target)

    again = invoke("export", str(target), "--db", filled.url, "--tenant", "NHS-MPFT")
    assert again.exit_code == 1
    said = " ".join(again.output.split())
    assert said == f"psninv: {target} already exists: nothing was written (--force replaces it)"
    assert fingerprint(target) == before

    forced = invoke("export", str(target), "--db", filled.url, "--tenant", "NHS-MPFT", "--force")
    assert forced.exit_code == 0, forced.output
    assert fingerprint(target) != before
    assert sorted(p.name for p in target.parent.iterdir()) == [name]  # no temporary file or folder left


def test_an_empty_folder_takes_a_csv_export_without_force(filled: Store, tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert invoke("export", str(target), "--db", filled.url).exit_code == 0
    written = sorted(p.name for p in target.iterdir())
    assert written == ["links.csv", "prefixes.csv", "sites.csv", "tenants.csv"]


def test_a_failed_csv_export_leaves_the_old_folder_whole_and_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "export"
    good = Inventory(tenants={"T1": {"code": "T1", "name": "Council"}})
    export_inventory(good, target)
    before = fingerprint(target)
    # A lone surrogate cannot be written as UTF-8: the write fails after tenants.csv was begun.
    bad = Inventory(
        tenants={"T1": {"code": "T1", "name": "Council"}},
        sites={"S1": {"code": "S1", "name": "broken \ud800 name"}},
    )
    with pytest.raises(UnicodeEncodeError):
        export_inventory(bad, target, overwrite=True)
    assert fingerprint(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


@pytest.mark.sqlite_only
def test_backup_refuses_a_symbolic_link_and_writes_nothing_through_it(filled: Store, tmp_path: Path) -> None:
    elsewhere = tmp_path / "someone-elses.txt"
    elsewhere.write_text("keep me")
    link = tmp_path / "link-to-it.db"
    link.symlink_to(elsewhere)

    result = invoke("backup", str(link), "--db", filled.url, "--force")

    assert result.exit_code == 1
    assert "symbolic link" in result.output
    assert elsewhere.read_text() == "keep me"
    assert link.is_symlink()


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    pid = dead_pid()
    leftover_file = tmp_path / f".out.xlsx.{pid}.x1y2.part"
    leftover_file.write_bytes(b"half a workbook")
    leftover_folder = tmp_path / f".out.xlsx.{pid}.z3.part"
    leftover_folder.mkdir()
    (leftover_folder / "sites.csv").write_text("code\n")
    live = tmp_path / f".out.xlsx.{os.getppid()}.w4.part"  # a writer still running: left alone
    live.write_bytes(b"in progress")
    unrelated = tmp_path / ".other.xlsx.1.part"
    unrelated.write_bytes(b"not ours")

    export_inventory(Inventory(), target)

    assert target.is_file()
    assert not leftover_file.exists() and not leftover_folder.exists()
    assert live.exists() and unrelated.exists()
    assert remove_stale_parts(target) == []


@pytest.mark.sqlite_only
def test_a_killed_backup_leaves_no_part_file_after_the_next_backup(filled: Store, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    code = (
        "import os, sys; from psninv.store.backup import backup; from psninv.io import atomic\n"
        "def die(*a): os.kill(os.getpid(), 9)\n"
        "atomic.os.replace = die\n"
        "backup(sys.argv[1], sys.argv[2])"
    )
    killed = subprocess.run([sys.executable, "-c", code, filled.url, str(target)], check=False)
    assert killed.returncode == -9
    parts = list(target.parent.glob(".copy.db.*.part"))
    assert len(parts) == 1 and parts[0].stat().st_size > 0  # the full copy a kill leaves behind

    result = invoke("backup", str(target), "--db", filled.url)

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.db"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "command", [["sites"], ["history"], ["analyse", "--only", "redundancy"], ["export", "x.xlsx"]]
)
def test_readers_never_upgrade_or_change_an_old_inventory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(OLD_SCHEMA, old)
    monkeypatch.chdir(tmp_path)

    result = invoke(*command, "--db", str(old))

    assert old.read_bytes() == OLD_SCHEMA.read_bytes()
    assert sorted(p.name for p in tmp_path.glob("old.db*")) == ["old.db"]  # no -wal, no -journal
    if result.exit_code != 0:
        # What a reader cannot read in the older schema is one line that says how to upgrade.
        assert result.exit_code == 1
        assert result.output.count("\n") == 1
        assert "run `psninv init` on it to upgrade it" in result.output
    assert command != ["history"] or result.exit_code == 1  # the change log gained columns since 0001


def test_a_read_only_store_is_refused_writes_by_the_database_itself(store: Store) -> None:
    before = digest(store)
    with open_store(store.url, read_only=True) as reader:
        assert reader.read_only
        # Past psninv's own check: straight to the database through the reader's engine.
        with pytest.raises(DBAPIError, match="(?i)read-?only"), reader.engine.begin() as conn:
            conn.execute(text("CREATE TABLE intruder (a integer)"))
        with reader.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM tenant")).scalar() == 0
    assert digest(store) == before
