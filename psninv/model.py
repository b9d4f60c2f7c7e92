"""The inventory's tables: tenants, sites, links, prefixes, site occupants and the change log."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Index, MetaData, String, Text
from sqlmodel import Field, SQLModel

from psninv.records.choices import Criticality, LinkStatus, Medium, Role, Sector

# Named constraints make Alembic batch migrations on SQLite (which rebuild tables) reliable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata


CORE_ROLES = frozenset({Role.CORE.value, Role.DATACENTRE.value})


def _in(column: str, enum: type[StrEnum]) -> CheckConstraint:
    return CheckConstraint(one_of(column, [member.value for member in enum]), name=f"{column}_valid")


def one_of(column: str, values: list[str]) -> str:
    """A CHECK that a column is blank or one of the values, as a chain of comparisons.

    Not `IN (...)`: SQLite builds a temporary index for an IN list each time it checks a row,
    which doubled the cost of a bulk insert.
    """
    return f"{column} IS NULL OR " + " OR ".join(f"{column} = '{value}'" for value in values)


def _fk(target: str, *, nullable: bool = True, delete: str | None = None) -> Column:
    # Natural keys are the primary keys, so a renamed code must follow into every reference.
    return Column(
        String,
        ForeignKey(target, onupdate="CASCADE", ondelete=delete),
        nullable=nullable,
        index=True,
    )


class Tenant(SQLModel, table=True):
    """An organisation using the network."""

    __tablename__ = "tenant"
    __table_args__ = (_in("sector", Sector),)

    code: str = Field(primary_key=True)
    name: str | None = None
    sector: str | None = None
    version: int = Field(default=1, nullable=False)


class Site(SQLModel, table=True):
    """A building or location connected to the network."""

    __tablename__ = "site"
    __table_args__ = (
        _in("role", Role),
        _in("criticality", Criticality),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"),
        CheckConstraint("demand_mbps IS NULL OR demand_mbps >= 0", name="demand_positive"),
    )

    code: str = Field(primary_key=True)
    name: str | None = None
    tenant: str | None = Field(default=None, sa_column=_fk("tenant.code"))
    role: str | None = None
    address: str | None = None
    postcode: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    criticality: str | None = None
    demand_mbps: float | None = None
    version: int = Field(default=1, nullable=False)
    # Added by migration 0004, so after version as in an upgraded database.
    status: str | None = None  # blank means active (SiteStatus)


class SiteOccupant(SQLModel, table=True):
    """A tenant housed in a site it does not own."""

    __tablename__ = "site_occupant"

    site: str = Field(
        sa_column=Column(
            String,
            ForeignKey("site.code", onupdate="CASCADE", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    tenant: str = Field(
        sa_column=Column(
            String,
            ForeignKey("tenant.code", onupdate="CASCADE", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )


class Link(SQLModel, table=True):
    """A provider's circuit between two sites."""

    __tablename__ = "link"
    __table_args__ = (
        _in("medium", Medium),
        _in("status", LinkStatus),
        CheckConstraint("bandwidth_mbps IS NULL OR bandwidth_mbps >= 0", name="bandwidth_positive"),
        CheckConstraint("annual_cost_gbp IS NULL OR annual_cost_gbp >= 0", name="cost_positive"),
    )

    circuit_id: str = Field(primary_key=True)
    a_site: str = Field(sa_column=_fk("site.code", nullable=False))
    b_site: str = Field(sa_column=_fk("site.code", nullable=False))
    provider: str | None = None
    medium: str | None = None
    bandwidth_mbps: float | None = None
    annual_cost_gbp: float | None = None
    contract_end: dt.date | None = Field(default=None, sa_column=Column(Date))
    tenant: str | None = Field(default=None, sa_column=_fk("tenant.code"))
    # Tags are stored sorted and joined by ';' so one text column works on every database.
    srlg: str | None = None
    status: str | None = Field(default=LinkStatus.ACTIVE.value)
    version: int = Field(default=1, nullable=False)
    # Added by migration 0004, so after version as in an upgraded database.
    circuit_type: str | None = None


class Prefix(SQLModel, table=True):
    """An IP block used at a site, unique within its VRF ('' is the global table)."""

    __tablename__ = "prefix"

    prefix: str = Field(primary_key=True)
    vrf: str = Field(default="", primary_key=True)
    site: str | None = Field(default=None, sa_column=_fk("site.code"))
    tenant: str | None = Field(default=None, sa_column=_fk("tenant.code"))
    description: str | None = None
    version: int = Field(default=1, nullable=False)


class Change(SQLModel, table=True):
    """One write to the inventory: who, when, what, and the record before and after."""

    __tablename__ = "change"
    # One record's history and one batch's changes are the lookups; every other index slows imports.
    __table_args__ = (Index("ix_change_entity_key", "entity", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    batch: str = Field(index=True)
    at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    actor: str
    action: str  # create, update or delete
    entity: str
    key: str
    before: str | None = Field(default=None, sa_column=Column(Text))
    after: str | None = Field(default=None, sa_column=Column(Text))
    reverts: int | None = Field(default=None)  # the id of the change this one undid


ENTITY_TABLES = {
    "tenants": Tenant.__table__,
    "sites": Site.__table__,
    "links": Link.__table__,
    "prefixes": Prefix.__table__,
}
"""The importable entities, in the order their rows must be written (references first)."""



def srlg_tags(value: str | None) -> list[str]:
    """Split a stored SRLG value into its tags."""
    return [tag for tag in (value or "").split(";") if tag]


_TAG_GAPS = re.compile(r"[\s\-]+")


def canonical_tag(tag: str) -> str:
    """One SRLG tag in its canonical form: kind in lower case, no spaces around ':', words joined by '-'.

    `Exchange : Burton  Stapenhill` and `exchange:Burton-Stapenhill` both become
    `exchange:Burton-Stapenhill`; the case of the name after the kind is kept (case-only
    differences there are reported by the import as near-duplicates, not guessed at).
    """
    kind, colon, name = tag.partition(":")
    if not colon:
        return _TAG_GAPS.sub("-", tag.strip())
    kind = _TAG_GAPS.sub("-", kind.strip()).lower()
    name = _TAG_GAPS.sub("-", name.strip())
    return f"{kind}:{name}"


def join_srlg(tags: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """Store SRLG tags in their canonical form (see canonical_tag): unique, sorted, joined by ';'."""
    unique = sorted({canonical_tag(tag) for tag in tags if tag and tag.strip()} - {""})
    return ";".join(unique) or None
