"""Partial loads and the streamed JSON report: the same findings and the same text as the whole way round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from psninv.analysis import Analysis, WhatIf, analyse, columns_needed
from psninv.io.importer import import_files
from psninv.io.report import iter_json
from psninv.store import Store, open_store
from psninv.store.reads import load_inventory

SAMPLE = Path(__file__).resolve().parent.parent / "inventory" / "staffordshire.xlsx"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The bundled workbook imported into a real SQLite store."""
    store = open_store(tmp_path_factory.mktemp("load") / "sample.db", actor="tester")
    report = import_files(store, [SAMPLE])
    assert report.ok, [str(issue) for issue in report.issues]
    yield store
    store.close()


def test_repeated_values_are_read_as_one_string_each(sample_store: Store) -> None:
    # At 100k sites a separate "active" or site code in every row is about 110 MB of the 450.
    inventory = sample_store.load()
    codes = {code: code for code in inventory.sites}
    tenants = {code: code for code in inventory.tenants}
    for row in inventory.links.values():
        assert row["a_site"] is codes[row["a_site"]] and row["b_site"] is codes[row["b_site"]]
        assert row["tenant"] is None or row["tenant"] is tenants[row["tenant"]]
    for row in inventory.sites.values():
        assert all(occupant is tenants[occupant] for occupant in row["occupants"])
    statuses = {id(row["status"]) for row in inventory.links.values() if row["status"] == "active"}
    assert len(statuses) == 1
    districts = {row["district"] for row in inventory.sites.values() if row["district"]}
    assert len({id(row["district"]) for row in inventory.sites.values() if row["district"]}) == len(districts)
    assert inventory == sample_store.load()  # the values themselves are as stored


def test_a_partial_load_reads_only_the_columns_asked_for(sample_store: Store) -> None:
    with sample_store.read() as conn:
        inventory = load_inventory(conn, columns={"links": ("status",), "sites": ("role",)})
    assert inventory.links and inventory.sites
    assert not inventory.tenants and not inventory.prefixes
    assert all(set(row) == {"circuit_id", "status"} for row in inventory.links.values())
    assert all(set(row) == {"code", "role"} for row in inventory.sites.values())
    whole = sample_store.load()
    assert list(inventory.sites) == list(whole.sites)
    assert all(row["role"] == whole.sites[code]["role"] for code, row in inventory.sites.items())


def test_a_partial_load_refuses_unknown_names(sample_store: Store) -> None:
    with sample_store.read() as conn:
        with pytest.raises(ValueError, match="no columns"):
            load_inventory(conn, columns={"links": ("bandwith_mbps",)})
        with pytest.raises(ValueError, match="unknown entities"):
            load_inventory(conn, columns={"circuits": ("status",)})


@pytest.mark.parametrize("failed", [[], ["STA-HUB"]])
def test_redundancy_on_its_columns_equals_redundancy_on_the_whole_inventory(
    sample_store: Store, failed: list[str]
) -> None:
    with sample_store.read() as conn:
        partial = load_inventory(conn, columns=columns_needed("redundancy"))
    whole = sample_store.load()
    assert failed == [] or failed[0] in whole.sites
    expected = analyse(whole, only="redundancy", failed=failed).to_dict()
    got = analyse(partial, only="redundancy", failed=failed).to_dict()
    assert expected["findings"], "the sample has redundancy findings"
    assert got == expected


def test_other_analyses_load_everything() -> None:
    assert columns_needed(None) is None
    assert columns_needed("sharing") is None
    assert "prefixes" not in columns_needed("redundancy")


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_the_streamed_json_is_the_text_json_dumps_gives(sample_store: Store, indent: int | None, chunk: int):
    result = analyse(sample_store.load())
    assert len(result.findings) > 7
    expected = json.dumps(result.to_dict(), indent=indent, ensure_ascii=False, default=str)
    assert "".join(iter_json(result, indent=indent, default=str, chunk=chunk)) == expected


@pytest.mark.parametrize("indent", [None, 2])
def test_the_streamed_json_of_no_findings(indent: int | None) -> None:
    # A summary holding the text "[]" (and empty lists): the findings' [] is found after them.
    unknown = WhatIf(failed_sites=[], failed_links=[], unknown=["[]"], cut_off={}, demand_lost_mbps=0.0)
    empty = Analysis(findings=[], what_if=unknown)
    expected = json.dumps(empty.to_dict(), indent=indent, ensure_ascii=False)
    assert "".join(iter_json(empty, indent=indent)) == expected
