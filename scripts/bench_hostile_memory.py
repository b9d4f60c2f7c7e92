"""Peak memory of `psninv import --dry-run` on the worst files the import limits still let in.

Each case is a file at or just past a documented limit (psninv/io/limits.py), imported by the
real command in a child process; its peak RSS comes from getrusage. The reference, measured in
the same run, is the same child importing a small clean CSV: the interpreter and libraries alone.

    python scripts/bench_hostile_memory.py [--out DIR] [--only NAME]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from psninv.io.limits import DEFAULT_LIMITS, MiB

LIMIT_GB = 1.5


def csv_tiny_cells(path: Path, megabytes: int) -> Path:
    """Distinct two- and three-character cells, 50 to a row: the most Python objects per byte."""
    with path.open("w") as handle:
        handle.write(",".join(["code"] + [f"c{i}" for i in range(1, 50)]) + "\n")
        row = 0
        while handle.tell() < megabytes * MiB:
            row += 1
            handle.write(",".join(f"{(row * 50 + i) % 997:x}" for i in range(50)) + "\n")
    return path


def csv_tiny_rows(path: Path, rows: int) -> Path:
    """Rows of 50 tiny cells: the largest CSV the cell limit lets through."""
    with path.open("w") as handle:
        handle.write(",".join(["code"] + [f"c{i}" for i in range(1, 50)]) + "\n")
        for row in range(rows):
            handle.write(",".join(f"{(row * 50 + i) % 997:x}" for i in range(50)) + "\n")
    return path


def csv_rows(path: Path, rows: int) -> Path:
    """One short cell a row: as many rows as the limit allows (and one more, to be refused)."""
    with path.open("w") as handle:
        handle.write("code\n")
        handle.writelines(f"S{i}\n" for i in range(rows))
    return path


def csv_long_cells(path: Path, megabytes: int) -> Path:
    """Cells at Excel's 32,767-character limit."""
    cell = "x" * DEFAULT_LIMITS.max_cell_chars
    with path.open("w") as handle:
        handle.write("code,name\n")
        i = 0
        while handle.tell() < megabytes * MiB:
            handle.write(f"S{i},{cell}\n")
            i += 1
    return path


def peak_rss_mb(path: Path, db: str) -> tuple[float, int, float, str]:
    """Run the import as a user would; its peak RSS in MB, exit status, seconds and first line."""
    code = (
        "import resource, sys, subprocess;"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "said = (r.stdout + r.stderr).strip().splitlines() or [''];"
        "print(peak, r.returncode, said[0])"
    )
    psninv = [sys.executable, "-m", "psninv", "import", str(path), "--dry-run", "--db", db]
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *psninv], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    kib, status, first = out.stdout.strip().split(" ", 2)
    return int(kib) / 1024, int(status), seconds, first


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="where to write the files (default: a temporary folder)")
    parser.add_argument("--only", help="run only the case whose name contains this")
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="psninv-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = str(folder / "bench.db")
    subprocess.run([sys.executable, "-m", "psninv", "init", "--db", db], check=True, capture_output=True)
    limits = DEFAULT_LIMITS
    biggest = limits.max_file_bytes // MiB - 1
    cells_at_limit = limits.max_cells // 50 - 2  # rows of 50 cells that stay just within max_cells
    cases = {
        "reference: 10-row clean CSV": lambda p: csv_rows(p, 10),
        f"{cells_at_limit * 50:,} tiny cells (within max_cells)": lambda p: csv_tiny_rows(p, cells_at_limit),
        "64 MB of tiny distinct cells": lambda p: csv_tiny_cells(p, 64),
        f"{biggest} MB of tiny distinct cells (the file-size limit)": lambda p: csv_tiny_cells(p, biggest),
        f"{limits.max_rows:,} one-cell rows (the row limit)": lambda p: csv_rows(p, limits.max_rows),
        "one past the row limit": lambda p: csv_rows(p, limits.max_rows + 1),
        "200 MB of 32,767-character cells": lambda p: csv_long_cells(p, 200),
    }
    print(f"{'case':<62} {'peak MB':>8} {'exit':>4} {'s':>6}  first line")
    for index, (name, make) in enumerate(cases.items()):
        if args.only and args.only not in name and not name.startswith("reference"):
            continue
        (folder / f"case{index}").mkdir(exist_ok=True)
        path = make(folder / f"case{index}" / "sites.csv")
        peak, status, seconds, first = peak_rss_mb(path, db)
        flag = "" if peak < LIMIT_GB * 1024 else f"  OVER {LIMIT_GB} GB"
        print(f"{name:<62} {peak:8.0f} {status:4d} {seconds:6.1f}  {first[:70]}{flag}", flush=True)
        if not args.out:
            path.unlink()
    print(f"(machine: {os.cpu_count()} cores; limit under test: {LIMIT_GB} GB peak; "
          f"max_rss is the child's own, getrusage(RUSAGE_CHILDREN))")


if __name__ == "__main__":
    main()
