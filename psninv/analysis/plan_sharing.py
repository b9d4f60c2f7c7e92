"""The plan's sharing: the cash opportunities it may take, chosen greedily and re-verified together."""

from __future__ import annotations

from psninv.analysis.finding import Finding, Kind
from psninv.analysis.network_change import IdMaker, NetworkChange, change_for, combine, proposed_circuit
from psninv.analysis.policy_check import PolicyChecker
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory

CASH_KINDS = (Kind.CO_LOCATION, Kind.PARALLEL_CIRCUITS, Kind.HUB_CONSOLIDATION)
"""Sharing kinds a plan can take: they cease or move circuits and cut today's spend."""
WHOLE_SET_ROUNDS = 3
"""Rounds of analysing a large plan's sharing as one set and dropping what is blamed for a new gap."""


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


def choose_sharing(
    network: Inventory,
    found: list[Finding],
    fix: NetworkChange,
    checker: PolicyChecker,
    tariff: Tariff,
    ids: IdMaker,
    budget_gbp: float | None,
    spent: float,
) -> tuple[list[tuple[Finding, NetworkChange]], dict[str, str], str]:
    """Take cash opportunities largest net saving first, each re-verified with everything taken before it.

    Returns the changes taken, why each other one was not, and the method in words.
    """
    candidates, left = sharing_candidates(network, found, fix, tariff, ids)
    candidates.sort(key=lambda item: (-(item[0].savings_gbp or 0), item[0].id))
    exact = checker.alone(len(candidates))
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
