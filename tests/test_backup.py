"""Backup and restore: online copies while another process writes, refusals, and restores that upgrade."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from builders import write_rows
from click.testing import CliRunner

from psninv.cli.app import get_cli
from psninv.store import open_store
from psninv.store.backup import REQUIRED_TABLES
from psninv.store.migrate import head_revision

pytestmark = pytest.mark.sqlite_only
FIXTURE_0001 = Path(__file__).resolve().parent / "data" / "upgrade" / "schema-0001.db"

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sqlalchemy import insert
    from psninv.model import Tenant
    from psninv.store import open_store
    from psninv.store.writes import ChangeRecord

    store = open_store(sys.argv[1], actor="writer")
    stop = Path(sys.argv[2])
    n = 0
    while not stop.exists():
        with store.write() as conn:
            conn.execute(insert(Tenant.__table__), [{"code": f"W{n:06d}", "name": "x" * 200}])
            store.log(conn, [ChangeRecord("create", "tenants", f"W{n:06d}", None, {"code": f"W{n:06d}"})])
        n += 1
        if n == 1:
            print("started", flush=True)
    print(n, flush=True)
    """
)


def run(*args: str):
    return CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def small_inventory(path: Path, codes: tuple[str, ...] = ("SCC", "NHS")) -> Path:
    store = open_store(path, actor="tester")
    write_rows(store, tenants=[{"code": code, "name": code} for code in codes],
               sites=[{"code": f"{codes[0]}-1", "tenant": codes[0]}])
    store.close()
    return path


def test_a_backup_while_another_process_writes_is_consistent_and_private(tmp_path: Path) -> None:
    db = small_inventory(tmp_path / "live.db")
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "started"
        copies = []
        for index in range(5):
            time.sleep(0.2)
            result = run("backup", "--db", str(db), str(tmp_path / f"copy{index}.db"))
            assert result.exit_code == 0, result.output
            copies.append(tmp_path / f"copy{index}.db")
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err[-2000:]
    written = int(out.split()[-1])

    seen = []
    for copy in copies:
        assert copy.stat().st_mode & 0o777 == 0o600
        assert not Path(f"{copy}-wal").exists()
        assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
        tenants = [c for (c,) in rows(copy, "SELECT code FROM tenant WHERE code GLOB 'W*' ORDER BY code")]
        logged = [key for (key,) in rows(copy, "SELECT key FROM change WHERE actor = 'writer' ORDER BY key")]
        # Whole transactions only: every tenant with its change row, numbered without a gap.
        assert tenants == logged == [f"W{n:06d}" for n in range(len(tenants))]
        assert {"SCC", "NHS"} <= {code for (code,) in rows(copy, "SELECT code FROM tenant")}
        seen.append(len(tenants))
    # The writer kept going during the backups, and the copies were taken at different moments.
    assert seen == sorted(seen) and seen[-1] > seen[0] > 0 and written >= seen[-1]


def test_backup_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    db = small_inventory(tmp_path / "live.db")
    target = tmp_path / "copy.db"
    target.write_text("keep me")

    refused = run("backup", "--db", str(db), str(target))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert refused.output.strip().count("\n") == 0
    assert target.read_text() == "keep me"

    forced = run("backup", "--db", str(db), str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert {code for (code,) in rows(target, "SELECT code FROM tenant")} == {"SCC", "NHS"}


def test_backup_of_a_missing_inventory_is_one_line(tmp_path: Path) -> None:
    result = run("backup", "--db", str(tmp_path / "none.db"), str(tmp_path / "copy.db"))
    assert result.exit_code == 1 and "psninv init" in result.output
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "none.db").exists()


def test_backup_on_postgresql_explains_pg_dump_without_the_password() -> None:
    result = run("backup", "--db", "postgresql+psycopg://eng:s3cret@db.example/psn", "x.db")
    assert result.exit_code != 0
    assert "pg_dump" in result.output and "pg_restore" in result.output
    assert "s3cret" not in result.output and "eng:***@db.example/psn" in result.output
    assert not Path("x.db").exists()


def test_restore_on_postgresql_explains_pg_restore(tmp_path: Path) -> None:
    saved = small_inventory(tmp_path / "saved.db")
    result = run("restore", "--db", "postgresql://eng:s3cret@db.example/psn", str(saved))
    assert result.exit_code != 0
    assert "pg_restore" in result.output and "s3cret" not in result.output


