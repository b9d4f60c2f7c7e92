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
from dataclasses import dataclass, replace

from psninv._gc import collector_paused
from psninv.analysis.analyser import Config, KnownGaps, Progress
from psninv.analysis.costs import NO_TENANT, payer, payer_codes
from psninv.analysis.finding import Category, Finding, Kind, Severity
from psninv.analysis.network_change import (
    IdMaker,
    NetworkChange,
    apply_change,
    combine,
    proposed_circuit,
    size_for,
    upgraded,
)
from psninv.analysis.plan_result import AfterFindings, Plan, PlanChange, plan_money
from psninv.analysis.plan_sharing import choose_sharing
from psninv.analysis.policy import Policy
from psninv.analysis.policy_check import PolicyChecker
from psninv.analysis.redundancy import Gaps
from psninv.analysis.result import Analysis
from psninv.analysis.sharing import SharingAnalyser
from psninv.analysis.tariff import Tariff
from psninv.analysis.verified import GAP_KINDS, short_sites, verify_remedies, with_planned
from psninv.inventory import Inventory, Row

SEVERE = (Severity.CRITICAL, Severity.HIGH)
CUT_KINDS = (*GAP_KINDS, Kind.SHARED_RISK, Kind.ISOLATED_SITE)
CAPACITY_ROUNDS = 3


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
    proof = _LastAnalysis(find)
    remedy = verify_remedies(base, proof, tariff, targets=severe_sites, findings=findings)
    fix = NetworkChange(source="remedy")
    fixes: dict[str, list[str]] = {}
    order = sorted(
        zip(remedy.circuit_ids, remedy.links, strict=True), key=lambda item: -len(remedy.fixes[item[0]])
    )
    spent = 0.0
    taken = []
    for old_id, link in order:
        cost = link.annual_cost_gbp or 0.0
        if budget_gbp is not None and spent + cost > budget_gbp:
            continue
        spent += cost
        taken.append((old_id, link))
    # Every remedy taken: the proof's own IDs (where free), so the network planned is the network
    # proved, whose analysis the first capacity round takes; a budget's choice is numbered afresh.
    proved = len(taken) == len(order)
    for old_id, link in taken:
        cid = ids.claim(old_id) if proved else ids()
        fix.add[cid] = proposed_circuit(cid, link, base)
        fixes[cid] = remedy.fixes[old_id]
    unfixable = [f"{u.site}: {u.reason}" for u in remedy.unfixable]
    upgrades, remedied = _capacity(base, fix, find, tariff, budget_gbp, spent, proved=proof)
    spent += sum(upgrades.values())
    return Remedies(fix, fixes, upgrades, unfixable, spent, remedied)


