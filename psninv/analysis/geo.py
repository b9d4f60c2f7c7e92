"""Great-circle distances and a spatial grid for finding nearby sites without comparing all pairs."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class SpatialGrid:
    """Points bucketed in cells of about `cell_km`, so a radius search looks at nine cells, not all."""

    def __init__(self, points: Iterable[tuple[str, float, float]], cell_km: float):
        self.cell_km = max(cell_km, 0.001)
        self._lat_step = self.cell_km / 111.2
        self._cells: dict[tuple[int, int], list[tuple[str, float, float]]] = defaultdict(list)
        self._points: dict[str, tuple[float, float]] = {}
        for name, lat, lon in points:
            self._points[name] = (lat, lon)
            self._cells[self._cell(lat, lon)].append((name, lat, lon))

    def _lon_step(self, lat: float) -> float:
        return self._lat_step / max(math.cos(math.radians(lat)), 0.01)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        # Each latitude band gets its own longitude step, so cells stay roughly square.
        row = math.floor(lat / self._lat_step)
        band_lat = (row + 0.5) * self._lat_step
        return row, math.floor(lon / self._lon_step(band_lat))

    def near(self, lat: float, lon: float, radius_km: float) -> Iterator[tuple[str, float]]:
        """Each point within radius_km of (lat, lon), with its distance in km."""
        # Cells are about cell_km wide in both directions, so the same span covers rows and columns.
        span = math.ceil(radius_km / self.cell_km) + 1
        centre_row = math.floor(lat / self._lat_step)
        for row in range(centre_row - span, centre_row + span + 1):
            step = self._lon_step((row + 0.5) * self._lat_step)
            centre_col = math.floor(lon / step)
            for col in range(centre_col - span, centre_col + span + 1):
                for name, plat, plon in self._cells.get((row, col), ()):
                    distance = haversine_km(lat, lon, plat, plon)
                    if distance <= radius_km:
                        yield name, distance

    def neighbours(self, name: str, radius_km: float) -> Iterator[tuple[str, float]]:
        """Each other point within radius_km of the named point, with its distance in km."""
        lat, lon = self._points[name]
        for other, distance in self.near(lat, lon, radius_km):
            if other != name:
                yield other, distance
