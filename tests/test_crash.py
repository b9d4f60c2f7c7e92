"""Crash safety: an import killed with SIGKILL at any moment leaves the inventory as before or as after."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
import xlsxwriter

pytestmark = pytest.mark.sqlite_only
SAMPLE = Path(__file__).resolve().parent.parent / "inventory" / "staffordshire.xlsx"
TRIALS = 20
GENERATED = 4000  # new sites, links and prefixes: about a second of import work on a slow machine
# Columns the import fills from the clock and a random batch id: the same import run twice differs there.
VOLATILE = {"change": {"at", "batch"}}


def contents_digest(path: Path) -> str:
    """A checksum of every table's rows, sorted, so equal contents give equal digests whatever the pages."""
    digest = hashlib.sha256()
    with closing(sqlite3.connect(path)) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
            kept = [c for c in columns if c not in VOLATILE.get(table, set())]
            selected = ", ".join(f'"{c}"' for c in kept)
            rows = sorted(repr(row) for row in conn.execute(f'SELECT {selected} FROM "{table}"'))
            digest.update(f"{table}({','.join(kept)})\n".encode())
            for row in rows:
                digest.update(row.encode() + b"\n")
    return digest.hexdigest()


def integrity(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchall() + conn.execute(
            "PRAGMA foreign_key_check").fetchall()


def psninv(*args: str) -> list[str]:
    return [sys.executable, "-m", "psninv", *args]


def write_spreadsheet(path: Path, existing: list[str]) -> Path:
    """A workbook that renames every existing site and adds a tenant with sites, links and prefixes."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    tenants = workbook.add_worksheet("tenants")
    tenants.write_row(0, 0, ["code", "name", "sector"])
    tenants.write_row(1, 0, ["GEN", "Generated", "other"])
    sites = workbook.add_worksheet("sites")
    sites.write_row(0, 0, ["code", "name", "tenant", "role", "district", "latitude", "longitude"])
    for row, code in enumerate(existing, start=1):
        sites.write_row(row, 0, [code, f"Renamed {code}"])
    for i in range(GENERATED):
        sites.write_row(len(existing) + 1 + i, 0,
                        [f"G{i:06d}", f"Site {i}", "GEN", "access", "Stafford", 52 + i / 10_000, -2.0])
    links = workbook.add_worksheet("links")
    links.write_row(0, 0, ["circuit_id", "a_site", "b_site", "provider", "bandwidth_mbps", "annual_cost_gbp"])
    for i in range(GENERATED):
        far = existing[i % len(existing)]
        links.write_row(i + 1, 0, [f"GC{i:06d}", f"G{i:06d}", far, "Kcom", 100, 999.5])
    prefixes = workbook.add_worksheet("prefixes")
    prefixes.write_row(0, 0, ["prefix", "site", "tenant"])
    for i in range(GENERATED):
        prefixes.write_row(i + 1, 0, [f"100.64.{i // 256}.{i % 256}/32", f"G{i:06d}", "GEN"])
    workbook.close()
    return path


def timed_import(db: Path, sheet: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run one import to its end; return its duration and when its first write reached the log."""
    wal = Path(f"{db}-wal")
    started = time.perf_counter()
    process = subprocess.Popen(psninv("import", "--db", str(db), str(sheet)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    writing = None
    while process.poll() is None:
        if writing is None and wal.exists() and wal.stat().st_size > 0:
            writing = time.perf_counter() - started
        time.sleep(0.002)
    duration = time.perf_counter() - started
    assert process.returncode == 0, process.stderr.read()[-2000:] if process.stderr else ""
    return duration, duration if writing is None else writing


def wait_for_first_write(process: subprocess.Popen, wal: Path) -> None:
    """Return once the import has put its first frame in the write-ahead log (or has ended)."""
    while process.poll() is None and not (wal.exists() and wal.stat().st_size > 0):
        time.sleep(0.001)


def test_an_import_killed_at_any_moment_leaves_the_inventory_before_or_after(tmp_path: Path) -> None:
    env = {**os.environ, "PSNINV_ACTOR": "crash-test"}
    base = tmp_path / "base.db"
    subprocess.run(psninv("import", "--db", str(base), str(SAMPLE)), check=True, capture_output=True, env=env)
    with closing(sqlite3.connect(base)) as conn:
        existing = [code for (code,) in conn.execute("SELECT code FROM site ORDER BY code")]
    sheet = write_spreadsheet(tmp_path / "big.xlsx", existing)
    before = contents_digest(base)

    # The whole import, interpreter start to exit, measured once, with the moment it starts writing
    # (its first frame in the write-ahead log): the kills are spread over the whole run and its writes.
    reference = tmp_path / "reference.db"
    shutil.copyfile(base, reference)
    duration, writing = timed_import(reference, sheet, env)
    after = contents_digest(reference)
    assert after != before

    chance = random.Random(20261121)
    half = TRIALS // 2
    # One delay in each slice. Half the trials count from the start and cover the whole run; the
    # other half count from the trial's own first write and cover the writing and the commit, so
    # that a machine slower or faster than during the measurement still gets kills mid-write.
    delays = [("start", duration * 1.05 * (i + chance.random()) / half) for i in range(half)]
    tail = (duration - writing) * 1.2
    delays += [("write", tail * (i + chance.random()) / (TRIALS - half)) for i in range(TRIALS - half)]
    outcomes = []
    for trial, (since, delay) in enumerate(delays):
        target = tmp_path / f"trial{trial}.db"
        shutil.copyfile(base, target)
        process = subprocess.Popen(psninv("import", "--db", str(target), str(sheet)),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        if since == "write":
            wait_for_first_write(process, Path(f"{target}-wal"))
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        code = process.wait()
        # Frames left in the write-ahead log: the kill came after the import began writing.
        wal = Path(f"{target}-wal")
        logged = wal.stat().st_size if wal.exists() else 0
        digest = contents_digest(target)
        outcome = "before" if digest == before else "after" if digest == after else "MIXED"
        outcomes.append((f"{since}+{delay:.2f}", code, outcome, logged))
        assert outcome != "MIXED", outcomes
        assert integrity(target) == [("ok",)], outcomes[-1]
        if code == 0:
            assert outcome == "after", outcomes  # a finished import must have committed
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)

    split = {name: sum(1 for _, _, o, _ in outcomes if o == name) for name in ("before", "after")}
    mid_write = sum(1 for _, code, _, logged in outcomes if logged and code != 0)
    print(f"\ncrash trials over {duration:.2f}s, writing from {writing:.2f}s: {split}, {mid_write} killed "
          f"with frames in the write-ahead log; (delay, exit, outcome, WAL bytes): {outcomes}")
    assert split["before"] + split["after"] == TRIALS
