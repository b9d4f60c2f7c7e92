"""Several importers writing one inventory at once: every write lands, none fails on a lock.

Each worker process runs 500 write transactions through the store's write path (the one the
importer uses): it reads a shared counter, writes it back plus one, upserts a row of its own
and logs the change; every tenth transaction is a real import of a one-row CSV file. A lost
update would leave the counter short; a failed lock would surface as an error.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from psninv.io.importer import import_files
from psninv.model import ENTITY_TABLES, Change
from psninv.store import ChangeRecord, open_store
from psninv.store.writes import upsert

WRITES = 500
WORKERS = {"sqlite": 2, "postgresql": 4}
IMPORT_EVERY = 10
TIME_LIMIT_S = 300  # generous: six jobs share two cores in CI
TENANT = ENTITY_TABLES["tenants"]
COUNTER = "COUNTER"


def _transaction(store: Any, worker: int, i: int) -> None:
    with store.write() as conn:
        row = TENANT.c
        current = conn.execute(select(row.name).where(row.code == COUNTER)).scalar_one()
        following = str(int(current) + 1)
        upsert(conn, TENANT, [{"code": COUNTER, "name": following}])
        upsert(conn, TENANT, [{"code": f"W{worker}-{i}", "name": f"worker {worker}"}])
        store.log(
            conn,
            [
                ChangeRecord("update", "tenants", COUNTER, {"name": current}, {"name": following}),
                ChangeRecord("create", "tenants", f"W{worker}-{i}", None, {"name": f"worker {worker}"}),
            ],
        )


def _import(store: Any, folder: Path, worker: int, i: int) -> None:
    sheet = folder / f"tenants-{worker}-{i}.csv"
    sheet.write_text(f"code,name\nW{worker}-{i},worker {worker}\n", encoding="utf-8")
    report = import_files(store, [sheet])
    if not report.ok:
        raise RuntimeError("; ".join(str(issue) for issue in report.issues))
    # The import wrote its own row; the counter still moves, in a transaction of its own.
    _transaction(store, worker, -i)


def _worker(db: str, folder: str, worker: int, start: Any, results: Any) -> None:
    """Run WRITES transactions and report (worker, done, errors) on the results queue."""
    store = open_store(db, actor=f"worker-{worker}")
    errors: list[str] = []
    done = 0
    start.wait()
    for i in range(1, WRITES + 1):
        try:
            if i % IMPORT_EVERY == 0:
                _import(store, Path(folder), worker, i)
            else:
                _transaction(store, worker, i)
            done += 1
        except Exception as error:  # noqa: BLE001 - every failure is counted, none may pass unseen
            errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")
    store.close()
    results.put(json.dumps({"worker": worker, "done": done, "errors": errors}))


def test_concurrent_importers_lose_nothing_and_never_see_a_lock_error(
    db: str, db_backend: str, tmp_path: Path
) -> None:
    workers = WORKERS[db_backend]
    with open_store(db, actor="setup") as store, store.write() as conn:
        upsert(conn, TENANT, [{"code": COUNTER, "name": "0"}])

    context = multiprocessing.get_context("spawn")
    start = context.Barrier(workers)
    results = context.Queue()
    processes = [
        context.Process(target=_worker, args=(db, str(tmp_path), w, start, results), daemon=True)
        for w in range(workers)
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    reports = []
    try:
        for _ in processes:
            remaining = TIME_LIMIT_S - (time.monotonic() - started)
            reports.append(json.loads(results.get(timeout=max(1.0, remaining))))
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
    elapsed = time.monotonic() - started

    errors = [error for report in reports for error in report["errors"]]
    assert errors == [], errors[:5]
    assert [p.exitcode for p in processes] == [0] * workers
    total = workers * WRITES
    assert sum(report["done"] for report in reports) == total

    with open_store(db) as store, store.read() as conn:
        counter = conn.execute(select(TENANT.c.name).where(TENANT.c.code == COUNTER)).scalar_one()
        own_rows = conn.execute(
            select(func.count()).select_from(TENANT).where(TENANT.c.code.like("W%"))
        ).scalar_one()
        change = Change.__table__
        counted = [
            json.loads(after)["name"]
            for (after,) in conn.execute(select(change.c.after).where(change.c.key == COUNTER))
        ]
    imports = workers * (WRITES // IMPORT_EVERY)
    # Every increment saw the one before it: no two transactions read the same counter value.
    assert int(counter) == total
    assert sorted(map(int, counted)) == list(range(1, total + 1))
    # Each transaction's own row, and each import's row besides, is there.
    assert own_rows == total + imports
    print(f"{workers} processes x {WRITES} transactions on {db_backend}: {elapsed:.1f} s")


def test_a_writer_waits_for_one_holding_the_lock_and_then_sees_its_commit(db: str) -> None:
    with open_store(db, actor="a") as first, open_store(db, actor="b") as second:
        held = threading.Event()

        def hold() -> None:
            with first.write() as conn:
                upsert(conn, TENANT, [{"code": COUNTER, "name": "1"}])
                held.set()
                time.sleep(1.0)

        thread = threading.Thread(target=hold)
        thread.start()
        assert held.wait(10)
        started = time.monotonic()
        with second.write() as conn:
            # Read inside the write: it must see the first writer's commit, not an older snapshot.
            seen = conn.execute(select(TENANT.c.name).where(TENANT.c.code == COUNTER)).scalar_one()
        waited = time.monotonic() - started
        thread.join()
    assert seen == "1"
    assert waited > 0.5


def test_a_reader_keeps_one_snapshot_while_a_writer_commits(store) -> None:
    # Loading the inventory takes several queries: a commit between them must not show half-way.
    with store.read() as reader:
        before = reader.execute(select(TENANT.c.code)).all()
        with store.write() as writer:
            writer.execute(TENANT.insert().values(code="NEW", version=1))
        assert reader.execute(select(TENANT.c.code)).all() == before
    assert "NEW" in store.load().tenants


def test_a_writer_that_waits_too_long_gets_one_clear_line_and_writes_nothing(
    store, db: str, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from psninv.cli.app import get_cli

    sheet = tmp_path / "tenants.csv"
    sheet.write_text("code,name\nFIRE,Fire and Rescue\n", encoding="utf-8")
    runner = CliRunner(env={"PSNINV_LOCK_TIMEOUT": "0.3"})
    with store.write():
        # Another engineer's write holds the lock for longer than this importer will wait.
        imported = runner.invoke(get_cli(), ["import", str(sheet), "--db", db])
        reverted = runner.invoke(get_cli(), ["revert", "1", "--db", db])

    for result in (imported, reverted):
        assert result.exit_code == 1, result.output
        assert "another write held the inventory for over 0.3 s" in result.output
        assert "Traceback" not in result.output
    assert store.load().tenants == {}
