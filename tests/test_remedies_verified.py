"""Done when (issue 13): remedies written with -o, imported, analysed with --planned fix the gaps."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from psninv import open_store, sample_path
from psninv.analysis import analyse
from psninv.analysis.finding import Severity
from psninv.analysis.tariff import Tariff
from psninv.analysis.verified import short_sites
from psninv.cli.app import get_cli
from psninv.inventory import Inventory

ZOO = Path(__file__).parent / "data" / "topology-zoo"


def cli(*args: str) -> str:
    result = CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def load(db: str) -> Inventory:
    with open_store(db, actor="tester") as store:
        return store.load()


def remedies_round_trip(db: str, tmp_path: Path, *extra: str, tariff: Tariff | None = None) -> None:
    """analyse -o remedies.xlsx, import, analyse --planned: each high or critical gap fixed or listed."""
    before = load(db)
    planned_before = {cid for cid, row in before.links.items() if row["status"] == "planned"}
    first = analyse(before, only="redundancy", remedies=True, tariff=tariff)
    plan = first.redundancy.verified
    assert plan is not None
    unfixable = {u.site for u in plan.unfixable}
    assert all(u.reason for u in plan.unfixable)
    assert len(plan.links) >= plan.lower_bound_links if plan.links else True
    workbook = tmp_path / "remedies.xlsx"
    cli("analyse", "--db", db, "--only", "redundancy", "-o", str(workbook), *extra)
    assert workbook.exists()
    cli("import", str(workbook), "--db", db)
    after = load(db)
    new = {cid: row for cid, row in after.links.items() if cid not in before.links}
    assert set(new) == set(plan.circuit_ids)
    assert all(row["status"] == "planned" for row in new.values())
    planned_after = {cid for cid, row in after.links.items() if row["status"] == "planned"}
    assert planned_after == planned_before | set(new)
    for cid, link in zip(plan.circuit_ids, plan.links, strict=True):
        ends = {new[cid]["a_site"], new[cid]["b_site"]}
        assert ends == {link.a_site, link.b_site}
        # Never parallel to an existing circuit between the same two sites.
        assert not any({row["a_site"], row["b_site"]} == ends for row in before.links.values())
        assert new[cid]["bandwidth_mbps"] and new[cid]["bandwidth_mbps"] >= 10

    out = json.loads(cli("analyse", "--db", db, "--only=redundancy", "--planned", "--format=json", *extra))
    fixed = analyse(after, only="redundancy", planned=True, tariff=tariff)
    assert [f["id"] for f in out["findings"]] == [f.id for f in fixed.findings]
    assert short_sites(fixed.findings, after) <= unfixable
    critical_before = {f.id for f in first.findings if f.severity is Severity.CRITICAL}
    critical_after = {f.id for f in fixed.findings if f.severity is Severity.CRITICAL}
    assert critical_after <= critical_before
    # Without --planned the planned circuits change nothing.
    assert [f.id for f in analyse(after, only="redundancy").findings] == [
        f.id for f in analyse(before, only="redundancy").findings
    ]


def test_the_samples_remedies_imported_as_planned_fix_every_gap(tmp_path: Path) -> None:
    db = str(tmp_path / "sample.db")
    cli("import", str(sample_path()), "--db", db)
    plan = analyse(load(db), only="redundancy", remedies=True).redundancy.verified
    assert plan.sites_short >= 3 and plan.links
    assert not plan.unfixable
    remedies_round_trip(db, tmp_path)


@pytest.mark.parametrize("name", ["KentmanJan2011", "HiberniaUk", "Janetbackbone", "Geant2012"])
def test_topology_zoo_with_every_site_high_and_two_cores(tmp_path: Path, name: str) -> None:
    db = str(tmp_path / f"{name}.db")
    cli("import", str(ZOO / f"{name}.graphml"), "--db", db)
    inventory = load(db)
    graph = nx.Graph()
    for row in inventory.links.values():
        graph.add_edge(row["a_site"], row["b_site"])
    cores = sorted(graph.nodes, key=lambda code: (-graph.degree(code), code))[:2]
    sites = tmp_path / "sites.csv"
    lines = ["code,criticality,role"] + [
        f"{code},high,{'core' if code in cores else 'access'}" for code in sorted(inventory.sites)
    ]
    sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli("import", str(sites), "--db", db)
    tariff_file = tmp_path / "tariff.toml"
    tariff_file.write_text("max_remedy_km = 600.0\n", encoding="utf-8")
    remedies_round_trip(db, tmp_path, "--tariff", str(tariff_file), tariff=Tariff.load(tariff_file))
