"""The plan's capacity rounds reuse the proof's analysis and all but capacity findings: the same as fresh."""

from __future__ import annotations

import pytest

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


class _Counted(Gaps):
    """The redundancy analysis, counting the whole analyses asked of it."""

    calls = 0

    def __call__(self, inventory: Inventory, **kwargs) -> list:
        type(self).calls += 1
        return super().__call__(inventory, **kwargs)


@pytest.mark.parametrize("budget", [None, 5_000.0])
def test_the_first_capacity_round_takes_the_proofs_analysis_of_the_same_network(
    sample: Inventory, budget: float | None
) -> None:
    _Counted.calls = 0
    base = with_planned(sample)
    find = _Counted(Policy(), Tariff())
    remedies = prove_remedies(base, find, Tariff(), IdMaker(sample.links), budget, findings=GAPS(sample))
    fresh = GAPS(apply_change(base, remedies.fix, in_service=True))
    assert remedies.remedied is not None
    assert _as_dicts(remedies.remedied.findings) == _as_dicts(fresh)
    if budget is None:
        # Every remedy taken: the network planned is the one the proof analysed last.
        assert _Counted.calls == 1
        assert sorted(remedies.fix.add) == [f"PLANNED-{n:04d}" for n in range(1, len(remedies.fix.add) + 1)]
    else:
        # Some left out for the budget: a network the proof never saw, analysed afresh.
        assert 0 < len(remedies.fix.add) < 5 and _Counted.calls == 2


def test_an_id_is_claimed_where_free() -> None:
    ids = IdMaker({"PLANNED-0002"})
    assert ids.claim("PLANNED-0003") == "PLANNED-0003"
    assert ids.claim("PLANNED-0002") == "PLANNED-0001"  # taken: the next free one instead
    assert ids() == "PLANNED-0004"
