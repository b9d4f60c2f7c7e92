"""The closed sets a record's choice columns take: sectors, roles, criticalities, media, link states."""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    """The kind of public body a tenant is."""

    LOCAL_GOVERNMENT = "local-government"
    HEALTH = "health"
    POLICE = "police"
    FIRE = "fire"
    EDUCATION = "education"
    CENTRAL_GOVERNMENT = "central-government"
    VOLUNTARY = "voluntary"
    OTHER = "other"


class Role(StrEnum):
    """A site's place in the network."""

    CORE = "core"
    DATACENTRE = "datacentre"
    HUB = "hub"
    ACCESS = "access"


class Criticality(StrEnum):
    """How much a site's service matters."""

    CRITICAL = "critical"
    HIGH = "high"
    STANDARD = "standard"


class Medium(StrEnum):
    """What a circuit is carried on."""

    FIBRE = "fibre"
    ETHERNET = "ethernet"
    COPPER = "copper"
    WIRELESS = "wireless"
    OTHER = "other"


class SiteStatus(StrEnum):
    """Whether a site is in the live network: only active ones are (planned ones too, as it will be)."""

    ACTIVE = "active"
    PLANNED = "planned"
    DECOMMISSIONING = "decommissioning"
    CLOSED = "closed"


class LinkStatus(StrEnum):
    """Whether a circuit carries traffic."""

    ACTIVE = "active"
    PLANNED = "planned"
    CEASED = "ceased"
