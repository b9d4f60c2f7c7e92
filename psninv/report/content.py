"""What the report says, worked out from the inventory, its analysis and its plan: typed, ready to draw."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from psninv.analysis import Analysis, Policy, Severity, Tariff, analyse
from psninv.analysis.finding import Category, Finding
from psninv.analysis.plan import make_plan
from psninv.analysis.plan_result import Graded, Plan, severity_counts
from psninv.display import clean
from psninv.errors import InputError
from psninv.inventory import Inventory
from psninv.report.figures import MapPicture, before_after_chart, kind_chart, network_map, severity_chart

Progress = Callable[[str, int, int], None]
WORST_GAPS = 10
PLAN_SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True, slots=True)
class Gap:
    """One of the worst redundancy gaps, with what it cuts off."""

    severity: str
    title: str
    sites_cut_off: int
    tenants: str
    demand_mbps: float
    sites_named: str
    remedy: str


@dataclass(frozen=True, slots=True)
class TenantBill:
    """One tenant's annual circuit bill now and after the plan."""

    code: str
    name: str
    before_gbp: int
    after_gbp: int

    @property
    def change_gbp(self) -> int:
        """After less before: negative is a saving."""
        return self.after_gbp - self.before_gbp


@dataclass(frozen=True, slots=True)
class PlanPart:
    """The plan's before → after: findings, money, bills per tenant, and its chart."""

    changes: int
    before: dict[str, int]
    after: dict[str, int]
    critical_closed: int
    annual_before_gbp: int | None
    annual_after_gbp: int | None
    spend_gbp: int
    savings_gbp: int
    net_gbp: int
    tenants: list[TenantBill]
    chart_svg: str
    method: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report page shows."""

    title: str
    scope: str
    tenant: str | None
    generated: dt.date
    sites: int
    links: int
    tenants: int
    annual_cost_gbp: int | None
    findings: int
    by_severity: dict[str, int]
    savings_gbp: int
    map: MapPicture
    severity_svg: str
    kind_svg: str
    gaps: list[Gap]
    gaps_total: int
    plan: PlanPart | None
    plan_note: str = ""
    notes: list[str] = field(default_factory=list)


def build_report(
    inventory: Inventory,
    *,
    tenant: str | None = None,
    policy: Policy | None = None,
    tariff: Tariff | None = None,
    with_plan: bool = True,
    title: str = "Network report",
    progress: Progress | None = None,
    today: dt.date | None = None,
    analysis: Analysis | None = None,
    plan: Plan | None = None,
) -> Report:
    """Analyse (and plan) the inventory and gather what the report shows; a tenant's report shows its part.

    A tenant's report analyses the whole network (its sites' gaps depend on everyone's circuits)
    and keeps the findings that touch its sites, its map showing its sites and their far ends.
    `analysis`, an analysis of this inventory already made, is used instead of running one when
    the plan is left out; `plan`, a plan of it already made (for this tenant, with this policy and
    tariff), instead of planning. Raises InputError for an unknown tenant.
    """
    if tenant is not None and tenant not in inventory.tenants:
        raise InputError(f"no tenant with code {tenant!r}")
    step = progress or (lambda phase, done, total: None)
    if not with_plan:
        plan = None
    elif plan is None:
        plan = make_plan(inventory, policy=policy, tariff=tariff, tenant=tenant, progress=progress)
    if plan is not None:
        analysis = plan.before_analysis
    elif analysis is None:
        step("analysing", 0, 1)
        analysis = analyse(inventory, policy=policy, tariff=tariff)
    step("drawing", 0, 1)
    view = inventory.for_tenant(tenant) if tenant else inventory
    keep = _touching(view, tenant)
    findings = [f for f in analysis.findings if keep(f)]
    by_severity = {severity.value: 0 for severity in Severity}
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    link_severity: dict[str, str] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        by_severity[finding.severity.value] += 1
        by_kind[finding.kind.value][finding.severity.value] += 1
        for cid in finding.links:
            link_severity.setdefault(cid, finding.severity.value)
    gaps = [f for f in findings if f.category is Category.REDUNDANCY]
    gaps.sort(key=lambda f: (f.severity.rank, -f.sites_cut_off, -f.demand_mbps_lost, f.id))
    sharing = analysis.sharing
    # The sharing summary's figures: opportunities on the same circuit are counted once there.
    savings, cost = (sharing.savings_gbp, sharing.total_annual_cost_gbp) if sharing else (0, None)
    if tenant:
        mine = sharing.by_tenant.get(tenant) if sharing else None
        savings, cost = (mine.savings_gbp, mine.annual_cost_gbp) if mine else (0, None)
    name = inventory.tenants[tenant].get("name") or tenant if tenant else ""
    report = Report(
        title=title,
        scope=f"{clean(name)} ({clean(tenant)})" if tenant else "The whole network",
        tenant=tenant,
        generated=today or dt.date.today(),
        sites=len(view.sites) - len(view.references),
        links=len(view.links),
        tenants=1 if tenant else len(inventory.tenants),
        annual_cost_gbp=cost,
        findings=len(findings),
        by_severity=by_severity,
        savings_gbp=savings,
        map=network_map(view, link_severity),
        severity_svg=severity_chart(by_severity),
        kind_svg=kind_chart(by_kind),
        gaps=[_gap(f, inventory) for f in gaps[:WORST_GAPS]],
        gaps_total=len(gaps),
        plan=_plan_part(plan, inventory, keep) if plan is not None else None,
        plan_note="" if with_plan else "Left out (--no-plan).",
    )
    step("drawing", 1, 1)
    return report


def _touching(view: Inventory, tenant: str | None) -> Callable[[Graded], bool]:
    if tenant is None:
        return lambda finding: True
    own = {code for code in view.sites if code not in view.references}
    links = set(view.links)
    return lambda f: tenant in f.tenants or any(s in own for s in f.sites) or any(c in links for c in f.links)


def _names(codes: Iterable[str], rows: dict[str, dict], limit: int) -> str:
    codes = list(codes)
    shown = [clean(rows.get(code, {}).get("name") or code) for code in codes[:limit]]
    more = len(codes) - limit
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _gap(finding: Finding, inventory: Inventory) -> Gap:
    return Gap(
        severity=finding.severity.value,
        title=clean(finding.title),
        sites_cut_off=finding.sites_cut_off,
        tenants=_names(finding.tenants, inventory.tenants, 3),
        demand_mbps=finding.demand_mbps_lost,
        sites_named=_names(finding.cut_off_sites or finding.sites, inventory.sites, 4),
        remedy=clean(finding.remedy),
    )


def _plan_part(plan: Plan, inventory: Inventory, keep: Callable[[Graded], bool]) -> PlanPart:
    before = severity_counts(plan.before_analysis.findings, keep)
    after = plan.after_findings.severity_counts(keep)
    totals = plan.totals
    bills = [
        TenantBill(
            code, clean(inventory.tenants.get(code, {}).get("name") or code), m.before_gbp, m.after_gbp
        )
        for code, m in plan.by_tenant.items()
        if plan.tenant is None or code == plan.tenant
    ]
    bills.sort(key=lambda bill: (bill.change_gbp, bill.code))
    return PlanPart(
        changes=len(plan.changes),
        before=before,
        after=after,
        critical_closed=plan.critical_closed(),
        annual_before_gbp=totals.annual_before_gbp,
        annual_after_gbp=totals.annual_after_gbp,
        spend_gbp=totals.spend_gbp,
        savings_gbp=totals.savings_gbp,
        net_gbp=totals.net_gbp,
        tenants=bills,
        chart_svg=before_after_chart(before, after, PLAN_SEVERITIES),
        method=plan.method,
    )
