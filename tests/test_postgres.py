"""PostgreSQL itself: URLs on the command line, clear errors, migrations, transactions, README roles."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner, Result
from conftest import PG_URL_ENV, Databases
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from psninv import open_store, sample_path
from psninv.cli.app import get_cli
from psninv.model import Change
from psninv.store.engine import create_missing_database, make_engine, resolve_url
from psninv.store.migrate import alembic_config, current_revision, head_revision

README = Path(__file__).resolve().parent.parent / "README.md"
postgresql_only = pytest.mark.postgresql_only


def run(*args: str) -> Result:
    return CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)


def listing(entity: str, db: str, *options: str) -> list[dict]:
    result = run(entity, "--db", db, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def sorted_rows(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))


def server_url(database: str, user: str | None = None) -> str:
    """The test server's URL for one database (and role), as a user would write it."""
    url = make_url(os.environ[PG_URL_ENV]).set(drivername="postgresql", database=database)
    if user is not None:
        url = url.set(username=user, password=None)
    return url.render_as_string(hide_password=False)


@postgresql_only
def test_the_whole_cli_on_a_postgresql_url(databases: Databases, tmp_path: Path) -> None:
    db = server_url(f"psninv_test_{os.getpid()}_cli")
    try:
        init = run("init", "--db", db)
        assert init.exit_code == 0, init.output
        # The message names the database as the user wrote it, without psninv's driver name.
        assert f"Inventory ready at {make_url(db).render_as_string(hide_password=True)}" in init.output
        assert run("import", str(sample_path()), "--db", db).exit_code == 0
        assert len(listing("sites", db)) == 200
        assert {row["code"] for row in listing("tenants", db, "--tenant", "POL")} >= {"POL"}

        exported = tmp_path / "export.xlsx"
        assert run("export", str(exported), "--db", db).exit_code == 0
        again = run("import", str(exported), "--db", db, "--report", "json")
        counts = json.loads(again.stdout)["counts"]
        assert all(c["created"] == c["updated"] == 0 for c in counts.values())

        what_if = run("analyse", "--db", db, "--fail", "SML-HUB", "--format", "json")
        assert json.loads(what_if.stdout)["summary"]["what_if"]["sites_cut_off"] == 22
        # PSNINV_DB serves as well as --db.
        env = CliRunner(env={"PSNINV_DB": db}).invoke(get_cli(), ["links", "--format", "csv"])
        assert env.exit_code == 0 and len(env.stdout.splitlines()) == 278
        demo = run("demo", "--db", db, "--reset")
        assert demo.exit_code == 0 and "200 sites" in demo.stdout
    finally:
        databases.drop(db)


def test_an_unreachable_server_is_one_clear_line() -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    result = run("sites", "--db", "postgresql://nobody@127.0.0.1:1/psninv")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "psninv: database error: connection failed" in result.output
    assert "Traceback" not in result.output


def test_without_psycopg_the_error_says_what_to_install() -> None:
    script = (
        "import sys; sys.modules['psycopg'] = None\n"  # as if psycopg were not installed
        "from psninv.cli.app import main; main(['sites', '--db', 'postgresql://u@127.0.0.1:1/db'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "psninv: PostgreSQL needs the psycopg driver: pip install 'psninv[postgres]'"
    )


@postgresql_only
def test_a_database_without_an_inventory_opened_read_only_says_run_init(databases: Databases) -> None:
    db = server_url(f"psninv_test_{os.getpid()}_empty")
    try:
        assert create_missing_database(resolve_url(db))
        assert not create_missing_database(resolve_url(db))
        result = run("sites", "--db", db, "--read-only")
        assert result.exit_code == 1
        assert "no inventory in" in result.output and "psninv init" in result.output
    finally:
        databases.drop(db)


