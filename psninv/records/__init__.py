"""The record registry: what tenants, sites, links and prefixes are, read by every other layer."""

from psninv.records.choices import Criticality, LinkStatus, Medium, Role, Sector
from psninv.records.columns import MAX_GBP, MAX_MBPS, Column, Kind, bound_text
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
    "MAX_GBP",
    "MAX_MBPS",
    "Column",
    "Criticality",
    "Kind",
    "LinkStatus",
    "Medium",
    "Record",
    "Relation",
    "Role",
    "Sector",
    "bound_text",
    "entity_of",
]
