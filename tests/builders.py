"""What tests build by hand: site, link and prefix rows, rows written to a store, CSV files, workbooks."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from psninv.analysis.geo import KM_PER_DEGREE
from psninv.model import ENTITY_TABLES
from psninv.store import Store
from psninv.store.writes import replace_occupants, upsert

LAT, LON = 52.80, -2.10
"""A point in Staffordshire that hand-built sites are placed around."""


def north(metres: float, lat: float = LAT) -> float:
    """The latitude `metres` due north of lat (a meridian arc is exactly this long)."""
    return lat + metres / (KM_PER_DEGREE * 1000)


def site(
    code: str,
    tenant: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    role: str = "access",
    *,
    crit: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A site row: its owner, where it is, its role and (where given) its criticality and any other column."""
    row = {"code": code, "tenant": tenant, "latitude": lat, "longitude": lon, "role": role}
    if crit is not None:
        row["criticality"] = crit
    return row | extra


def link(
    cid: str,
    a: str,
    b: str,
    tenant: str | None = None,
    mbps: float | None = None,
    gbp: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A link row between two sites: who pays, its bandwidth, its annual cost and any other column."""
    return {
        "circuit_id": cid,
        "a_site": a,
        "b_site": b,
        "tenant": tenant,
        "bandwidth_mbps": mbps,
        "annual_cost_gbp": gbp,
        **extra,
    }


def prefix(
    text: str, tenant: str | None, site: str | None = None, vrf: str = "", **extra: Any
) -> dict[str, Any]:
    """A prefix row, in the global table unless a VRF is given."""
    return {"prefix": text, "vrf": vrf, "tenant": tenant, "site": site, **extra}


def write_rows(
    store: Store,
    *,
    tenants: Iterable[Mapping[str, Any]] = (),
    sites: Iterable[Mapping[str, Any]] = (),
    links: Iterable[Mapping[str, Any]] = (),
    prefixes: Iterable[Mapping[str, Any]] = (),
) -> None:
    """Write hand-built rows straight into a store, filling every column so rows are uniform."""
    given = {"tenants": tenants, "sites": sites, "links": links, "prefixes": prefixes}
    with store.write() as conn:
        for entity, table in ENTITY_TABLES.items():
            names = [c.name for c in table.columns if c.name != "version"]
            rows = []
            occupants: dict[str, list[str]] = {}
            for row in given[entity]:
                full = {name: row.get(name) for name in names}
                if entity == "prefixes":
                    full["vrf"] = full["vrf"] or ""
                if entity == "links" and full["status"] is None:
                    full["status"] = "active"
                rows.append(full)
                if entity == "sites" and row.get("occupants"):
                    occupants[row["code"]] = list(row["occupants"])
            upsert(conn, table, rows)
            replace_occupants(conn, occupants)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    """A CSV file written with the csv module."""
    with path.open("w", encoding="utf-8-sig" if bom else encoding, newline="") as stream:
        csv.writer(stream, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]], *, start_row: int = 0) -> Path:
    """A workbook with one sheet per entry: rows of cells, text as text, datetimes as Excel dates."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(start_row + r, c, value, date_format)
                elif isinstance(value, str):
                    sheet.write_string(start_row + r, c, value)
                else:
                    sheet.write(start_row + r, c, value)
    workbook.close()
    return path


def run_cli(*args: str) -> Any:
    """Run the command line in this process (CliRunner), as a user would type it; the Result."""
    from click.testing import CliRunner

    from psninv.cli.app import get_cli

    return CliRunner().invoke(get_cli(), list(args), catch_exceptions=False)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
"""Debian's headless browser, where it is installed."""

CHROMIUM_QUIET = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate",
]
"""The browser's own background services switched off: what its network log holds is the page's doing."""
