"""The PostgreSQL bulk path (COPY into a staging table, then one upsert) against a real server."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from psninv.io.importer import import_files
from psninv.model import ENTITY_TABLES, Change
from psninv.store import Store, open_store
from psninv.store.writes import log_changes, upsert, upsert_columns

PG_URL = os.environ.get("PSNINV_TEST_PG_URL")
pytestmark = pytest.mark.skipif(
    not PG_URL,
    reason="PSNINV_TEST_PG_URL is not set (a postgresql+psycopg:// URL where CREATE DATABASE is allowed)",
)


@pytest.fixture
def pg_store() -> Iterator[Store]:
    """A store on a fresh database of its own, dropped afterwards."""
    assert PG_URL is not None
    name = f"psninv_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    store = open_store(
        make_url(PG_URL).set(database=name).render_as_string(hide_password=False), actor="tester"
    )
    try:
        yield store
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def _csv(folder: Path, name: str, text_: str) -> Path:
    path = folder / name
    path.write_text(text_, encoding="utf-8")
    return path


def test_import_then_reimport_and_update_on_postgresql(pg_store: Store, tmp_path: Path) -> None:
    tenants = _csv(tmp_path, "tenants.csv", "code,name,sector\nT1,Council,local-government\nT2,NHS,health\n")
    sites = _csv(tmp_path, "sites.csv", "code,name,tenant,occupants\nS1,One,T1,T2\nS2,Two,T2,\n")
    links = _csv(
        tmp_path,
        "links.csv",
        "circuit_id,a_site,b_site,bandwidth_mbps,annual_cost_gbp,contract_end,srlg\n"
        "L1,S1,S2,100,1200.5,31/03/2029,duct:x\nL2,S2,S1,,,,\n",
    )
    report = import_files(pg_store, [tenants, sites, links])
    assert report.ok, report.errors
    assert report.counts["links"] == {"created": 2, "updated": 0, "unchanged": 0}
    inventory = pg_store.load()
    assert inventory.links["L1"] == {
        "circuit_id": "L1",
        "a_site": "S1",
        "b_site": "S2",
        "provider": None,
        "medium": None,
        "bandwidth_mbps": 100.0,
        "annual_cost_gbp": 1200.5,
        "contract_end": dt.date(2029, 3, 31),
        "tenant": None,
        "srlg": "duct:x",
        "status": "active",
        "version": 1,
        "circuit_type": None,
    }
    assert inventory.sites["S1"]["occupants"] == ["T2"]

    again = import_files(pg_store, [tenants, sites, links])
    assert again.ok and again.counts["links"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.batch is None

    cost = _csv(tmp_path, "links.csv", "circuit_id,annual_cost_gbp\nL1,999\n")
    updated = import_files(pg_store, [cost])
    assert updated.ok and updated.counts["links"] == {"created": 0, "updated": 1, "unchanged": 0}
    link = pg_store.load().links["L1"]
    assert (link["annual_cost_gbp"], link["a_site"], link["version"]) == (999.0, "S1", 2)
    with pg_store.read() as conn:
        logged = conn.execute(select(func.count()).select_from(Change.__table__)).scalar_one()
    assert logged == 2 + 2 + 2 + 1  # every created row, then the one update


def test_bulk_upsert_on_postgresql_lets_the_last_duplicate_win(pg_store: Store) -> None:
    tenants = ENTITY_TABLES["tenants"]
    with pg_store.write() as conn:
        upsert(conn, tenants, [{"code": "A", "name": "first"}, {"code": "A", "name": "second"}])
        upsert_columns(conn, tenants, ["code", "name"], [["A", "B"], ["third", "b"]])
    loaded = pg_store.load().tenants
    assert (loaded["A"]["name"], loaded["A"]["version"]) == ("third", 2)
    assert loaded["B"]["version"] == 1


def test_a_refused_bulk_write_on_postgresql_leaves_nothing(pg_store: Store) -> None:
    with pytest.raises(IntegrityError), pg_store.write() as conn:
        upsert(conn, ENTITY_TABLES["tenants"], [{"code": "T"}])
        log_changes(conn, [], batch="b", actor="a")
        upsert(conn, ENTITY_TABLES["links"], [{"circuit_id": "C1", "a_site": "NOPE", "b_site": "NADA"}])
    inventory = pg_store.load()
    assert inventory.tenants == {} and inventory.links == {}
