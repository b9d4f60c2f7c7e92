"""Benchmark `psninv plan`: the sample through the CLI, a large inventory in-process, greedy against exact.

    python scripts/bench_plan.py                   # sample (CLI) and 100k sites
    python scripts/bench_plan.py --sites 20000     # another size
    python scripts/bench_plan.py --sample-only

Each figure sits beside its reference measured in the same run on the same data: the CLI plan
beside `psninv analyse --format json` of the same database (both fresh processes); the in-process
plan beside `analyse()` of the same inventory. On the sample, the greedy set of sharing
opportunities is compared with the exact best: every subset of the candidates that touch
disjoint circuits, each verified by analysing the remedied network with it applied.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from generate_inventory import generate  # noqa: E402

from psninv import open_store, sample_path  # noqa: E402
from psninv.analysis import Config, Policy, Tariff, analyse  # noqa: E402
from psninv.analysis.network_change import IdMaker, apply_change, combine  # noqa: E402
from psninv.analysis.plan import make_plan, prove_remedies  # noqa: E402
from psninv.analysis.plan_sharing import sharing_candidates  # noqa: E402
from psninv.analysis.policy_check import PolicyChecker  # noqa: E402
from psninv.analysis.redundancy import gaps  # noqa: E402
from psninv.analysis.sharing import SharingAnalyser  # noqa: E402
from psninv.analysis.verified import with_planned  # noqa: E402
from psninv.inventory import Inventory  # noqa: E402

PSNINV = str(Path(sys.executable).with_name("psninv"))


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def sample_cli(folder: Path) -> None:
    """The sample's plan in a fresh process, best of three, beside a fresh `analyse` of the same database."""
    db = str(folder / "sample.db")
    subprocess.run([PSNINV, "import", str(sample_path()), "--db", db], check=True, capture_output=True)
    plan = min(_wall([PSNINV, "plan", "--db", db, "--format", "json"]) for _ in range(3))
    reference = min(_wall([PSNINV, "analyse", "--db", db, "--format", "json"]) for _ in range(3))
    print(f"sample, CLI: psninv plan {plan:.2f} s | reference psninv analyse --format json {reference:.2f} s")


def greedy_against_exact(inventory: Inventory) -> None:
    """The greedy plan's sharing net against the best subset found by trying every one."""
    policy, tariff = Policy(), Tariff()

    def find(work: Inventory) -> list:
        return gaps(work, policy, tariff)

    base = with_planned(inventory)
    ids = IdMaker(inventory.links)
    remedies = prove_remedies(base, find, tariff, ids)
    plan = make_plan(inventory, policy=policy, tariff=tariff)
    remedied = apply_change(base, remedies.fix, in_service=True)
    found, _ = SharingAnalyser().run(remedied, Config(policy=policy, tariff=tariff))
    candidates, _left = sharing_candidates(remedied, found, remedies.fix, tariff, ids)
    checker = PolicyChecker(remedied, find, tariff, ids)
    best, best_set, tried = 0, (), 0
    started = time.perf_counter()
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            touched = [change.circuits() for _, change in subset]
            if touched and sum(len(t) for t in touched) != len(set().union(*touched)):
                continue
            tried += 1
            net = sum(finding.savings_gbp or 0 for finding, _ in subset)
            if net <= best:
                continue
            new, _ = checker.problems(combine(change for _, change in subset))
            if not new:
                best, best_set = net, tuple(finding.id for finding, _ in subset)
    exact_s = time.perf_counter() - started
    greedy = sum(finding.savings_gbp or 0 for finding in found if finding.id in set(plan.taken))
    print(
        f"sample, greedy vs exact: {len(candidates)} candidates, {tried} disjoint subsets tried "
        f"in {exact_s:.2f} s; "
        f"exact best £{best:,} a year ({', '.join(best_set)}); greedy £{greedy:,} ({', '.join(plan.taken)}); "
        f"remedies {len(remedies.fix.add)} links"
    )


def large(sites: int) -> None:
    """The plan of a generated inventory in-process, beside one full analysis of it."""
    inventory = generate(sites)
    started = time.perf_counter()
    analyse(inventory)
    reference = time.perf_counter() - started
    phases: list[tuple[str, float]] = []

    def progress(phase: str, done: int, total: int) -> None:
        phases.append((phase, time.perf_counter()))

    started = time.perf_counter()
    plan = make_plan(inventory, progress=progress)
    seconds = time.perf_counter() - started
    steps = ", ".join(
        f"{name} {end - begin:.1f}" for (name, begin), (_, end) in itertools.pairwise(phases) if end > begin
    )
    t = plan.totals
    before, after = plan.severity_counts("before"), plan.severity_counts("after")
    print(
        f"{sites:,} sites, in-process: make_plan {seconds:.1f} s ({steps}) | "
        f"reference analyse() {reference:.1f} s; {len(plan.changes):,} changes, spend £{t.spend_gbp:,}, "
        f"savings £{t.savings_gbp:,}, critical {before['critical']} -> {after['critical']}, "
        f"high {before['high']} -> {after['high']}"
    )


def main() -> None:
    """Run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--sample-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sample_cli(Path(folder))
        with open_store(str(Path(folder) / "sample.db"), read_only=True) as store:
            greedy_against_exact(store.load())
    if not args.sample_only:
        large(args.sites)


if __name__ == "__main__":
    main()
