"""NetBox 4.x exports as psninv tables: tenants, sites, and circuits joined with their terminations.

NetBox's bulk-import CSV fields (tenancy, dcim and circuits forms of NetBox 4.1 to 4.6) and the
UI's "Export → All data" headers (table column names) are both recognised, by their headers.
Tenants are referred to by name or slug; a circuit's ends are its A and Z terminations, each
on a site (4.1's `site` field, 4.2+'s `termination_type`/`termination_id`, or the UI's Site
column); NetBox speeds are kbit/s and become Mbit/s.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from psninv.io.headers import normalise
from psninv.io.issues import ERROR, WARNING, Issue
from psninv.io.raw import RawTable

TENANTS, SITES, CIRCUITS, TERMINATIONS, PREFIXES, REFERENCE = (
    "netbox tenants",
    "netbox sites",
    "netbox circuits",
    "netbox circuit terminations",
    "netbox prefixes",
    "netbox reference",
)
KINDS = (TENANTS, SITES, CIRCUITS, TERMINATIONS, PREFIXES, REFERENCE)

REFERENCE_TABLES = (
    "tenant groups", "site groups", "regions", "locations", "providers", "provider accounts",
    "provider networks", "circuit types", "vrfs",
)
"""NetBox tables other tables only name (a site its region, a circuit its provider): read, not needed."""

# Bulk-import field names and the UI's column names, normalised, for each value read.
_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "name": ("name",),
    "slug": ("slug",),
    "group": ("group", "tenant group", "site group"),
    "region": ("region",),
    "status": ("status",),
    "tenant": ("tenant",),
    "address": ("physical address", "physical_address"),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "cid": ("cid", "circuit id"),
    "provider": ("provider",),
    "type": ("type",),
    "commit_rate": ("commit rate", "commit rate kbps", "commit_rate"),
    "termination_date": ("termination date", "terminates"),
    "side_a": ("side a", "termination a"),
    "side_z": ("side z", "termination z", "termination b"),
    "circuit": ("circuit",),
    "term_side": ("term side", "side", "termination side"),
    "termination_type": ("termination type", "scope type"),
    "termination_id": ("termination id", "scope id"),
    "termination": ("termination point", "termination"),
    "site": ("site",),
    "location": ("location",),
    "port_speed": ("port speed", "port speed kbps"),
    "upstream_speed": ("upstream speed", "upstream speed kbps"),
    "prefix": ("prefix",),
    "vrf": ("vrf",),
    "scope": ("scope",),
    "description": ("description",),
}

SECTOR_WORDS = (
    ("health", ("nhs", "health", "hospital", "trust", "icb", "ccg", "gp", "clinical")),
    ("police", ("police", "constabulary")),
    ("fire", ("fire", "rescue")),
    ("education", ("school", "education", "academy", "college", "university")),
    ("central-government", ("central government", "government department", "hmrc", "dwp", "ministry")),
    ("local-government", ("council", "local government", "local authority", "borough", "district")),
    ("voluntary", ("voluntary", "charity", "third sector", "community")),
)
"""A tenant group's words and the sector they mean; a group none matches becomes `other`."""

CIRCUIT_STATUS = {
    "active": "active",
    "planned": "planned",
    "provisioning": "planned",
    "offline": "ceased",
    "deprovisioning": "ceased",
    "decommissioned": "ceased",
}
"""NetBox circuit statuses as psninv's: only an active circuit carries traffic."""

SITE_STATUS = {
    "active": "active",
    "planned": "planned",
    "staging": "planned",
    "decommissioning": "decommissioning",
    "retired": "closed",
}
"""NetBox site statuses as psninv's: only an active site is in the live network."""

_TENANT_FIELDS = frozenset(
    {"id", "name", "slug", "group", "tenant group", "description", "owner", "comments", "tags", "contacts"}
    | {"created", "last updated"}
)
_SITE_ENDS = frozenset({"a site", "b site", "a end", "b end"})
_CIRCUIT_ONLY = frozenset(
    {"side a", "side z", "termination a", "termination z", "commit rate", "commit rate kbps", "commit_rate"}
)
ROLE_WORDS = (
    ("datacentre", ("data centre", "datacentre", "data center", "datacenter", "dc")),
    ("core", ("core",)),
    ("hub", ("hub", "aggregation")),
    ("access", ("access", "office", "branch", "edge")),
)
"""A site group's words and the role they mean; other groups leave the role blank."""


