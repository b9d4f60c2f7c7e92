"""One descriptor per entity: its key, columns, nouns, names, blank meanings and relations.

The store, import, forms, exports and history read a record's shape here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from psninv.records.columns import LINK_COLUMNS, PREFIX_COLUMNS, SITE_COLUMNS, TENANT_COLUMNS, Column


@dataclass(frozen=True, slots=True)
class Relation:
    """A list a record carries beside its columns, stored as pairs in a table of its own.

    A site's occupants, say: the field `occupants` on a site record, rows (site, tenant) of the
    table site_occupants, each naming a tenant.
    """

    name: str
    """The record's field (and the import column) that holds the list."""
    table: str
    """The SQL table holding one row per (owner, member) pair."""
    owner: str
    """The column of `table` naming the record that carries the list."""
    member: str
    """The column of `table` naming a listed record."""
    target: str
    """The entity the listed codes name."""


@dataclass(frozen=True, slots=True)
class Record:
    """What an entity's records are: key, columns in sheet order, nouns, names and relations."""

    entity: str
    """The entity's canonical (plural) name: 'sites'."""
    singular: str
    key: tuple[str, ...]
    """The natural key's columns: a code, or (prefix, vrf)."""
    key_noun: str
    """What messages call the key: 'site code'."""
    table: str
    """The SQL table of the records."""
    columns: tuple[Column, ...]
    names: tuple[str, ...] = ()
    """Sheet and CSV file names (normalised) that name this entity besides its own two nouns."""
    blank_means: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Columns where an empty cell has a meaning (a link's status is active, a prefix's vrf global)."""
    relations: tuple[Relation, ...] = ()

    def relation(self, name: str) -> Relation | None:
        """The relation carried in field `name`, or None if `name` is a plain column."""
        for relation in self.relations:
            if relation.name == name:
                return relation
        return None

    @property
    def stored(self) -> tuple[str, ...]:
        """The columns kept in the entity's own table (every column but the relations)."""
        related = {relation.name for relation in self.relations}
        return tuple(column.name for column in self.columns if column.name not in related)


OCCUPANTS = Relation("occupants", "site_occupant", owner="site", member="tenant", target="tenants")
"""The tenants housed in a site besides its owner."""

RECORDS: Mapping[str, Record] = MappingProxyType(
    {
        "tenants": Record(
            "tenants", "tenant", ("code",), "tenant code", "tenant", TENANT_COLUMNS,
            names=("organisations", "organizations"),
        ),
        "sites": Record(
            "sites", "site", ("code",), "site code", "site", SITE_COLUMNS,
            names=("locations",), relations=(OCCUPANTS,),
        ),
        "links": Record(
            "links", "link", ("circuit_id",), "circuit id", "link", LINK_COLUMNS,
            names=("circuit", "circuits"), blank_means=MappingProxyType({"status": "active"}),
        ),
        "prefixes": Record(
            "prefixes", "prefix", ("prefix", "vrf"), "prefix", "prefix", PREFIX_COLUMNS,
            names=("ip prefixes", "subnets"), blank_means=MappingProxyType({"vrf": ""}),
        ),
    }
)
"""Every entity's descriptor, in the order rows must be written (references first)."""

# Views of the registry for readers that want one facet of every entity.
COLUMNS: Mapping[str, tuple[Column, ...]] = MappingProxyType({e: r.columns for e, r in RECORDS.items()})
ENTITY_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType({e: r.key for e, r in RECORDS.items()})
SINGULAR: Mapping[str, str] = MappingProxyType({e: r.singular for e, r in RECORDS.items()})
KEY_NOUNS: Mapping[str, str] = MappingProxyType({e: r.key_noun for e, r in RECORDS.items()})
BLANK_MEANS: Mapping[tuple[str, str], Any] = MappingProxyType(
    {(e, name): value for e, r in RECORDS.items() for name, value in r.blank_means.items()}
)
ENTITY_ALIASES: Mapping[str, str] = MappingProxyType(
    {name: e for e, r in RECORDS.items() for name in (r.singular, e, *r.names)}
)
"""Sheet and CSV file names (normalised) that name each entity."""


def entity_of(name: str) -> str | None:
    """The canonical entity ('sites') a name such as 'site', 'Sites' or 'circuit' means, or None."""
    return ENTITY_ALIASES.get(name.strip().lower())
