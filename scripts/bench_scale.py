"""Benchmark the everyday surfaces at 100k sites: `analyse` (table), `report`, the TUI's dashboard.

    python scripts/bench_scale.py                  # 100k sites (the database is made once, then kept)
    python scripts/bench_scale.py --sites 20000
    python scripts/bench_scale.py --skip-plan      # leave out `report` with the plan (about 5 minutes)

Every figure is a fresh process, timed wall-clock with its peak memory (the child's own maximum
resident set, from wait4), each beside its reference measured in the same run: the same analysis
written as JSON (what the table adds or saves), and the analysis the dashboard waits for, run
directly. "cold" is the first run on an inventory (an empty analysis cache); "warm" the next
one, with the inventory unchanged (the analysis, or the plan, read back from the cache).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
PSNINV = str(Path(sys.executable).with_name("psninv"))

DASHBOARD = r"""
import time
START = time.perf_counter()
import asyncio, sys
from psninv.store import open_store
from psninv.tui.app import PsninvApp

async def main():
    store = open_store(sys.argv[1], read_only=True)
    app = PsninvApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.results is None and app.analysis_error is None:
            await asyncio.sleep(0.05)
        await pilot.pause()
        text = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "Most severe findings" in text and "analysing" not in text, text
        print(f"{time.perf_counter() - START:.2f}")  # from the interpreter's start to the findings shown

if __name__ == "__main__":  # the analysis child process imports this module again
    asyncio.run(main())
"""

DIRECT = r"""
import sys, time
from psninv.session.runner import analyse_database
started = time.perf_counter()
analyse_database(sys.argv[1])
print(f"{time.perf_counter() - started:.2f}")
"""


def tree_pss_mb(root: int) -> float:
    """The proportional set size of a process and all its descendants, in MB (shared pages counted once)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
    return total / 1024


def measure(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall-clock seconds and peak memory (MB) of one fresh process, and the time it printed, if any.

    `peak_mb` is the largest resident set of the process or of any helper it started (wait4);
    `tree_mb` the largest sum, sampled every 0.1 s, of the proportional set sizes of the process and
    its helpers together (a forked helper's pages shared with its parent count once).
    """
    started = time.perf_counter()
    tree_peak = [0.0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                tree_peak[0] = max(tree_peak[0], tree_pss_mb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        printed, error = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{error[-2000:]}")
    figures = {
        "s": round(seconds, 2),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "tree_mb": round(tree_peak[0]),
    }
    last = printed.strip().splitlines()[-1:] if args[1] == "-c" else []
    if last:
        figures["timed_s"] = float(last[0])  # what the script timed itself (the process also exits)
    return figures


def database(sites: int, cache: Path) -> Path:
    """The benchmark inventory in SQLite, made once (scripts/generate_inventory.py) and kept."""
    from bench_redundancy import large_inventory, write_database

    path = cache / f"scale-{sites}.db"
    if not path.exists():
        inventory, how = large_inventory(sites)
        write_database(inventory, path)
        print(json.dumps({"made": str(path), "inventory": how}), flush=True)
    return path


def first_tenant(db: str) -> str:
    """The code of the inventory's first tenant (for a partner's own report)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT code FROM tenant ORDER BY code LIMIT 1").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print one JSON object per line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/psninv-bench"))
    parser.add_argument("--skip-plan", action="store_true")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    db = str(database(args.sites, args.cache))
    print(json.dumps({"sites": args.sites, "load_average": os.getloadavg()}), flush=True)
    work = Path(tempfile.mkdtemp(prefix="psninv-bench-scale-"))
    env = {**os.environ, "PSNINV_CACHE_DIR": str(work / "cache")}

    def cold() -> dict[str, str]:
        shutil.rmtree(work / "cache", ignore_errors=True)
        return env

    def report(name: str, ours: dict, reference: dict, reference_is: str) -> None:
        print(json.dumps({name: ours, "reference": {reference_is: reference}}), flush=True)

    try:
        json_out = str(work / "findings.json")
        redundancy_json = measure(
            [PSNINV, "analyse", "--only", "redundancy", "--format", "json", "-o", json_out, "--db", db],
            cold(),
        )
        table_cold = measure([PSNINV, "analyse", "--only", "redundancy", "--db", db], cold())
        table_warm = measure([PSNINV, "analyse", "--only", "redundancy", "--db", db], env)
        report(
            "analyse --only redundancy (table)",
            {"cold": table_cold, "warm": table_warm},
            redundancy_json,
            "the same analysis as JSON, cold",
        )
        everything_json = measure([PSNINV, "analyse", "--format", "json", "-o", json_out, "--db", db], cold())
        full_cold = measure([PSNINV, "analyse", "--db", db], cold())
        full_warm = measure([PSNINV, "analyse", "--db", db], env)
        report(
            "analyse (table)",
            {"cold": full_cold, "warm": full_warm},
            everything_json,
            "the same analysis as JSON, cold",
        )
        page = str(work / "report.html")
        report_cold = measure([PSNINV, "report", page, "--no-plan", "--force", "--db", db], cold())
        report_warm = measure([PSNINV, "report", page, "--no-plan", "--force", "--db", db], env)
        report(
            "report --no-plan",
            {"cold": report_cold, "warm": report_warm},
            everything_json,
            "analyse --format json, cold",
        )
        direct = measure([sys.executable, "-c", DIRECT, db], cold())
        shown_cold = measure([sys.executable, "-c", DASHBOARD, db], cold())
        shown_warm = measure([sys.executable, "-c", DASHBOARD, db], env)
        report(
            "TUI dashboard, analysis shown",
            {"cold": shown_cold, "warm": shown_warm},
            direct,
            "the analysis it waits for, run directly, cold",
        )
        if not args.skip_plan:
            # Cold: nothing kept; after analyse: the analysis is kept, the plan not yet; warm: the plan
            # is kept too; a partner's report: the kept whole-network plan as one tenant sees it.
            with_plan = [PSNINV, "report", page, "--force", "--db", db]
            plan_cold = measure(with_plan, cold())
            measure([PSNINV, "analyse", "--db", db], cold())
            plan_after_analyse = measure(with_plan, env)
            plan_warm = measure(with_plan, env)
            partner = measure([*with_plan, "--tenant", first_tenant(db)], env)
            plan_json = measure([PSNINV, "plan", "--format", "json", "--db", db], cold())
            report(
                "report (with the plan)",
                {
                    "cold": plan_cold,
                    "after analyse": plan_after_analyse,
                    "warm": plan_warm,
                    "partner": partner,
                },
                plan_json,
                "psninv plan --format json, cold",
            )
        print(json.dumps({"load_average": os.getloadavg()}), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
