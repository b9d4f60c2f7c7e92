"""A plan keeps the findings after it as a digest: every count read from it equals the full analysis's."""

from __future__ import annotations

import pickle
from collections import Counter

import pytest

from psninv.analysis import analyse
from psninv.analysis.finding import Finding, Kind, Severity
from psninv.analysis.plan import for_tenant, make_plan
from psninv.analysis.plan_result import AfterFindings, Plan
from psninv.analysis.plan_selection import change_groups, select
from psninv.inventory import Inventory
from psninv.report import build_report
from psninv.report.content import _touching


@pytest.fixture(scope="module")
def planned(sample: Inventory) -> tuple[Plan, list[Finding]]:
    plan = make_plan(sample)
    return plan, analyse(plan.after, planned=True).findings


def _by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity.value for f in findings)
    return {severity.value: counts[severity.value] for severity in Severity}


def test_the_digest_counts_as_the_analysis_after_the_plan_does(planned: tuple[Plan, list[Finding]]) -> None:
    plan, findings = planned
    after = plan.after_findings
    assert len(after) == len(findings) > 0
    assert after.severity_counts() == plan.severity_counts("after") == _by_severity(findings)
    assert after.ids() == {f.id for f in findings}
    for kind in Kind:
        assert after.count(kind) == sum(1 for f in findings if f.kind is kind)
    for ref, finding in zip(after, findings, strict=True):
        assert (ref.id, ref.kind, ref.severity) == (finding.id, finding.kind, finding.severity)
        assert (list(ref.sites), list(ref.links), list(ref.tenants)) == (
            finding.sites,
            finding.links,
            finding.tenants,
        )
    gone = {f.id for f in plan.before_analysis.findings if f.severity is Severity.CRITICAL}
    assert plan.critical_closed() == len(gone - {f.id for f in findings}) > 0
    assert plan.to_dict()["below_policy_after"] == sum(1 for f in findings if f.kind is Kind.BELOW_POLICY)


def test_each_partners_report_counts_the_findings_after_that_touch_it(
    sample: Inventory, planned: tuple[Plan, list[Finding]]
) -> None:
    plan, findings = planned
    payers = sorted({change.tenant for change in plan.changes if change.tenant})[:6]
    assert payers
    for tenant in (None, *payers):
        report = build_report(sample, tenant=tenant, plan=for_tenant(plan, sample, tenant))
        assert report.plan is not None
        view = sample.for_tenant(tenant) if tenant else sample
        keep = _touching(view, tenant)
        assert report.plan.after == _by_severity([f for f in findings if keep(f)]), tenant
        assert report.plan.before == _by_severity([f for f in plan.before_analysis.findings if keep(f)])


def test_the_changes_ticked_on_the_plan_screen_are_digested_from_their_own_analysis(
    sample: Inventory, planned: tuple[Plan, list[Finding]]
) -> None:
    plan, _ = planned
    groups = list(change_groups(plan).values())
    ticked = [index for group in groups[: len(groups) // 2] for index in group]
    part = select(plan, sample, ticked)
    findings = analyse(part.after, planned=True).findings
    assert part.after_findings.ids() == {f.id for f in findings}
    assert part.severity_counts("after") == _by_severity(findings)
    assert part.after_findings != plan.after_findings


def test_the_digest_is_a_small_part_of_the_analysis_it_stands_for(
    planned: tuple[Plan, list[Finding]],
) -> None:
    plan, findings = planned
    digest = pickle.dumps(plan.after_findings)
    assert pickle.loads(digest) == plan.after_findings
    assert len(digest) * 4 < len(pickle.dumps(findings))
    assert AfterFindings.of([]).severity_counts() == dict.fromkeys((s.value for s in Severity), 0)
