"""Every analyser behind one interface: a name, its kinds, run(inventory, config) -> findings, summary."""

from __future__ import annotations

import pytest
from builders import link, site

from psninv.analysis import ANALYSERS, Analysis, Config, Kind, analyse
from psninv.analysis.redundancy import RedundancySummary
from psninv.analysis.sharing import SharingSummary
from psninv.inventory import Inventory

SUMMARIES = {"redundancy": RedundancySummary, "sharing": SharingSummary}


def _inventory() -> Inventory:
    sites = [
        site("DC", "CC", 52.80, -2.10, role="datacentre"),
        site("HUB", "CC", 52.81, -2.10, role="hub"),
        site("A", "CC", 52.82, -2.10),
        site("B", "NHS", 52.82, -2.10),  # beside A: a co-location
    ]
    links = [
        link("L1", "DC", "HUB", "CC", 1000, 5000),
        link("L2", "HUB", "A", "CC", 100, 3000),
        link("L3", "HUB", "B", "NHS", 100, 3000),
    ]
    return Inventory(
        tenants={"CC": {"code": "CC", "name": "County"}, "NHS": {"code": "NHS", "name": "Health"}},
        sites={row["code"]: {**row, "occupants": []} for row in sites},
        links={row["circuit_id"]: row for row in links},
    )


def test_every_kind_belongs_to_exactly_one_analyser() -> None:
    owners = [analyser.name for analyser in ANALYSERS.values() for _kind in analyser.kinds]
    kinds = [kind for analyser in ANALYSERS.values() for kind in analyser.kinds]
    assert sorted(kinds) == sorted(Kind) and len(owners) == len(set(kinds))


@pytest.mark.parametrize("name", sorted(ANALYSERS))
def test_an_analyser_emits_only_its_kinds_worst_first_with_its_typed_summary(name: str) -> None:
    analyser = ANALYSERS[name]
    assert analyser.name == name
    findings, summary = analyser.run(_inventory(), Config())
    assert findings and {f.kind for f in findings} <= set(analyser.kinds)
    assert all(f.category.value == name for f in findings)
    assert findings == sorted(findings, key=lambda f: f.sort_key())
    assert isinstance(summary, SUMMARIES[name])


@pytest.mark.parametrize("only", [None, *sorted(ANALYSERS)])
def test_analyse_runs_the_chosen_analysers_and_files_each_summary(only: str | None) -> None:
    result = analyse(_inventory(), only=only, failed=["HUB"])
    assert isinstance(result, Analysis)
    for name in ANALYSERS:
        ran = only in (None, name)
        assert (getattr(result, name) is not None) == ran
        assert any(f.category.value == name for f in result.findings) == ran
    assert result.what_if is not None and result.what_if.cut_off_sites == {"A", "B"}
    assert sum(result.by_severity.values()) == len(result.findings)
    assert list(result.to_dict()["summary"])[0] == "what_if"
