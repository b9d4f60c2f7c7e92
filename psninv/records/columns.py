"""The columns of each entity: canonical header, type, rules, synonyms and help text.

The record registry (registry.py) gathers them with each entity's key, nouns and relations;
import, export, the template and the forms all read them there, so a column is described once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from psninv.records.choices import Criticality, LinkStatus, Medium, Role, Sector, SiteStatus


class Kind(StrEnum):
    """How a cell's value is read and checked."""

    CODE = "code"  # a key or reference: text, and 7.0 from Excel becomes "7", "007" stays "007"
    TEXT = "text"
    NUMBER = "number"  # a float with optional bounds
    DATE = "date"  # an Excel date, ISO text or UK dd/mm/yyyy
    CHOICE = "choice"  # one of `choices`, matched case-insensitively
    REF = "ref"  # the code of a row of entity `ref`, in the inventory or the same import
    REFS = "refs"  # several codes of entity `ref`, separated by ';' or ','
    TAGS = "tags"  # several free tags separated by ';' or ','
    CIDR = "cidr"  # an IPv4 or IPv6 prefix, normalised by netaddr


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an entity's sheet."""

    name: str
    kind: Kind
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    synonyms: tuple[str, ...] = ()
    scaled_synonyms: dict[str, float] = field(default_factory=dict)
    """Headers in another unit, with the factor that converts their values (kbit/s to Mbit/s)."""
    example: str = ""


