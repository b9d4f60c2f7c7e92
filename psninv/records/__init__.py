"""The record registry: what tenants, sites, links and prefixes are, read by every other layer."""

from psninv.records.choices import Criticality, LinkStatus, Medium, Role, Sector
from psninv.records.columns import Column, Kind
from psninv.records.registry import (
    BLANK_MEANS,
    COLUMNS,
    ENTITY_ALIASES,
    ENTITY_KEYS,
    KEY_NOUNS,
    OCCUPANTS,
    RECORDS,
    SINGULAR,
    Record,
    Relation,
    entity_of,
)

__all__ = [
    "BLANK_MEANS",
    "COLUMNS",
    "ENTITY_ALIASES",
    "ENTITY_KEYS",
    "KEY_NOUNS",
    "OCCUPANTS",
    "RECORDS",
    "SINGULAR",
    "Column",
    "Criticality",
    "Kind",
    "LinkStatus",
    "Medium",
    "Record",
    "Relation",
    "Role",
    "Sector",
    "entity_of",
]