def netbox_kind(headers: Sequence[str], name: str = "") -> str | None:
    """Which NetBox export a header row is, or None: read from the fields only NetBox writes together.

    `name` is the file's name, which tells NetBox's reference tables (regions, providers…) apart.
    """
    keys = {normalise(header) for header in headers}
    if keys & {"term side", "termination side"} or (
        {"circuit", "side"} <= keys and "termination type" in keys
    ):
        return TERMINATIONS
    if keys & _SITE_ENDS:
        return None  # a_site and b_site: psninv's own links table (its circuit_id reads as "circuit id")
    if "cid" in keys or ({"circuit id", "provider"} <= keys and keys & _CIRCUIT_ONLY):
        return CIRCUITS
    if "name" in keys and "status" in keys and keys & {"slug", "facility", "time zone", "physical address"}:
        return SITES
    if "prefix" in keys and keys & {"status", "scope type", "scope id", "scope"}:
        return PREFIXES  # psninv's own prefixes table has neither a status nor a scope
    words = f" {normalise(name)} "
    named = any(f" {table[:-1]} " in words or f" {table} " in words for table in REFERENCE_TABLES)
    if "name" in keys and named:
        return REFERENCE
    if {"name", "slug"} <= keys <= _TENANT_FIELDS:
        return TENANTS
    return None


@dataclass(slots=True)
class _Columns:
    """One NetBox table's values by name, each cell as trimmed text."""

    raw: RawTable
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: RawTable) -> _Columns:
        keys = [normalise(header) for header in raw.headers]
        index = {}
        for name, spellings in _NAMES.items():
            for spelling in spellings:
                if normalise(spelling) in keys:
                    index[name] = keys.index(normalise(spelling))
                    break
        return cls(raw, index)

    def get(self, name: str) -> list[str]:
        at = self.index.get(name)
        if at is None or at >= len(self.raw.columns):
            return [""] * len(self.raw.rows)
        return [_text(value) for value in self.raw.columns[at]]

    def header(self, name: str) -> str | None:
        at = self.index.get(name)
        return None if at is None else self.raw.headers[at]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


@dataclass(slots=True)
class Adapted:
    """NetBox tables turned into psninv's, and what the turning found."""

    tables: list[RawTable]
    issues: list[Issue]


