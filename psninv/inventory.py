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
    references: frozenset[str] = frozenset()
    """Codes of sites present only as references (another body's far ends, in a tenant's view)."""

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
        paid for by it. Their far-end sites come too, so every link still names known sites, but
        only as references (code, name, owner, role, district, position): another body's address,
        criticality, demand and occupants stay out. Its prefixes are those assigned to it and the
        unassigned ones at sites it owns; another tenant's prefix never comes, even at a shared site.
        """
        sites = {
            code: row
            for code, row in self.sites.items()
            if row.get("tenant") == tenant or tenant in row.get("occupants", ())
        }
        owned = {code for code, row in sites.items() if row.get("tenant") == tenant}
        links = {
            cid: row
            for cid, row in self.links.items()
            if row["a_site"] in sites or row["b_site"] in sites or row.get("tenant") == tenant
        }
        references = set()
        for row in links.values():
            for end in (row["a_site"], row["b_site"]):
                if end not in sites and end in self.sites:
                    sites[end] = far_end(self.sites[end])
                    references.add(end)
        prefixes = {
            key: row
            for key, row in self.prefixes.items()
            if row.get("tenant") == tenant or (row.get("tenant") is None and row.get("site") in owned)
        }
        referenced = {tenant}
        for rows in (sites, links, prefixes):
            for row in rows.values():
                if row.get("tenant"):
                    referenced.add(row["tenant"])
                referenced.update(row.get("occupants", ()))
        tenants = {code: row for code, row in self.tenants.items() if code in referenced}
        return Inventory(
            tenants=tenants, sites=sites, links=links, prefixes=prefixes, references=frozenset(references)
        )


FAR_END_COLUMNS = frozenset(
    {"code", "name", "tenant", "role", "district", "latitude", "longitude", "version", "status"}
)
"""What a tenant's view shows of another body's site at the far end of one of its links."""


def far_end(row: Row) -> Row:
    """Another body's site reduced to a reference: every other column empty, no occupants."""
    return {name: (value if name in FAR_END_COLUMNS else None) for name, value in row.items()} | {
        "occupants": []
    }
