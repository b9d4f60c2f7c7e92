"""The TUI's state lives in a Session with no UI: what is current, what is cached, what the what-if shows."""

from __future__ import annotations

import ast
from pathlib import Path

from builders import link, site

import psninv
from psninv.inventory import Inventory
from psninv.session import Session, index_analysis, index_inventory, run_analysis, run_whatif

TUI = Path(psninv.__file__).resolve().parent / "tui"


def _inventory(cost: float = 1000.0) -> Inventory:
    sites = [site("DC", "CC", role="datacentre"), site("HUB", "CC", role="hub"), site("A", "NHS")]
    links = [link("L1", "DC", "HUB", "CC", gbp=cost), link("L2", "HUB", "A", "NHS", gbp=500)]
    return Inventory(
        tenants={"CC": {"code": "CC", "name": "County"}, "NHS": {"code": "NHS", "name": "Health"}},
        sites={row["code"]: {**row, "occupants": []} for row in sites},
        links={row["circuit_id"]: row for row in links},
    )


def test_the_tui_runs_no_sql() -> None:
    # Reading the database is the store's business; screens read the session.
    offenders = []
    for path in TUI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "sqlalchemy" for name in names):
                offenders.append(path.name)
    assert offenders == []


def test_results_are_reused_only_for_the_data_they_were_computed_from() -> None:
    session = Session()
    first = index_inventory(_inventory(), stamp=("v1",))
    assert session.loaded(first) is True and session.results is None
    results = run_analysis(first)
    assert session.analysed(results) and session.results is results
    # The same data loaded again: no second analysis.
    assert session.loaded(index_inventory(_inventory(), stamp=("v1",))) is False
    assert session.results is results
    # Changed data: the old results are neither shown nor accepted when they arrive late.
    assert session.loaded(index_inventory(_inventory(2000.0), stamp=("v2",))) is True
    assert session.results is None
    assert session.analysed(results) is False and session.results is None


def test_a_tenant_costs_the_same_before_and_after_the_analysis() -> None:
    session = Session()
    session.loaded(index_inventory(_inventory(), stamp=("v1",)))
    before = session.snapshot.tenant_cost("CC")
    session.analysed(run_analysis(session.snapshot))
    assert before == session.results.tenant_savings("CC").annual_cost_gbp == 1000


def test_what_ifs_are_current_only_for_the_failures_and_data_they_were_run_on() -> None:
    session = Session()
    session.loaded(index_inventory(_inventory(), stamp=("v1",)))
    session.set_failed(["HUB", "HUB"])
    assert session.failed == ["HUB"] and session.use_cached_whatif() is False
    view = run_whatif(session.snapshot, session.failed)
    assert session.simulated(view, ("v1",)) and session.whatif is view
    assert session.whatif.cut_off_sites == {"A"} and session.whatif.cut_off == {"NHS": ["A"]}
    # A what-if that finishes after the failures changed is cached but not shown.
    session.set_failed(session.toggle("L2"))
    assert session.failed == ["HUB", "L2"]
    late = run_whatif(session.snapshot, ["HUB"])
    assert session.simulated(late, ("v1",)) is False and session.whatif is view
    # Back to the first failures: the cached what-if is shown again, no simulation needed.
    session.set_failed(session.toggle("L2"))
    assert session.use_cached_whatif() and session.whatif.cut_off_sites == {"A"}
    # Another snapshot's what-if is never taken; clearing the failures clears the what-if.
    assert session.simulated(view, ("v0",)) is False
    session.set_failed([])
    assert session.whatif is None


def test_results_index_findings_by_what_they_name() -> None:
    snapshot = index_inventory(_inventory())
    results = index_analysis(run_analysis(snapshot).analysis)
    assert {f.id for f in results.by_site["HUB"]} >= {"cut-site:HUB"}
    assert results.worst(results.by_site["HUB"]) is not None


def test_findings_by_what_they_name_are_built_at_first_use_and_name_every_finding_once() -> None:
    snapshot = index_inventory(_inventory())
    analysis = run_analysis(snapshot).analysis
    results = index_analysis(analysis)
    # The dashboard reads none of them: the app builds them once it shows (at 100k sites, 0.6 s).
    assert results._named is None
    named = results.named()
    assert results.named() is named and results.by_site is named.sites
    for index, lookup in ((lambda f: f.sites, results.by_site), (lambda f: f.links, results.by_link)):
        expected: dict[str, list[str]] = {}
        for finding in analysis.findings:
            for key in dict.fromkeys(index(finding)):
                expected.setdefault(key, []).append(finding.id)
        assert {key: [f.id for f in found] for key, found in lookup.items()} == expected
    assert set(results.by_tenant) == {code for f in analysis.findings for code in f.tenants}
