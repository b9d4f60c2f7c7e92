"""Shared fixtures: real inventories on the database under test (SQLite files or PostgreSQL databases).

`pytest` runs on SQLite; `pytest --db-backend=postgresql` runs the same tests on PostgreSQL, with
PSNINV_TEST_PG_URL naming a server where tests may CREATE DATABASE (its database part is the one
to connect to for that, usually `postgres`). Every test that asks for `db`, `store`, `build` or
`databases.new()` gets a database of its own there, cloned from a template migrated once.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from builders import write_rows
from digest import contents_digest
from sqlalchemy.engine import make_url

from psninv.inventory import Inventory
from psninv.store import Store, open_store
from psninv.store.engine import sqlite_path

TESTS = Path(__file__).resolve().parent
TOPOLOGY_ZOO = TESTS / "data" / "topology-zoo"
PG_URL_ENV = "PSNINV_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")
_PG_PROBLEM = pytest.StashKey[str | None]()


def digest(store: Store) -> str:
    """A checksum of everything stored: every table's rows, and on SQLite the file's very bytes."""
    hasher = hashlib.sha256(contents_digest(store).encode())
    path = sqlite_path(store.engine.url)
    if path is not None:
        # Closing checkpoints nothing by itself, so the WAL is part of what is stored.
        store.engine.dispose()
        wal = path.with_name(path.name + "-wal")
        hasher.update(path.read_bytes() + (wal.read_bytes() if wal.exists() else b""))
    return hasher.hexdigest()


# --- choosing the backend -------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-backend",
        choices=BACKENDS,
        default="sqlite",
        help=f"database the tests run on (postgresql needs ${PG_URL_ENV}, a server URL)",
    )


def _backend(config: pytest.Config) -> str:
    return config.getoption("--db-backend")


def _pg_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests, or None when it can."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        return f"no PostgreSQL server: set {PG_URL_ENV}=postgresql://user@127.0.0.1:5432/postgres"
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed: pip install '.[test,postgres]'"
    try:
        with psycopg.connect(_libpq(url), connect_timeout=5, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL at {_safe(url)} is unavailable: {str(error).strip().splitlines()[0]}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    # Analyses the tests keep go to a folder of the run's own, never the user's ~/.cache.
    import tempfile

    os.environ.setdefault("PSNINV_CACHE_DIR", tempfile.mkdtemp(prefix="psninv-test-cache-"))
    problem = _pg_problem() if _backend(config) == "postgresql" else None
    if problem and os.environ.get("CI"):
        # In CI the PostgreSQL run is mandatory: a missing server must fail, never pass as skips.
        raise pytest.UsageError(f"--db-backend=postgresql in CI, but {problem}")
    config.stash[_PG_PROBLEM] = problem


def pytest_report_header(config: pytest.Config) -> str:
    if _backend(config) == "sqlite":
        return "database backend: sqlite (--db-backend=postgresql for PostgreSQL)"
    problem = config.stash[_PG_PROBLEM]
    return f"database backend: postgresql ({problem or _safe(os.environ[PG_URL_ENV])})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    backend = _backend(config)
    problem = config.stash[_PG_PROBLEM]
    for item in items:
        if backend == "postgresql" and problem:
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL run skipped: {problem}"))
        elif backend == "postgresql" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="about SQLite itself: runs in the SQLite run"))
        elif backend == "sqlite" and item.get_closest_marker("postgresql_only"):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only: run with --db-backend=postgresql"))


# --- fresh databases ------------------------------------------------------------------------


def _libpq(url: str) -> str:
    # psycopg takes libpq URIs, which know no SQLAlchemy driver suffix.
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class Databases:
    """Hands out fresh inventories as --db values: SQLite files, or databases on the test server."""

    def __init__(self, backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.backend = backend
        self._tmp = tmp_path_factory
        self._names = (f"psninv_test_{os.getpid()}_{n}" for n in itertools.count())
        self._template: str | None = None
        self._live: set[str] = set()
        self._admin: Any = None

    def new(self, path: Path | None = None, *, migrated: bool = False) -> str:
        """A fresh inventory: on SQLite a file not yet created (or a copy of a migrated one); on
        PostgreSQL always an empty, migrated database, as if `psninv init` had made it."""
        if self.backend == "sqlite":
            target = path or self._tmp.mktemp("db") / "inventory.db"
            if migrated:
                shutil.copyfile(self._ensure_template(), target)
            return str(target)
        name = next(self._names)
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self._ensure_template()}"')
        self._live.add(name)
        return self._url(name)

    def drop(self, db: str) -> None:
        """Remove a database new() made (files go with their temporary folder)."""
        if self.backend == "postgresql":
            name = make_url(db).database
            # FORCE ends sessions a test left open, such as a TUI's analysis child.
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._live.discard(name)

    def close(self) -> None:
        """Drop every database still here, the template last."""
        for name in list(self._live):
            self.drop(self._url(name))
        if self._template and self.backend == "postgresql":
            self._sql(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        if self._admin is not None:
            self._admin.close()

    def _url(self, name: str) -> str:
        # As a user writes it: plain postgresql://, which psninv maps to its driver itself.
        url = make_url(os.environ[PG_URL_ENV]).set(drivername="postgresql", database=name)
        return url.render_as_string(hide_password=False)

    def _sql(self, statement: str) -> None:
        import psycopg

        if self._admin is None:
            self._admin = psycopg.connect(_libpq(os.environ[PG_URL_ENV]), autocommit=True)
        self._admin.execute(statement)

    def _ensure_template(self) -> str:
        if self._template is None and self.backend == "sqlite":
            self._template = str(self._tmp.mktemp("template") / "template.db")
            open_store(self._template).close()
        if self._template is None:
            name = f"psninv_test_{os.getpid()}_template"
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._sql(f'CREATE DATABASE "{name}"')
            self._template = name
            # Migrating once through psninv itself also proves every migration runs on PostgreSQL.
            open_store(self._url(name)).close()
        return self._template


@pytest.fixture(scope="session")
def db_backend(request: pytest.FixtureRequest) -> str:
    """The database the tests run on: sqlite or postgresql."""
    return _backend(request.config)


@pytest.fixture(scope="session")
def databases(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """A source of fresh inventories on the backend under test, for module-scoped fixtures too."""
    source = Databases(db_backend, tmp_path_factory)
    yield source
    source.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a fresh SQLite inventory file (for tests about SQLite files themselves)."""
    return tmp_path / "inventory.db"


