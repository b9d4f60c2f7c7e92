"""Part of a plan: only the changes a person ticks, applied, analysed and costed again (the Plan screen)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from psninv.analysis.plan_result import AfterFindings, Plan, plan_money
from psninv.analysis.policy import Policy
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory


def change_groups(plan: Plan) -> dict[str, list[int]]:
    """The plan's changes that go together: a sharing finding's lines are one group, each remedy its own."""
    groups: dict[str, list[int]] = {}
    for index, change in enumerate(plan.changes):
        alone = change.source in ("remedy", "inventory")
        key = f"{change.source}:{change.circuit}" if alone else change.source
        groups.setdefault(key, []).append(index)
    return groups


def select(
    plan: Plan,
    inventory: Inventory,
    ticked: Collection[int],
    *,
    policy: Policy | None = None,
    tariff: Tariff | None = None,
) -> Plan:
    """The plan with only the ticked changes (indexes into plan.changes), analysed and costed again.

    Circuits already planned in the inventory stay: they are not the plan's to drop. Each kept
    change's circuit takes its row from the whole plan's after-state; the rest stay as they are.
    """
    from psninv.analysis import analyse

    kept = set(ticked)
    changes = [c for i, c in enumerate(plan.changes) if i in kept or c.source == "inventory"]
    links = dict(inventory.links)
    for change in changes:
        links[change.circuit] = plan.after.links[change.circuit]
    after = Inventory(
        tenants=inventory.tenants,
        sites=inventory.sites,
        links=links,
        prefixes=inventory.prefixes,
        references=inventory.references,
    )
    after_analysis = analyse(after, policy=policy, tariff=tariff, planned=True)
    totals, by_tenant = plan_money(inventory, after, changes, plan.tenant)
    sources = {c.source for c in changes}
    return replace(
        plan,
        changes=changes,
        after=after,
        after_findings=AfterFindings.of(after_analysis.findings),
        totals=totals,
        by_tenant=by_tenant,
        taken=[fid for fid in plan.taken if fid in sources],
    )