@postgresql_only
def test_migrations_from_the_first_schema_keep_the_data(databases: Databases) -> None:
    db = server_url(f"psninv_test_{os.getpid()}_old")
    try:
        create_missing_database(resolve_url(db))
        engine = make_engine(resolve_url(db))
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
            conn.execute(text("INSERT INTO tenant (code, name, version) VALUES ('T1', 'Kept', 1)"))
            conn.execute(
                text("INSERT INTO change (batch, at, actor, action, entity, key) "
                     "VALUES ('b', now(), 'a', 'create', 'tenants', 'T1')")
            )
        engine.dispose()

        with open_store(db) as store:
            assert current_revision(store.engine) == head_revision()
            assert store.load().tenants["T1"]["name"] == "Kept"
            with store.read() as conn:
                assert conn.execute(select(Change.__table__.c.reverts)).scalar_one() is None
                indexes = {index["name"] for index in inspect(conn).get_indexes("change")}
        assert indexes == {"ix_change_batch", "ix_change_entity_key"}
    finally:
        databases.drop(db)


@postgresql_only
def test_writers_hold_the_writer_lock_and_readers_read_one_snapshot(store) -> None:
    with store.write() as conn:
        assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"
        held = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        ).scalar()
        assert held == 1
    with store.read() as conn:
        assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "repeatable read"


# --- the README's roles, run as written ------------------------------------------------------

ROLES = ("alice", "nhs_mpft", "psninv_read", "psninv")


def readme_sql() -> list[str]:
    """The SQL blocks of the README's PostgreSQL section, in order."""
    section = README.read_text(encoding="utf-8").split("## PostgreSQL", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


@postgresql_only
def test_the_readme_roles_read_everything_or_one_tenant_and_write_nothing(
    databases: Databases, tmp_path: Path
) -> None:
    import psycopg

    name = f"psninv_test_{os.getpid()}_roles"
    # The README's database is called psninv; this test's has a name of its own.
    named = [sql.replace("DATABASE psninv", f'DATABASE "{name}"') for sql in readme_sql()]
    owner_sql, read_only_sql, tenant_sql = named
    admin = make_url(os.environ[PG_URL_ENV]).set(drivername="postgresql")

    def as_superuser(sql: str, database: str) -> None:
        url = admin.set(database=database).render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as conn:
            # One statement at a time, as psql sends them: CREATE DATABASE refuses a batch.
            for statement in re.split(r";[ \t]*(?:--[^\n]*)?\n", sql):
                if statement.strip():
                    conn.execute(statement)

    drop_roles = f"DROP ROLE IF EXISTS {', '.join(ROLES)}"
    as_superuser(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', admin.database)
    as_superuser(drop_roles, admin.database)
    try:
        as_superuser(owner_sql, admin.database)
        owner = server_url(name, "psninv")
        assert run("init", "--db", owner).exit_code == 0
        assert run("import", str(sample_path()), "--db", owner).exit_code == 0
        as_superuser(read_only_sql, name)
        as_superuser(tenant_sql, name)

        alice = server_url(name, "alice")
        for entity in ("sites", "links", "tenants", "prefixes"):
            assert listing(entity, alice) == listing(entity, owner), entity
        assert run("analyse", "--db", alice, "--fail", "SML-HUB").exit_code == 0
        sheet = tmp_path / "tenants.csv"
        sheet.write_text("code,name\nFIRE2,Another fire service\n", encoding="utf-8")
        refused = run("import", str(sheet), "--db", alice)
        assert refused.exit_code == 1 and "permission denied" in refused.output

        nhs = server_url(name, "nhs_mpft")
        for entity in ("sites", "links", "tenants", "prefixes"):
            scoped = listing(entity, owner, "--tenant", "NHS-MPFT")
            # --tenant lists far-end sites after the tenant's own; the views list them by code.
            assert sorted_rows(listing(entity, nhs)) == sorted_rows(scoped), entity
            assert 0 < len(scoped) < len(listing(entity, owner)), entity
        assert run("analyse", "--db", nhs).exit_code == 0
        assert run("import", str(sheet), "--db", nhs).exit_code == 1
        with psycopg.connect(nhs) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT count(*) FROM public.site")
            conn.rollback()
            with pytest.raises(psycopg.errors.UndefinedColumn):
                conn.execute("SELECT after FROM change")
    finally:
        as_superuser(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', admin.database)
        as_superuser(drop_roles, admin.database)
