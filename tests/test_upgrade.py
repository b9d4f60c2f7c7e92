"""Upgrades: an inventory made by the first schema opens with today's code, its data and history intact."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from psninv.cli.app import get_cli
from psninv.io.importer import import_files
from psninv.model import Change, join_srlg, metadata, srlg_tags
from psninv.store import Store, open_store
from psninv.store.migrate import current_revision, head_revision

FIXTURE = Path(__file__).resolve().parent / "data" / "upgrade" / "schema-0001.db"
SAMPLE = Path(__file__).resolve().parent.parent / "inventory" / "staffordshire.xlsx"
CHANGE = Change.__table__


def schema_differences(engine: Engine) -> list:
    """What Alembic's autogenerate would change to make the database match the models."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


@pytest.fixture
def old_copy(tmp_path: Path) -> Path:
    """A copy of the fixture made by schema revision 0001, so the test never changes the original."""
    with closing(sqlite3.connect(FIXTURE)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    copy = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, copy)
    return copy


@pytest.fixture
def sample_store(store: Store) -> Store:
    """A fresh store (SQLite or PostgreSQL) with the sample imported by today's code."""
    report = import_files(store, [SAMPLE])
    assert report.ok, [str(issue) for issue in report.errors]
    return store


def change_rows(store: Store) -> list[dict]:
    with store.read() as conn:
        return [dict(row._mapping) for row in conn.execute(select(CHANGE).order_by(CHANGE.c.id))]


SIDES = ("before", "after")
LATER = {"sites": "status", "links": "circuit_type"}
"""Columns migration 0004 added after the fixture was written: compared without them."""


def _canonical(rows: dict, entity: str) -> dict:
    """Rows with any SRLG value in today's canonical form, without the columns added since."""
    return {key: _canonical_row(row, entity) for key, row in rows.items()}


def _canonical_row(row: dict, entity: str) -> dict:
    row = {name: value for name, value in row.items() if name != LATER.get(entity)}
    if row.get("srlg"):
        return {**row, "srlg": join_srlg(srlg_tags(row["srlg"]))}
    return row


def _json(text: str | None, entity: str) -> object:
    return None if text is None else _canonical_row(json.loads(text), entity)


@pytest.mark.sqlite_only
def test_the_first_schema_opens_with_its_data_and_history_intact(old_copy: Path, sample_store: Store) -> None:
    upgraded = open_store(old_copy, actor="someone-else")
    try:
        assert current_revision(upgraded.engine) == head_revision() != "0001"
        old, new = upgraded.load(), sample_store.load()
        assert old.counts() == {"tenants": 23, "sites": 200, "links": 277, "prefixes": 245}
        # The fixture was written before SRLG tags were stored in canonical form (issue 13): the
        # upgrade keeps its tags as they were, today's import of the same file canonicalises them.
        for entity, rows in old.entities():
            assert _canonical(rows, entity) == _canonical(dict(new.entities())[entity], entity), entity

        history = change_rows(upgraded)
        assert len(history) == 745
        assert {row["actor"] for row in history} == {"fixture"}
        assert {row["reverts"] for row in history} == {None}
        assert len({row["batch"] for row in history}) == 1
        # The same records as today's import of the same file logs, key by key.
        fresh = change_rows(sample_store)

        def logged(rows: list[dict]) -> list[tuple]:
            return sorted(
                (r["action"], r["entity"], r["key"], *(_json(r[side], r["entity"]) for side in SIDES))
                for r in rows
            )

        assert logged(history) == logged(fresh)
        assert schema_differences(upgraded.engine) == []
    finally:
        upgraded.close()


@pytest.mark.sqlite_only
def test_an_upgrade_that_rebuilds_tables_keeps_every_reference(old_copy: Path) -> None:
    # Migration 0003 rebuilds the tenant, site and link tables that other tables refer to (with
    # cascading deletes): foreign keys are off while it runs, checked before it commits, on after.
    with closing(sqlite3.connect(old_copy)) as conn:
        occupants = conn.execute("SELECT * FROM site_occupant ORDER BY site, tenant").fetchall()
    assert len(occupants) > 10
    with open_store(old_copy) as store, store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (
            conn.exec_driver_sql("SELECT * FROM site_occupant ORDER BY site, tenant").fetchall() == occupants
        )
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        tables = dict(
            conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        )
    # Choices are checked by comparisons: SQLite checks an IN list by building an index for every row.
    for name in ("tenant", "site", "link"):
        assert " IN (" not in tables[name]
    assert "CHECK (role IS NULL OR role = 'core' OR role = 'datacentre'" in tables["site"]


@pytest.mark.sqlite_only
def test_an_upgraded_inventory_takes_new_writes_and_logs_them(old_copy: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "tenants.csv"
    sheet.write_text("code,name,sector\nNEWT,New Tenant,health\n", encoding="utf-8")
    with open_store(old_copy, actor="after-upgrade") as store:
        assert import_files(store, [sheet]).ok
        with store.read() as conn:
            assert conn.execute(select(func.count()).select_from(CHANGE)).scalar_one() == 746
        assert store.load().tenants["NEWT"]["name"] == "New Tenant"


@pytest.mark.sqlite_only
def test_the_cli_reads_and_upgrades_the_first_schema(old_copy: Path) -> None:
    runner = CliRunner()

    read_only = runner.invoke(get_cli(), ["sites", "--db", str(old_copy), "--read-only", "--format", "json"])
    assert read_only.exit_code == 0, read_only.output
    assert len(json.loads(read_only.stdout)) == 200
    with closing(sqlite3.connect(old_copy)) as conn:  # read-only never upgrades
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]

    init = runner.invoke(get_cli(), ["init", "--db", str(old_copy)])
    assert init.exit_code == 0, init.output
    assert "200 sites" in init.output and "277 links" in init.output
    with closing(sqlite3.connect(old_copy)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert conn.execute("SELECT count(*), min(actor), max(actor) FROM change").fetchall() == [
            (745, "fixture", "fixture")
        ]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_fresh_database_matches_the_models(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()
    assert schema_differences(store.engine) == []
