"""Plans kept on disk between runs, as analyses are: a second report, or each partner's own, is quick."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from psninv.analysis import Analysis, Policy, Progress, Tariff, analyse
from psninv.analysis.plan import for_tenant, make_plan
from psninv.analysis.plan_result import Plan
from psninv.inventory import Inventory, Row
from psninv.session.cache import (
    analyse_store,
    analysis_key,
    is_cached,
    load_cached,
    store_cached,
    worth_keeping,
)
from psninv.session.runner import SESSION_OPTIONS
from psninv.store import Store
from psninv.store.fingerprint import fingerprint

KEEP = 2
"""How many plans the cache holds: each holds its circuits, the findings after it (digested) and, where
no kept analysis stands for it, its analysis before."""

SUFFIX = ".plan"


@dataclass(frozen=True, slots=True)
class KeptPlan:
    """A whole-network plan as kept: its after-state as the circuits it changes, not a second inventory."""

    plan: Plan
    """The plan, its after-state emptied (and its analysis before, where `before` names it)."""
    links: dict[str, Row]
    """The after-state's circuits that are not the inventory's own rows: new, altered and ceased ones."""
    before: str | None = None
    """The cache key of the kept analysis that is the plan's analysis before: kept once, not twice."""

    @classmethod
    def of(cls, plan: Plan, inventory: Inventory, before: str | None = None) -> KeptPlan | None:
        """The plan made of `inventory`, to keep; None where its after-state is not built on it.

        `before` is the cache key of a kept analysis that is the plan's before_analysis.
        """
        after = plan.after
        shared = (
            after.tenants is inventory.tenants
            and after.sites is inventory.sites
            and after.prefixes is inventory.prefixes
            and after.references is inventory.references
            and inventory.links.keys() <= after.links.keys()
        )
        if not shared:
            return None
        links = {cid: row for cid, row in after.links.items() if inventory.links.get(cid) is not row}
        kept = replace(plan, after=Inventory())
        if before is not None:
            kept = replace(kept, before_analysis=Analysis())
        return cls(kept, links, before)

    def restore(self, inventory: Inventory) -> Plan | None:
        """The plan again, its after-state rebuilt on the inventory it was made of (the same fingerprint).

        None where its analysis before is no longer kept.
        """
        plan = self.plan
        if self.before is not None:
            analysis = load_cached(self.before)
            if analysis is None:
                return None
            plan = replace(plan, before_analysis=analysis)
        after = Inventory(
            tenants=inventory.tenants,
            sites=inventory.sites,
            links={**inventory.links, **self.links},
            prefixes=inventory.prefixes,
            references=inventory.references,
        )
        return replace(plan, after=after)


@dataclass(frozen=True, slots=True)
class PlanRun:
    """A plan, and whether it came from the cache or is kept there now."""

    plan: Plan
    from_cache: bool
    kept: bool = False


def plan_key(database: str, stamp: tuple[Any, ...], options: dict[str, Any]) -> str:
    """The cache key of the whole-network plan of `database` at fingerprint `stamp` with these options."""
    return analysis_key(database, stamp, {"kept": "plan", **options})


def plan_store(
    store: Store,
    inventory: Inventory,
    *,
    stamp: tuple[Any, ...],
    policy: Policy | None = None,
    tariff: Tariff | None = None,
    sharing: bool = True,
    budget_gbp: float | None = None,
    tenant: str | None = None,
    progress: Progress | None = None,
    before: Analysis | None = None,
    min_seconds: float | None = None,
) -> PlanRun:
    """The plan of the store's inventory, read at fingerprint `stamp`: from the cache, or made and kept.

    The network as it is comes from the analysis `psninv analyse` keeps (or `before`, that very
    analysis), and is kept for it in turn; the kept plan names it rather than holding a copy. A
    tenant's plan is the whole network's, as the tenant sees it: one plan serves every partner's
    report.
    """
    policy, tariff = policy or Policy(), tariff or Tariff()
    options = {"policy": policy, "tariff": tariff, "sharing": sharing, "budget_gbp": budget_gbp}
    key = plan_key(store.url, stamp, options)
    kept = load_cached(key, KeptPlan, suffix=SUFFIX)
    restored = kept.restore(inventory) if kept is not None else None
    if restored is not None:
        return PlanRun(for_tenant(restored, inventory, tenant), True, True)
    started = time.perf_counter()
    settings = {**SESSION_OPTIONS, "policy": policy, "tariff": tariff}
    before_key = analysis_key(store.url, stamp, settings)
    if before is None:
        if progress is not None:
            progress("analysing the network as it is", 0, 5)
        run = analyse_store(
            store, settings, lambda work: analyse(work, **settings), lambda: inventory, stamp=stamp
        )
        before = run.analysis
        kept_before = run.kept
    else:
        kept_before = is_cached(before_key)
    plan = make_plan(
        inventory,
        policy=policy,
        tariff=tariff,
        sharing=sharing,
        budget_gbp=budget_gbp,
        progress=progress,
        before=before,
    )
    seconds = time.perf_counter() - started
    keep = KeptPlan.of(plan, inventory, before_key if kept_before else None)
    stored = False
    if keep is not None and worth_keeping(seconds, min_seconds) and fingerprint(store) == stamp:
        if progress is not None:
            progress("keeping the plan for the next run", 0, 0)
        stored = store_cached(key, keep, seconds, min_seconds=min_seconds, suffix=SUFFIX, keep=KEEP)
    return PlanRun(for_tenant(plan, inventory, tenant), False, stored)
