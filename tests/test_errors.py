"""One exception tree: a PsninvError is one line (exit 1); anything else is an internal error (exit 70)."""

from __future__ import annotations

import ast
import inspect
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from builders import write_rows
from click.testing import CliRunner
from sqlalchemy.exc import DBAPIError, IntegrityError

from psninv import errors
from psninv.analysis.policy import Policy
from psninv.analysis.tariff import Tariff
from psninv.cli.app import EXIT_BROKEN_PIPE, EXIT_INTERNAL, PsninvGroup, get_cli
from psninv.errors import PsninvError
from psninv.model import ENTITY_TABLES
from psninv.sample import sample_path
from psninv.store import Store, open_store

TREE = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, PsninvError) and cls.__module__ == errors.__name__
]


def _drawn_tree() -> dict[str, str]:
    """Each class of the module docstring's drawing, mapped to the class it is drawn under."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        found = re.match(r"^(\s*)[*x+] (\w+)", line)
        if not found:
            continue
        depth, name = len(found.group(1)), found.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else "Exception"
        stack.append((depth, name))
    return parents


def test_the_docstring_draws_the_tree_as_it_is() -> None:
    drawn = _drawn_tree()
    assert set(drawn) == {cls.__name__ for cls in TREE}
    for cls in TREE:
        assert cls.__bases__[0].__name__ == drawn[cls.__name__], cls


def _instance(cls: type[PsninvError]) -> PsninvError:
    if cls is errors.ValidationError:
        return cls({"code": "is required", "role": "must be one of core, hub, access"})
    if cls is errors.ConflictError:
        return cls("site A was changed by someone else", {"name": "Other"}, None)
    if cls is errors.DatabaseAccessError:
        return cls("connection refused")
    return cls(f"a {cls.__name__} happened")


@pytest.mark.parametrize("cls", TREE, ids=lambda cls: cls.__name__)
def test_every_member_of_the_tree_is_one_line_and_exit_1(cls: type[PsninvError]) -> None:
    error = _instance(cls)

    @click.group(cls=PsninvGroup)
    def group() -> None:
        pass

    @group.command()
    def fail() -> None:
        raise error

    result = CliRunner().invoke(group, ["fail"])

    assert result.exit_code == 1
    assert result.output == f"psninv: {error}\n"
    assert "internal error" not in result.output


@pytest.fixture
def corrupted(tmp_path: Path) -> str:
    """A real inventory in which one stored bandwidth is text: no import allows it, SQLite stores it."""
    path = tmp_path / "corrupted.db"
    with open_store(path, actor="tester") as store:
        write_rows(
            store,
            sites=[{"code": "A", "name": "A"}, {"code": "B", "name": "B"}],
            links=[{"circuit_id": "C1", "a_site": "A", "b_site": "B", "bandwidth_mbps": 100.0}],
        )
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE link SET bandwidth_mbps = 'a lot' WHERE circuit_id = 'C1'")
    return str(path)


def test_a_bug_is_an_internal_error_not_the_users_fault(corrupted: str, monkeypatch) -> None:
    monkeypatch.delenv("PSNINV_DEBUG", raising=False)

    result = CliRunner().invoke(get_cli(), ["links", "--db", corrupted])

    # Before the error tree this ValueError read "psninv: could not convert ...", exit 1.
    assert result.exit_code == EXIT_INTERNAL
    assert result.output == (
        "psninv: internal error: ValueError: could not convert string to float: 'a lot' "
        "(PSNINV_DEBUG=1 shows the traceback)\n"
    )
    assert "Traceback" not in result.output


def test_psninv_debug_shows_the_bugs_traceback(corrupted: str, monkeypatch) -> None:
    monkeypatch.setenv("PSNINV_DEBUG", "1")

    result = CliRunner().invoke(get_cli(), ["links", "--db", corrupted])

    assert result.exit_code == EXIT_INTERNAL
    assert result.output.startswith("Traceback (most recent call last):\n")
    assert 'listing_cmds.py", line' in result.output and "in _number" in result.output
    assert result.output.endswith(
        "psninv: internal error: ValueError: could not convert string to float: 'a lot'\n"
    )


def test_a_schema_psninv_did_not_make_is_an_internal_error(tmp_path: Path) -> None:
    # A valid SQLite inventory at the current schema version whose link table someone altered:
    # SQLite answers psninv's query with SQLITE_ERROR, an OperationalError that is no user's to fix.
    path = tmp_path / "altered.db"
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE link RENAME COLUMN provider TO supplier")

    result = CliRunner().invoke(get_cli(), ["links", "--db", str(path)])

    assert result.exit_code == EXIT_INTERNAL
    assert result.output.startswith("psninv: internal error: OperationalError: ")
    assert "no such column" in result.output and "Traceback" not in result.output


def test_the_store_boundary_lets_psninv_bugs_through(store: Store) -> None:
    with pytest.raises(DBAPIError) as caught, store.read() as conn:
        conn.exec_driver_sql("SELECT no_such_column FROM tenant")
    assert not isinstance(caught.value, PsninvError)

    write_rows(store, tenants=[{"code": "T1", "name": "One"}])
    with pytest.raises(IntegrityError), store.write() as conn:
        conn.execute(ENTITY_TABLES["tenants"].insert().values(code="T1", name="Again", version=1))


def test_a_users_database_problem_is_one_line(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("these are my notes, not an inventory\n" * 100, encoding="utf-8")

    result = CliRunner().invoke(get_cli(), ["sites", "--db", str(not_a_database)])

    assert result.exit_code == 1
    assert result.output == "psninv: database error: file is not a database\n"


def test_an_output_file_that_cannot_be_written_names_the_file(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way", encoding="utf-8")
    target = blocker / "findings.xlsx"  # a folder that is a file: no permission trick needed as root
    db = str(tmp_path / "empty.db")
    CliRunner().invoke(get_cli(), ["init", "--db", db])

    for args in (["template", str(target)], ["export", str(target), "--db", db]):
        result = CliRunner().invoke(get_cli(), args)
        assert result.exit_code == 1, args
        reason = "part of its folder path is a file"
        assert result.output == f"psninv: {target}: cannot write it ({reason})\n", args


# --- a reader that stops reading ------------------------------------------------------------------


def _console_script() -> str:
    script = Path(sys.executable).with_name("psninv")
    if not script.exists():
        pytest.skip("the psninv console script is not installed beside this Python")
    return str(script)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("pipe") / "sample.db")
    result = CliRunner().invoke(get_cli(), ["import", str(sample_path()), "--db", db])
    assert result.exit_code == 0, result.output
    return db


COMMANDS = [
    ["sites"],
    ["links", "--format", "csv"],
    ["analyse"],
    ["analyse", "--format", "json"],
    ["history", "--limit", "1000"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reader_gone_before_the_output_ends_it_quietly(sample_db: str, args: list[str]) -> None:
    read_end, write_end = os.pipe()
    env = {**os.environ, "PSNINV_DB": sample_db}
    env.pop("PSNINV_DEBUG", None)
    command = subprocess.Popen(
        [_console_script(), *args], stdout=write_end, stderr=subprocess.PIPE, env=env
    )
    # Both ends closed here before psninv has even started: its first write meets no reader.
    os.close(write_end)
    os.close(read_end)
    _, stderr = command.communicate(timeout=120)

    assert stderr.decode() == ""
    assert command.returncode == EXIT_BROKEN_PIPE


@pytest.mark.parametrize("entity", ["sites", "links"])
def test_head_dash_1_ends_it_quietly(sample_db: str, entity: str) -> None:
    env = {**os.environ, "PSNINV_DB": sample_db}
    command = subprocess.Popen(
        [_console_script(), entity, "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert command.stdout is not None and command.stderr is not None
    first = command.stdout.readline()
    command.stdout.close()
    stderr = command.stderr.read()
    command.wait(timeout=120)

    assert first.startswith(b"code,") or first.startswith(b"circuit_id,")
    assert stderr.decode() == ""
    assert command.returncode in (0, EXIT_BROKEN_PIPE)


# --- one TOML loader for policy and tariff ------------------------------------------------------


@pytest.mark.parametrize(
    ("load", "error"),
    [(Policy.load, errors.PolicyError), (Tariff.load, errors.TariffError)],
    ids=["policy", "tariff"],
)
def test_policy_and_tariff_files_fail_alike_naming_file_and_line(tmp_path: Path, load, error) -> None:
    broken = tmp_path / "settings.toml"
    broken.write_text("# tuned for the county\n\nthreshold = \n", encoding="utf-8")
    with pytest.raises(error) as caught:
        load(broken)
    assert str(caught.value) == f"{broken}, line 3, column 13: not valid TOML: Invalid value"

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("# £ per year\n".encode("latin-1"))
    with pytest.raises(error, match=r"latin1\.toml: not valid TOML: the \w+ file is not UTF-8 text$"):
        load(latin1)

    with pytest.raises(error) as caught:
        load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path}: cannot read the ")
    assert str(caught.value).endswith(" file (it is a folder)")


def test_a_bad_policy_file_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.db")
    CliRunner().invoke(get_cli(), ["init", "--db", db])
    policy = tmp_path / "policy.toml"
    policy.write_text("[critical]\npaths = = 2\n", encoding="utf-8")

    result = CliRunner().invoke(get_cli(), ["analyse", "--db", db, "--policy", str(policy)])

    assert result.exit_code == 1
    assert result.output == f"psninv: {policy}, line 2, column 9: not valid TOML: Invalid value\n"


# --- one tree, kept one ---------------------------------------------------------------------------

PACKAGE = Path(errors.__file__).resolve().parent
# Exceptions that carry control flow inside one module and never reach a user.
CONTROL_FLOW = {("io/importer.py", "_Rollback"), ("session/runner.py", "AnalysisCancelled")}


def _exception_classes() -> set[tuple[str, str]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and (base.id.endswith(("Error", "Exception")))
                for base in node.bases
            ):
                found.add((path.relative_to(PACKAGE).as_posix(), node.name))
    return found


def test_every_exception_psninv_defines_is_in_the_tree() -> None:
    outside = {
        (where, name)
        for where, name in _exception_classes()
        if where not in ("errors.py", "cli/app.py") and (where, name) not in CONTROL_FLOW
    }
    assert outside == set()