class _Names:
    """Codes by name, by slug and by NetBox id, for the references of other tables."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    def add(self, code: str, *names: str) -> None:
        for name in names:
            if name:
                self.codes.setdefault(name.casefold(), code)

    def find(self, text: str) -> str | None:
        return self.codes.get(text.casefold()) if text else None


def adapt(raws: list[RawTable], stored_tenants: Mapping[str, str] | None = None) -> Adapted:
    """Replace NetBox tables by psninv tenants, sites and links tables; other tables pass unchanged.

    `stored_tenants` maps tenant names already in the inventory to their codes.
    """
    by_kind: dict[str, list[RawTable]] = defaultdict(list)
    out: list[RawTable] = []
    for raw in raws:
        (by_kind[raw.entity] if raw.entity in KINDS else out).append(raw)
    if not by_kind:
        return Adapted(raws, [])
    issues: list[Issue] = []
    tenants = _Names()
    for code, name in (stored_tenants or {}).items():
        tenants.add(code, code, name)
    for raw in by_kind[TENANTS]:
        out.append(_tenants(raw, tenants, issues))
    sites = _Names()
    for raw in by_kind[SITES]:
        out.append(_sites(raw, tenants, sites, issues))
    for raw in by_kind[PREFIXES]:
        out.append(_prefixes(raw, tenants, sites, issues))
    for raw in by_kind[REFERENCE]:
        message = "NetBox's own reference table: not needed (the other tables name what they refer to)"
        issues.append(Issue(raw.file, raw.sheet, None, None, None, message, WARNING))
    ends = _terminations(by_kind[TERMINATIONS], sites, issues)
    for raw in by_kind[CIRCUITS]:
        out.append(_circuits(raw, tenants, sites, ends, issues))
    if by_kind[TERMINATIONS] and not by_kind[CIRCUITS]:
        first = by_kind[TERMINATIONS][0]
        issues.append(
            Issue(first.file, None, None, None, None, "circuit terminations need the circuits export too")
        )
    return Adapted(out, issues)


def _tenants(raw: RawTable, tenants: _Names, issues: list[Issue]) -> RawTable:
    cols = _Columns.of(raw)
    names, slugs, groups = cols.get("name"), cols.get("slug"), cols.get("group")
    codes = [slug or _slug(name) for name, slug in zip(names, slugs, strict=True)]
    sectors = []
    unmatched: dict[str, int] = {}
    for row, group in zip(raw.rows, groups, strict=True):
        sector = sector_of(group)
        if sector is None:
            if group:
                unmatched.setdefault(group, row)
            sector = "other"
        sectors.append(sector if group else "")
    for code, name, slug in zip(codes, names, slugs, strict=True):
        tenants.add(code, code, name, slug)
    for group, row in unmatched.items():
        message = f"tenant group {group!r} matches no sector: its tenants are 'other'"
        issues.append(Issue(raw.file, raw.sheet, row, cols.header("group"), group, message, WARNING))
    return _table(raw, "tenants", {"code": codes, "name": names, "sector": sectors})


def sector_of(group: str) -> str | None:
    """The sector a NetBox tenant group names, or None."""
    return _words_to(group, SECTOR_WORDS)


def _words_to(group: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    words = f" {normalise(group)} "
    for meaning, keys in table:
        if any(f" {key} " in words or f" {key}s " in words for key in keys):
            return meaning
    return None


def _sites(raw: RawTable, tenants: _Names, sites: _Names, issues: list[Issue]) -> RawTable:
    cols = _Columns.of(raw)
    names, slugs, ids = cols.get("name"), cols.get("slug"), cols.get("id")
    codes = [slug or _slug(name) for name, slug in zip(names, slugs, strict=True)]
    for code, name, slug, netbox_id in zip(codes, names, slugs, ids, strict=True):
        sites.add(code, code, name, slug)
        if netbox_id:
            sites.ids[netbox_id] = code
    owners = _references(raw, cols, "tenant", tenants, issues)
    statuses = [SITE_STATUS.get(status.casefold(), "") if status else "" for status in cols.get("status")]
    not_live = [
        (row, status)
        for row, status in zip(raw.rows, cols.get("status"), strict=True)
        if status and status.casefold() not in ("active", "")
    ]
    if not_live:
        shown = ", ".join(f"row {row} ({status})" for row, status in not_live[:5])
        message = (
            f"{len(not_live)} sites are not active in NetBox ({shown}{' …' if len(not_live) > 5 else ''}): "
            "kept with their status, out of the live network that is analysed"
        )
        issues.append(
            Issue(raw.file, raw.sheet, not_live[0][0], cols.header("status"), None, message, WARNING)
        )
    values = {
        "code": codes,
        "name": names,
        "tenant": owners,
        "role": [_words_to(group, ROLE_WORDS) or "" for group in cols.get("group")],
        "district": cols.get("region"),
        "address": cols.get("address"),
        "latitude": cols.get("latitude"),
        "longitude": cols.get("longitude"),
        "status": statuses,
    }
    return _table(raw, "sites", values)


def _prefixes(raw: RawTable, tenants: _Names, sites: _Names, issues: list[Issue]) -> RawTable:
    cols = _Columns.of(raw)
    codes = []
    scopes = cols.get("termination_type"), cols.get("termination_id"), cols.get("scope"), cols.get("site")
    columns = zip(raw.rows, *scopes, strict=True)
    for row, kind, netbox_id, scope, site in columns:
        model = _model(kind)
        if model == "site" and netbox_id:
            code = sites.ids.get(netbox_id)
            if code is None:
                message = f"no site with NetBox id {netbox_id!r}: export sites with their ID column"
                header = cols.header("termination_id")
                issues.append(Issue(raw.file, raw.sheet, row, header, netbox_id, message))
        elif site or (scope and (not kind or model == "site")):
            code = sites.find(site or scope)
            if code is None:
                message = f"unknown site {site or scope!r}: import NetBox's sites export with it"
                header = cols.header("site") or cols.header("scope")
                issues.append(Issue(raw.file, raw.sheet, row, header, site or scope, message))
        else:
            code = None  # a prefix scoped to a region or location, or to nothing, belongs to no one site
        codes.append(code or "")
    values = {
        "prefix": cols.get("prefix"),
        "vrf": cols.get("vrf"),
        "site": codes,
        "tenant": _references(raw, cols, "tenant", tenants, issues),
        "description": cols.get("description"),
    }
    return _table(raw, "prefixes", values)


def _references(raw: RawTable, cols: _Columns, name: str, codes: _Names, issues: list[Issue]) -> list[str]:
    out = []
    for row, text in zip(raw.rows, cols.get(name), strict=True):
        code = codes.find(text)
        if text and code is None:
            message = f"unknown tenant {text!r}: import NetBox's tenants export with it (by name or slug)"
            issues.append(Issue(raw.file, raw.sheet, row, cols.header(name), text, message, ERROR))
        out.append(code or "")
    return out


@dataclass(slots=True)
class _End:
    """One side of a circuit: its site's code and port speed (kbit/s), with where it was read."""

    site: str | None
    port_kbps: float | None
    file: str
    row: int


