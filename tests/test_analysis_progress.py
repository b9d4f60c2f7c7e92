"""Long work says what it is doing: the analysis's stages and its keeping, in order, through one callback."""

from __future__ import annotations

from pathlib import Path

import pytest

from psninv import open_store
from psninv.analysis import analyse
from psninv.inventory import Inventory
from psninv.session.cache import analyse_store, analysis_options
from psninv.session.kept_plan import plan_store
from psninv.store.fingerprint import fingerprint

EVERY_STAGE = [
    ("finding redundancy gaps", 0, 4),
    ("proving the links that close them", 1, 4),
    ("searching for sharing", 2, 4),
    ("checking sharing against the policy", 3, 4),
]


def test_the_analysis_announces_each_stage_as_it_starts(sample: Inventory) -> None:
    heard: list[tuple[str, int, int]] = []
    result = analyse(sample, remedies=True, progress=lambda *call: heard.append(call))
    assert heard == EVERY_STAGE
    # The same findings as without anyone listening.
    assert [f.id for f in result.findings] == [f.id for f in analyse(sample, remedies=True).findings]


@pytest.mark.parametrize(
    ("options", "stages"),
    [
        ({"only": "redundancy"}, ["finding redundancy gaps"]),
        ({"only": "sharing"}, ["searching for sharing", "checking sharing against the policy"]),
        ({}, ["finding redundancy gaps", "searching for sharing", "checking sharing against the policy"]),
    ],
)
def test_only_the_stages_a_run_goes_through_are_counted(
    sample: Inventory, options: dict, stages: list[str]
) -> None:
    heard: list[tuple[str, int, int]] = []
    analyse(sample, progress=lambda *call: heard.append(call), **options)
    assert heard == [(stage, index, len(stages)) for index, stage in enumerate(stages)]


def test_keeping_is_announced_only_when_something_is_kept(
    cache_folder: Path, sample_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = analysis_options(only="redundancy")
    with open_store(sample_db, read_only=True) as store:
        heard: list[str] = []
        analyse_store(
            store, options, lambda work: analyse(work, **options), progress=lambda s, d, t: heard.append(s)
        )
        assert heard == ["keeping the analysis for the next run"]
        again: list[str] = []
        analyse_store(
            store, options, lambda work: analyse(work, **options), progress=lambda s, d, t: again.append(s)
        )
        assert again == []  # read back: nothing run, nothing kept
        monkeypatch.setenv("PSNINV_CACHE_DIR", "off")
        off: list[str] = []
        other = analysis_options(only="sharing")
        analyse_store(
            store, other, lambda work: analyse(work, **other), progress=lambda s, d, t: off.append(s)
        )
        assert off == []

        planned: list[str] = []
        monkeypatch.setenv("PSNINV_CACHE_DIR", str(cache_folder))
        inventory = store.load()
        plan_store(store, inventory, stamp=fingerprint(store), progress=lambda s, d, t: planned.append(s))
        assert (
            planned[0] == "analysing the network as it is"
            and planned[-1] == "keeping the plan for the next run"
        )
        assert (
            "keeping the analysis for the next run" not in planned
        )  # the plan's own analysis: not announced
