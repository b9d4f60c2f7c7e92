"""Sharing findings that rest on the same tariff figures hold one dict of them, never a copy each."""

from __future__ import annotations

import pickle
from collections import defaultdict

from psninv.analysis import Tariff
from psninv.analysis.finding import Finding
from psninv.analysis.sharing import find_sharing
from psninv.inventory import Inventory


def test_one_dict_of_figures_for_each_set_and_exports_are_copies(sample: Inventory) -> None:
    findings, _ = find_sharing(sample, include_hidden=True)
    by_figures: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_figures[repr(finding.assumptions)].append(finding)
    assert any(len(group) > 1 for group in by_figures.values())
    for group in by_figures.values():
        assert len({id(finding.assumptions) for finding in group}) == 1
        assert "threshold_pct" in group[0].assumptions
    # Read back, they are still shared; written out, each finding's figures are its own.
    again = pickle.loads(pickle.dumps(findings))
    assert len({id(f.assumptions) for f in again}) == len(by_figures)
    exported = [finding.to_dict() for finding in again]
    exported[0]["assumptions"]["threshold_pct"] = -1
    assert all(finding.assumptions["threshold_pct"] == Tariff().threshold_pct for finding in again)


def test_other_figures_make_another_dict(sample: Inventory) -> None:
    ours, _ = find_sharing(sample, include_hidden=True)
    theirs, _ = find_sharing(sample, tariff=Tariff(threshold_pct=25.0), include_hidden=True)
    assert {id(f.assumptions) for f in ours}.isdisjoint(id(f.assumptions) for f in theirs)
    assert {f.assumptions["threshold_pct"] for f in theirs} == {25.0}
