"""Great-circle distances and a spatial grid for finding nearby sites without comparing all pairs."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import numpy as np

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
# Bounds are widened by this much (in degrees) so rounding never drops a point right on the radius.
_SLACK_DEG = 1e-9


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _lon_reach_deg(lat: float, radius_km: float) -> float:
    """The widest longitude offset of any point within radius_km of latitude lat; 180 near a pole."""
    rho = radius_km / EARTH_RADIUS_KM
    colat = math.radians(90 - abs(lat))
    if rho >= colat or rho >= math.pi / 2:
        return 180.0
    # The spherical cap's extreme meridians touch it where sin(dlon) = sin(rho) / cos(lat).
    return math.degrees(math.asin(min(1.0, math.sin(rho) / math.cos(math.radians(lat)))))


class SpatialGrid:
    """Points bucketed in cells of about `cell_km`, so a radius search looks at nearby cells, not all.

    Rows are bands of latitude; each band has its own longitude step so cells stay roughly square.
    Searches are exact (every point within the radius, none beyond), across the antimeridian and
    near the poles too.
    """

    def __init__(self, points: Iterable[tuple[str, float, float]] = (), cell_km: float = 1.0):
        self.cell_km = max(cell_km, 0.001)
        self._lat_step = self.cell_km / KM_PER_DEGREE
        self._rows: dict[int, dict[int, dict[str, tuple[float, float]]]] = {}
        self._points: dict[str, tuple[float, float]] = {}
        for name, lat, lon in points:
            self.add(name, lat, lon)

    def __len__(self) -> int:
        return len(self._points)

    def __contains__(self, name: object) -> bool:
        return name in self._points

    def _lon_step(self, row: int) -> float:
        band_lat = min(90.0, max(-90.0, (row + 0.5) * self._lat_step))
        return self._lat_step / max(math.cos(math.radians(band_lat)), 0.01)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        row = math.floor(lat / self._lat_step)
        return row, math.floor(lon / self._lon_step(row))

    def add(self, name: str, lat: float, lon: float) -> None:
        """Add a point (or move it, if the name is already there)."""
        if name in self._points:
            self.remove(name)
        self._points[name] = (lat, lon)
        row, col = self._cell(lat, lon)
        self._rows.setdefault(row, {}).setdefault(col, {})[name] = (lat, lon)

    def remove(self, name: str) -> None:
        """Take a point out; unknown names are ignored."""
        point = self._points.pop(name, None)
        if point is None:
            return
        row, col = self._cell(*point)
        cells = self._rows[row]
        del cells[col][name]
        if not cells[col]:
            del cells[col]
            if not cells:
                del self._rows[row]

    def position(self, name: str) -> tuple[float, float]:
        """The (lat, lon) of a named point."""
        return self._points[name]

    def near(self, lat: float, lon: float, radius_km: float) -> Iterator[tuple[str, float]]:
        """Each point within radius_km of (lat, lon), with its distance in km."""
        reach_lat = radius_km / KM_PER_DEGREE + _SLACK_DEG
        reach_lon = _lon_reach_deg(lat, radius_km) + _SLACK_DEG
        first_row = math.floor(max(-90.0, lat - reach_lat) / self._lat_step)
        last_row = math.floor(min(90.0, lat + reach_lat) / self._lat_step)
        for row in range(first_row, last_row + 1):
            cells = self._rows.get(row)
            if not cells:
                continue
            if reach_lon >= 180:
                columns: Iterable[int] = list(cells)
            else:
                step = self._lon_step(row)
                wanted: set[int] = set()
                # Longitudes wrap at ±180, so a search that crosses the antimeridian also looks 360° away.
                for shift in (0.0, -360.0, 360.0):
                    low, high = lon + shift - reach_lon, lon + shift + reach_lon
                    if high < -180.0 or low > 180.0:
                        continue
                    wanted.update(range(math.floor(low / step), math.floor(high / step) + 1))
                columns = wanted if len(wanted) < len(cells) else list(cells)
            for col in columns:
                cell = cells.get(col)
                if not cell:
                    continue
                for name, (plat, plon) in cell.items():
                    distance = haversine_km(lat, lon, plat, plon)
                    if distance <= radius_km:
                        yield name, distance

    def neighbours(self, name: str, radius_km: float) -> Iterator[tuple[str, float]]:
        """Each other point within radius_km of the named point, with its distance in km."""
        lat, lon = self._points[name]
        for other, distance in self.near(lat, lon, radius_km):
            if other != name:
                yield other, distance

    def pairs(self, radius_km: float) -> Iterator[tuple[str, str, float]]:
        """Each unordered pair of points within radius_km of each other, once, as (a, b, km) with a < b."""
        for name, (lat, lon) in self._points.items():
            for other, distance in self.near(lat, lon, radius_km):
                if name < other:
                    yield name, other, distance


def pairs_within(
    latitudes: np.ndarray, longitudes: np.ndarray, radius_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of points within radius_km of each other, once, as arrays (i, j, km) with i < j.

    Vectorised over a uniform grid of cells at least radius_km across: each cell is compared with
    itself and four of its eight neighbours, so the work grows with the points and the pairs near
    each other, never with the square of the points. Points with a NaN coordinate are left out.
    Distances use haversine_km's formula.
    """
    lat = np.asarray(latitudes, dtype=np.float64)
    lon = np.asarray(longitudes, dtype=np.float64)
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
    known = np.flatnonzero(~(np.isnan(lat) | np.isnan(lon)))
    if known.size < 2:
        return empty
    radius_km = max(float(radius_km), 0.0)
    lat_step = max(radius_km, 1e-6) / KM_PER_DEGREE + _SLACK_DEG
    # Columns are as wide as the widest longitude reach at the most poleward point (plus a row), and
    # divide 360° exactly, so a neighbour is never more than one column away, across ±180° too.
    top = min(90.0, float(np.abs(lat[known]).max()) + lat_step)
    reach = max(_lon_reach_deg(top, radius_km) + _SLACK_DEG, 1e-9)
    columns = math.floor(360.0 / reach)
    # With fewer than three columns the east and west neighbours coincide: one column per row is simpler.
    columns = columns if columns >= 3 else 1
    lon_step = 360.0 / columns
    rows = np.floor((lat[known] + 90.0) / lat_step).astype(np.int64)
    cols = np.floor((lon[known] + 180.0) / lon_step).astype(np.int64) % columns
    keys = rows * columns + cols
    order = np.argsort(keys, kind="stable")
    points = known[order]
    sorted_keys = keys[order]
    first = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    cell_keys = sorted_keys[first]
    counts = np.diff(np.r_[first, sorted_keys.size])
    cell_rows, cell_cols = cell_keys // columns, cell_keys % columns

    found_i, found_j = [], []
    offsets = [(0, 0), (0, 1), (1, -1), (1, 0), (1, 1)] if columns > 1 else [(0, 0), (1, 0)]
    for drow, dcol in offsets:
        if (drow, dcol) == (0, 0):
            left = right = np.arange(cell_keys.size)
        else:
            wanted = (cell_rows + drow) * columns + (cell_cols + dcol) % columns
            at = np.searchsorted(cell_keys, wanted)
            hit = at < cell_keys.size
            hit[hit] = cell_keys[at[hit]] == wanted[hit]
            left, right = np.flatnonzero(hit), at[hit]
        if left.size == 0:
            continue
        # Every member of the left cell against every member of the right one, without a Python loop.
        n_left, n_right = counts[left], counts[right]
        sizes = n_left * n_right
        total = int(sizes.sum())
        if total == 0:
            continue
        block = np.repeat(np.arange(left.size), sizes)
        within = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        i = first[left][block] + within // n_right[block]
        j = first[right][block] + within % n_right[block]
        if (drow, dcol) == (0, 0):
            keep = i < j
            i, j = i[keep], j[keep]
        found_i.append(points[i])
        found_j.append(points[j])
    if not found_i:
        return empty
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    km = haversine_array(lat[i], lon[i], lat[j], lon[j])
    keep = km <= radius_km
    i, j, km = i[keep], j[keep], km[keep]
    swap = i > j
    i[swap], j[swap] = j[swap], i[swap].copy()
    return i, j, km


