"""A tenant's annual cost: one figure in the CLI, the TUI (before or after analysis), the summary."""

from __future__ import annotations

from decimal import Decimal

from builders import link, site

from psninv.analysis.costs import NO_TENANT, tenant_annual_cost, tenant_annual_costs
from psninv.analysis.sharing import find_sharing
from psninv.inventory import Inventory
from psninv.session import index_inventory


def _inventory() -> Inventory:
    sites = [
        site("HUB", "CC", role="hub"),
        site("A", "CC"),
        site("B", "NHS"),
        site("C", None),
    ]
    links = [
        link("L1", "HUB", "A", "CC", gbp=1000.10),
        link("L2", "B", "HUB", "CC", gbp=2000),  # CC pays although the site is NHS's
        link("L3", "HUB", "B", None, gbp=300.5),  # untenanted: the access end's owner, NHS, pays
        link("L4", "HUB", "A", "CC", gbp=9999, status="ceased"),  # costs nothing any more
        link("L5", "HUB", "A", "CC", gbp=7777, status="planned"),  # costs nothing yet
        link("L6", "A", "C", None, gbp=40),  # access to access: the A end's owner, CC, pays
        link("L7", "C", "C", None, gbp=5),  # nobody owns C
        link("L8", "A", "B", "CC", gbp=None),  # uncosted: adds nothing
    ]
    return Inventory(
        tenants={"CC": {"code": "CC", "name": "County"}, "NHS": {"code": "NHS", "name": "Health"}},
        sites={row["code"]: {**row, "occupants": []} for row in sites},
        links={row["circuit_id"]: row for row in links},
    )


def test_active_circuits_only_each_paid_by_its_tenant_else_its_access_end() -> None:
    costs = tenant_annual_costs(_inventory())
    assert costs == {"CC": Decimal("3040.10"), "NHS": Decimal("300.50"), NO_TENANT: Decimal(5)}
    # Whole pounds, halves away from zero; a tenant paying for nothing costs £0.
    assert tenant_annual_cost(costs, "NHS") == 301
    assert tenant_annual_cost(costs, "CC") == 3040
    assert tenant_annual_cost(costs, "NOBODY") == 0


def test_the_sharing_summary_and_the_tui_snapshot_give_the_same_figure() -> None:
    inventory = _inventory()
    _findings, summary = find_sharing(inventory)
    snapshot = index_inventory(inventory)
    for code in ("CC", "NHS"):
        assert summary.by_tenant[code].annual_cost_gbp == snapshot.tenant_cost(code)
    assert summary.total_annual_cost_gbp == 3040 + 301 + 5
