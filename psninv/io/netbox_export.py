"""The inventory as files NetBox 4.2+'s bulk import takes: one CSV per NetBox import form, in import order.

The columns are the fields of NetBox's own import forms (tenancy, dcim, circuits and ipam
`bulk_import.py`), with references by name as those forms look them up. A circuit termination
names its site by NetBox's numeric site ID (`termination_id`), which exists only once NetBox has
created the site: the terminations (and prefixes' site scope) are written when NetBox's own
sites export, with its ID column, is given; otherwise the folder says how to make them.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from psninv.atomic import replacing_folder
from psninv.errors import InputError, file_error
from psninv.inventory import Inventory, Row
from psninv.io.formula import escape_csv_text

SECTOR_GROUPS = {
    "local-government": "Local government",
    "health": "Health",
    "police": "Police",
    "fire": "Fire and rescue",
    "education": "Education",
    "central-government": "Central government",
    "voluntary": "Voluntary",
    "other": "Other",
}
"""psninv sectors as NetBox tenant groups, named so that importing them back gives the same sector."""

ROLE_GROUPS = {"core": "Core", "datacentre": "Data centre", "hub": "Hub", "access": "Access"}
"""psninv roles as NetBox site groups, named so that importing them back gives the same role."""

SITE_STATUS = {
    "active": "active",
    "planned": "planned",
    "decommissioning": "decommissioning",
    "closed": "retired",
}
"""psninv site statuses as NetBox's."""
CIRCUIT_STATUS = {"active": "active", "planned": "planned", "ceased": "decommissioned"}
"""psninv circuit statuses as NetBox's."""
UNKNOWN_PROVIDER = "Unknown provider"
UNSPECIFIED_TYPE = "Unspecified"

# Each file's columns are the fields of the NetBox import form named beside it (NetBox 4.2 to 4.6).
FILES: dict[str, tuple[str, ...]] = {
    "01-tenant-groups.csv": ("name", "slug", "parent", "description"),  # TenantGroupImportForm
    "02-tenants.csv": ("name", "slug", "group", "description", "comments"),  # TenantImportForm
    "03-regions.csv": ("name", "slug", "parent", "description"),  # RegionImportForm
    "04-site-groups.csv": ("name", "slug", "parent", "description"),  # SiteGroupImportForm
    "05-sites.csv": (  # SiteImportForm
        "name",
        "slug",
        "status",
        "region",
        "group",
        "tenant",
        "description",
        "physical_address",
        "latitude",
        "longitude",
        "comments",
    ),
    "06-providers.csv": ("name", "slug", "description"),  # ProviderImportForm
    "07-circuit-types.csv": ("name", "slug", "description"),  # CircuitTypeImportForm
    "08-circuits.csv": (  # CircuitImportForm
        "cid",
        "provider",
        "type",
        "status",
        "tenant",
        "termination_date",
        "commit_rate",
        "description",
        "comments",
    ),
    "09-circuit-terminations.csv": (  # CircuitTerminationImportForm
        "circuit",
        "term_side",
        "termination_type",
        "termination_id",
        "description",
    ),
    "10-vrfs.csv": ("name", "description"),  # VRFImportForm
    "11-prefixes.csv": (  # PrefixImportForm
        "prefix",
        "vrf",
        "status",
        "tenant",
        "scope_type",
        "scope_id",
        "description",
    ),
}
"""The files in import order, with the import form fields each carries."""

NEEDS_SITE_IDS = ("09-circuit-terminations.csv",)
STEPS_FILE = "IMPORT-STEPS.txt"
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_NAME_LIMIT = 100  # NetBox's name and slug fields hold 100 characters
_DESCRIPTION_LIMIT = 200


@dataclass(slots=True)
class NetboxExport:
    """What `export_netbox` wrote: the folder, each file with its row count, and what it had to change."""

    folder: Path
    rows: dict[str, int]
    notes: list[str] = field(default_factory=list)
    complete: bool = False
    """Whether the circuits' terminations were written (they need NetBox's site IDs)."""


def slug_of(text: str) -> str:
    """A NetBox slug for a name: letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:_NAME_LIMIT] or "x"


def _code_slug(code: str) -> str:
    return code if _SLUG.match(code) and len(code) <= _NAME_LIMIT else slug_of(code)


class _Unique:
    """Names NetBox will hold unique: the first keeps its name, a clash gets the code appended."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.renamed: list[str] = []

    def name(self, name: str, code: str) -> str:
        chosen = (name or code)[:_NAME_LIMIT]
        if chosen.casefold() in self.taken:
            chosen = f"{name[: _NAME_LIMIT - len(code) - 3]} ({code})"
            self.renamed.append(code)
        self.taken.add(chosen.casefold())
        return chosen