# A plan builds hundreds of thousands of acyclic objects (changed networks, findings, proofs): with
# the collector on it rescans them again and again (proving remedies at 100k: 17.3 s, paused 12.9 s).
@collector_paused()
def make_plan(
    inventory: Inventory,
    *,
    policy: Policy | None = None,
    tariff: Tariff | None = None,
    sharing: bool = True,
    budget_gbp: float | None = None,
    tenant: str | None = None,
    progress: Progress | None = None,
    before: Analysis | None = None,
) -> Plan:
    """Plan the whole inventory: remedies to policy, then the sharing that keeps it, proved by analysis.

    `before`, an analysis of this very inventory with this policy and tariff already made (as
    `psninv analyse` keeps it), stands for the network as it is instead of analysing it again. A
    tenant's plan is the whole network's plan as that tenant sees it (`for_tenant`).
    """
    from psninv.analysis import analyse

    policy, tariff = policy or Policy(), tariff or Tariff()
    step = progress or (lambda phase, done, total: None)
    total_steps = 5

    find = Gaps(policy, tariff)

    step("analysing the network as it is", 0, total_steps)
    if before is None:
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
    unfixable, remedied_gaps = remedies.unfixable, remedies.remedied
    del known, remedies

    taken: list[str] = []
    left: dict[str, str] = {}
    chosen: list[tuple[Finding, NetworkChange]] = []
    method = "remedies only"
    if sharing:
        step("checking sharing against the policy", 2, total_steps)
        remedied = apply_change(base, fix, in_service=True)
        config = Config(policy=policy, tariff=tariff, gaps=remedied_gaps)
        found, _summary = SharingAnalyser().run(remedied, config)
        checker = PolicyChecker(remedied, find, tariff, ids, remedied_gaps)
        chosen, left, method = choose_sharing(remedied, found, fix, checker, tariff, ids, budget_gbp, spent)
        taken = [finding.id for finding, _ in chosen]
        # The remedied network's analyses are done with: the analysis after needs their room.
        del remedied, config, found, _summary, checker
    del remedied_gaps

    step("analysing the network with the plan applied", 3, total_steps)
    whole = combine([fix, *(change for _, change in chosen)])
    after = apply_change(inventory, whole)
    after_analysis = analyse(after, policy=policy, tariff=tariff, planned=True)
    changes = _lines(inventory, fix, fixes, upgrades, chosen, before, after_analysis)
    changes += _already_planned(inventory)
    after_findings = AfterFindings.of(after_analysis.findings)
    del after_analysis

    step("costing", 4, total_steps)
    totals, by_tenant = plan_money(inventory, after, changes)
    plan = Plan(
        changes=changes,
        after=after,
        before_analysis=before,
        after_findings=after_findings,
        totals=totals,
        by_tenant=by_tenant,
        taken=taken,
        left=left,
        unfixable=unfixable,
        method=method,
    )
    plan = for_tenant(plan, inventory, tenant)
    step("done", total_steps, total_steps)
    return plan


def for_tenant(plan: Plan, inventory: Inventory, tenant: str | None) -> Plan:
    """The whole network's plan as one tenant sees it: the changes it pays for or that touch its sites, its £.

    `inventory` is the one the plan was made of; None as the tenant gives the plan as it is.
    """
    if tenant is None:
        return plan
    changes = [c for c in plan.changes if c.tenant == tenant or _touches(inventory, c, tenant)]
    totals, by_tenant = plan_money(inventory, plan.after, changes, tenant)
    return replace(plan, changes=changes, totals=totals, by_tenant=by_tenant, tenant=tenant)


class _LastAnalysis:
    """The redundancy analysis, remembering the last network it analysed and what it found there."""

    def __init__(self, find: Callable[[Inventory], list[Finding]]):
        self.find = find
        self.last: tuple[Inventory, list[Finding]] | None = None

    def __call__(self, inventory: Inventory) -> list[Finding]:
        found = self.find(inventory)
        self.last = (inventory, found)
        return found

    def of(self, inventory: Inventory) -> list[Finding] | None:
        """This network's findings if it is the last analysed (in all the analysis reads), else None."""
        from psninv.analysis import REDUNDANCY_COLUMNS

        if self.last is None:
            return None
        seen, found = self.last
        if seen.sites is not inventory.sites or seen.links.keys() != inventory.links.keys():
            return None
        columns = REDUNDANCY_COLUMNS["links"]
        for cid, row in inventory.links.items():
            other = seen.links[cid]
            if other is not row and any(other.get(c) != row.get(c) for c in columns):
                return None
        return found


def _capacity(
    base: Inventory,
    fix: NetworkChange,
    find: Callable[[Inventory], list[Finding]],
    tariff: Tariff,
    budget_gbp: float | None,
    spent: float,
    proved: _LastAnalysis | None = None,
) -> tuple[dict[str, float], KnownGaps | None]:
    """Upgrade every circuit a single failure overloads at high severity; return each upgrade's £ a year,
    and the gaps of the network with every remedy and upgrade built (None if the rounds ran out).

    `proved` is the analysis the remedies were proved with: where its last network is the remedied
    one (every remedy taken), the first round takes its findings."""
    deltas: dict[str, float] = {}
    found: list[Finding] | None = None
    for _ in range(CAPACITY_ROUNDS):
        work = apply_change(base, fix, in_service=True)
        started = time.perf_counter()
        if found is None:
            found = (proved.of(work) if proved is not None else None) or find(work)
        elif isinstance(find, Gaps):
            found = find.resized(work, found)  # only bandwidths and costs changed: routing is redone
        else:
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
