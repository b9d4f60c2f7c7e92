"""Exporting the inventory: a workbook, a folder of CSV files, GraphML for graph tools, GeoJSON for maps."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from psninv.atomic import replacing, replacing_folder
from psninv.errors import InputError
from psninv.inventory import Inventory
from psninv.io.formula import escape_csv_text
from psninv.io.partner import export_columns, export_rows
from psninv.io.xlsx import CellValue, row_values, write_workbook
from psninv.records import COLUMNS, Column, Kind

FORMATS: tuple[str, ...] = ("xlsx", "csv", "graphml", "geojson")
"""The export formats; csv writes a folder of one file per entity."""

GRAPHML_GENERATOR = "psninv"
"""The GraphML graph attribute `generator` that tells the importer a file is psninv's own export."""

CSV_FILES: dict[str, str] = {entity: f"{entity}.csv" for entity in COLUMNS}
"""The file of each entity inside a CSV export folder."""

_FILE_SUFFIXES = {".xlsx": "xlsx", ".graphml": "graphml", ".geojson": "geojson"}
# XML 1.0 cannot hold these characters at all, not even escaped.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def export_inventory(
    inventory: Inventory, path: str | Path, *, fmt: str | None = None, overwrite: bool = False
) -> Path:
    """Write the inventory in the format the path's extension (or `fmt`) names; return the path written.

    .xlsx is a workbook, .graphml a graph of sites and links only (no tenants or prefixes), .geojson
    a map layer of sites and links with coordinates; a path with no extension, an existing folder
    or fmt="csv" gets a folder of one CSV file per entity. A file path without an extension gets
    the extension of `fmt`. Raises InputError for an extension or
    format it does not know, and for an existing file or non-empty folder unless `overwrite`.
    Files and folders are replaced whole, so a failed export leaves the old one (or nothing).
    """
    fmt, target = resolve_target(path, fmt)
    if not overwrite and _taken(target):
        raise InputError(f"{target} already exists: nothing was written (--force replaces it)")
    if fmt == "xlsx":
        with replacing(target) as temporary:
            write_workbook(inventory, temporary)
    elif fmt == "csv":
        write_csv_folder(inventory, target)
    elif fmt == "graphml":
        write_graphml(inventory, target)
    else:
        write_geojson(inventory, target)
    return target


def _taken(target: Path) -> bool:
    # An empty folder is where the user wants a CSV export to go, not something to protect.
    if target.is_symlink() or target.is_file():
        return True
    return target.is_dir() and any(target.iterdir())


def resolve_target(path: str | Path, fmt: str | None = None) -> tuple[str, Path]:
    """The export format and the path to write, from the path and an optional explicit format."""
    target = Path(path).expanduser()
    suffix = target.suffix.lower()
    if fmt is not None:
        chosen = fmt.strip().lower().lstrip(".")
        if chosen not in FORMATS:
            raise InputError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
        if chosen != "csv" and not suffix and not target.is_dir():
            target = target.with_name(f"{target.name}.{chosen}")
    elif target.is_dir() or not suffix:
        chosen = "csv"
    elif suffix in _FILE_SUFFIXES:
        chosen = _FILE_SUFFIXES[suffix]
    elif suffix == ".csv":
        raise InputError(
            f"cannot export to {target.name!r}: a CSV export is a folder of "
            f"{', '.join(CSV_FILES.values())}; give a folder name, or choose the csv format"
        )
    else:
        raise InputError(
            f"cannot tell the export format from {target.name!r}: use a name ending in "
            ".xlsx, .graphml or .geojson, or a folder for CSV files"
        )
    if chosen == "csv" and target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file: a CSV export needs a folder")
    if chosen != "csv" and target.is_dir():
        raise InputError(f"{target} is a folder: give a file name ending in .{chosen}")
    return chosen, target


# --- CSV ---------------------------------------------------------------------------------------


def number_text(value: float) -> str:
    """A number as CSV text that reads back exactly: whole numbers without '.0'."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def csv_cell(value: CellValue) -> str:
    """One exported cell as CSV text: numbers as they are, dates ISO, text defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape_csv_text(value)


def write_csv_folder(inventory: Inventory, folder: str | Path) -> Path:
    """Write tenants.csv, sites.csv, links.csv and prefixes.csv (UTF-8, no BOM) as one new folder.

    The files are written into a temporary folder beside it, renamed into place when all are
    written: a failed export leaves the old folder as it was, never a mixture of old and new.
    """
    folder = Path(folder)
    with replacing_folder(folder) as temporary:
        for entity, rows in inventory.entities():
            columns = export_columns(inventory, entity)
            with (temporary / CSV_FILES[entity]).open("w", encoding="utf-8", newline="") as stream:
                writer = csv.writer(stream)
                writer.writerow(column.name for column in columns)
                for row in export_rows(inventory, entity, rows):
                    writer.writerow(csv_cell(value) for value in row_values(columns, row))
    return folder


