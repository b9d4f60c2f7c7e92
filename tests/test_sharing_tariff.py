"""The tariff: defaults, the shipped example, TOML overrides and the refusals."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from psninv.analysis.tariff import Tariff, TariffError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "inventory" / "tariff.example.toml"
DOC = ROOT / "docs" / "TARIFF.md"


def test_example_file_lists_every_figure_at_its_default() -> None:
    loaded = Tariff.load(EXAMPLE)
    assert loaded == Tariff(renumber_pool=("100.64.0.0/16",))
    text = EXAMPLE.read_text(encoding="utf-8")
    for figure in fields(Tariff):
        assert re.search(rf"^{figure.name} = ", text, re.MULTILINE), figure.name


def test_every_figure_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for figure in fields(Tariff):
        assert f"`{figure.name}`" in text, figure.name


def test_override_keeps_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("uplift_per_mbps_gbp = 4\nrenewal_window_months = 6\n", encoding="utf-8")
    tariff = Tariff.load(path)
    assert tariff.uplift_per_mbps_gbp == 4.0 and isinstance(tariff.uplift_per_mbps_gbp, float)
    assert tariff.renewal_window_months == 6 and isinstance(tariff.renewal_window_months, int)
    assert tariff.co_location_m == Tariff().co_location_m
    assert Tariff.load(None) == Tariff()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("co_location = 5\n", "unknown tariff figure 'co_location'"),
        ("threshold_pct = -1\n", "'threshold_pct' must be a number of at least 0"),
        ("threshold_pct = true\n", "'threshold_pct' must be a number of at least 0"),
        ("renumber_pool = '10.0.0.0/8'\n", "'renumber_pool' must be a list of CIDR blocks"),
        ("renumber_pool = ['10.0.0.0/8', 'nope']\n", "entry 'nope' is not a CIDR block"),
        ("uplift_per_mbps_gbp = \n", "not valid TOML"),
    ],
)
def test_bad_figures_are_refused_with_the_reason(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TariffError, match=re.escape(message)):
        Tariff.load(path)


def test_pool_is_stored_canonical(tmp_path: Path) -> None:
    path = tmp_path / "pool.toml"
    path.write_text("[tariff]\nrenumber_pool = ['100.64.1.7/24', ' 2001:db8::/48 ']\n", encoding="utf-8")
    assert Tariff.load(path).renumber_pool == ("100.64.1.0/24", "2001:db8::/48")


def test_crosslink_cost_rounds_to_the_pound() -> None:
    assert Tariff().crosslink_cost(0.4) == 1760.0
    assert Tariff().crosslink_cost(0.0) == 1500.0
