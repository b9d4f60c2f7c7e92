"""The bulk write path: driver-level upserts and change-log rows store what SQLAlchemy would."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from sqlalchemy import insert, select

from psninv.model import ENTITY_TABLES, Change
from psninv.store.writes import ChangeRecord, _jsonable, change_json, log_changes, upsert, upsert_columns


@pytest.mark.parametrize(
    "value",
    [
        {"code": "Ä-007", "name": 'quote " and \\ and \n', "n": 3, "f": 0.1, "none": None, "flag": True},
        {"end": dt.date(2031, 3, 31), "at": dt.datetime(2026, 1, 2, 3, 4, 5, 6), "tags": ("b", "a")},
        {"occupants": ["NHS", "POL"], "set": {"y", "x"}, "big": 10**30, "neg": -2.5e-300},
        {"nan": math.nan, "inf": math.inf, "minus_inf": -math.inf, "emoji": "\U0001f600", "nul": "\x00"},
    ],
)
def test_change_log_json_is_what_json_dumps_writes(value) -> None:
    expected = json.dumps(value, default=_jsonable, ensure_ascii=False, separators=(",", ":"))
    assert change_json(value) == expected


def test_change_log_json_refuses_what_it_cannot_record() -> None:
    with pytest.raises(TypeError, match="cannot record"):
        change_json({"x": object()})


@pytest.mark.sqlite_only  # reads SQLite's storage classes
def test_bulk_upsert_stores_what_sqlalchemy_stores(store) -> None:
    # The same rows written once through SQLAlchemy's own executemany and once through the bulk
    # path must read back identically, column types (dates, ints in float columns) included.
    tenants = ENTITY_TABLES["tenants"]
    links = ENTITY_TABLES["links"]
    sites = ENTITY_TABLES["sites"]
    row = {
        "a_site": "S1",
        "b_site": "S2",
        "bandwidth_mbps": 100,  # an int in a float column
        "annual_cost_gbp": 1234.5,
        "contract_end": dt.date(2029, 3, 31),
        "tenant": "T",
        "srlg": "duct:x",
    }
    with store.write() as conn:
        upsert(conn, tenants, [{"code": "T"}])
        upsert(conn, sites, [{"code": "S1"}, {"code": "S2"}])
        conn.execute(insert(links), [{"circuit_id": "SQLA", "status": "active", "version": 1, **row}])
        names = ["circuit_id", *row]
        upsert_columns(conn, links, names, [["BULK"], *([value] for value in row.values())])
    with store.read() as conn:
        stored = {r.circuit_id: r._asdict() for r in conn.execute(select(links))}
        raw = {
            r[0]: r[1:]
            for r in conn.exec_driver_sql(
                "SELECT circuit_id, typeof(bandwidth_mbps), contract_end, status, version FROM link"
            )
        }
    assert {**stored["BULK"], "circuit_id": "SQLA"} == stored["SQLA"]
    assert raw["BULK"] == raw["SQLA"] == ("real", "2029-03-31", "active", 1)


def test_bulk_upsert_updates_given_columns_and_bumps_the_version(store) -> None:
    tenants = ENTITY_TABLES["tenants"]
    with store.write() as conn:
        upsert_columns(conn, tenants, ["code", "name", "sector"], [["A", "B"], ["a", "b"], ["police", None]])
        upsert_columns(conn, tenants, ["code", "name"], [["B", "C"], ["b2", "c"]])
    assert store.load().tenants == {
        "A": {"code": "A", "name": "a", "sector": "police", "version": 1},
        "B": {"code": "B", "name": "b2", "sector": None, "version": 2},
        "C": {"code": "C", "name": "c", "sector": None, "version": 1},
    }


def test_change_log_rows_read_back_with_their_time(store) -> None:
    records = [
        ChangeRecord("create", "tenants", "A", None, {"code": "A", "name": "Ä"}),
        ChangeRecord("update", "tenants", "B", {"name": "x"}, {"name": "y"}),
    ]
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.write() as conn:
        assert log_changes(conn, records, batch="b1", actor="me") == 2
    with store.read() as conn:
        rows = conn.execute(select(Change.__table__).order_by(Change.__table__.c.id)).mappings().all()
    assert [(r["batch"], r["actor"], r["action"], r["key"], r["before"], r["after"]) for r in rows] == [
        ("b1", "me", "create", "A", None, '{"code":"A","name":"Ä"}'),
        ("b1", "me", "update", "B", '{"name":"x"}', '{"name":"y"}'),
    ]
    assert rows[0]["at"] == rows[1]["at"] and isinstance(rows[0]["at"], dt.datetime)
    assert before <= rows[0]["at"] <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