def _number(value: Any, places: int | None = None) -> str:
    if value is None or value == "":
        return ""
    if places is not None:
        return f"{round(float(value), places):.{places}f}".rstrip("0").rstrip(".")
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def _gbp(value: Any) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"£{amount:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def read_site_ids(path: str | Path) -> dict[str, int]:
    """NetBox site IDs by slug and by name (casefolded), from NetBox's sites export (CSV) or API (JSON).

    The CSV is NetBox's "Export → All data" of sites (its ID, Name and Slug columns); the JSON is
    `/api/dcim/sites/` (a list of sites or a page with `results`).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise file_error(path, error) from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text; export the sites from NetBox again") from None
    records: Iterable[tuple[int | None, Mapping[str, Any]]]
    if text.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{path.name}: not valid JSON ({error.msg}, line {error.lineno})") from None
        items = data.get("results", []) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise InputError(f"{path.name}: expected a list of NetBox sites")
        records = ((None, item) for item in items if isinstance(item, dict))
    else:
        reader = csv.DictReader(text.splitlines())
        headers = {(header or "").strip().casefold(): header for header in reader.fieldnames or ()}
        if "id" not in headers or not ({"slug", "name"} & headers.keys()):
            raise InputError(
                f"{path.name}: no ID column beside Name or Slug; export the sites from NetBox "
                "with Export → All data"
            )
        records = (
            (row, {key: record.get(header) for key, header in headers.items()})
            for row, record in enumerate(reader, start=2)
        )
    ids: dict[str, int] = {}
    for row, record in records:
        raw = record.get("id")
        try:
            netbox_id = int(str(raw).strip())
        except ValueError:
            where = f", row {row}, column ID" if row else ""
            raise InputError(f"{path.name}{where}: {raw!r} is not a NetBox site ID") from None
        for key in ("slug", "name"):
            value = str(record.get(key) or "").strip()
            if value:
                ids.setdefault(value.casefold(), netbox_id)
    if not ids:
        raise InputError(f"{path.name}: no sites in it")
    return ids


def netbox_tables(
    inventory: Inventory, site_ids: Mapping[str, int] | None = None
) -> tuple[dict[str, list[list[str]]], list[str]]:
    """Each NetBox file's rows (without the header) and the notes on what NetBox could not hold as it was."""
    notes: list[str] = []
    tenant_names = _Unique()
    tenants = {
        code: tenant_names.name(row.get("name") or "", code) for code, row in inventory.tenants.items()
    }
    site_names = _Unique()
    sites = {code: site_names.name(row.get("name") or "", code) for code, row in inventory.sites.items()}
    site_slugs = {code: _code_slug(code) for code in inventory.sites}
    tenant_slugs = {code: _code_slug(code) for code in inventory.tenants}
    for what, renamed in (("tenants", tenant_names.renamed), ("sites", site_names.renamed)):
        if renamed:
            notes.append(
                f"{len(renamed)} {what} share a name with another (NetBox names are unique): "
                f"their code was added to the name ({_some(renamed)})"
            )
    changed = [code for code, slug in site_slugs.items() if slug != code]
    changed += [code for code, slug in tenant_slugs.items() if slug != code]
    if changed:
        notes.append(
            f"{len(changed)} codes are not NetBox slugs and were made into ones "
            f"({_some(changed)}): importing back gives the slug"
        )
    tables: dict[str, list[list[str]]] = {name: [] for name in FILES}
    tables["01-tenant-groups.csv"] = _groups(inventory.tenants.values(), "sector", SECTOR_GROUPS)
    tables["02-tenants.csv"] = [
        [
            tenants[code],
            tenant_slugs[code],
            SECTOR_GROUPS.get(row.get("sector") or "", ""),
            "",
            "",
        ]
        for code, row in inventory.tenants.items()
    ]
    districts = sorted({row.get("district") or "" for row in inventory.sites.values()} - {""})
    tables["03-regions.csv"] = [[name[:_NAME_LIMIT], slug_of(name), "", ""] for name in districts]
    tables["04-site-groups.csv"] = _groups(inventory.sites.values(), "role", ROLE_GROUPS)
    tables["05-sites.csv"] = [
        [
            sites[code],
            site_slugs[code],
            SITE_STATUS.get(row.get("status") or "active", "active"),
            (row.get("district") or "")[:_NAME_LIMIT],
            ROLE_GROUPS.get(row.get("role") or "", ""),
            tenants.get(row.get("tenant") or "", ""),
            "",
            ", ".join(part for part in (row.get("address"), row.get("postcode")) if part),
            _number(row.get("latitude"), 6),
            _number(row.get("longitude"), 6),
            _site_comments(row, tenants),
        ]
        for code, row in inventory.sites.items()
    ]
    providers = sorted({row.get("provider") or UNKNOWN_PROVIDER for row in inventory.links.values()})
    tables["06-providers.csv"] = [[name[:_NAME_LIMIT], slug_of(name), ""] for name in providers]
    kinds = sorted({row.get("circuit_type") or UNSPECIFIED_TYPE for row in inventory.links.values()})
    tables["07-circuit-types.csv"] = [[name[:_NAME_LIMIT], slug_of(name), ""] for name in kinds]
    blank_provider = sum(1 for row in inventory.links.values() if not row.get("provider"))
    if blank_provider:
        notes.append(f"{blank_provider} circuits have no provider, which NetBox needs: {UNKNOWN_PROVIDER!r}")
    blank_type = sum(1 for row in inventory.links.values() if not row.get("circuit_type"))
    if blank_type:
        notes.append(f"{blank_type} circuits have no circuit type, which NetBox needs: {UNSPECIFIED_TYPE!r}")
    tables["08-circuits.csv"] = [_circuit(cid, row, sites, tenants) for cid, row in inventory.links.items()]
    if site_ids is not None:
        tables["09-circuit-terminations.csv"] = _terminations(inventory, sites, site_slugs, site_ids)
    vrfs = sorted({row.get("vrf") or "" for row in inventory.prefixes.values()} - {""})
    tables["10-vrfs.csv"] = [[name[:_NAME_LIMIT], ""] for name in vrfs]
    tables["11-prefixes.csv"] = [
        _prefix(row, sites, site_slugs, tenants, site_ids) for row in inventory.prefixes.values()
    ]
    notes.append(
        "NetBox has no field for a circuit's annual cost, medium or shared-risk groups, nor a site's "
        "criticality, demand or occupants: they are written in the comments"
    )
    return tables, notes


