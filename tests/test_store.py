"""The store: SQLite settings on every connection, private files, foreign keys, upserts, migrations."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from builders import write_rows
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from psninv.model import ENTITY_TABLES, Change
from psninv.store import ReadOnlyError, open_store, resolve_url
from psninv.store.migrate import current_revision, head_revision
from psninv.store.writes import ChangeRecord, upsert


@pytest.mark.sqlite_only
def test_new_database_is_private_and_at_the_newest_schema(db_path: Path) -> None:
    store = open_store(db_path)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert current_revision(store.engine) == head_revision()
    store.close()


def test_an_opened_database_is_at_the_newest_schema(store) -> None:
    assert current_revision(store.engine) == head_revision()


@pytest.mark.sqlite_only
def test_every_connection_has_wal_foreign_keys_and_a_busy_timeout(store) -> None:
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(store) -> None:
    with pytest.raises(IntegrityError), store.write() as conn:
        upsert(conn, ENTITY_TABLES["links"], [{"circuit_id": "C1", "a_site": "NOPE", "b_site": "NADA"}])


@pytest.mark.parametrize(
    ("entity", "row", "column", "good", "bad"),
    [
        ("tenants", {"code": "T"}, "sector", "police", "polic"),
        ("sites", {"code": "S"}, "role", "hub", "Hub"),
        ("sites", {"code": "S"}, "criticality", "critical", "vital"),
        ("links", {"circuit_id": "L", "a_site": "S", "b_site": "S2"}, "medium", "wireless", "carrier pigeon"),
        ("links", {"circuit_id": "L", "a_site": "S", "b_site": "S2"}, "status", "ceased", ""),
    ],
)
def test_choice_columns_take_their_choices_or_blank_and_nothing_else(
    store, build, entity: str, row: dict, column: str, good: str, bad: str
) -> None:
    build(sites=[{"code": "S"}, {"code": "S2"}])
    table = ENTITY_TABLES[entity]
    with store.write() as conn:
        upsert(conn, table, [{**row, column: good}])
        upsert(conn, table, [{**row, column: None}])
    with pytest.raises(IntegrityError), store.write() as conn:
        upsert(conn, table, [{**row, column: bad}])


def test_codes_stay_text_and_upserts_update_only_the_columns_given(store, build) -> None:
    build(tenants=[{"code": "007", "name": "Bond Council", "sector": "local-government"}])
    with store.write() as conn:
        upsert(conn, ENTITY_TABLES["tenants"], [{"code": "007", "name": "Renamed"}])
    tenant = store.load().tenants["007"]
    assert tenant["name"] == "Renamed"
    assert tenant["sector"] == "local-government"
    assert tenant["version"] == 2


def test_occupants_and_srlg_round_trip(build) -> None:
    inventory = build(
        tenants=[{"code": "A"}, {"code": "B"}, {"code": "C"}],
        sites=[{"code": "S1", "tenant": "A", "occupants": ["C", "B"]}, {"code": "S2", "tenant": "B"}],
        links=[{"circuit_id": "L1", "a_site": "S1", "b_site": "S2", "srlg": "duct:x;exchange:y"}],
    )
    assert inventory.sites["S1"]["occupants"] == ["B", "C"]
    assert inventory.sites["S2"]["occupants"] == []
    assert inventory.links["L1"]["srlg"] == "duct:x;exchange:y"


def test_change_log_records_actor_and_before_after(store) -> None:
    with store.write() as conn:
        store.log(conn, [ChangeRecord("update", "tenants", "A", {"name": "x"}, {"name": "y"})])
    with store.read() as conn:
        row = conn.execute(select(Change.__table__)).mappings().one()
    assert (row["actor"], row["action"], row["entity"], row["key"]) == ("tester", "update", "tenants", "A")
    assert row["before"] == '{"name":"x"}' and row["after"] == '{"name":"y"}'


def test_read_only_store_refuses_writes(db: str) -> None:
    open_store(db).close()
    store = open_store(db, read_only=True)
    with pytest.raises(ReadOnlyError), store.write():
        pass
    store.close()


@pytest.mark.sqlite_only  # a missing file; test_postgres checks a database without an inventory
def test_opening_a_missing_database_read_only_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="psninv init"):
        open_store(tmp_path / "absent.db", read_only=True)
    assert not (tmp_path / "absent.db").exists()


def test_db_takes_a_path_a_url_or_the_environment(monkeypatch, tmp_path: Path) -> None:
    assert resolve_url(tmp_path / "a.db") == f"sqlite:///{tmp_path / 'a.db'}"
    # Users write libpq URLs; psninv picks its driver (psycopg 3) for them.
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    monkeypatch.setenv("PSNINV_DB", str(tmp_path / "env.db"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"


def test_an_empty_database_from_elsewhere_is_upgraded_without_losing_data(db: str) -> None:
    store = open_store(db, actor="t")
    write_rows(store, tenants=[{"code": "T1", "name": "Kept"}])
    store.close()
    # Opening again must find the schema current and leave the data alone.
    with open_store(db) as reopened:
        assert reopened.load().tenants["T1"]["name"] == "Kept"


def _writer(path: str, worker: int, count: int) -> None:
    store = open_store(path, actor=f"w{worker}")
    for i in range(count):
        with store.write() as conn:
            upsert(conn, ENTITY_TABLES["tenants"], [{"code": f"W{worker}-{i}", "name": "n"}])
    store.close()


def test_two_writers_queue_instead_of_failing(db: str) -> None:
    open_store(db).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(db, w, 100)) for w in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
    assert [p.exitcode for p in workers] == [0, 0]
    with open_store(db) as store:
        assert len(store.load().tenants) == 200