# --- GraphML -----------------------------------------------------------------------------------


def _xml_text(value: str) -> str:
    return _XML_ILLEGAL.sub("", value)


def _xml_id(value: str, what: str) -> str:
    if _XML_ILLEGAL.search(value):
        raise InputError(f"{what} {value!r} holds control characters that GraphML cannot store")
    return value


def _graph_attributes(columns: Sequence[Column], row: Mapping[str, Any]) -> dict[str, str | float]:
    attributes: dict[str, str | float] = {}
    for column, value in zip(columns, row_values(columns, row), strict=True):
        if value is None:
            continue
        if isinstance(value, float):
            attributes[column.name] = value
        elif isinstance(value, dt.date):
            attributes[column.name] = value.isoformat()
        elif column.kind in (Kind.REFS, Kind.TAGS):
            # ';' without spaces: the stored form, which the GraphML importer splits on.
            attributes[column.name] = _xml_text(";".join(part.strip() for part in value.split(";")))
        elif column.kind in (Kind.CODE, Kind.REF):
            attributes[column.name] = _xml_id(value, column.name)
        else:
            attributes[column.name] = _xml_text(value)
    return attributes


def inventory_graph(inventory: Inventory) -> nx.MultiGraph:
    """The sites and links as a MultiGraph: node id = site code, edge key = circuit id."""
    graph = nx.MultiGraph(generator=GRAPHML_GENERATOR)
    for code, row in inventory.sites.items():
        graph.add_node(_xml_id(code, "site code"), **_graph_attributes(COLUMNS["sites"], row))
    for circuit_id, row in inventory.links.items():
        graph.add_edge(
            _xml_id(row["a_site"], "a_site"),
            _xml_id(row["b_site"], "b_site"),
            key=_xml_id(circuit_id, "circuit_id"),
            **_graph_attributes(COLUMNS["links"], row),
        )
    return graph


def write_graphml(inventory: Inventory, path: str | Path) -> Path:
    """Write sites and links as GraphML, for graph tools (Gephi, yEd, networkx) and re-import.

    Nodes carry each site's non-empty columns (occupants joined by ';'), edges each link's
    (dates as ISO text) with the circuit id as edge id. Tenants and prefixes are not in GraphML:
    export to .xlsx or CSV to keep them. Control characters XML cannot hold are left out of text.
    """
    path = Path(path)
    with replacing(path) as temporary:
        nx.write_graphml(inventory_graph(inventory), temporary)
    return path


# --- GeoJSON -----------------------------------------------------------------------------------


def _position(row: Mapping[str, Any]) -> list[float] | None:
    longitude, latitude = row.get("longitude"), row.get("latitude")
    if not isinstance(longitude, int | float) or not isinstance(latitude, int | float):
        return None
    if not (math.isfinite(longitude) and math.isfinite(latitude)):
        return None
    return [float(longitude), float(latitude)]


def _properties(columns: Sequence[Column], row: Mapping[str, Any], skip: frozenset[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for column, value in zip(columns, row_values(columns, row), strict=True):
        if column.name in skip:
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, str) and column.kind in (Kind.REFS, Kind.TAGS):
            value = ";".join(part.strip() for part in value.split(";"))
        properties[column.name] = value
    return properties


def inventory_geojson(inventory: Inventory) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection: sites as points, links as lines between their ends.

    Sites without coordinates, and links with an end lacking them, are left out. Every feature
    has a `kind` property, "site" or "link"; lists (occupants, srlg) are ';'-joined text.
    """
    features: list[dict[str, Any]] = []
    positions: dict[str, list[float]] = {}
    for code, row in inventory.sites.items():
        position = _position(row)
        if position is None:
            continue
        positions[code] = position
        properties = {"kind": "site"} | _properties(
            COLUMNS["sites"], row, frozenset({"latitude", "longitude"})
        )
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": position},
             "properties": properties}
        )
    for row in inventory.links.values():
        a_end, b_end = positions.get(row["a_site"]), positions.get(row["b_site"])
        if a_end is None or b_end is None:
            continue
        properties = {"kind": "link"} | _properties(COLUMNS["links"], row, frozenset())
        features.append(
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [a_end, b_end]},
             "properties": properties}
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(inventory: Inventory, path: str | Path) -> Path:
    """Write the sites and links that have coordinates as a GeoJSON file (UTF-8), loadable in QGIS."""
    path = Path(path)
    collection = inventory_geojson(inventory)
    with replacing(path) as temporary, temporary.open("w", encoding="utf-8") as stream:
        json.dump(collection, stream, ensure_ascii=False, allow_nan=False, indent=1)
        stream.write("\n")
    return path
