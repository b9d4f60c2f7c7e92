"""Benchmark the redundancy analyser: the sample in-process, and 100k / 200k sites from database to JSON.

    python scripts/bench_redundancy.py                    # sample, 100k and 200k sites
    python scripts/bench_redundancy.py --sites 100000     # one size only
    python scripts/bench_redundancy.py --sample-only

Each size is generated with scripts/generate_inventory.py (Staffordshire plus synthetic
counties), written to an SQLite database (kept in --cache for later runs), then timed as
`psninv analyse --only redundancy --format json -o FILE` in a fresh process, wall clock. The
same run times each stage in-process beside its reference on the same data: the partial load
beside the whole `store.load()`, the analysis beside networkx's bridges and articulation points
(parallel links collapsed), the streamed JSON report beside `json.dumps` of the same dicts.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from generate_inventory import generate  # noqa: E402

from psninv.analysis import analyse, columns_needed  # noqa: E402
from psninv.analysis.connectivity import analyse_structure, build_network  # noqa: E402
from psninv.analysis.redundancy import find_redundancy  # noqa: E402
from psninv.graph import build_graph  # noqa: E402
from psninv.inventory import Inventory  # noqa: E402
from psninv.io.report import write_json  # noqa: E402
from psninv.model import ENTITY_TABLES  # noqa: E402
from psninv.store import open_store  # noqa: E402
from psninv.store.reads import load_inventory  # noqa: E402
from psninv.store.writes import replace_occupants, upsert  # noqa: E402


def _clock(fn, repeat: int = 1) -> tuple[float, object]:
    """The best wall-clock time of `repeat` runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def write_database(inventory: Inventory, path: Path) -> None:
    """Write an inventory into a fresh SQLite database through the store's bulk upserts."""
    if path.exists():
        path.unlink()
    with open_store(path, actor="bench") as store, store.write() as conn:
        occupants = {}
        for entity, table in ENTITY_TABLES.items():
            names = [c.name for c in table.columns if c.name != "version"]
            rows = []
            for row in getattr(inventory, entity).values():
                rows.append({name: row.get(name) for name in names})
                if entity == "sites" and row.get("occupants"):
                    occupants[row["code"]] = list(row["occupants"])
            upsert(conn, table, rows)
        replace_occupants(conn, occupants)


def bench_sample() -> dict:
    """The 200-site sample: full redundancy analysis in-process, best of 5."""
    inventory = generate(200)
    find_redundancy(inventory)
    seconds, (findings, _) = _clock(lambda: find_redundancy(inventory), repeat=5)
    full, _ = _clock(lambda: analyse(inventory, only="redundancy"), repeat=5)
    graph = build_graph(inventory)
    simple = nx.Graph(graph)
    reference, _ = _clock(lambda: (list(nx.bridges(simple)), list(nx.articulation_points(simple))), repeat=5)
    return {
        "sites": len(inventory.sites),
        "links": len(inventory.links),
        "findings": len(findings),
        "find_redundancy_s": round(seconds, 4),
        "analyse_s": round(full, 4),
        "networkx_bridges_and_cut_sites_s": round(reference, 4),
    }


