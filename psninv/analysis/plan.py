"""The plan: verified remedies that bring the network up to policy, plus the sharing taken with them.

Method (docs/ANALYSIS.md, "The plan"):
1. Remedies: every site a high or critical redundancy finding cuts off, and every high or critical
   site short of policy, gets the verified remedies' links (proposed, then kept only where a
   re-analysis proves them); circuits a single failure overloads at high severity are upgraded to
   the next standard size that carries the load.
2. Sharing: the sharing analysis of the remedied network (each opportunity already checked alone
   against the policy, with the links that keep it) gives the cash opportunities; they are taken
   greedily, largest net saving first, each re-verified together with everything taken before it
   (the network with all of them applied must have no gap the remedied network has not).
3. The after-state is analysed, never estimated: before → after findings, annual cost and £ per
   tenant all come from analysing and costing the inventory with the plan applied.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from psninv.analysis.analyser import Config, KnownGaps
from psninv.analysis.costs import NO_TENANT, payer, payer_codes, pounds, tenant_annual_costs
from psninv.analysis.finding import Category, Finding, Kind, Severity
from psninv.analysis.network_change import (
    IdMaker,
    NetworkChange,
    apply_change,
    change_for,
    combine,
    proposed_circuit,
    size_for,
    upgraded,
)
from psninv.analysis.policy import Policy
from psninv.analysis.policy_check import EXACT_BUDGET_S, PolicyChecker
from psninv.analysis.redundancy import gaps
from psninv.analysis.result import Analysis
from psninv.analysis.sharing import SharingAnalyser
from psninv.analysis.tariff import Tariff
from psninv.analysis.verified import GAP_KINDS, short_sites, verify_remedies, with_planned
from psninv.inventory import Inventory, Row

Progress = Callable[[str, int, int], None]
SEVERE = (Severity.CRITICAL, Severity.HIGH)
CASH_KINDS = (Kind.CO_LOCATION, Kind.PARALLEL_CIRCUITS, Kind.HUB_CONSOLIDATION)
"""Sharing kinds a plan can take: they cease or move circuits and cut today's spend."""
CUT_KINDS = (*GAP_KINDS, Kind.SHARED_RISK, Kind.ISOLATED_SITE)
CAPACITY_ROUNDS = 3
WHOLE_SET_ROUNDS = 3
"""Rounds of analysing a large plan's sharing as one set and dropping what is blamed for a new gap."""


@dataclass(slots=True)
class PlanChange:
    """One line of the plan: a circuit added, ceased, re-homed or upgraded, its £ a year and why."""

    action: str
    """"add", "cease", "re-home", "upgrade", or "in service" (a circuit already planned in the inventory)."""
    circuit: str
    a_site: str
    b_site: str
    annual_gbp: float | None
    """What it changes the annual bill by: positive for spend, negative for a saving (None: unknown)."""
    tenant: str
    """Who pays (the circuit's payer, as the tenant cost function books it)."""
    reason: str
    source: str
    """The finding it comes from ("remedy" for a link the verified remedies added)."""
    clears: list[str] = field(default_factory=list)
    """Findings of the network before that the network after no longer has, which this change is for."""

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "action": self.action,
            "circuit": self.circuit,
            "a_site": self.a_site,
            "b_site": self.b_site,
            "annual_gbp": self.annual_gbp,
            "tenant": self.tenant,
            "reason": self.reason,
            "source": self.source,
            "clears": list(self.clears),
        }


@dataclass(slots=True)
class TenantMoney:
    """One tenant's annual circuit bill before and after the plan."""

    before_gbp: int
    after_gbp: int

    @property
    def change_gbp(self) -> int:
        """After less before: negative is a saving."""
        return self.after_gbp - self.before_gbp

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"before_gbp": self.before_gbp, "after_gbp": self.after_gbp, "change_gbp": self.change_gbp}