def _groups(rows: Iterable[Row], column: str, groups: Mapping[str, str]) -> list[list[str]]:
    used = sorted({row.get(column) or "" for row in rows} & groups.keys())
    return [[groups[value], slug_of(groups[value]), "", f"psninv {column} {value}"] for value in used]


def _site_comments(row: Row, tenants: Mapping[str, str]) -> str:
    parts = []
    if row.get("criticality"):
        parts.append(f"Criticality: {row['criticality']}")
    if row.get("demand_mbps") not in (None, ""):
        parts.append(f"Demand: {_number(row['demand_mbps'])} Mbit/s")
    occupants = [tenants.get(code, code) for code in row.get("occupants") or ()]
    if occupants:
        parts.append(f"Also occupied by: {', '.join(occupants)}")
    return ". ".join(parts)


def _circuit(cid: str, row: Row, sites: Mapping[str, str], tenants: Mapping[str, str]) -> list[str]:
    rate = row.get("bandwidth_mbps")
    end = row.get("contract_end")
    comments = []
    if row.get("annual_cost_gbp") not in (None, ""):
        comments.append(f"Annual cost: {_gbp(row['annual_cost_gbp'])}")
    if row.get("medium"):
        comments.append(f"Medium: {row['medium']}")
    if row.get("srlg"):
        comments.append(f"Shared-risk groups: {row['srlg']}")
    return [
        cid,
        (row.get("provider") or UNKNOWN_PROVIDER)[:_NAME_LIMIT],
        (row.get("circuit_type") or UNSPECIFIED_TYPE)[:_NAME_LIMIT],
        CIRCUIT_STATUS.get(row.get("status") or "active", "active"),
        tenants.get(row.get("tenant") or "", ""),
        end.isoformat() if hasattr(end, "isoformat") else (end or ""),
        "" if rate in (None, "") else str(round(float(rate) * 1000)),  # NetBox rates are kbit/s
        f"{sites.get(row['a_site'], row['a_site'])} – {sites.get(row['b_site'], row['b_site'])}"[
            :_DESCRIPTION_LIMIT
        ],
        ". ".join(comments),
    ]


def _some(codes: Sequence[str]) -> str:
    return ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")


