"""A checksum of an inventory's contents, for tests that must prove nothing was written."""

from __future__ import annotations

import hashlib
import weakref

from sqlalchemy import Engine, MetaData, select

from psninv.store import Store

_REFLECTED: weakref.WeakKeyDictionary[Engine, MetaData] = weakref.WeakKeyDictionary()


def contents_digest(store: Store) -> str:
    """A checksum of every row of every table (the schema version too), sorted, on any database."""
    digest = hashlib.sha256()
    with store.read() as conn:
        # Reflecting is the slow part on PostgreSQL, and a store's tables do not change under a test.
        tables = _REFLECTED.get(store.engine)
        if tables is None:
            tables = _REFLECTED[store.engine] = MetaData()
            tables.reflect(conn)
        for name in sorted(tables.tables):
            rows = sorted(repr(tuple(row)) for row in conn.execute(select(tables.tables[name])))
            digest.update(f"{name}:{len(rows)}\n{''.join(rows)}".encode())
    return digest.hexdigest()
