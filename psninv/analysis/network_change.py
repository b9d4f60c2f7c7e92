"""A change to the network (circuits added, ceased, re-homed or upgraded), applied to an inventory in memory.

Every recommendation psninv offers is one of these before it is offered: the analyser applies it
to a copy of the inventory and analyses the result, so what a finding or a plan promises is what
the network with it applied really does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from psninv.analysis.costs import UPSTREAM_ROLES
from psninv.analysis.finding import Finding, Kind, ProposedLink
from psninv.analysis.geo import haversine_km
from psninv.analysis.tariff import Tariff
from psninv.graph import is_active
from psninv.inventory import Inventory, Row
from psninv.records import COLUMNS

SIZES_MBPS = (10, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 40000, 100000)
"""Bandwidths a new or upgraded circuit is rounded up to."""
NEW_PREFIX = "PLANNED-"
"""Circuit IDs of the circuits a change adds start with this."""


def size_for(demand_mbps: float) -> float:
    """The smallest standard bandwidth that carries a demand (the largest one if none does)."""
    return float(next((size for size in SIZES_MBPS if size >= demand_mbps), SIZES_MBPS[-1]))


@dataclass(slots=True)
class NetworkChange:
    """Circuits a recommendation adds, ceases and alters; `source` is the finding it comes from."""

    source: str = ""
    cease: list[str] = field(default_factory=list)
    add: dict[str, Row] = field(default_factory=dict)
    """New circuits by ID, as whole link rows of status "planned"."""
    alter: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Columns changed on existing circuits, by ID: new ends (a re-home), bandwidth and rent (an upgrade)."""
    why: dict[str, str] = field(default_factory=dict)
    """What each new circuit is for, by ID, in a few words."""

    @property
    def empty(self) -> bool:
        """True if the change touches no circuit."""
        return not (self.cease or self.add or self.alter)

    def circuits(self) -> set[str]:
        """Every existing circuit the change ceases or alters."""
        return {*self.cease, *self.alter}

    def sites(self, inventory: Inventory) -> set[str]:
        """Every site at an end of a circuit the change touches, before or after it."""
        out: set[str] = set()
        for cid in self.circuits():
            row = inventory.links.get(cid)
            if row is not None:
                out.update((row["a_site"], row["b_site"]))
            out.update(value for end, value in self.alter.get(cid, {}).items() if end in ("a_site", "b_site"))
        for row in self.add.values():
            out.update((row["a_site"], row["b_site"]))
        return out

    def merged(self, other: NetworkChange) -> NetworkChange:
        """This change and another applied together (the other's alterations win where both alter)."""
        out = combine([self, other])
        out.source = self.source
        return out


def combine(changes: Iterable[NetworkChange]) -> NetworkChange:
    """Several changes as one (later changes' alterations win where two alter one circuit)."""
    out = NetworkChange()
    ceased: set[str] = set()
    for change in changes:
        out.cease.extend(cid for cid in change.cease if cid not in ceased)
        ceased.update(change.cease)
        out.add.update(change.add)
        out.why.update(change.why)
        for cid, columns in change.alter.items():
            out.alter.setdefault(cid, {}).update(columns)
    return out


def apply_change(inventory: Inventory, change: NetworkChange, *, in_service: bool = False) -> Inventory:
    """The inventory with the change applied: new circuits planned, ceased ones ceased, others altered.

    With `in_service` the new circuits count as active (the network once the change is built). Rows
    that change are copied; everything else is shared with the original, which is never modified.
    """
    links = dict(inventory.links)
    # New circuits first: a later change may alter or cease a circuit an earlier one added.
    if in_service:
        links.update((cid, {**row, "status": "active"}) for cid, row in change.add.items())
    else:
        links.update(change.add)
    for cid, columns in change.alter.items():
        if cid in links:
            links[cid] = {**links[cid], **columns}
    for cid in change.cease:
        if cid in links:
            links[cid] = {**links[cid], "status": "ceased"}
    return Inventory(
        tenants=inventory.tenants,
        sites=inventory.sites,
        links=links,
        prefixes=inventory.prefixes,
        references=inventory.references,
    )