def haversine_array(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """haversine_km over arrays of coordinates, in kilometres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


class PointIndex:
    """Points in arrays by bands of latitude, sorted by longitude, for many radius searches at array speed.

    `within` finds exactly the points `SpatialGrid.near` finds (haversine_km <= radius): the few
    whose array distance lies within a hair of the radius are measured again with haversine_km.
    """

    BOUNDARY_KM = 1e-9
    """Array and scalar distances differ by far less than this: nearer the radius, the scalar decides."""

    def __init__(self, latitudes: np.ndarray, longitudes: np.ndarray, radius_km: float):
        self.lat = np.asarray(latitudes, dtype=np.float64)
        self.lon = np.asarray(longitudes, dtype=np.float64)
        self.radius_km = max(float(radius_km), 0.0)
        # Bands as tall as the radius: a search reads three of them.
        self._lat_step = max(self.radius_km, 1e-3) / KM_PER_DEGREE
        band = np.floor(self.lat / self._lat_step).astype(np.int64)
        order = np.lexsort((self.lon, band))
        self._bands: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if order.size:
            sorted_band = band[order]
            starts = np.flatnonzero(np.r_[True, sorted_band[1:] != sorted_band[:-1]])
            ends = np.r_[starts[1:], order.size]
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                members = order[start:end]
                self._bands[int(sorted_band[start])] = (self.lon[members], members)

    def within(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the points within the radius of (lat, lon), and their distances in km."""
        radius = self.radius_km
        reach_lat = radius / KM_PER_DEGREE + _SLACK_DEG
        reach_lon = _lon_reach_deg(lat, radius) + _SLACK_DEG
        first = math.floor(max(-90.0, lat - reach_lat) / self._lat_step)
        last = math.floor(min(90.0, lat + reach_lat) / self._lat_step)
        found: list[np.ndarray] = []
        for row in range(first, last + 1):
            band = self._bands.get(row)
            if band is None:
                continue
            lons, members = band
            if reach_lon >= 180:
                found.append(members)
                continue
            # Longitudes wrap at ±180, so a search that crosses the antimeridian also looks 360° away.
            for shift in (0.0, -360.0, 360.0):
                low, high = lon + shift - reach_lon, lon + shift + reach_lon
                if high < -180.0 or low > 180.0:
                    continue
                lo = int(np.searchsorted(lons, low, side="left"))
                hi = int(np.searchsorted(lons, high, side="right"))
                if hi > lo:
                    found.append(members[lo:hi])
        if not found:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        # Bands hold different points, and a band's shifted ranges never overlap (reach < 180°).
        points = np.concatenate(found) if len(found) > 1 else found[0]
        km = haversine_array(np.float64(lat), np.float64(lon), self.lat[points], self.lon[points])
        keep = km <= radius - self.BOUNDARY_KM
        edge = np.flatnonzero(~keep & (km <= radius + self.BOUNDARY_KM))
        for i in edge.tolist():
            keep[i] = haversine_km(lat, lon, float(self.lat[points[i]]), float(self.lon[points[i]])) <= radius
        return points[keep], km[keep]
