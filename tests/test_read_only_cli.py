"""--read-only on the command line: every write command refuses in one line and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import write_rows
from click.testing import CliRunner
from digest import contents_digest as store_digest

from psninv.cli.app import get_cli
from psninv.store import Store, open_store

TESTS = Path(__file__).resolve().parent
SAMPLE = TESTS.parent / "inventory" / "staffordshire.xlsx"
OLD_BACKUP = TESTS / "data" / "upgrade" / "schema-0001.db"


def contents_digest(db: str) -> str:
    with open_store(db, read_only=True) as store:
        return store_digest(store)


@pytest.fixture
def filled(store: Store, db: str) -> str:
    write_rows(store, tenants=[{"code": "SCC", "name": "County"}],
               sites=[{"code": "HUB", "name": "Hub", "tenant": "SCC"}])
    store.close()
    return db


def invoke(*args: str):
    return CliRunner().invoke(get_cli(), list(args))


def refuses(db: str, *args: str) -> None:
    before = contents_digest(db)
    result = invoke(*args, "--db", db, "--read-only")
    assert result.exit_code == 1, result.output
    assert "read-only" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert contents_digest(db) == before


@pytest.mark.parametrize(
    "args",
    [
        ("init",),
        ("import", str(SAMPLE)),
        ("import", "--kind", "tenants", "TENANTS_CSV"),
        ("restore", str(OLD_BACKUP)),
        ("restore", "--force", str(OLD_BACKUP)),
        ("revert", "1"),
        ("revert", "--batch", "b1"),
    ],
    ids=["init", "import-xlsx", "import-csv", "restore", "restore-force", "revert", "revert-batch"],
)
def test_every_write_command_refuses_and_writes_nothing(
    filled: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    csv_file = tmp_path / "tenants.csv"
    csv_file.write_text("code,name\nFIRE,Fire\n", encoding="utf-8")
    refuses(filled, *(str(csv_file) if arg == "TENANTS_CSV" else arg for arg in args))


def test_the_write_commands_are_all_covered() -> None:
    # A new command that writes must be added above: this lists the commands that may write.
    readers = {"sites", "links", "tenants", "prefixes", "analyse", "export", "backup", "history", "diagram"}
    readers |= {"plan", "report"}
    readers |= {"tui", "serve"}
    no_database_option = {"template", "demo"}
    writers = {"init", "import", "restore", "revert"}
    assert set(get_cli().commands) == readers | no_database_option | writers


def test_a_dry_run_import_is_allowed_read_only_and_writes_nothing(filled: str, tmp_path: Path) -> None:
    before = contents_digest(filled)
    csv_file = tmp_path / "tenants.csv"
    csv_file.write_text("code,name\nFIRE,Fire\n", encoding="utf-8")

    result = invoke("import", str(csv_file), "--dry-run", "--db", filled, "--read-only")

    assert result.exit_code == 0, result.output
    assert contents_digest(filled) == before


@pytest.mark.parametrize(
    "args",
    [("sites",), ("links", "--format", "json"), ("tenants",), ("prefixes", "--format", "csv"),
     ("analyse", "--format", "json"), ("export", "OUT.xlsx"), ("diagram", "OUT.svg"),
     ("plan", "-o", "OUT.xlsx"), ("analyse", "--scenario", str(SAMPLE), "--format", "json"),
     ("report", "OUT.html"), ("export", "OUT.netbox", "--netbox")],
)
def test_reading_commands_work_read_only_and_write_nothing(
    filled: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    before = contents_digest(filled)
    args = tuple(str(tmp_path / arg.lower()) if arg.startswith("OUT.") else arg for arg in args)

    result = invoke(*args, "--db", filled, "--read-only")

    assert result.exit_code == 0, result.output
    assert contents_digest(filled) == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", ["init", "import", "restore", "sites", "backup"])
def test_read_only_never_creates_a_database(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "missing.db"
    extra = {"import": [str(SAMPLE)], "restore": [str(OLD_BACKUP)], "backup": [str(tmp_path / "b.db")]}

    result = invoke(command, *extra.get(command, []), "--db", str(missing), "--read-only")

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not missing.exists()


@pytest.mark.sqlite_only
def test_reading_an_old_file_read_only_leaves_its_bytes_alone(tmp_path: Path) -> None:
    # The 0001 fixture is in rollback-journal mode: a writable open would switch it to WAL.
    old = tmp_path / "old.db"
    old.write_bytes(OLD_BACKUP.read_bytes())

    result = invoke("sites", "--db", str(old), "--read-only", "--format", "json")

    assert result.exit_code == 0, result.output
    assert "NUL-HUB" in result.output
    assert old.read_bytes() == OLD_BACKUP.read_bytes()
    assert not (tmp_path / "old.db-wal").exists()