def large_inventory(sites: int) -> tuple[Inventory, str]:
    """The generator's inventory of this size, or two of half the size joined at their data centres."""
    try:
        return generate(sites), "generated"
    except ValueError as exc:
        # The generator may run out of room for very large sizes; doubling keeps the shape exactly.
        half = generate(sites // 2)
        doubled = Inventory(tenants=dict(half.tenants))
        for copy in ("", "B/"):
            for code, row in half.sites.items():
                occupants = [f"{copy}{t}" if copy else t for t in row.get("occupants") or ()]
                doubled.sites[copy + code] = {
                    **row,
                    "code": copy + code,
                    "occupants": occupants,
                    "tenant": (copy + row["tenant"]) if copy and row.get("tenant") else row.get("tenant"),
                }
            for cid, row in half.links.items():
                doubled.links[copy + cid] = {
                    **row,
                    "circuit_id": copy + cid,
                    "a_site": copy + row["a_site"],
                    "b_site": copy + row["b_site"],
                    "tenant": (copy + row["tenant"]) if copy and row.get("tenant") else row.get("tenant"),
                }
            if copy:
                for code, row in half.tenants.items():
                    doubled.tenants[copy + code] = {**row, "code": copy + code}
        for cid, (a, b) in {"JOIN-1": ("STA-DC", "B/STA-DC"), "JOIN-2": ("EST-DC", "B/EST-DC")}.items():
            doubled.links[cid] = {
                "circuit_id": cid,
                "a_site": a,
                "b_site": b,
                "status": "active",
                "bandwidth_mbps": 100000.0,
            }
        return doubled, f"two {sites // 2}-site inventories joined ({exc})"


def bench_size(sites: int, cache: Path) -> dict:
    """One large inventory: database to JSON through the CLI, with the bare algorithms as reference."""
    cache.mkdir(parents=True, exist_ok=True)
    db = cache / f"redundancy-{sites}.db"
    marker = cache / f"redundancy-{sites}.ok"
    if not (db.exists() and marker.exists()):
        started = time.perf_counter()
        inventory, how = large_inventory(sites)
        write_database(inventory, db)
        marker.write_text(how + "\n")
        print(f"  {how}: wrote {sites} sites in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        del inventory
    how = marker.read_text().strip()
    result = {"sites": sites, "inventory": how, **_in_process(db)}
    gc.collect()

    out = cache / f"redundancy-{sites}.json"
    command = [
        sys.executable,
        "-m",
        "psninv",
        "analyse",
        "--db",
        str(db),
        "--only",
        "redundancy",
        "--format",
        "json",
        "-o",
        str(out),
    ]
    runs = []
    cpu = []
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT)
        runs.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds tell the work apart from the wait on a machine shared with other jobs.
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    document = json.loads(out.read_text(encoding="utf-8"))
    result.update(
        findings=len(document["findings"]),
        json_mb=round(out.stat().st_size / 1e6, 1),
        cli_db_to_json_s=round(min(runs), 2),
        cli_runs_s=[round(r, 2) for r in runs],
        cli_cpu_s=[round(c, 2) for c in cpu],
        load_average=os.getloadavg(),
    )
    return result


def _in_process(db: Path) -> dict:
    """Each stage of the CLI timed in this process, beside its reference on the same data."""
    with open_store(db, read_only=True) as store:
        whole_s, _ = _clock(store.load)
        gc.collect()

        def partial() -> Inventory:
            with store.read() as conn:
                return load_inventory(conn, columns=columns_needed("redundancy"))

        load_s, inventory = _clock(partial)
    graph_s, graph = _clock(lambda: build_graph(inventory))
    simple = nx.Graph(graph)
    del graph
    nx_bridges_s, bridges = _clock(lambda: list(nx.bridges(simple)))
    nx_cut_s, cut_sites = _clock(lambda: list(nx.articulation_points(simple)))
    simple = None
    ours_s, structure = _clock(lambda: analyse_structure(build_network(inventory)))
    analyse_s, result = _clock(lambda: analyse(inventory, only="redundancy"))
    # The reference is given its dicts ready-made; the report builds them as it writes.
    dicts = {"summary": result.summary_to_dict(), "findings": [f.to_dict() for f in result.findings]}
    dump_s, _ = _clock(lambda: json.dumps(dicts, default=str, ensure_ascii=False))
    dicts = None
    with open(os.devnull, "w", encoding="utf-8") as sink:
        stream_s, _ = _clock(lambda: write_json(result, sink, default=str))
    return {
        "active_links": len(structure.net.edge_ids),
        "load_redundancy_columns_s": round(load_s, 2),
        "reference_store_load_whole_s": round(whole_s, 2),
        "analyse_s": round(analyse_s, 2),
        "reference_nx_build_graph_s": round(graph_s, 2),
        "reference_nx_bridges_s": round(nx_bridges_s, 2),
        "reference_nx_articulation_points_s": round(nx_cut_s, 2),
        "ours_network_and_search_s": round(ours_s, 2),
        "write_json_streamed_s": round(stream_s, 2),
        "reference_json_dumps_of_dicts_s": round(dump_s, 2),
        "nx_bridges": len(bridges),
        "nx_cut_sites": len(cut_sites),
        "our_bridges": len(structure.bridges),
        "our_cut_sites": len(structure.cut_sites),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print one JSON object per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="*", default=[100_000, 200_000])
    parser.add_argument("--sample-only", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/psninv-bench"))
    args = parser.parse_args(argv)
    print(json.dumps({"load_average": os.getloadavg()}))
    print(json.dumps({"sample": bench_sample()}))
    if args.sample_only:
        return 0
    results = []
    for sites in args.sites:
        result = bench_size(sites, args.cache)
        results.append(result)
        print(json.dumps(result))
    if len(results) == 2:
        ratio = results[1]["cli_db_to_json_s"] / results[0]["cli_db_to_json_s"]
        print(json.dumps({"doubling_ratio": round(ratio, 2), "load_average": os.getloadavg()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