@dataclass(slots=True)
class PlanTotals:
    """The plan's money: the bill before and after, what it spends, what it saves, and the net."""

    annual_before_gbp: int | None
    """Today's bill (None: no active circuit has a cost, so it is unknown, not zero)."""
    annual_after_gbp: int | None
    spend_gbp: int
    """New circuits and upgrades, a year."""
    remedy_spend_gbp: int
    """The part of the spend that brings sites up to policy (remedy links and capacity upgrades)."""
    savings_gbp: int
    """The rental of the circuits the sharing taken ceases, a year."""
    committed_gbp: int = 0
    """Circuits the inventory already has as planned, a year: in the after-state, not the plan's spend."""

    @property
    def net_gbp(self) -> int:
        """What the plan saves a year, net of what it spends: positive when it saves money overall."""
        if self.annual_before_gbp is None or self.annual_after_gbp is None:
            return self.savings_gbp - self.spend_gbp - self.committed_gbp
        return self.annual_before_gbp - self.annual_after_gbp

    @property
    def net_pct(self) -> float | None:
        """The net as a percentage of the bill before."""
        return round(100 * self.net_gbp / self.annual_before_gbp, 1) if self.annual_before_gbp else None

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "annual_before_gbp": self.annual_before_gbp,
            "annual_after_gbp": self.annual_after_gbp,
            "spend_gbp": self.spend_gbp,
            "remedy_spend_gbp": self.remedy_spend_gbp,
            "savings_gbp": self.savings_gbp,
            "committed_gbp": self.committed_gbp,
            "net_gbp": self.net_gbp,
            "net_pct": self.net_pct,
        }


@dataclass(slots=True)
class Plan:
    """The whole plan: its changes, the inventory with them applied, and both analyses."""

    changes: list[PlanChange]
    after: Inventory
    """The inventory with the plan applied (new circuits planned): what importing its workbook gives."""
    before_analysis: Analysis
    after_analysis: Analysis
    totals: PlanTotals
    by_tenant: dict[str, TenantMoney]
    taken: list[str]
    """IDs of the sharing findings the plan takes."""
    left: dict[str, str]
    """Sharing findings of the cash kinds it does not take, with the reason."""
    unfixable: list[str]
    """Sites no verified remedy within reach brings up to policy (with the reason)."""
    method: str
    tenant: str | None = None

    def severity_counts(self, which: str) -> dict[str, int]:
        """Findings by severity, "before" or "after" the plan."""
        analysis = self.before_analysis if which == "before" else self.after_analysis
        counts = dict.fromkeys((s.value for s in Severity), 0)
        for finding in analysis.findings:
            counts[finding.severity.value] += 1
        return counts

    def critical_closed(self) -> int:
        """Critical findings before that the after-state no longer has."""
        after = {f.id for f in self.after_analysis.findings}
        return sum(
            1 for f in self.before_analysis.findings if f.severity is Severity.CRITICAL and f.id not in after
        )

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "tenant": self.tenant,
            "method": self.method,
            "totals": self.totals.to_dict(),
            "findings": {"before": self.severity_counts("before"), "after": self.severity_counts("after")},
            "critical_closed": self.critical_closed(),
            "below_policy_after": sum(1 for f in self.after_analysis.findings if f.kind is Kind.BELOW_POLICY),
            "by_tenant": {code: money.to_dict() for code, money in sorted(self.by_tenant.items())},
            "changes": [change.to_dict() for change in self.changes],
            "taken": list(self.taken),
            "left": dict(self.left),
            "unfixable": list(self.unfixable),
        }


def severe_sites(findings: list[Finding], inventory: Inventory) -> set[str]:
    """Sites a high or critical redundancy finding cuts off, and high or critical sites short of policy."""
    out = short_sites(findings, inventory)
    for finding in findings:
        if finding.category is not Category.REDUNDANCY or finding.severity not in SEVERE:
            continue
        if finding.kind in (Kind.BRIDGE, Kind.CUT_SITE, Kind.SHARED_RISK):
            out.update(finding.cut_off_sites)
        elif finding.kind in CUT_KINDS:
            out.update(finding.sites[:1])
    return out & set(inventory.sites)


@dataclass(slots=True)
class Remedies:
    """The plan's first stage: proven new links and capacity upgrades, as one change."""

    fix: NetworkChange
    fixes: dict[str, list[str]]
    """Each new link's ID to the sites it was proven to fix."""
    upgrades: dict[str, float]
    """Each upgraded circuit's added rental, a year."""
    unfixable: list[str]
    spend_gbp: float
    remedied: KnownGaps | None = None
    """The redundancy findings of the network with the remedies built, where the last round found them."""


