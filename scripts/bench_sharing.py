"""Benchmark: the full sharing analysis of a generated 100k-site inventory, beside same-run references.

    python scripts/bench_sharing.py            # 100,000 sites, seed 2026
    python scripts/bench_sharing.py --sites 20000

Prints the time of find_sharing (the goal is under 15 s for 100k sites) with the time of each
search, and references over the same site coordinates measured in the same run, since the
machine is shared and its speed varies: psninv's vectorised pairs_within and, where SciPy is
installed (`pip install .[bench]`), a cKDTree query_pairs on unit vectors, both at the widest
radius the searches use; and a bare pure-Python SpatialGrid neighbour pass at the co-location
radius, which shows how fast plain Python runs here at that moment.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
from generate_inventory import generate  # noqa: E402

from psninv.analysis.geo import EARTH_RADIUS_KM, SpatialGrid, pairs_within  # noqa: E402
from psninv.analysis.sharing import SEARCHES, find_sharing  # noqa: E402
from psninv.analysis.sharing.context import Context  # noqa: E402
from psninv.analysis.sharing.summary import build_summary  # noqa: E402
from psninv.analysis.tariff import Tariff  # noqa: E402

try:  # imported here, not in the timed call: importing SciPy takes seconds
    from scipy.spatial import cKDTree
except ImportError:
    cKDTree = None

GOAL_S = 15.0


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Wall-clock seconds of one call, and what it returned."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def kdtree_pairs(points: list[tuple[str, float, float]], radius_km: float) -> int | None:
    """How many pairs SciPy's cKDTree finds within the radius (chord distance on the unit sphere)."""
    if cKDTree is None:
        return None
    lat = np.radians([p[1] for p in points])
    lon = np.radians([p[2] for p in points])
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    chord = 2 * math.sin(radius_km / EARTH_RADIUS_KM / 2)
    return len(cKDTree(xyz).query_pairs(chord, output_type="ndarray"))


def main() -> int:
    """Generate, analyse, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    generated_s, inventory = timed(lambda: generate(args.sites, args.seed))
    counts = inventory.counts()
    print(f"inventory: {counts} (generated in {generated_s:.1f} s, not timed below)")
    tariff = Tariff()
    radius = max(tariff.co_location_m / 1000, tariff.parallel_end_m / 1000, tariff.neighbour_km)
    points = [
        (code, site["latitude"], site["longitude"])
        for code, site in inventory.sites.items()
        if site.get("latitude") is not None and site.get("longitude") is not None
    ]

    total_s, (findings, summary) = timed(lambda: find_sharing(inventory, tariff=tariff))
    lat = np.array([p[1] for p in points])
    lon = np.array([p[2] for p in points])
    pairs_s, pairs = timed(lambda: pairs_within(lat, lon, radius))
    tree_s, tree_count = timed(lambda: kdtree_pairs(points, radius))
    near = tariff.co_location_m / 1000
    grid_s, grid_count = timed(lambda: sum(1 for _ in SpatialGrid(points, near).pairs(near)))

    # The same work again, one search at a time, to show where the time goes; the collector is
    # paused as find_sharing pauses it.
    gc.disable()
    stages: list[tuple[str, float]] = []
    context_s, ctx = timed(lambda: Context(inventory, tariff))
    stages.append(("prepare (active links, payers, costs)", context_s))
    for search in SEARCHES:
        seconds, _ = timed(lambda search=search: search(ctx))
        stages.append((search.__module__.rsplit(".", 1)[-1], seconds))
    summary_s, _ = timed(lambda: build_summary(ctx))
    stages.append(("summary", summary_s))
    gc.enable()

    print(
        f"\nfind_sharing, {counts['sites']:,} sites, {counts['links']:,} links: {total_s:.2f} s "
        f"(goal < {GOAL_S:.0f} s: {'met' if total_s < GOAL_S else 'NOT met'})"
    )
    print(
        f"  findings shown {len(findings):,}, hidden {summary.hidden:,}; "
        f"by kind {summary.to_dict()['opportunities']}"
    )
    print(f"references, same {len(points):,} points, measured in this run:")
    print(f"  psninv pairs_within (NumPy grid), {radius:g} km: {pairs_s:.2f} s ({pairs[0].size:,} pairs)")
    if tree_count is None:
        print("  scipy cKDTree query_pairs: SciPy not installed")
    else:
        print(f"  scipy cKDTree query_pairs, {radius:g} km: {tree_s:.2f} s ({tree_count:,} pairs)")
    print(f"  pure-Python SpatialGrid pairs, {near * 1000:g} m: {grid_s:.2f} s ({grid_count:,} pairs)")
    print("stages (second run):")
    for name, seconds in stages:
        print(f"  {name:40s} {seconds:6.2f} s")
    return 0 if total_s < GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