class IdMaker:
    """IDs for new circuits, PLANNED-0001 upwards, never one the inventory or an earlier change has."""

    def __init__(self, taken: Iterable[str]):
        self.taken = set(taken)
        self.number = 0

    def claim(self, cid: str) -> str:
        """This ID if it is free (and now taken), else the next free one."""
        if cid in self.taken:
            return self()
        self.taken.add(cid)
        return cid

    def __call__(self) -> str:
        """The next free ID."""
        while True:
            self.number += 1
            cid = f"{NEW_PREFIX}{self.number:04d}"
            if cid not in self.taken:
                self.taken.add(cid)
                return cid


def new_circuit(
    cid: str,
    a_site: str,
    b_site: str,
    *,
    bandwidth_mbps: float | None,
    annual_cost_gbp: float | None,
    tenant: str | None,
) -> Row:
    """A link row for a circuit a change adds (status planned: ordered, not yet in service)."""
    return {column.name: None for column in COLUMNS["links"]} | {
        "circuit_id": cid,
        "a_site": a_site,
        "b_site": b_site,
        "status": "planned",
        "bandwidth_mbps": bandwidth_mbps,
        "annual_cost_gbp": annual_cost_gbp,
        "tenant": tenant,
    }


def proposed_circuit(cid: str, link: ProposedLink, inventory: Inventory) -> Row:
    """A proposed link as a new circuit row, paid for by the owner of its first site."""
    return new_circuit(
        cid,
        link.a_site,
        link.b_site,
        bandwidth_mbps=link.bandwidth_mbps,
        annual_cost_gbp=link.annual_cost_gbp,
        tenant=inventory.sites[link.a_site].get("tenant"),
    )


def distance_km(inventory: Inventory, a: str, b: str) -> float | None:
    """Great-circle km between two sites, or None if either has no coordinates."""
    sa, sb = inventory.sites[a], inventory.sites[b]
    if None in (sa.get("latitude"), sa.get("longitude"), sb.get("latitude"), sb.get("longitude")):
        return None
    return haversine_km(
        float(sa["latitude"]), float(sa["longitude"]), float(sb["latitude"]), float(sb["longitude"])
    )


def upgraded(row: Mapping[str, Any], extra_mbps: float, rate_gbp: float) -> dict[str, Any]:
    """The columns of a circuit raised by extra_mbps at the tariff's uplift rate a year per Mbit/s."""
    bandwidth = row.get("bandwidth_mbps") or 0.0
    cost = row.get("annual_cost_gbp")
    raised = (
        None
        if cost is None
        else float(Decimal(repr(float(cost))) + Decimal(repr(float(extra_mbps))) * Decimal(repr(rate_gbp)))
    )
    return {"bandwidth_mbps": float(bandwidth) + float(extra_mbps), "annual_cost_gbp": raised}


def change_for(finding: Finding, inventory: Inventory, tariff: Tariff, ids: IdMaker) -> NetworkChange | None:
    """The change a sharing finding proposes, or None for kinds that change no circuit (renewals, IP)."""
    impact = finding.impact
    rate = tariff.uplift_per_mbps_gbp
    if finding.kind is Kind.CO_LOCATION:
        return _co_location(finding, inventory, rate, ids)
    if finding.kind is Kind.PARALLEL_CIRCUITS:
        bearer = impact["bearer"]
        uplift = impact.get("uplift_mbps") or 0.0
        alter = {bearer: upgraded(inventory.links[bearer], uplift, rate)} if uplift else {}
        return NetworkChange(source=finding.id, cease=list(impact["retired"]), alter=alter)
    if finding.kind is Kind.HUB_CONSOLIDATION:
        return _hub(finding, inventory, tariff, ids)
    if finding.kind is Kind.MUTUAL_BACKUP:
        link = finding.proposed_links[0]
        cid = ids()
        tenant = inventory.sites[link.a_site].get("tenant")
        row = new_circuit(
            cid,
            link.a_site,
            link.b_site,
            bandwidth_mbps=None,
            annual_cost_gbp=link.annual_cost_gbp,
            tenant=tenant,
        )
        return NetworkChange(source=finding.id, add={cid: row}, why={cid: "the cross-link"})
    return None


