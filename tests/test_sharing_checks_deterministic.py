"""The sharing checks give the same verdicts on a fast machine and a busy one: the way is chosen by size."""

from __future__ import annotations

import pytest

from psninv.analysis import policy_check
from psninv.analysis.analyser import KnownGaps
from psninv.analysis.policy import Policy
from psninv.analysis.policy_check import EXACT_WORK, PolicyChecker
from psninv.analysis.redundancy import Gaps
from psninv.analysis.sharing import SEARCHES
from psninv.analysis.sharing.context import Context
from psninv.analysis.sharing.verdicts import check_opportunities
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory

GAPS = Gaps(Policy(), Tariff())


def verdicts(sample: Inventory, seconds: float) -> dict[str, tuple]:
    """Every opportunity's verdict, the analysis it starts from having taken `seconds`."""
    ctx = Context(sample, Tariff())
    for search in SEARCHES:
        search(ctx)
    assert check_opportunities(ctx, GAPS, KnownGaps(tuple(GAPS(sample)), seconds)) is not None
    return {
        o.finding.id: (
            o.finding.breaks_policy,
            o.finding.impact.get("policy_check"),
            o.finding.impact.get("policy_links"),
            o.finding.title,
        )
        for o in ctx.opportunities
    }


@pytest.mark.parametrize("together", [False, True])
def test_a_busy_machine_checks_the_same_way_and_gives_the_same_verdicts(
    sample: Inventory, monkeypatch: pytest.MonkeyPatch, together: bool
) -> None:
    if together:
        monkeypatch.setattr(policy_check, "EXACT_WORK", 0)  # as on a network too big to check alone
    quick, slow = verdicts(sample, 0.001), verdicts(sample, 1000.0)
    assert quick == slow
    assert {method for _, method, _, _ in quick.values()} >= ({"together"} if together else {"alone"})


def test_changes_blamed_together_are_each_settled_alone(
    sample: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy_check, "EXACT_WORK", 0)
    found = verdicts(sample, 1000.0)  # however long one analysis takes
    settled = [fid for fid, (_, method, _, _) in found.items() if method == "alone"]
    assert settled, "no change was blamed together and checked alone"
    again = verdicts(sample, 0.0)
    monkeypatch.setattr(policy_check, "EXACT_WORK", 10**12)
    each = verdicts(sample, 0.0)
    # A change blamed together and settled alone gets the verdict checking every change alone gives.
    for fid in settled:
        assert found[fid][0] == each[fid][0] and found[fid][3] == each[fid][3]
    assert again == found


def test_the_way_is_chosen_by_the_count_of_changes_and_the_networks_size(sample: Inventory) -> None:
    checker = PolicyChecker(sample, GAPS, Tariff())
    most = EXACT_WORK // (len(sample.sites) + len(sample.links))
    assert checker.alone(1) and checker.alone(most) and not checker.alone(most + 1)
