"""The inventory as loaded, with the look-up indices the screens find things by."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from psninv._gc import collector_paused
from psninv.analysis.costs import tenant_annual_cost, tenant_annual_costs
from psninv.inventory import Inventory, Row
from psninv.store import Store
from psninv.store.fingerprint import fingerprint


@dataclass(slots=True)
class Snapshot:
    """The inventory as loaded, with the indices the screens look things up by."""

    inventory: Inventory
    fingerprint: tuple[Any, ...] = ()
    links_by_site: dict[str, list[str]] = field(default_factory=dict)
    sites_by_tenant: dict[str, list[str]] = field(default_factory=dict)
    links_by_tenant: dict[str, list[str]] = field(default_factory=dict)
    prefixes_by_site: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    prefixes_by_tenant: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    site_text: dict[str, str] | None = None
    """What a filter matches in each site: built by search_texts(), off the dashboard's way."""
    link_text: dict[str, str] | None = None
    located: int = 0
    tenant_costs: dict[str, Decimal] = field(default_factory=dict)

    def __repr__(self) -> str:
        # The default would spell out every row: seconds and hundreds of megabytes at 100k sites.
        return f"Snapshot({', '.join(f'{n} {e}' for e, n in self.inventory.counts().items())})"
    """Each paying tenant's exact annual circuit cost (psninv.analysis.costs), the analysis's figure."""

    def tenant_cost(self, code: str) -> int:
        """A tenant's annual circuit cost in whole pounds, the same before and after the analysis."""
        return tenant_annual_cost(self.tenant_costs, code)

    @property
    def sites(self) -> dict[str, Row]:
        """Sites by code."""
        return self.inventory.sites

    @property
    def links(self) -> dict[str, Row]:
        """Links by circuit ID."""
        return self.inventory.links

    @property
    def tenants(self) -> dict[str, Row]:
        """Tenants by code."""
        return self.inventory.tenants

    def far_end(self, circuit: str, site: str) -> str:
        """The other end of a circuit seen from one of its sites."""
        link = self.links[circuit]
        return link["b_site"] if link["a_site"] == site else link["a_site"]

    def search_texts(self) -> tuple[dict[str, str], dict[str, str]]:
        """What `/` matches in each site and each link, built the first time they are needed.

        The app builds them in a worker once the dashboard shows (about 0.3 s at 100k sites), so
        that the first filter of a big table is instant and the dashboard does not wait for them.
        """
        if self.site_text is None or self.link_text is None:
            with collector_paused():
                sites, links = _search_texts(self.inventory)
            self.site_text, self.link_text = sites, links
        return self.site_text, self.link_text

    def site_search(self, code: str) -> str:
        """Everything a filter can match in a site."""
        return self.search_texts()[0].get(code, code)

    def link_search(self, cid: str) -> str:
        """Everything a filter can match in a link."""
        return self.search_texts()[1].get(cid, cid)

    def site_label(self, code: str) -> str:
        """A site's code and name, for one-line mentions."""
        name = (self.sites.get(code) or {}).get("name")
        return f"{code} {name}" if name else code


def _search_texts(inventory: Inventory) -> tuple[dict[str, str], dict[str, str]]:
    site_keys = ("name", "tenant", "district", "role", "criticality", "postcode", "address")
    sites = {
        code: " ".join(
            [code, *(str(site.get(k) or "") for k in site_keys), *site.get("occupants", ())]
        ).lower()
        for code, site in inventory.sites.items()
    }
    link_keys = ("a_site", "b_site", "provider", "medium", "tenant", "srlg", "status")
    links = {
        cid: " ".join([cid, *(str(link.get(k) or "") for k in link_keys)]).lower()
        for cid, link in inventory.links.items()
    }
    return sites, links


def index_inventory(inventory: Inventory, stamp: tuple[Any, ...] = ()) -> Snapshot:
    """Build the look-up indices for an inventory in one pass over each entity."""
    snap = Snapshot(inventory=inventory, fingerprint=stamp)
    links_by_site: dict[str, list[str]] = defaultdict(list)
    sites_by_tenant: dict[str, list[str]] = defaultdict(list)
    links_by_tenant: dict[str, list[str]] = defaultdict(list)
    prefixes_by_site: dict[str, list[tuple[str, str]]] = defaultdict(list)
    prefixes_by_tenant: dict[str, list[tuple[str, str]]] = defaultdict(list)
    located = 0
    for code, site in inventory.sites.items():
        if site.get("tenant"):
            sites_by_tenant[site["tenant"]].append(code)
        for occupant in site.get("occupants", ()):
            if occupant != site.get("tenant"):
                sites_by_tenant[occupant].append(code)
        if site.get("latitude") is not None and site.get("longitude") is not None:
            located += 1
    for cid, link in inventory.links.items():
        links_by_site[link["a_site"]].append(cid)
        if link["b_site"] != link["a_site"]:
            links_by_site[link["b_site"]].append(cid)
        if link.get("tenant"):
            links_by_tenant[link["tenant"]].append(cid)
    for key, prefix in inventory.prefixes.items():
        if prefix.get("site"):
            prefixes_by_site[prefix["site"]].append(key)
        if prefix.get("tenant"):
            prefixes_by_tenant[prefix["tenant"]].append(key)
    snap.links_by_site = dict(links_by_site)
    snap.sites_by_tenant = dict(sites_by_tenant)
    snap.links_by_tenant = dict(links_by_tenant)
    snap.prefixes_by_site = dict(prefixes_by_site)
    snap.prefixes_by_tenant = dict(prefixes_by_tenant)
    snap.located = located
    snap.tenant_costs = tenant_annual_costs(inventory)
    return snap


def load_snapshot(store: Store, stamp: tuple[Any, ...] | None = None) -> Snapshot:
    """Read the whole inventory and index it (in a worker thread); `stamp` is its fingerprint, if read."""
    stamp = fingerprint(store) if stamp is None else stamp
    # Hundreds of thousands of small acyclic rows and index lists: the collector would only rescan them.
    with collector_paused():
        return index_inventory(store.load(), stamp)