def _terminations(raws: list[RawTable], sites: _Names, issues: list[Issue]) -> dict[tuple[str, str], _End]:
    ends: dict[tuple[str, str], _End] = {}
    for raw in raws:
        cols = _Columns.of(raw)
        columns = zip(
            raw.rows,
            cols.get("circuit"),
            cols.get("term_side"),
            cols.get("termination_type"),
            cols.get("termination_id"),
            cols.get("termination"),
            cols.get("site"),
            cols.get("port_speed"),
            strict=True,
        )
        for row, circuit, side, kind, netbox_id, point, site, speed in columns:
            where = (raw.file, raw.sheet, row)
            side = side.upper()
            if side not in ("A", "Z"):
                issues.append(Issue(*where, cols.header("term_side"), side, "term_side must be A or Z"))
                continue
            code, problem = _termination_site(kind, netbox_id, point, site, sites)
            if problem:
                issues.append(
                    Issue(*where, cols.header("termination_type") or cols.header("site"), None, problem)
                )
            try:
                port = float(speed) if speed else None
            except ValueError:
                issues.append(Issue(*where, cols.header("port_speed"), speed, "port_speed must be kbit/s"))
                port = None
            ends[(circuit, side)] = _End(code, port, raw.file, row)
    return ends


def _model(kind: str) -> str:
    """The model a NetBox object type names: "dcim.site", "DCIM > Site" and "site" are all "site"."""
    return kind.casefold().replace(" ", "").split(">")[-1].split(".")[-1]


def _termination_site(
    kind: str, netbox_id: str, point: str, site: str, sites: _Names
) -> tuple[str | None, str | None]:
    """The site code a termination is on, or a problem; None, None for a provider network end."""
    if site:  # NetBox 4.1's `site` field, or the UI's Site column (a location's site too)
        code = sites.find(site)
        return (
            (code, None) if code else (None, f"unknown site {site!r}: import NetBox's sites export with it")
        )
    model = _model(kind)
    if model in ("providernetwork", "region", "sitegroup"):
        return None, None
    if model == "site":
        code = sites.ids.get(netbox_id) or sites.find(point)
        if code:
            return code, None
        return None, f"no site with NetBox id {netbox_id or point!r}: export sites with their ID column"
    if model == "location":
        return None, "a termination on a location needs its site: export terminations with the Site column"
    return None, "a termination needs a site: termination_type and termination_id, or site"


def _circuits(
    raw: RawTable, tenants: _Names, sites: _Names, ends: dict[tuple[str, str], _End], issues: list[Issue]
) -> RawTable:
    cols = _Columns.of(raw)
    cids = cols.get("cid")
    payers = _references(raw, cols, "tenant", tenants, issues)
    side_a, side_z = cols.get("side_a"), cols.get("side_z")
    a_sites, b_sites, rates, statuses = [], [], [], []
    kept: list[int] = []
    off_site: list[str] = []
    for index, (row, cid, rate, status) in enumerate(
        zip(raw.rows, cids, cols.get("commit_rate"), cols.get("status"), strict=True)
    ):
        a, z = ends.get((cid, "A")), ends.get((cid, "Z"))
        a_code = a.site if a else sites.find(side_a[index])
        z_code = z.site if z else sites.find(side_z[index])
        if not a_code or not z_code:
            off_site.append(cid)
            continue
        kept.append(index)
        a_sites.append(a_code)
        b_sites.append(z_code)
        speeds = [end.port_kbps for end in (a, z) if end and end.port_kbps is not None]
        kbps = rate or (str(min(speeds)) if speeds else "")
        rates.append(kbps)
        mapped = CIRCUIT_STATUS.get(status.casefold(), status) if status else ""
        statuses.append(mapped)
        if status and status.casefold() not in CIRCUIT_STATUS:
            issues.append(
                Issue(raw.file, raw.sheet, row, cols.header("status"), status, "unknown circuit status")
            )
    if off_site:
        shown = ", ".join(off_site[:5]) + (" …" if len(off_site) > 5 else "")
        message = (
            f"{len(off_site)} circuits do not end at two sites (no A or Z termination on a site): "
            f"not imported ({shown})"
        )
        issues.append(Issue(raw.file, raw.sheet, None, None, None, message, WARNING))
    pick = [raw.rows[i] for i in kept]
    values = {
        "circuit_id": [cids[i] for i in kept],
        "a_site": a_sites,
        "b_site": b_sites,
        "provider": [cols.get("provider")[i] for i in kept],
        "bandwidth_kbps": rates,
        "contract_end": [cols.get("termination_date")[i] for i in kept],
        "tenant": [payers[i] for i in kept],
        "status": statuses,
        "circuit_type": [cols.get("type")[i] for i in kept],
    }
    table = _table(raw, "links", values)
    table.rows = pick
    return table


def _table(raw: RawTable, entity: str, values: dict[str, list[str]]) -> RawTable:
    return RawTable(
        raw.file,
        raw.sheet,
        entity,
        list(values),
        list(raw.rows),
        list(values.values()),
        raw.source,
        raw.header_row,
    )