@pytest.fixture
def db(databases: Databases, db_path: Path) -> Iterator[str]:
    """A fresh inventory as a --db value: a file path on SQLite, a database URL on PostgreSQL."""
    value = databases.new(db_path)
    yield value
    databases.drop(value)


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    """A fresh, empty inventory store on the database under test."""
    opened = open_store(db, actor="tester")
    yield opened
    opened.close()


@pytest.fixture
def build(store: Store) -> Callable[..., Inventory]:
    """Write hand-built rows into the fresh store and return the inventory read back from it."""

    def _build(**rows: Iterable[Mapping[str, Any]]) -> Inventory:
        write_rows(store, **rows)
        return store.load()

    return _build


@pytest.fixture(scope="module")
def sample_db(databases: Databases) -> str:
    """The bundled Staffordshire sample imported through the CLI into a fresh inventory, read only."""
    from builders import run_cli

    from psninv import sample_path

    db = databases.new()
    result = run_cli("import", str(sample_path()), "--db", db)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def sample(sample_db: str) -> Inventory:
    """The sample inventory as loaded from `sample_db`."""
    with open_store(sample_db) as store:
        return store.load()


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of the test's own that keeps every analysis and plan, however quick."""
    from psninv.session import cache

    path = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(path))
    monkeypatch.setattr(cache, "MIN_SECONDS", 0.0)
    return path
