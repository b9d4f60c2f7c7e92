"""`psninv analyse` as a table: the worst of each kind and a count of the rest; --all lists every finding."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import Databases

from psninv import sample_path
from psninv.cli.analyse_cmd import WORST_OF_EACH_KIND
from psninv.cli.app import get_cli


def run(*args: str):
    return CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_db(databases: Databases) -> str:
    db = databases.new()
    assert run("import", str(sample_path()), "--db", db).exit_code == 0
    return db


def test_the_table_shows_the_worst_of_each_kind_and_counts_the_rest(sample_db: str) -> None:
    every = json.loads(run("analyse", "--db", sample_db, "--format", "json").stdout)["findings"]
    kinds = Counter(f["kind"] for f in every)
    table = run("analyse", "--db", sample_db).stdout
    for kind, count in kinds.items():
        if count > WORST_OF_EACH_KIND:
            assert f"… and {count - WORST_OF_EACH_KIND:,} more {kind}" in table
        else:
            assert f"more {kind}\n" not in table
    assert "--all lists every finding" in table
    assert len(table.splitlines()) < len(every)  # 381 findings, not 381 rows
    # The worst finding of all is in the short table.
    assert every[0]["title"][:40] in table


def test_all_lists_every_finding(sample_db: str) -> None:
    every = json.loads(run("analyse", "--db", sample_db, "--format", "json", "--all").stdout)["findings"]
    table = run("analyse", "--db", sample_db, "--all").stdout
    assert "… and" not in table and "--all lists" not in table
    bridges = [f for f in every if f["kind"] == "bridge"]
    assert len(bridges) > WORST_OF_EACH_KIND
    shown = table.count("bridge  ")
    assert shown >= len(bridges)
