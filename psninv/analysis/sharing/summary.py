"""The sharing summary: what the network costs, what the shown opportunities save, per tenant and overall."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from psninv.analysis.costs import tenant_annual_costs
from psninv.analysis.finding import Kind
from psninv.analysis.sharing.context import KINDS, Context, percent, pounds
from psninv.analysis.tariff import Tariff


@dataclass(slots=True)
class TenantSavings:
    """One tenant's annual circuit cost and what the shown opportunities save or avoid for it."""

    name: str
    annual_cost_gbp: int
    savings_gbp: int
    savings_pct: float | None
    avoided_gbp: int

    def to_dict(self) -> dict[str, Any]:
        """The tenant's figures as JSON-ready data."""
        return {
            "name": self.name,
            "annual_cost_gbp": self.annual_cost_gbp,
            "savings_gbp": self.savings_gbp,
            "savings_pct": self.savings_pct,
            "avoided_gbp": self.avoided_gbp,
        }


@dataclass(slots=True)
class KindTally:
    """For one kind: opportunities shown, hidden below the threshold, and the £ a year the shown ones save."""

    count: int = 0
    hidden: int = 0
    savings_gbp: int = 0
    breaks_policy: int = 0
    """Shown opportunities that would break the redundancy policy: counted, their £ left out."""

    def to_dict(self) -> dict[str, Any]:
        """The tally as JSON-ready data."""
        return {
            "count": self.count,
            "hidden": self.hidden,
            "savings_gbp": self.savings_gbp,
            "breaks_policy": self.breaks_policy,
        }


@dataclass(slots=True)
class SharingSummary:
    """What the network costs and what the shown sharing opportunities save, per tenant and overall."""

    total_annual_cost_gbp: int | None
    active_links: int
    uncosted_links: int
    savings_gbp: int
    savings_pct: float | None
    avoided_gbp: int
    by_tenant: dict[str, TenantSavings]
    by_kind: dict[Kind, KindTally]
    threshold_pct: float
    tariff: Tariff
    warnings: list[str] = field(default_factory=list)

    @property
    def opportunities(self) -> dict[Kind, int]:
        """How many opportunities of each kind are shown."""
        return {kind: tally.count for kind, tally in self.by_kind.items()}

    @property
    def breaks_policy(self) -> int:
        """How many shown opportunities would break the redundancy policy (their £ left out of the totals)."""
        return sum(tally.breaks_policy for tally in self.by_kind.values())

    @property
    def hidden(self) -> int:
        """How many opportunities fall below the savings threshold (and are left out unless asked for)."""
        return sum(tally.hidden for tally in self.by_kind.values())

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return {
            "total_annual_cost_gbp": self.total_annual_cost_gbp,
            "active_links": self.active_links,
            "uncosted_links": self.uncosted_links,
            "savings_gbp": self.savings_gbp,
            "savings_pct": self.savings_pct,
            "avoided_gbp": self.avoided_gbp,
            "by_tenant": {code: entry.to_dict() for code, entry in self.by_tenant.items()},
            "opportunities": {kind.value: count for kind, count in self.opportunities.items()},
            "by_kind": {kind.value: tally.to_dict() for kind, tally in self.by_kind.items()},
            "hidden": self.hidden,
            "breaks_policy": self.breaks_policy,
            "threshold_pct": self.threshold_pct,
            "tariff": self.tariff.to_dict(),
            "warnings": list(self.warnings),
        }


def build_summary(ctx: Context) -> SharingSummary:
    """The summary of a sharing analysis; only opportunities at or above the threshold count in the £."""
    tenant_cost = tenant_annual_costs(ctx.inventory)
    uncosted = int(np.isnan(ctx.cost_array).sum())
    total_cost = sum(tenant_cost.values(), Decimal(0))

    by_kind = {kind: KindTally() for kind in KINDS}
    savings: dict[str, int] = {}
    avoided: dict[str, int] = {}
    for opportunity in ctx.opportunities:
        finding = opportunity.finding
        tally = by_kind[finding.kind]
        if opportunity.hidden:
            tally.hidden += 1
            continue
        tally.count += 1
        if finding.breaks_policy:
            tally.breaks_policy += 1
            continue
        tally.savings_gbp += finding.savings_gbp or 0
        book = savings if opportunity.cash else avoided
        for tenant, share in opportunity.shares.items():
            book[tenant] = book.get(tenant, 0) + share

    tenants = sorted(set(tenant_cost) | set(savings) | set(avoided) | set(ctx.inventory.tenants))
    by_tenant = {}
    for tenant in tenants:
        cost = tenant_cost.get(tenant, Decimal(0))
        saved = savings.get(tenant, 0)
        by_tenant[tenant] = TenantSavings(
            name=(ctx.inventory.tenants.get(tenant) or {}).get("name") or tenant,
            annual_cost_gbp=pounds(cost),
            savings_gbp=saved,
            savings_pct=percent(Decimal(saved), cost),
            avoided_gbp=avoided.get(tenant, 0),
        )
    total_savings = sum(savings.values())
    return SharingSummary(
        # Unknown is null, never zero: a network none of whose circuits has a cost is not free.
        total_annual_cost_gbp=None if ctx.cids and uncosted == len(ctx.cids) else pounds(total_cost),
        active_links=len(ctx.cids),
        uncosted_links=uncosted,
        savings_gbp=total_savings,
        savings_pct=percent(Decimal(total_savings), total_cost),
        avoided_gbp=sum(avoided.values()),
        by_tenant=by_tenant,
        by_kind=by_kind,
        threshold_pct=ctx.tariff.threshold_pct,
        tariff=ctx.tariff,
        warnings=list(ctx.warnings),
    )
