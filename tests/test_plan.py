"""`psninv plan` and `analyse --scenario` on the sample: the after-state is analysed, and the £ add up."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from builders import run_cli as run
from click.testing import CliRunner
from conftest import Databases, digest

from psninv import open_store, sample_path
from psninv.analysis import Tariff, analyse
from psninv.analysis.geo import haversine_km
from psninv.analysis.network_change import IdMaker, apply_change, change_for
from psninv.analysis.plan import make_plan
from psninv.analysis.policy import Policy
from psninv.analysis.policy_check import problems_of
from psninv.analysis.redundancy import gaps
from psninv.analysis.verified import with_planned
from psninv.cli.app import get_cli
from psninv.inventory import Inventory


@pytest.fixture(scope="module")
def plan_file(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.xlsx"
    result = run("plan", "--db", sample_db, "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_the_scenario_of_the_plan_has_no_severe_gap_and_equals_the_plans_after(
    sample_db: str, plan_file: Path
) -> None:
    with open_store(sample_db) as store:
        before = digest(store)
    scenario = json.loads(
        run("analyse", "--db", sample_db, "--scenario", str(plan_file), "--format", "json").stdout
    )
    findings = scenario["findings"]
    assert not [f["id"] for f in findings if f["severity"] in ("critical", "high")]
    assert not [f["id"] for f in findings if f["kind"] == "below-policy"]
    assert scenario["summary"]["scenario"]["written"] is False
    planned = json.loads(run("plan", "--db", sample_db, "--format", "json").stdout)
    assert planned["findings"]["after"] == scenario["summary"]["findings_by_severity"]
    assert planned["findings"]["before"]["critical"] > 0
    assert planned["critical_closed"] == planned["findings"]["before"]["critical"]
    with open_store(sample_db) as store:
        assert digest(store) == before  # a scenario writes nothing


def test_importing_the_plan_gives_the_scenarios_findings(
    databases: Databases, sample_db: str, plan_file: Path
) -> None:
    scenario = json.loads(
        run("analyse", "--db", sample_db, "--scenario", str(plan_file), "--format", "json").stdout
    )
    db = databases.new()
    assert run("import", str(sample_path()), "--db", db).exit_code == 0
    imported = run("import", str(plan_file), "--db", db)
    assert imported.exit_code == 0, imported.output
    real = json.loads(run("analyse", "--db", db, "--planned", "--format", "json").stdout)
    assert [(f["id"], f["severity"]) for f in real["findings"]] == [
        (f["id"], f["severity"]) for f in scenario["findings"]
    ]
    history = run("history", "--db", db, "--format", "json")
    assert history.exit_code == 0


def test_the_plans_pounds_add_up_from_the_tariff(sample: Inventory) -> None:
    tariff = Tariff()
    plan = make_plan(sample, tariff=tariff)
    total = Decimal(0)
    for change in plan.changes:
        if change.action == "cease":
            assert change.annual_gbp == -sample.links[change.circuit]["annual_cost_gbp"]
        elif change.action == "add" and change.source == "remedy":
            a, b = sample.sites[change.a_site], sample.sites[change.b_site]
            # New links are measured to the metre, as the remedies list them.
            km = round(haversine_km(a["latitude"], a["longitude"], b["latitude"], b["longitude"]), 3)
            assert change.annual_gbp == round(tariff.crosslink_fixed_gbp + tariff.crosslink_per_km_gbp * km)
        elif change.action == "upgrade":
            old = sample.links[change.circuit]
            new = plan.after.links[change.circuit]
            extra = new["bandwidth_mbps"] - old["bandwidth_mbps"]
            assert change.annual_gbp == pytest.approx(extra * tariff.uplift_per_mbps_gbp)
            assert new["annual_cost_gbp"] == pytest.approx(old["annual_cost_gbp"] + change.annual_gbp)
        total += Decimal(str(change.annual_gbp or 0))
    t = plan.totals
    assert t.annual_after_gbp - t.annual_before_gbp == round(total)
    assert t.spend_gbp - t.savings_gbp + t.committed_gbp == round(total)
    assert t.net_gbp == t.annual_before_gbp - t.annual_after_gbp
    assert sum(m.change_gbp for m in plan.by_tenant.values()) == t.annual_after_gbp - t.annual_before_gbp
    assert plan.taken and t.savings_gbp > 0


def test_every_sharing_finding_keeps_the_policy_or_says_it_breaks_it(sample: Inventory) -> None:
    policy, tariff = Policy(), Tariff()
    result = analyse(sample, only="sharing", include_hidden=True)
    before = problems_of(gaps(sample, policy, tariff), sample)
    ids = IdMaker(sample.links)
    checked = broken = 0
    for finding in result.findings:
        change = change_for(finding, sample, tariff, ids)
        if change is None or finding.breaks_policy:
            broken += finding.breaks_policy is not None
            continue
        # Applied alone, with the links the finding says keep the policy, nothing new goes wrong.
        known = {(row["a_site"], row["b_site"]) for row in change.add.values()}
        for link in finding.proposed_links:
            if (link.a_site, link.b_site) not in known:
                cid = ids()
                change.add[cid] = {
                    **next(iter(change.add.values()), {}),
                    "circuit_id": cid,
                    "a_site": link.a_site,
                    "b_site": link.b_site,
                    "bandwidth_mbps": link.bandwidth_mbps,
                    "annual_cost_gbp": link.annual_cost_gbp,
                    "status": "planned",
                }
        after = apply_change(sample, change, in_service=True)
        assert not (problems_of(gaps(after, policy, tariff), after) - before), finding.id
        checked += 1
    assert checked >= 5 and broken >= 1
    summary = result.sharing
    shown_broken = sum(1 for f in result.findings if f.breaks_policy and not f.impact["below_threshold"])
    assert summary is not None and summary.breaks_policy == shown_broken
    counted = sum(
        f.savings_gbp or 0
        for f in result.findings
        if f.kind.value in ("co-location", "parallel-circuits", "hub-consolidation", "renewal-window")
        and not f.impact["below_threshold"]
        and not f.breaks_policy
    )
    assert summary.savings_gbp == counted


def test_remedies_only_and_a_budget(sample: Inventory) -> None:
    only = make_plan(sample, sharing=False)
    assert only.taken == [] and all(c.source in ("remedy", "inventory") for c in only.changes)
    assert only.totals.savings_gbp == 0
    nothing = make_plan(sample, budget_gbp=0)
    assert nothing.totals.spend_gbp == 0
    assert all(not c.annual_gbp or c.annual_gbp <= 0 for c in nothing.changes if c.source != "inventory")
    # Without spend, nothing severe is closed: the after-state says so, not an estimate.
    assert nothing.severity_counts("after")["critical"] > 0
    some = make_plan(sample, budget_gbp=50_000)
    assert 0 < some.totals.spend_gbp <= 50_000


def test_a_tenants_part_of_the_plan(sample: Inventory, sample_db: str) -> None:
    plan = make_plan(sample, tenant="POL")
    assert set(plan.by_tenant) == {"POL"}

    def involves_police(code: str) -> bool:
        site = sample.sites[code]
        return site.get("tenant") == "POL" or "POL" in (site.get("occupants") or ())

    assert plan.changes and all(
        c.tenant == "POL" or involves_police(c.a_site) or involves_police(c.b_site) for c in plan.changes
    )
    table = run("plan", "--db", sample_db, "--tenant", "POL")
    assert table.exit_code == 0 and "The plan for POL" in table.stdout
    assert run("plan", "--db", sample_db, "--tenant", "NOPE").exit_code == 2


def test_a_bad_scenario_file_is_one_line_and_writes_nothing(sample_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "links.csv"
    bad.write_text("circuit_id,a_site,b_site\nX-1,NOWHERE,STA-HUB\n", encoding="utf-8")
    result = CliRunner().invoke(get_cli(), ["analyse", "--db", sample_db, "--scenario", str(bad)])
    assert result.exit_code == 1
    message = result.output.strip().splitlines()
    assert len(message) == 1 and "links.csv" in message[0] and "row 2" in message[0], result.output


def test_the_plan_table_ends_with_its_headline(sample_db: str) -> None:
    result = run("plan", "--db", sample_db)
    assert result.exit_code == 0
    last = result.stdout.strip().splitlines()[-1]
    assert "saved by sharing" in last and "critical gaps closed" in last


def test_planned_circuits_count_in_a_scenario(sample: Inventory) -> None:
    plan = make_plan(sample, sharing=False)
    new = [c for c in plan.changes if c.action == "add"]
    assert new and all(plan.after.links[c.circuit]["status"] == "planned" for c in new)
    assert all(with_planned(plan.after).links[c.circuit]["status"] == "active" for c in new)


def test_a_real_topology_without_costs_or_criticality_has_nothing_to_plan(databases: Databases) -> None:
    db = databases.new()
    graph = Path(__file__).parent / "data" / "topology-zoo" / "KentmanJan2011.graphml"
    assert run("import", str(graph), "--db", db).exit_code == 0
    table = run("plan", "--db", db)
    assert table.exit_code == 0 and "Nothing to change" in table.stdout
    assert "unknown: no circuit has a cost" in table.stdout  # unknown, never £0
    totals = json.loads(run("plan", "--db", db, "--format", "json").stdout)["totals"]
    assert totals["annual_before_gbp"] is None and totals["net_gbp"] == 0


def test_known_gaps_prove_the_same_remedies_as_a_fresh_analysis(sample: Inventory) -> None:
    from psninv.analysis.network_change import IdMaker as Ids
    from psninv.analysis.plan import prove_remedies

    policy, tariff = Policy(), Tariff()
    built = Inventory(
        tenants=sample.tenants,
        sites=sample.sites,
        links={cid: row for cid, row in sample.links.items() if row.get("status") != "planned"},
        prefixes=sample.prefixes,
    )

    def find(work: Inventory) -> list:
        return gaps(work, policy, tariff)

    fresh = prove_remedies(built, find, tariff, Ids(built.links))
    known = prove_remedies(built, find, tariff, Ids(built.links), findings=find(built))
    assert fresh.fix.add and fresh.fix.add == known.fix.add and fresh.upgrades == known.upgrades
