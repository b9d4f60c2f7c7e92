"""British National Grid easting/northing columns turned into the latitude and longitude psninv stores."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from psninv.io.headers import normalise
from psninv.io.issues import Issue
from psninv.io.raw import RawTable

EASTING = frozenset({"easting", "eastings", "os easting", "bng easting", "grid easting", "x bng"})
NORTHING = frozenset({"northing", "northings", "os northing", "bng northing", "grid northing", "y bng"})
# The false origin lies south-west of the Scillies; Great Britain fits in 0-700 km east, 0-1300 km north.
_LIMITS = {"easting": 700_000.0, "northing": 1_300_000.0}


def grid_columns(raw: RawTable) -> tuple[int, int] | None:
    """The indexes of a sites table's easting and northing columns, if it has both and no latitude."""
    keys = [normalise(header) for header in raw.headers]
    east = next((i for i, key in enumerate(keys) if key in EASTING), None)
    north = next((i for i, key in enumerate(keys) if key in NORTHING), None)
    if east is None or north is None or {"latitude", "lat"} & set(keys):
        return None
    return east, north


def convert_grid(raw: RawTable) -> list[Issue]:
    """Replace a sites table's easting/northing columns by latitude/longitude (OSGB36 to WGS84, pyproj).

    Cells that are not metres within Great Britain's grid become errors naming their row and column.
    """
    found = grid_columns(raw)
    if found is None:
        return []
    east, north = found
    issues: list[Issue] = []
    eastings = _metres(raw, east, "easting", issues)
    northings = _metres(raw, north, "northing", issues)
    both = [
        i for i, (e, n) in enumerate(zip(eastings, northings, strict=True)) if e is not None and n is not None
    ]
    from pyproj import Transformer  # only files with grid references pay for loading PROJ

    to_degrees = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lons, lats = to_degrees.transform([eastings[i] for i in both], [northings[i] for i in both])
    latitude: list[Any] = [""] * len(raw.rows)
    longitude: list[Any] = [""] * len(raw.rows)
    for i, lat, lon in zip(both, lats, lons, strict=True):
        latitude[i], longitude[i] = round(lat, 6), round(lon, 6)
    raw.headers[east], raw.headers[north] = "longitude", "latitude"
    columns = list(raw.columns)
    columns[east], columns[north] = longitude, latitude
    raw.columns = columns
    return issues


def _metres(raw: RawTable, index: int, name: str, issues: list[Issue]) -> list[float | None]:
    values: list[float | None] = []
    header = raw.headers[index]
    for row, cell in zip(raw.rows, _column(raw, index), strict=True):
        text = str(cell).strip().replace(",", "") if cell is not None else ""
        if not text:
            values.append(None)
            continue
        try:
            metres = float(text)
        except ValueError:
            metres = math.nan
        if not 0 <= metres <= _LIMITS[name]:
            message = f"{name} must be metres on the British National Grid (0 to {_LIMITS[name]:,.0f})"
            issues.append(Issue(raw.file, raw.sheet, row, header, str(cell), message))
            values.append(None)
        else:
            values.append(metres)
    return values


def _column(raw: RawTable, index: int) -> Sequence[Any]:
    return raw.columns[index] if index < len(raw.columns) else [""] * len(raw.rows)
