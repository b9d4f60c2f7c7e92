"""Every sharing opportunity checked against the redundancy policy on the network as it would be after it.

An opportunity that keeps the policy as it is stays as found. One that would leave sites short of
policy gets the verified links that bring them back, their rental netted from its saving; one that
cannot be repaired, or overloads a circuit after a single failure, or whose repair costs more than
it saves, is marked `breaks_policy` with the reason, drops to info and is left out of every total.
A mutual backup must really give the sites it helps a second path that survives one failure.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from psninv.analysis.analyser import KnownGaps
from psninv.analysis.finding import Finding, Kind, Severity
from psninv.analysis.network_change import IdMaker, NetworkChange, change_for
from psninv.analysis.policy_check import PolicyChecker, Verdict
from psninv.analysis.sharing.context import Context, Opportunity, exact, gbp, percent, pounds, split_pounds
from psninv.inventory import Inventory

RE_ROUTING_KINDS = (Kind.CO_LOCATION, Kind.HUB_CONSOLIDATION, Kind.PARALLEL_CIRCUITS)
"""Kinds that cease or move circuits: checked apart from mutual backups, which only add."""


def check_opportunities(
    ctx: Context, analyse: Callable[[Inventory], list[Finding]], known: KnownGaps | None = None
) -> PolicyChecker | None:
    """Check each opportunity that changes circuits; repair, re-price or mark it. Returns the checker used."""
    ids = IdMaker(ctx.inventory.links)
    groups: dict[bool, list[tuple[Opportunity, NetworkChange]]] = {True: [], False: []}
    for opportunity in ctx.opportunities:
        change = change_for(opportunity.finding, ctx.inventory, ctx.tariff, ids)
        if change is not None and not change.empty:
            groups[opportunity.finding.kind in RE_ROUTING_KINDS].append((opportunity, change))
    if not groups[True] and not groups[False]:
        return None
    checker = PolicyChecker(ctx.inventory, analyse, ctx.tariff, ids, known)
    for re_routing, group in groups.items():
        if not group:
            continue
        # Most valuable first: where a check together can re-check only some changes alone, these.
        group.sort(key=lambda item: (-(item[0].finding.savings_gbp or 0), item[0].finding.id))
        promised = [_promised(opportunity.finding) for opportunity, _ in group]
        # A cross-link must give its sites a second path by itself: it is never propped up.
        verdicts = checker.check_all([change for _, change in group], promised, repair=re_routing)
        for (opportunity, change), verdict in zip(group, verdicts, strict=True):
            _apply(ctx, opportunity, change, verdict)
    return checker


def _promised(finding: Finding) -> list[str]:
    return list(finding.impact.get("helped") or []) if finding.kind is Kind.MUTUAL_BACKUP else []


def _apply(ctx: Context, opportunity: Opportunity, change: NetworkChange, verdict: Verdict) -> None:
    finding = opportunity.finding
    finding.impact["policy_check"] = verdict.method
    if not verdict.keeps:
        _breaks(opportunity, verdict.reason)
        return
    if not verdict.extra:
        finding.remedy += " Checked: with it applied, the redundancy policy still holds."
        return
    extra = Decimal(str(round(verdict.extra_gbp)))
    saving = Decimal(finding.impact.get("savings_exact_gbp") or 0)
    net = saving - extra
    links = ", ".join(f"{row['a_site']}–{row['b_site']}" for row in verdict.extra.values())
    if net <= 0:
        _breaks(
            opportunity,
            f"keeping the policy needs {links} at {gbp(extra)} a year, as much as or more than it saves",
        )
        return
    finding.proposed_links += verdict.links
    before = f"saving {gbp(saving)} a year"
    after = f"saving {gbp(net)} a year after {gbp(extra)} for a policy link"
    finding.title = (
        finding.title.replace(before, after) if before in finding.title else f"{finding.title} ({after})"
    )
    finding.impact["policy_links"] = {cid: row["annual_cost_gbp"] for cid, row in verdict.extra.items()}
    finding.impact["policy_links_gbp"] = int(extra)
    finding.impact["savings_before_policy_gbp"] = finding.impact.get("savings_exact_gbp")
    finding.impact["savings_exact_gbp"] = exact(net)
    calculation = finding.impact.get("calculation") or ""
    finding.impact["calculation"] = (
        f"{calculation.rstrip('.')}; - {gbp(extra)} for {links} to keep the policy = {gbp(net)} a year"
    )
    finding.savings_gbp = pounds(net)
    finding.savings_pct = percent(net, opportunity.involved) if opportunity.involved else None
    finding.severity = ctx.severity(finding.savings_gbp)
    finding.remedy += (
        f" Add {links} ({gbp(extra)} a year) to keep the redundancy policy: checked by re-analysis."
    )
    if opportunity.involved and net * 100 < ctx.threshold * opportunity.involved:
        opportunity.hidden = True
        finding.impact["below_threshold"] = True
    opportunity.shares = {} if opportunity.hidden else split_pounds(finding.savings_gbp, opportunity.weights)


def _breaks(opportunity: Opportunity, reason: str) -> None:
    finding = opportunity.finding
    finding.breaks_policy = reason
    finding.severity = Severity.INFO
    finding.title += " (breaks the redundancy policy)"
    finding.remedy = f"Not recommended: {reason}. " + finding.remedy
    opportunity.shares = {}
