"""The sharing summary: what the network costs, what the shown opportunities save, per tenant and overall."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from psninv.analysis.sharing.context import KINDS, Context, gbp, percent, pounds


def build_summary(ctx: Context) -> dict[str, Any]:
    """The summary dict of a sharing analysis; only opportunities at or above the threshold count in the £."""
    tenant_cost = _costs_per_tenant(ctx)
    uncosted = int(np.isnan(ctx.cost_array).sum())
    total_cost = sum(tenant_cost.values(), Decimal(0))

    by_kind = {kind: {"count": 0, "hidden": 0, "savings_gbp": 0} for kind in KINDS}
    savings: dict[str, int] = {}
    avoided: dict[str, int] = {}
    for opportunity in ctx.opportunities:
        finding = opportunity.finding
        entry = by_kind[finding.kind]
        if opportunity.hidden:
            entry["hidden"] += 1
            continue
        entry["count"] += 1
        entry["savings_gbp"] += finding.savings_gbp or 0
        book = savings if opportunity.cash else avoided
        for tenant, share in opportunity.shares.items():
            book[tenant] = book.get(tenant, 0) + share

    tenants = sorted(set(tenant_cost) | set(savings) | set(avoided) | set(ctx.inventory.tenants))
    by_tenant = {}
    for tenant in tenants:
        cost = tenant_cost.get(tenant, Decimal(0))
        saved = savings.get(tenant, 0)
        by_tenant[tenant] = {
            "name": (ctx.inventory.tenants.get(tenant) or {}).get("name") or tenant,
            "annual_cost_gbp": pounds(cost),
            "savings_gbp": saved,
            "savings_pct": percent(Decimal(saved), cost),
            "avoided_gbp": avoided.get(tenant, 0),
        }
    total_savings = sum(savings.values())
    return {
        "total_annual_cost_gbp": pounds(total_cost),
        "active_links": len(ctx.cids),
        "uncosted_links": uncosted,
        "savings_gbp": total_savings,
        "savings_pct": percent(Decimal(total_savings), total_cost),
        "avoided_gbp": sum(avoided.values()),
        "by_tenant": by_tenant,
        "opportunities": {kind: entry["count"] for kind, entry in by_kind.items()},
        "by_kind": by_kind,
        "hidden": sum(entry["hidden"] for entry in by_kind.values()),
        "threshold_pct": ctx.tariff.threshold_pct,
        "tariff": ctx.tariff.to_dict(),
        "warnings": list(ctx.warnings),
    }


def _costs_per_tenant(ctx: Context) -> dict[str, Decimal]:
    """Each paying tenant's exact annual spend on active circuits."""
    costs = ctx.cost_array
    known = ~np.isnan(costs)
    # Whole pence add up exactly as integers; any figure with finer fractions is added as a Decimal.
    pence = np.round(costs * 100)
    whole = known & (np.abs(costs * 100 - pence) < 1e-6) & (np.abs(costs) < 1e12)
    totals: dict[str, Decimal] = {}
    sums = np.bincount(ctx.payer_id[whole], weights=pence[whole], minlength=len(ctx.tenant_codes))
    for tenant, value in enumerate(sums.tolist()):
        if value:
            totals[ctx.tenant_codes[tenant]] = Decimal(int(value)) / 100
    for c in np.flatnonzero(known & ~whole).tolist():
        tenant = ctx.tenant_codes[ctx.payer_id[c]]
        totals[tenant] = totals.get(tenant, Decimal(0)) + ctx.cost(ctx.cids[c])
    return totals


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The summary as a short plain-text table, one line per tenant, then the totals and counts."""
    rows = [("Tenant", "Annual cost", "Savings", "%", "Avoided")]
    for code, entry in summary["by_tenant"].items():
        if not (entry["annual_cost_gbp"] or entry["savings_gbp"] or entry["avoided_gbp"]):
            continue
        rows.append(
            (
                code,
                gbp(entry["annual_cost_gbp"]),
                gbp(entry["savings_gbp"]),
                _pct(entry["savings_pct"]),
                gbp(entry["avoided_gbp"]),
            )
        )
    rows.append(
        (
            "All",
            gbp(summary["total_annual_cost_gbp"]),
            gbp(summary["savings_gbp"]),
            _pct(summary["savings_pct"]),
            gbp(summary["avoided_gbp"]),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        for row in rows
    ]
    counts = ", ".join(f"{kind} {count}" for kind, count in summary["opportunities"].items() if count)
    lines.append(f"Opportunities: {counts or 'none'}")
    if summary["hidden"]:
        lines.append(
            f"{summary['hidden']} more below {summary['threshold_pct']:g}% hidden (show them with --all)"
        )
    lines.extend(f"Warning: {warning}" for warning in summary["warnings"])
    return lines


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"
