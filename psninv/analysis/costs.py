"""What each tenant's circuits cost a year and who pays for a circuit: one definition for CLI, TUI, analysis.

A tenant's annual cost is the rental of the *active* circuits it pays for (ceased circuits cost
nothing any more, planned ones nothing yet; uncosted ones add nothing), exact to the penny and
shown in whole pounds, halves away from zero. A circuit is paid for by its tenant, else by the
owner of its access end (the end that is not a hub, core or datacentre when the other is), else
by the owner of the other end, else by nobody (NO_TENANT).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psninv.graph import is_active
from psninv.inventory import Inventory
from psninv.model import Role

NO_TENANT = "(no tenant)"
"""The name money is booked to when neither a circuit nor its sites name a tenant."""

UPSTREAM_ROLES = frozenset({Role.HUB.value, Role.CORE.value, Role.DATACENTRE.value})
"""Roles of sites that serve others: the far end of an access circuit."""

ONE_POUND = Decimal(1)


def pounds(value: Decimal) -> int:
    """Round money to whole pounds, halves away from zero, as a person would."""
    return int(value.quantize(ONE_POUND, rounding=ROUND_HALF_UP))


@functools.lru_cache(maxsize=65536)
def exact_money(value: float) -> Decimal:
    """A stored float as the exact decimal it was entered as (shortest repr), cached as rentals repeat."""
    return Decimal(repr(value))


def payer(link: Mapping[str, Any], sites: Mapping[str, Mapping[str, Any]], tenants: Collection[str]) -> str:
    """Who pays for a circuit between two known sites; `tenants` are the codes a circuit's tenant may name."""
    if link.get("tenant") in tenants:
        return link["tenant"]
    a, b = sites[link["a_site"]], sites[link["b_site"]]
    if b.get("role") not in UPSTREAM_ROLES and a.get("role") in UPSTREAM_ROLES:
        a, b = b, a
    return a.get("tenant") or b.get("tenant") or NO_TENANT


def payer_codes(inventory: Inventory) -> set[str]:
    """The codes a circuit's tenant may name: the tenants and every site owner."""
    owners = {site["tenant"] for site in inventory.sites.values() if site.get("tenant")}
    return set(inventory.tenants) | owners


def tenant_annual_costs(inventory: Inventory) -> dict[str, Decimal]:
    """Each paying tenant's exact annual spend on active circuits (tenants paying nothing are left out)."""
    sites = inventory.sites
    tenants = payer_codes(inventory)
    pence: dict[str, int] = {}
    odd: list[tuple[str, float]] = []
    for link in inventory.links.values():
        cost = link.get("annual_cost_gbp")
        if cost is None or not is_active(link) or link["a_site"] not in sites or link["b_site"] not in sites:
            continue
        who = payer(link, sites, tenants)
        # Whole pence add up exactly as integers; a figure with finer fractions is added as a Decimal.
        whole = round(cost * 100)
        if abs(cost * 100 - whole) < 1e-6 and abs(cost) < 1e12:
            pence[who] = pence.get(who, 0) + whole
        else:
            odd.append((who, cost))
    totals = {who: Decimal(value) / 100 for who, value in pence.items() if value}
    for who, cost in odd:
        totals[who] = totals.get(who, Decimal(0)) + exact_money(cost)
    return totals


def tenant_annual_cost(costs: Mapping[str, Decimal], tenant: str) -> int:
    """A tenant's annual circuit cost in whole pounds, from tenant_annual_costs (0 if it pays for none)."""
    return pounds(costs.get(tenant, Decimal(0)))
