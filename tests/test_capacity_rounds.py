"""After circuit upgrades only the capacity findings are found again: the same as analysing afresh."""

from __future__ import annotations

from psninv.analysis.finding import Kind
from psninv.analysis.network_change import IdMaker, NetworkChange, apply_change
from psninv.analysis.plan import prove_remedies
from psninv.analysis.policy import Policy
from psninv.analysis.redundancy import Gaps
from psninv.analysis.tariff import Tariff
from psninv.analysis.verified import with_planned
from psninv.inventory import Inventory

GAPS = Gaps(Policy(), Tariff())


def _as_dicts(findings) -> list[dict]:
    return [finding.to_dict() for finding in findings]


def test_resized_equals_a_fresh_analysis_when_bandwidths_and_costs_change(sample: Inventory) -> None:
    before = GAPS(sample)
    overloaded = [f for f in before if f.kind is Kind.CAPACITY]
    assert overloaded
    change = NetworkChange()
    # Upgrade every overloaded circuit, and halve some circuits that were not, with their costs.
    for finding in overloaded:
        for cid in finding.id.split(":", 1)[1].split("+"):
            row = sample.links[cid]
            change.alter[cid] = {"bandwidth_mbps": (row["bandwidth_mbps"] or 0) * 4, "annual_cost_gbp": 1.0}
    for cid in sorted(sample.links)[::7]:
        row = sample.links[cid]
        if cid not in change.alter and row.get("bandwidth_mbps"):
            change.alter[cid] = {"bandwidth_mbps": row["bandwidth_mbps"] / 2}
    after = apply_change(sample, change)
    fresh = GAPS(after)
    assert _as_dicts(GAPS.resized(after, before)) == _as_dicts(fresh)
    # The change moved capacity findings both ways, so the test compares something.
    ids = {f.id for f in before if f.kind is Kind.CAPACITY}
    again = {f.id for f in fresh if f.kind is Kind.CAPACITY}
    assert ids - again and again - ids


def test_the_plans_remedied_network_has_the_gaps_a_fresh_analysis_finds(sample: Inventory) -> None:
    base = with_planned(sample)
    remedies = prove_remedies(base, GAPS, Tariff(), IdMaker(sample.links), findings=GAPS(sample))
    assert remedies.upgrades, "the sample plan upgrades no circuit: the capacity rounds are untested"
    assert remedies.remedied is not None
    fresh = GAPS(apply_change(base, remedies.fix, in_service=True))
    assert _as_dicts(remedies.remedied.findings) == _as_dicts(fresh)