def _co_location(finding: Finding, inventory: Inventory, rate: float, ids: IdMaker) -> NetworkChange:
    impact = finding.impact
    host, bearer = impact["host"], impact["bearer"]
    change = NetworkChange(source=finding.id, cease=list(impact["retired"]))
    uplift = impact.get("uplift_mbps") or 0.0
    if uplift:
        change.alter[bearer] = upgraded(inventory.links[bearer], uplift, rate)
    for joiner in impact["joiners"]:
        # The joiner reaches the host's bearer over the building's own cabling: no rental.
        _connect(
            change,
            ids,
            inventory,
            joiner,
            host,
            0.0,
            f"connects {joiner} to {host}'s circuit in the building",
        )
    return change


def _hub(finding: Finding, inventory: Inventory, tariff: Tariff, ids: IdMaker) -> NetworkChange:
    impact = finding.impact
    hub, target = impact["hub"], impact["shared_hub"]
    change = NetworkChange(source=finding.id, cease=list(impact["uplinks"]))
    for cid in impact["rehomed"]:
        row = inventory.links[cid]
        end = "a_site" if row["a_site"] == hub else "b_site"
        change.alter[cid] = {end: target}
    uplink = main_uplink(inventory, target, exclude=hub)
    carried = impact.get("uplift_mbps") or 0.0
    if uplink is not None and carried:
        change.alter[uplink] = upgraded(inventory.links[uplink], carried, tariff.uplift_per_mbps_gbp)
    # The hub's own building keeps its users: it is re-homed on the shared hub by a new circuit.
    km = distance_km(inventory, hub, target)
    cost = impact.get("rehome_link_gbp", tariff.crosslink_cost(km) if km is not None else None)
    _connect(change, ids, inventory, hub, target, cost, f"re-homes {hub}'s own site on {target}")
    return change


def _connect(
    change: NetworkChange,
    ids: IdMaker,
    inventory: Inventory,
    site: str,
    to: str,
    cost: float | None,
    why: str,
) -> None:
    """Add a new circuit from a site to another, sized to the site's demand, paid for by its owner."""
    demand = inventory.sites[site].get("demand_mbps")
    cid = ids()
    change.add[cid] = new_circuit(
        cid,
        site,
        to,
        bandwidth_mbps=size_for(demand) if demand else None,
        annual_cost_gbp=cost,
        tenant=inventory.sites[site].get("tenant"),
    )
    change.why[cid] = why


def main_uplink(inventory: Inventory, site: str, *, exclude: str = "") -> str | None:
    """A site's main active circuit to a hub, core or datacentre: the widest, then dearest, then by ID."""
    sites = inventory.sites
    best: tuple[float, float, str] | None = None
    for cid, row in inventory.links.items():
        if not is_active(row) or site not in (row["a_site"], row["b_site"]):
            continue
        far = row["b_site"] if row["a_site"] == site else row["a_site"]
        if far == exclude or sites.get(far, {}).get("role") not in UPSTREAM_ROLES:
            continue
        key = (-(row.get("bandwidth_mbps") or 0.0), -(row.get("annual_cost_gbp") or 0.0), cid)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def plain_ids(text: str, change: NetworkChange) -> str:
    """Text with the change's provisional new circuit IDs replaced by what they are (their ends)."""

    def name(match: re.Match[str]) -> str:
        row = change.add.get(match.group())
        return match.group() if row is None else f"the new {row['a_site']}–{row['b_site']} circuit"

    return _NEW_ID.sub(name, text) if NEW_PREFIX in text else text


_NEW_ID = re.compile(re.escape(NEW_PREFIX) + r"\d+")