def _site_id(
    code: str, sites: Mapping[str, str], slugs: Mapping[str, str], ids: Mapping[str, int]
) -> int | None:
    return ids.get(slugs[code].casefold()) or ids.get(sites[code].casefold())


def _terminations(
    inventory: Inventory, sites: Mapping[str, str], slugs: Mapping[str, str], ids: Mapping[str, int]
) -> list[list[str]]:
    missing = sorted(
        {
            code
            for row in inventory.links.values()
            for code in (row["a_site"], row["b_site"])
            if _site_id(code, sites, slugs, ids) is None
        }
    )
    if missing:
        shown = ", ".join(repr(slugs[code]) for code in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise InputError(
            f"NetBox's sites export has no site with slug {shown} ({len(missing)} in all): import "
            "05-sites.csv into NetBox first, then export its sites again; nothing was written"
        )
    rows = []
    for cid, row in inventory.links.items():
        for side, end in (("A", row["a_site"]), ("Z", row["b_site"])):
            rows.append([cid, side, "dcim.site", str(_site_id(end, sites, slugs, ids)), sites[end]])
    return rows


def _prefix(
    row: Row,
    sites: Mapping[str, str],
    slugs: Mapping[str, str],
    tenants: Mapping[str, str],
    ids: Mapping[str, int] | None,
) -> list[str]:
    site = row.get("site") or ""
    scope_id = _site_id(site, sites, slugs, ids) if site and ids is not None else None
    description = row.get("description") or ""
    if site and scope_id is None:
        where = sites.get(site, site)
        description = f"{description} (site {where})" if description else f"Site {where}"
    return [
        row["prefix"],
        row.get("vrf") or "",
        "active",
        tenants.get(row.get("tenant") or "", ""),
        "dcim.site" if scope_id is not None else "",
        "" if scope_id is None else str(scope_id),
        description[:_DESCRIPTION_LIMIT],
    ]


def export_netbox(
    inventory: Inventory,
    folder: str | Path,
    *,
    site_ids_file: str | Path | None = None,
    overwrite: bool = False,
) -> NetboxExport:
    """Write the inventory as NetBox bulk-import CSV files into a new folder; return what was written.

    With `site_ids_file` (NetBox's sites export, after importing 05-sites.csv) the circuit
    terminations and prefix scopes are written too. Raises InputError for an existing non-empty
    folder unless `overwrite`, or for sites the IDs file lacks; nothing is written then.
    """
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file: a NetBox export is a folder of CSV files")
    if not overwrite and target.is_dir() and any(target.iterdir()):
        raise InputError(f"{target} already exists: nothing was written (--force replaces it)")
    ids = read_site_ids(site_ids_file) if site_ids_file is not None else None
    tables, notes = netbox_tables(inventory, ids)
    written: dict[str, int] = {}
    with replacing_folder(target) as temporary:
        for name, columns in FILES.items():
            if (name in NEEDS_SITE_IDS and ids is None) or not tables[name]:
                continue  # NetBox refuses an import with no rows
            _write_csv(temporary / name, columns, tables[name])
            written[name] = len(tables[name])
        (temporary / STEPS_FILE).write_text(_steps(target, ids is not None, notes), encoding="utf-8")
    return NetboxExport(target, written, notes, ids is not None)


def _write_csv(path: Path, columns: Sequence[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows([_cell(cell) for cell in row] for row in rows)


def _cell(text: str) -> str:
    # Numbers go as they are (a negative longitude is not a formula); text is defused for spreadsheets.
    try:
        float(text)
    except ValueError:
        return escape_csv_text(text)
    return text


def _steps(folder: Path, complete: bool, notes: list[str]) -> str:
    lines = [
        "Importing this inventory into NetBox (4.2 or later)",
        "",
        "In NetBox, open each object list's Import page (for example Organization > Tenant Groups >",
        "Import), choose the file, and import the files in the order of their numbers: each refers",
        "to names the ones before it created.",
        "",
    ]
    if complete:
        lines.append("All files are here, circuit terminations included.")
    else:
        lines += [
            "The circuit terminations are not here yet: NetBox names a termination's site by its",
            "numeric ID, which NetBox gives a site only when it creates it. After importing",
            "01 to 08, export NetBox's sites (Organization > Sites > Export > All data) and run:",
            "",
            f"    psninv export --netbox {folder} --netbox-sites netbox_sites.csv --force",
            "",
            "which writes 09-circuit-terminations.csv (and scopes the prefixes to their sites).",
        ]
    lines += ["", "What NetBox could not hold as psninv does:"]
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"
