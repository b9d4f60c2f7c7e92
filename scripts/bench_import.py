"""Benchmark: importing a generated 100k-site inventory from .xlsx and from CSV, beside raw sqlite3.

    python scripts/bench_import.py                  # 100,000 sites (about 150,000 links), seed 2026
    python scripts/bench_import.py --sites 20000 --repeat 3

Generates the inventory with scripts/generate_inventory.py, writes it once as a workbook
(psninv.io.xlsx.write_workbook) and once as a CSV folder (psninv.io.export), then times
psninv's import of each into a fresh SQLite database (goals: under 10 s from .xlsx and under
5 s from CSV). The references, measured in the same run on fresh databases with the same
schema and pragmas, are bare sqlite3 executemany calls of the same rows: once the rows alone,
once with one change-log row each (the import logs every created row). Prefixes are left out
by default, as the goal is stated for sites and links; --prefixes keeps them.

With --pg URL (a postgresql+psycopg:// URL of a server where it may CREATE DATABASE) it also
times the CSV import into a fresh PostgreSQL database, beside bare psycopg COPY of the same
rows (and change-log rows) into a fresh database of the same schema.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "generate_inventory.py"
GOALS_S = {"xlsx": 10.0, "csv": 5.0}

from psninv.inventory import Inventory  # noqa: E402
from psninv.io.export import export_inventory  # noqa: E402
from psninv.io.importer import import_files  # noqa: E402
from psninv.io.xlsx import write_workbook  # noqa: E402
from psninv.model import ENTITY_TABLES, SiteOccupant  # noqa: E402
from psninv.store import open_store  # noqa: E402

Tables = list[tuple[str, list[str], list[tuple[Any, ...]]]]


def load_generator() -> ModuleType:
    """scripts/generate_inventory.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("generate_inventory", GENERATOR)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def import_once(source: list[Path], db: str | Path) -> tuple[float, dict[str, float], Any, float]:
    """Seconds to import into a fresh database, the second each phase started at, the report, CPU seconds.

    The CPU seconds are this process's (Python and, on SQLite, the database engine too): on a
    machine shared with other work they show the import's own cost when wall time cannot.
    """
    phases: dict[str, float] = {}
    with open_store(db, actor="bench") as store:
        started, cpu = time.perf_counter(), time.process_time()

        def progress(phase: str, done: int, total: int) -> None:
            phases.setdefault(phase, time.perf_counter() - started)

        report = import_files(store, source, progress=progress)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if not report.ok:
        raise SystemExit("import failed:\n" + "\n".join(str(issue) for issue in report.errors[:20]))
    return elapsed, phases, report, cpu


def reference_rows(inventory: Inventory, *, log: bool) -> Tables:
    """The rows the import writes, as (table, columns, tuples), change-log rows last if asked."""
    tables: Tables = []
    changes: list[tuple[Any, ...]] = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    occupants = []
    for entity, rows in inventory.entities():
        table = ENTITY_TABLES[entity]
        names = [column.name for column in table.columns]
        values = []
        for key, row in rows.items():
            full = {**row, "version": 1}
            values.append(tuple(full.get(column) for column in names))
            if entity == "sites":
                occupants.extend((key, tenant) for tenant in row.get("occupants", ()))
            if log:
                text = key if isinstance(key, str) else "|".join(key)
                changes.append(
                    (
                        "bench",
                        now,
                        "bench",
                        "create",
                        entity,
                        text,
                        None,
                        json.dumps(row, default=str, ensure_ascii=False, separators=(",", ":")),
                    )
                )
        tables.append((table.name, names, values))
        if entity == "sites":
            tables.append((SiteOccupant.__table__.name, ["site", "tenant"], occupants))
    if log:
        names = ["batch", "at", "actor", "action", "entity", "key", "before", "after"]
        tables.append(("change", names, changes))
    return tables


def reference_sqlite(tables: Tables, path: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) for raw sqlite3 executemany of the rows into a fresh database, same schema."""
    open_store(path).close()
    # As SQLAlchemy stores them: dates and times as ISO text.
    tables = [(name, names, [tuple(map(_sql, row)) for row in rows]) for name, names, rows in tables]
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        started, cpu = time.perf_counter(), time.process_time()
        connection.execute("BEGIN IMMEDIATE")
        for table_name, names, values in tables:
            columns = ", ".join(f'"{name}"' for name in names)
            marks = ", ".join("?" for _ in names)
            connection.executemany(f'INSERT INTO "{table_name}" ({columns}) VALUES ({marks})', values)
        connection.execute("COMMIT")
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        connection.close()


def reference_postgresql(tables: Tables, url: str) -> tuple[float, float]:
    """Seconds (wall, client CPU) for raw psycopg COPY of the rows into a fresh database, same schema."""
    import psycopg  # the postgres extra

    open_store(url).close()
    with psycopg.connect(_libpq(url)) as connection:
        started, cpu = time.perf_counter(), time.process_time()
        with connection.cursor() as cursor:
            for table_name, names, values in tables:
                columns = ", ".join(f'"{name}"' for name in names)
                with cursor.copy(f'COPY "{table_name}" ({columns}) FROM STDIN') as copy:
                    for row in values:
                        copy.write_row(row)
        connection.commit()
        return time.perf_counter() - started, time.process_time() - cpu


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_postgresql(server: str) -> Iterator[str]:
    """A new, empty database on the server for one run, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"psninv_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def import_postgresql(source: list[Path], server: str) -> tuple[float, dict[str, float], Any, float]:
    """import_once into a fresh PostgreSQL database."""
    with fresh_postgresql(server) as url:
        return import_once(source, url)


