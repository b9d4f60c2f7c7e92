"""Shared fixtures: real SQLite inventories in temporary directories, hand-built or from the sample."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from psninv.inventory import Inventory
from psninv.model import ENTITY_TABLES
from psninv.store import Store, open_store
from psninv.store.writes import replace_occupants, upsert

TESTS = Path(__file__).resolve().parent
TOPOLOGY_ZOO = TESTS / "data" / "topology-zoo"


def write_rows(
    store: Store,
    *,
    tenants: Iterable[Mapping[str, Any]] = (),
    sites: Iterable[Mapping[str, Any]] = (),
    links: Iterable[Mapping[str, Any]] = (),
    prefixes: Iterable[Mapping[str, Any]] = (),
) -> None:
    """Write hand-built rows straight into a store, filling every column so rows are uniform."""
    given = {"tenants": tenants, "sites": sites, "links": links, "prefixes": prefixes}
    with store.write() as conn:
        for entity, table in ENTITY_TABLES.items():
            names = [c.name for c in table.columns if c.name != "version"]
            rows = []
            occupants: dict[str, list[str]] = {}
            for row in given[entity]:
                full = {name: row.get(name) for name in names}
                if entity == "prefixes":
                    full["vrf"] = full["vrf"] or ""
                if entity == "links" and full["status"] is None:
                    full["status"] = "active"
                rows.append(full)
                if entity == "sites" and row.get("occupants"):
                    occupants[row["code"]] = list(row["occupants"])
            upsert(conn, table, rows)
            replace_occupants(conn, occupants)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a fresh SQLite inventory file."""
    return tmp_path / "inventory.db"


@pytest.fixture
def db(db_path: Path) -> str:
    """A fresh inventory as a --db value (a file path or a database URL)."""
    return str(db_path)


@pytest.fixture
def store(db_path: Path):
    """A fresh, empty inventory store on a real SQLite file."""
    opened = open_store(db_path, actor="tester")
    yield opened
    opened.close()


@pytest.fixture
def build(store: Store) -> Callable[..., Inventory]:
    """Write hand-built rows into the fresh store and return the inventory read back from it."""

    def _build(**rows: Iterable[Mapping[str, Any]]) -> Inventory:
        write_rows(store, **rows)
        return store.load()

    return _build
