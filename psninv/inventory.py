"""The inventory in memory: tenants, sites, links and prefixes as plain dicts keyed by natural key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass(slots=True)
class Inventory:
    """A snapshot of the whole inventory.

    Rows carry exactly the database columns; each site row also has `occupants`, the sorted
    codes of the other tenants housed there. Prefixes are keyed by (prefix, vrf).
    """

    tenants: dict[str, Row] = field(default_factory=dict)
    sites: dict[str, Row] = field(default_factory=dict)
    links: dict[str, Row] = field(default_factory=dict)
    prefixes: dict[tuple[str, str], Row] = field(default_factory=dict)

    def entities(self) -> Iterator[tuple[str, dict[Any, Row]]]:
        """Each entity name with its rows, references first."""
        yield "tenants", self.tenants
        yield "sites", self.sites
        yield "links", self.links
        yield "prefixes", self.prefixes

    def counts(self) -> dict[str, int]:
        """How many rows of each entity there are."""
        return {name: len(rows) for name, rows in self.entities()}

    def for_tenant(self, tenant: str) -> Inventory:
        """The part of the inventory one tenant may see: its sites, the links touching them, its prefixes.

        A tenant's sites are those it owns or occupies; its links are those touching its sites or
        paid for by it (their far-end sites come too, so every link still names known sites); its
        prefixes are those at its own sites or assigned to it, never those at far ends.
        """
        sites = {
            code: row
            for code, row in self.sites.items()
            if row.get("tenant") == tenant or tenant in row.get("occupants", ())
        }
        own_sites = set(sites)
        links = {
            cid: row
            for cid, row in self.links.items()
            if row["a_site"] in sites or row["b_site"] in sites or row.get("tenant") == tenant
        }
        # Far ends of its links come along so that every link still names two known sites.
        for row in links.values():
            for end in (row["a_site"], row["b_site"]):
                if end not in sites and end in self.sites:
                    sites[end] = self.sites[end]
        prefixes = {
            key: row
            for key, row in self.prefixes.items()
            if row.get("site") in own_sites or row.get("tenant") == tenant
        }
        referenced = {tenant}
        for rows in (sites, links, prefixes):
            for row in rows.values():
                if row.get("tenant"):
                    referenced.add(row["tenant"])
                referenced.update(row.get("occupants", ()))
        tenants = {code: row for code, row in self.tenants.items() if code in referenced}
        return Inventory(tenants=tenants, sites=sites, links=links, prefixes=prefixes)