def prove_remedies(
    base: Inventory,
    find: Callable[[Inventory], list[Finding]],
    tariff: Tariff,
    ids: IdMaker,
    budget_gbp: float | None = None,
    findings: list[Finding] | None = None,
) -> Remedies:
    """Verified links for every severe gap (those fixing most sites first within a budget), then upgrades.

    `findings` are the redundancy findings of `base` where the caller has them already.
    """
    remedy = verify_remedies(base, find, tariff, targets=severe_sites, findings=findings)
    fix = NetworkChange(source="remedy")
    fixes: dict[str, list[str]] = {}
    order = sorted(
        zip(remedy.circuit_ids, remedy.links, strict=True), key=lambda item: -len(remedy.fixes[item[0]])
    )
    spent = 0.0
    for old_id, link in order:
        cost = link.annual_cost_gbp or 0.0
        if budget_gbp is not None and spent + cost > budget_gbp:
            continue
        spent += cost
        cid = ids()
        fix.add[cid] = proposed_circuit(cid, link, base)
        fixes[cid] = remedy.fixes[old_id]
    unfixable = [f"{u.site}: {u.reason}" for u in remedy.unfixable]
    upgrades, remedied = _capacity(base, fix, find, tariff, budget_gbp, spent)
    spent += sum(upgrades.values())
    return Remedies(fix, fixes, upgrades, unfixable, spent, remedied)


