"""Site status: planned, decommissioning and closed sites are kept, but stay out of the live network."""

from __future__ import annotations

from typing import Any

from builders import link, site

from psninv.analysis import analyse
from psninv.inventory import Inventory


def network(build: Any, hub_status: str | None) -> Inventory:
    """A core, a second core, a hub with two uplinks, and two access sites hanging off the hub."""
    return build(
        tenants=[{"code": "CC", "name": "County"}],
        sites=[
            site("CORE", "CC", 52.80, -2.10, role="core"),
            site("DC", "CC", 52.70, -2.10, role="datacentre"),
            site("HUB", "CC", 52.75, -2.20, role="hub", status=hub_status),
            site("A1", "CC", 52.76, -2.21, crit="high"),
            site("A2", "CC", 52.74, -2.21, status="planned"),
        ],
        links=[
            link("UP1", "HUB", "CORE", "CC", 1000, 5000),
            link("UP2", "HUB", "DC", "CC", 1000, 5000),
            link("CD", "CORE", "DC", "CC", 10000, 9000),
            link("L1", "A1", "HUB", "CC", 100, 2000),
            link("L2", "A2", "HUB", "CC", 100, 2000, status="planned"),
        ],
    )


def test_a_decommissioning_hub_is_left_out_of_the_live_network(build: Any) -> None:
    live = analyse(network(build, None), only="redundancy")
    assert any("A1" in f.sites for f in live.findings)  # hangs off the hub alone
    gone = analyse(network(build, "decommissioning"), only="redundancy")
    assert not any("HUB" in f.sites or "HUB" in f.cut_off_sites for f in gone.findings)
    # Its access site is now cut off from the core: the analysis says so instead of counting the hub.
    assert any(f.kind.value in ("isolated-site", "no-core-path") and "A1" in f.sites for f in gone.findings)


def test_planned_sites_count_only_as_the_network_will_be(build: Any) -> None:
    inventory = network(build, None)
    today = analyse(inventory, only="redundancy")
    assert not any("A2" in f.sites for f in today.findings)
    planned = analyse(inventory, only="redundancy", planned=True)
    assert any("A2" in f.sites for f in planned.findings)  # in service, single-homed on the hub


def test_status_is_kept_in_the_inventory(build: Any) -> None:
    inventory = network(build, "closed")
    assert inventory.sites["HUB"]["status"] == "closed"
    assert inventory.sites["A1"]["status"] is None  # blank means active