def reference_postgresql_once(tables: Tables, server: str) -> tuple[float, float]:
    """reference_postgresql into a fresh PostgreSQL database."""
    with fresh_postgresql(server) as url:
        return reference_postgresql(tables, url)


def _sql(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def best(repeat: int, action: Callable[[int], Any]) -> Any:
    """The fastest of `repeat` runs (by their first element, seconds)."""
    return min((action(run) for run in range(repeat)), key=lambda result: result[0])


def main() -> int:
    """Generate, write, import, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the best counts")
    parser.add_argument("--prefixes", action="store_true", help="import the generated prefixes too")
    parser.add_argument(
        "--pg", metavar="URL", help="also time CSV into PostgreSQL (a server URL, CREATE DATABASE)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    inventory = load_generator().generate(sites=args.sites, seed=args.seed)
    if not args.prefixes:
        inventory.prefixes = {}
    counts = inventory.counts()
    rows = sum(counts.values())
    print(
        f"generated {', '.join(f'{n:,} {e}' for e, n in counts.items())} "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="bench_import_") as directory:
        folder = Path(directory)
        started = time.perf_counter()
        workbook = folder / "inventory.xlsx"
        write_workbook(inventory, workbook)
        csv_folder = export_inventory(inventory, folder / "csv", fmt="csv")
        csv_files = sorted(path for path in csv_folder.glob("*.csv") if counts.get(path.stem))
        print(
            f"wrote {workbook.stat().st_size / 1e6:.1f} MB workbook and "
            f"{sum(p.stat().st_size for p in csv_files) / 1e6:.1f} MB of CSV "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

        # (name, seconds, note, the reference it is a multiple of)
        results: list[tuple[str, float, str, str]] = []

        def timed(label: str, goal: float | None, run: Callable[[int], Any]) -> None:
            seconds, phases, report, cpu = best(args.repeat, run)
            created = sum(c["created"] for c in report.counts.values())
            assert created == rows, (created, rows)
            ends = [*list(phases.values())[1:], seconds]
            breakdown = ", ".join(
                f"{phase} {end - start:.1f}" for (phase, start), end in zip(phases.items(), ends, strict=True)
            )
            goal_text = f"goal < {goal:.0f} s; " if goal else ""
            breakdown += f"; cpu {cpu:.1f}"
            base = "postgresql" if "PostgreSQL" in label else "sqlite"
            results.append((f"psninv import {label}", seconds, goal_text + breakdown, base))
            print(f"  {label}: {seconds:.2f} s", flush=True)

        for label, source in (("xlsx", [workbook]), ("csv", csv_files)):
            timed(
                f"from {label}",
                GOALS_S[label],
                lambda run, s=source, n=label: import_once(s, folder / f"{n}{run}.db"),
            )
        plain, logged = reference_rows(inventory, log=False), reference_rows(inventory, log=True)
        references: dict[str, float] = {}

        def reference(name: str, note: str, base: str, run: Callable[[int], tuple[float, float]]) -> float:
            seconds, cpu = best(args.repeat, run)
            results.append((f"reference: {name}", seconds, f"{note}; cpu {cpu:.1f}", base))
            return seconds

        reference(
            "sqlite3 executemany, rows",
            "same rows, schema and pragmas",
            "sqlite",
            lambda run: reference_sqlite(plain, folder / f"raw{run}.db"),
        )
        references["sqlite"] = reference(
            "... rows + change log",
            "one JSON change row per row too",
            "sqlite",
            lambda run: reference_sqlite(logged, folder / f"log{run}.db"),
        )
        if args.pg:
            timed("from csv into PostgreSQL", None, lambda run: import_postgresql(csv_files, args.pg))
            reference(
                "psycopg COPY, rows",
                "same rows and schema",
                "postgresql",
                lambda run: reference_postgresql_once(plain, args.pg),
            )
            references["postgresql"] = reference(
                "... rows + change log",
                "as above",
                "postgresql",
                lambda run: reference_postgresql_once(logged, args.pg),
            )

    print()
    print(f"Import of {rows:,} rows ({counts['sites']:,} sites, {counts['links']:,} links), seconds:")
    width = max(len(name) for name, *_ in results)
    for name, seconds, note, base in results:
        ratio = seconds / references[base] if references[base] else float("nan")
        print(f"  {name:<{width}}  {seconds:7.2f}  {ratio:5.1f}x  {note}")
    print("  (x = multiple of the same database's reference with change log; cpu = this process's")
    print(
        f"  CPU seconds, on PostgreSQL the client's only; load average at the end {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