def make_plan(
    inventory: Inventory,
    *,
    policy: Policy | None = None,
    tariff: Tariff | None = None,
    sharing: bool = True,
    budget_gbp: float | None = None,
    tenant: str | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Plan the whole inventory: remedies to policy, then the sharing that keeps it, proved by analysis."""
    from psninv.analysis import analyse

    policy, tariff = policy or Policy(), tariff or Tariff()
    step = progress or (lambda phase, done, total: None)
    total_steps = 5

    def find(work: Inventory) -> list[Finding]:
        return gaps(work, policy, tariff)

    step("analysing the network as it is", 0, total_steps)
    before = analyse(inventory, policy=policy, tariff=tariff)
    base = with_planned(inventory)
    ids = IdMaker(inventory.links)

    step("proving remedies", 1, total_steps)
    # Without planned circuits the network as it will be is the network as it is: its gaps are known.
    known = None
    if not any(row.get("status") == "planned" for row in inventory.links.values()):
        known = [f for f in before.findings if f.category is Category.REDUNDANCY]
    remedies = prove_remedies(base, find, tariff, ids, budget_gbp, findings=known)
    fix, fixes, upgrades, spent = remedies.fix, remedies.fixes, remedies.upgrades, remedies.spend_gbp
    unfixable = remedies.unfixable

    taken: list[str] = []
    left: dict[str, str] = {}
    chosen: list[tuple[Finding, NetworkChange]] = []
    method = "remedies only"
    if sharing:
        step("checking sharing against the policy", 2, total_steps)
        remedied = apply_change(base, fix, in_service=True)
        config = Config(policy=policy, tariff=tariff, gaps=remedies.remedied)
        found, _summary = SharingAnalyser().run(remedied, config)
        checker = PolicyChecker(remedied, find, tariff, ids, remedies.remedied)
        chosen, left, method = _greedy(remedied, found, fix, checker, tariff, ids, budget_gbp, spent)
        taken = [finding.id for finding, _ in chosen]

    step("analysing the network with the plan applied", 3, total_steps)
    whole = combine([fix, *(change for _, change in chosen)])
    after = apply_change(inventory, whole)
    after_analysis = analyse(after, policy=policy, tariff=tariff, planned=True)
    changes = _lines(inventory, fix, fixes, upgrades, chosen, before, after_analysis)
    changes += _already_planned(inventory)

    step("costing", 4, total_steps)
    if tenant is not None:
        changes = [
            change for change in changes if change.tenant == tenant or _touches(inventory, change, tenant)
        ]
    totals, by_tenant = plan_money(inventory, after, changes, tenant)
    step("done", total_steps, total_steps)
    return Plan(
        changes=changes,
        after=after,
        before_analysis=before,
        after_analysis=after_analysis,
        totals=totals,
        by_tenant=by_tenant,
        taken=taken,
        left=left,
        unfixable=unfixable,
        method=method,
        tenant=tenant,
    )


def plan_money(
    inventory: Inventory, after: Inventory, changes: list[PlanChange], tenant: str | None = None
) -> tuple[PlanTotals, dict[str, TenantMoney]]:
    """The plan's totals and each tenant's bill before and after, costed from the two inventories."""
    costs_before = tenant_annual_costs(inventory)
    costs_after = tenant_annual_costs(with_planned(after))
    by_tenant = {
        code: TenantMoney(
            pounds(costs_before.get(code, Decimal(0))), pounds(costs_after.get(code, Decimal(0)))
        )
        for code in sorted(set(costs_before) | set(costs_after))
    }
    if tenant is not None:
        by_tenant = {code: money for code, money in by_tenant.items() if code == tenant}
    ours = [c for c in changes if c.source != "inventory"]
    committed = sum(c.annual_gbp or 0.0 for c in changes if c.source == "inventory")
    spend = sum(c.annual_gbp for c in ours if c.annual_gbp and c.annual_gbp > 0)
    remedy_spend = sum(
        c.annual_gbp for c in changes if c.annual_gbp and c.annual_gbp > 0 and c.source == "remedy"
    )
    savings = -sum(c.annual_gbp for c in ours if c.annual_gbp and c.annual_gbp < 0)
    before_total: int | None
    after_total: int | None
    if not any(row.get("annual_cost_gbp") is not None for row in with_planned(after).links.values()):
        before_total = after_total = None  # nothing is costed: the bill is unknown, not £0
    elif tenant is None:
        before_total = pounds(sum(costs_before.values(), Decimal(0)))
        after_total = pounds(sum(costs_after.values(), Decimal(0)))
    else:
        before_total = by_tenant.get(tenant, TenantMoney(0, 0)).before_gbp
        after_total = by_tenant.get(tenant, TenantMoney(0, 0)).after_gbp
    totals = PlanTotals(
        annual_before_gbp=before_total,
        annual_after_gbp=after_total,
        spend_gbp=round(spend),
        remedy_spend_gbp=round(remedy_spend),
        savings_gbp=round(savings),
        committed_gbp=round(committed),
    )
    return totals, by_tenant


def _capacity(
    base: Inventory,
    fix: NetworkChange,
    find: Callable[[Inventory], list[Finding]],
    tariff: Tariff,
    budget_gbp: float | None,
    spent: float,
) -> tuple[dict[str, float], KnownGaps | None]:
    """Upgrade every circuit a single failure overloads at high severity; return each upgrade's £ a year,
    and the gaps of the network with every remedy and upgrade built (None if the rounds ran out)."""
    deltas: dict[str, float] = {}
    for _ in range(CAPACITY_ROUNDS):
        work = apply_change(base, fix, in_service=True)
        started = time.perf_counter()
        found = find(work)
        known = KnownGaps(tuple(found), time.perf_counter() - started)
        overloads = [f for f in found if f.kind is Kind.CAPACITY and f.severity in SEVERE]
        grew = False
        for finding in overloads:
            cid = finding.id.split(":", 1)[1]
            row = work.links.get(cid)
            load = finding.impact.get("load_mbps")
            if row is None or load is None:
                continue
            now = float(row.get("bandwidth_mbps") or 0.0)
            extra = size_for(load) - now
            cost = extra * tariff.uplift_per_mbps_gbp
            if extra <= 0 or (budget_gbp is not None and spent + cost > budget_gbp):
                continue
            spent += cost
            if cid in fix.add:
                fix.add[cid] = {**fix.add[cid], "bandwidth_mbps": now + extra}
                fix.add[cid]["annual_cost_gbp"] = (fix.add[cid].get("annual_cost_gbp") or 0.0) + cost
            else:
                fix.alter[cid] = upgraded(work.links[cid], extra, tariff.uplift_per_mbps_gbp)
            deltas[cid] = deltas.get(cid, 0.0) + cost
            grew = True
        if not grew:
            return deltas, known
    return deltas, None


def sharing_candidates(
    network: Inventory, found: list[Finding], fix: NetworkChange, tariff: Tariff, ids: IdMaker
) -> tuple[list[tuple[Finding, NetworkChange]], dict[str, str]]:
    """The cash opportunities a plan may take, as changes (with their policy links), and why not others."""
    fixed = set(fix.add)
    left: dict[str, str] = {}
    candidates: list[tuple[Finding, NetworkChange]] = []
    for finding in found:
        if finding.kind not in CASH_KINDS:
            continue
        if finding.breaks_policy:
            left[finding.id] = f"breaks the policy: {finding.breaks_policy}"
            continue
        if not finding.savings_gbp or finding.savings_gbp <= 0:
            left[finding.id] = "saves nothing known"
            continue
        change = change_for(finding, network, tariff, ids)
        if change is None:
            continue
        if change.circuits() & fixed:
            left[finding.id] = "it would cease or alter a link the remedies add"
            continue
        for link in finding.proposed_links:
            cid = ids()
            change.why[cid] = "keeps the redundancy policy"
            change.add[cid] = proposed_circuit(cid, link, network)
        candidates.append((finding, change))
    return candidates, left


def _greedy(
    network: Inventory,
    found: list[Finding],
    fix: NetworkChange,
    checker: PolicyChecker,
    tariff: Tariff,
    ids: IdMaker,
    budget_gbp: float | None,
    spent: float,
) -> tuple[list[tuple[Finding, NetworkChange]], dict[str, str], str]:
    """Take cash opportunities largest net saving first, each re-verified with everything taken before it."""
    candidates, left = sharing_candidates(network, found, fix, tariff, ids)
    candidates.sort(key=lambda item: (-(item[0].savings_gbp or 0), item[0].id))
    exact = checker.seconds * len(candidates) <= EXACT_BUDGET_S
    chosen: list[tuple[Finding, NetworkChange]] = []
    used: set[str] = set()
    for finding, change in candidates:
        extra = change_spend(change, network)
        if used & change.circuits():
            left[finding.id] = "its circuits are changed by a larger saving taken before it"
            continue
        if budget_gbp is not None and spent + extra > budget_gbp:
            left[finding.id] = "over the budget"
            continue
        if exact:
            new, _ = checker.problems(combine([*(c for _, c in chosen), change]))
            if new:
                left[finding.id] = f"with the changes taken before it, it {new.describe()}"
                continue
        chosen.append((finding, change))
        used |= change.circuits()
        spent += extra
    for _ in range(WHOLE_SET_ROUNDS if not exact else 0):
        # Too large to re-verify after each one: the whole set is analysed at once, each new problem
        # blamed on the nearest change, and the blamed ones dropped, until the set keeps the policy.
        verdicts = checker.check_all([c for _, c in chosen], [[] for _ in chosen], exact=False, repair=False)
        dropped = [(item, v) for item, v in zip(chosen, verdicts, strict=True) if not v.keeps]
        if not dropped:
            break
        for (finding, _), verdict in dropped:
            left[finding.id] = f"with the other changes taken: {verdict.reason}"
        chosen = [item for item, v in zip(chosen, verdicts, strict=True) if v.keeps]
    else:
        if not exact and chosen:
            new, _ = checker.problems(combine(c for _, c in chosen))
            if new:  # still not proved after the rounds: take none of them rather than an unproved set
                for finding, _ in chosen:
                    left[finding.id] = f"the set could not be proved to keep the policy: {new.describe()}"
                chosen = []
    method = (
        "greedy by net saving, each opportunity re-verified with those taken before it"
        if exact
        else "greedy by net saving; the whole set analysed at once, the changes blamed for a new gap dropped"
    )
    return chosen, left, method


def change_spend(change: NetworkChange, network: Inventory) -> float:
    """What a change adds to the annual bill: its new circuits' rental and its upgrades' increases."""
    spend = sum(row.get("annual_cost_gbp") or 0.0 for row in change.add.values())
    for cid, columns in change.alter.items():
        old, new = network.links[cid].get("annual_cost_gbp"), columns.get("annual_cost_gbp")
        if old is not None and new is not None and new > old:
            spend += new - old
    return spend


def _lines(
    inventory: Inventory,
    fix: NetworkChange,
    fixes: dict[str, list[str]],
    upgrades: dict[str, float],
    chosen: list[tuple[Finding, NetworkChange]],
    before: Analysis,
    after: Analysis,
) -> list[PlanChange]:
    """The plan's changes as lines with their £ and the findings each clears."""
    gone = {f.id for f in before.findings} - {f.id for f in after.findings}
    by_site: dict[str, list[str]] = {}
    for finding in before.findings:
        if finding.id in gone and finding.category is Category.REDUNDANCY:
            for code in {*finding.sites, *finding.cut_off_sites}:
                by_site.setdefault(code, []).append(finding.id)
    tenants = payer_codes(inventory)
    lines: list[PlanChange] = []
    known = {**inventory.links, **fix.add}

    def who(row: Row) -> str:
        if row["a_site"] in inventory.sites and row["b_site"] in inventory.sites:
            return payer(row, inventory.sites, tenants)
        return row.get("tenant") or NO_TENANT

    def clears_for(sites: list[str]) -> list[str]:
        return sorted({fid for code in sites for fid in by_site.get(code, [])})

    def line(
        action: str, cid: str, row: Row, gbp: float | None, reason: str, source: str, clears: list[str]
    ) -> None:
        lines.append(
            PlanChange(action, cid, row["a_site"], row["b_site"], gbp, who(row), reason, source, clears)
        )

    for cid, row in fix.add.items():
        sites = fixes.get(cid, [])
        reason = f"second path for {', '.join(sites[:4])}{' and more' if len(sites) > 4 else ''}"
        line("add", cid, row, row.get("annual_cost_gbp"), reason, "remedy", clears_for(sites))
    for cid, delta in upgrades.items():
        if cid not in fix.add:
            width = fix.alter[cid]["bandwidth_mbps"]
            reason = f"to {width:,.0f} Mbit/s: carries the load when a neighbour fails"
            line("upgrade", cid, inventory.links[cid], round(delta, 2), reason, "remedy", [f"capacity:{cid}"])
    for finding, change in chosen:
        clears = [finding.id]
        for cid in change.cease:
            row = known[cid]
            cost = row.get("annual_cost_gbp")
            line(
                "cease",
                cid,
                row,
                None if cost is None else -cost,
                f"{finding.kind.value}: {finding.title}",
                finding.id,
                clears,
            )
        for cid, columns in change.alter.items():
            row = known[cid]
            if "a_site" in columns or "b_site" in columns:
                line(
                    "re-home",
                    cid,
                    {**row, **columns},
                    0.0,
                    f"moved from {row['a_site']}–{row['b_site']}",
                    finding.id,
                    clears,
                )
            if "bandwidth_mbps" in columns:
                old, new = row.get("annual_cost_gbp"), columns.get("annual_cost_gbp")
                delta = None if old is None or new is None else round(new - old, 2)
                line(
                    "upgrade",
                    cid,
                    row,
                    delta,
                    f"shared: raised to {columns['bandwidth_mbps']:,.0f} Mbit/s",
                    finding.id,
                    clears,
                )
        for cid, row in change.add.items():
            line(
                "add",
                cid,
                row,
                row.get("annual_cost_gbp"),
                change.why.get(cid, "new circuit"),
                finding.id,
                clears,
            )
    return lines


def _already_planned(inventory: Inventory) -> list[PlanChange]:
    """Circuits already planned in the inventory: the after-state counts them in service, and their rent."""
    tenants = payer_codes(inventory)
    lines = []
    for cid, row in inventory.links.items():
        if (
            row.get("status") != "planned"
            or row["a_site"] not in inventory.sites
            or row["b_site"] not in inventory.sites
        ):
            continue
        lines.append(
            PlanChange(
                "in service",
                cid,
                row["a_site"],
                row["b_site"],
                row.get("annual_cost_gbp"),
                payer(row, inventory.sites, tenants),
                "already planned in the inventory: counted in service once built",
                "inventory",
            )
        )
    return lines


def _touches(inventory: Inventory, change: PlanChange, tenant: str) -> bool:
    sites = inventory.sites
    return any(
        (sites.get(code) or {}).get("tenant") == tenant
        or tenant in ((sites.get(code) or {}).get("occupants") or ())
        for code in (change.a_site, change.b_site)
    )