def bound_text(value: float) -> str:
    """A column bound as people write it: 90, -180, 10,000,000."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"


MAX_MBPS = 10_000_000
"""10 Tbit/s: more than any one circuit or site carries; a larger figure is a typing or unit slip."""
MAX_GBP = 100_000_000
"""£100m a year for one circuit: more than whole regional networks cost."""


def _choices(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


_COLUMNS: dict[str, tuple[Column, ...]] = {
    "tenants": (
        Column("code", Kind.CODE, "Short unique code of the organisation.", required=True,
               synonyms=("tenant code", "tenant_id", "tenant", "org code", "slug", "id"),
               example="SCC"),
        Column("name", Kind.TEXT, "Full name of the organisation.",
               synonyms=("tenant name", "organisation", "organization", "org name"),
               example="Staffordshire County Council"),
        Column("sector", Kind.CHOICE, "Kind of public body.", choices=_choices(Sector),
               synonyms=("type", "group", "tenant group", "org type"),
               example="local-government"),
    ),
    "sites": (
        Column("code", Kind.CODE, "Short unique code of the site.", required=True,
               synonyms=("site code", "site_id", "site id", "site ref", "slug", "id"),
               example="STA-001"),
        Column("name", Kind.TEXT, "Name of the building or location.",
               synonyms=("site name", "building", "location"), example="Staffordshire Place"),
        Column("tenant", Kind.REF, "Code of the tenant that owns the site.", ref="tenants",
               synonyms=("owner", "tenant code", "owning tenant", "organisation"), example="SCC"),
        Column("occupants", Kind.REFS,
               "Codes of other tenants housed in the site, separated by ';'.", ref="tenants",
               synonyms=("other tenants", "co-tenants", "shared with"), example="NHS-SSOT;POL"),
        Column("role", Kind.CHOICE, "core, datacentre, hub or access.", choices=_choices(Role),
               synonyms=("site role", "site type", "type"), example="access"),
        Column("address", Kind.TEXT, "Street address.",
               synonyms=("physical address", "street address"), example="1 Tipping St, Stafford"),
        Column("postcode", Kind.TEXT, "Postcode.", synonyms=("post code", "zip", "postal code"),
               example="ST16 2DH"),
        Column("district", Kind.TEXT, "District or borough the site lies in.",
               synonyms=("borough", "area", "region"), example="Stafford"),
        Column("latitude", Kind.NUMBER, "WGS84 latitude in decimal degrees.",
               minimum=-90, maximum=90, synonyms=("lat", "y"), example="52.8066"),
        Column("longitude", Kind.NUMBER, "WGS84 longitude in decimal degrees.",
               minimum=-180, maximum=180, synonyms=("lon", "long", "lng", "x"),
               example="-2.1171"),
        Column("criticality", Kind.CHOICE, "critical, high or standard.",
               choices=_choices(Criticality), synonyms=("priority", "service level", "tier"),
               example="standard"),
        Column("demand_mbps", Kind.NUMBER, "Traffic the site sends towards the core, Mbit/s.",
               minimum=0, maximum=MAX_MBPS,
               synonyms=("demand", "demand (mbps)", "traffic mbps", "peak mbps"),
               example="50"),
        Column("status", Kind.CHOICE,
               "active, planned, decommissioning or closed (blank means active): only active sites "
               "are in the live network that is analysed (planned ones too with --planned).",
               choices=_choices(SiteStatus), synonyms=("site status", "state"), example="active"),
    ),
    "links": (
        Column("circuit_id", Kind.CODE, "The provider's circuit reference.", required=True,
               synonyms=("circuit id", "cid", "circuit ref", "circuit reference", "circuit",
                         "circuit no", "circuit number"),
               example="KC-100234"),
        Column("a_site", Kind.REF, "Code of the site at the A end.", required=True, ref="sites",
               synonyms=("a end", "a-end", "site a", "from", "from site", "termination_a",
                         "a end site", "source"),
               example="STA-001"),
        Column("b_site", Kind.REF, "Code of the site at the B end.", required=True, ref="sites",
               synonyms=("b end", "b-end", "site b", "to", "to site", "termination_b",
                         "z end", "z-end", "b end site", "target"),
               example="STA-HUB"),
        Column("provider", Kind.TEXT, "Carrier supplying the circuit.",
               synonyms=("carrier", "supplier", "vendor"), example="Kcom"),
        Column("medium", Kind.CHOICE, "fibre, ethernet, copper, wireless or other.",
               choices=_choices(Medium), synonyms=("media", "bearer", "technology", "type"),
               example="fibre"),
        Column("bandwidth_mbps", Kind.NUMBER, "Bandwidth in Mbit/s.", minimum=0, maximum=MAX_MBPS,
               synonyms=("bandwidth", "speed", "bandwidth (mbps)", "speed mbps", "capacity",
                         "port speed"),
               scaled_synonyms={"commit_rate": 0.001, "bandwidth_kbps": 0.001,
                                "bandwidth (kbps)": 0.001, "speed kbps": 0.001},
               example="1000"),
        Column("annual_cost_gbp", Kind.NUMBER, "Annual rental in pounds.", minimum=0, maximum=MAX_GBP,
               synonyms=("annual cost", "annual rental", "annual rental (£)", "annual cost (£)",
                         "rental", "cost", "cost gbp", "price", "annual charge"),
               example="4200"),
        Column("contract_end", Kind.DATE, "Date the contract ends (yyyy-mm-dd or dd/mm/yyyy).",
               synonyms=("contract end date", "end date", "termination_date", "expiry",
                         "contract expiry", "renewal date"),
               example="2028-03-31"),
        Column("tenant", Kind.REF, "Code of the tenant that pays for the circuit.",
               ref="tenants", synonyms=("payer", "paid by", "billed to", "customer"),
               example="SCC"),
        Column("srlg", Kind.TAGS,
               "Shared-risk tags (duct, route, exchange) separated by ';'.",
               synonyms=("srlgs", "shared risk", "shared risk group", "risk group", "duct",
                         "route"),
               example="duct:A34-north;exchange:Stafford"),
        Column("status", Kind.CHOICE, "active, planned or ceased (blank means active).",
               choices=_choices(LinkStatus), synonyms=("state", "circuit status"),
               example="active"),
        Column("circuit_type", Kind.TEXT,
               "The kind of service bought (NetBox's circuit type): Internet, MPLS, dark fibre…",
               synonyms=("circuit type", "service type", "product"), example="Ethernet"),
    ),
    "prefixes": (
        Column("prefix", Kind.CIDR, "IP block in CIDR notation.", required=True,
               synonyms=("cidr", "network", "subnet", "ip prefix", "range"),
               example="10.20.0.0/24"),
        Column("vrf", Kind.TEXT, "VRF the prefix lives in; blank for the global table.",
               synonyms=("vrf name", "routing instance"), example=""),
        Column("site", Kind.REF, "Code of the site using the prefix.", ref="sites",
               synonyms=("site code", "location", "site_id"), example="STA-001"),
        Column("tenant", Kind.REF, "Code of the tenant using the prefix.", ref="tenants",
               synonyms=("owner", "tenant code"), example="SCC"),
        Column("description", Kind.TEXT, "What the block is for.",
               synonyms=("desc", "comment", "comments", "purpose", "notes"),
               example="Office LAN"),
    ),
}
"""Each entity's columns in sheet order; read them through the registry's RECORDS."""

TENANT_COLUMNS = _COLUMNS["tenants"]
SITE_COLUMNS = _COLUMNS["sites"]
LINK_COLUMNS = _COLUMNS["links"]
PREFIX_COLUMNS = _COLUMNS["prefixes"]
