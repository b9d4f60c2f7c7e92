"""Benchmark failure events and verified remedies: the sample in-process, and a 100k-site inventory.

    python scripts/bench_events.py                  # sample and 100k sites
    python scripts/bench_events.py --sites 20000    # another size
    python scripts/bench_events.py --sample-only

In the same run, beside its reference on the same graph: `analyse(only="redundancy",
events=True)` (every redundancy kind plus the ranking of every SRLG tag and provider) against
networkx building its graph from the inventory and finding bridges and articulation points;
`analyse(only="redundancy", remedies=True)` (verified remedies: proposals plus every re-run of
the analysis that proves them) on its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_redundancy import _clock  # noqa: E402
from generate_inventory import generate  # noqa: E402

from psninv.analysis import analyse  # noqa: E402
from psninv.graph import build_graph  # noqa: E402
from psninv.inventory import Inventory  # noqa: E402


def _networkx(inventory: Inventory) -> None:
    simple = nx.Graph(build_graph(inventory))
    list(nx.bridges(simple))
    list(nx.articulation_points(simple))


def bench(inventory: Inventory, repeat: int) -> dict:
    """Events and verified remedies beside networkx bridges and articulation points, same run."""
    reference, _ = _clock(lambda: _networkx(inventory), repeat)
    plain, _ = _clock(lambda: analyse(inventory, only="redundancy"), repeat)
    events_s, result = _clock(lambda: analyse(inventory, only="redundancy", events=True), repeat)
    remedies_s, fixed = _clock(lambda: analyse(inventory, only="redundancy", remedies=True), repeat)
    plan = fixed.redundancy.verified
    return {
        "sites": len(inventory.sites),
        "links": len(inventory.links),
        "events": len(result.redundancy.events),
        "reference_networkx_build_bridges_cut_sites_s": round(reference, 3),
        "analyse_redundancy_s": round(plain, 3),
        "analyse_redundancy_events_s": round(events_s, 3),
        "events_over_reference": round(events_s / reference, 2),
        "analyse_redundancy_remedies_s": round(remedies_s, 3),
        "sites_short": plan.sites_short,
        "proposed": len(plan.links),
        "lower_bound_links": plan.lower_bound_links,
        "unfixable": len(plan.unfixable),
        "rounds": plan.rounds,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print one JSON object per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="*", default=[100_000])
    parser.add_argument("--sample-only", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps({"sample": bench(generate(200), repeat=5)}))
    if not args.sample_only:
        for sites in args.sites:
            started = time.perf_counter()
            inventory = generate(sites)
            print(f"generated {sites} sites in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            print(json.dumps({str(sites): bench(inventory, repeat=1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