def test_restore_refuses_a_non_empty_inventory_without_force(tmp_path: Path) -> None:
    saved = small_inventory(tmp_path / "saved.db", ("OLD",))
    backup_file = tmp_path / "backup.db"
    assert run("backup", "--db", str(saved), str(backup_file)).exit_code == 0
    live = small_inventory(tmp_path / "live.db", ("NEW",))
    before = rows(live, "SELECT code FROM tenant")

    refused = run("restore", "--db", str(live), str(backup_file))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert refused.output.strip().count("\n") == 0
    assert rows(live, "SELECT code FROM tenant") == before

    forced = run("restore", "--db", str(live), str(backup_file), "--force")
    assert forced.exit_code == 0, forced.output
    assert open_store(live).load().tenants.keys() == {"OLD"}
    assert rows(live, "PRAGMA integrity_check") == [("ok",)]


def test_restore_into_an_empty_or_new_inventory_needs_no_force(tmp_path: Path) -> None:
    saved = small_inventory(tmp_path / "saved.db")
    backup_file = tmp_path / "backup.db"
    assert run("backup", "--db", str(saved), str(backup_file)).exit_code == 0
    empty = tmp_path / "empty.db"
    assert run("init", "--db", str(empty)).exit_code == 0
    fresh = tmp_path / "sub" / "fresh.db"

    for target in (empty, fresh):
        result = run("restore", "--db", str(target), str(backup_file))
        assert result.exit_code == 0, result.output
        assert set(open_store(target).load().tenants) == {"SCC", "NHS"}
    assert fresh.stat().st_mode & 0o777 == 0o600


def test_restore_upgrades_an_old_schema(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(FIXTURE_0001, old)
    target = tmp_path / "live.db"

    result = run("restore", "--db", str(target), str(old))

    assert result.exit_code == 0, result.output
    assert rows(target, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert len(open_store(target).load().sites) == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "lacks"),
        (b"this is not a database at all" * 100, "not a psninv inventory"),
        (b"SQLite format 3\x00" + os.urandom(4000), "not a psninv inventory"),
    ],
)
def test_restore_refuses_files_that_are_not_inventories(tmp_path: Path, content: bytes, message: str) -> None:
    live = small_inventory(tmp_path / "live.db")
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    before = live.read_bytes()

    result = run("restore", "--db", str(live), str(bad), "--force")

    assert result.exit_code == 1 and message in result.output, result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert live.read_bytes() == before


def test_restore_refuses_an_sqlite_file_of_another_program(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE site (code TEXT)")
        conn.execute("INSERT INTO site VALUES ('x')")
    target = tmp_path / "live.db"

    result = run("restore", "--db", str(target), str(other))

    assert result.exit_code == 1 and "not a psninv inventory" in result.output
    for table in sorted(REQUIRED_TABLES - {"site"})[:1]:
        assert table in result.output
    assert not target.exists() or target.stat().st_size == 0


def test_restore_with_read_only_refuses(tmp_path: Path) -> None:
    saved = small_inventory(tmp_path / "saved.db")
    result = run("restore", "--db", str(tmp_path / "live.db"), str(saved), "--read-only")
    assert result.exit_code == 1 and "read-only" in result.output
    assert not (tmp_path / "live.db").exists()


def test_restore_into_a_file_that_is_not_a_database_changes_nothing(tmp_path: Path) -> None:
    saved = small_inventory(tmp_path / "saved.db")
    target = tmp_path / "notes.db"
    target.write_text("an engineer's notes, not an inventory\n" * 50)
    before = target.read_bytes()

    refused = run("restore", "--db", str(target), str(saved))
    forced = run("restore", "--db", str(target), str(saved), "--force")

    assert refused.exit_code == forced.exit_code == 1, forced.output
    assert "Traceback" not in forced.output and len(forced.output.strip().splitlines()) == 1
    assert target.read_bytes() == before


def test_a_backup_goes_into_a_new_folder(tmp_path: Path) -> None:
    db = small_inventory(tmp_path / "live.db")
    result = run("backup", "--db", str(db), str(tmp_path / "nightly" / "monday.db"))
    assert result.exit_code == 0, result.output
    assert rows(tmp_path / "nightly" / "monday.db", "SELECT count(*) FROM tenant") == [(2,)]
