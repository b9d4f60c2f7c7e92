"""Great-circle distances and the spatial grid, checked against brute force over every pair."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from psninv.analysis.geo import EARTH_RADIUS_KM, KM_PER_DEGREE, SpatialGrid, haversine_km, pairs_within


def _points(rng: random.Random, n: int, lat0: float, lon0: float, dlat: float, dlon: float):
    points = []
    for i in range(n):
        lat = max(-90.0, min(90.0, lat0 + rng.uniform(-dlat, dlat)))
        lon = (lon0 + rng.uniform(-dlon, dlon) + 180.0) % 360.0 - 180.0
        points.append((f"p{i:04d}", lat, lon))
    return points


def test_haversine_matches_known_distances() -> None:
    assert haversine_km(52.0, -2.0, 52.0, -2.0) == 0.0
    # One degree along a meridian is a 360th of the circumference.
    assert haversine_km(52.0, -2.0, 53.0, -2.0) == pytest.approx(KM_PER_DEGREE, rel=1e-12)
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM, rel=1e-12)
    assert haversine_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(KM_PER_DEGREE, rel=1e-9)
    assert haversine_km(0.0, 10.0, 90.0, -70.0) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM, rel=1e-12)
    # Along a parallel the arc is shorter than the parallel itself: chord geometry gives it exactly.
    lat = math.radians(60.0)
    chord = 2 * math.cos(lat) * math.sin(math.radians(1.0) / 2)
    assert haversine_km(60.0, 0.0, 60.0, 1.0) == pytest.approx(
        2 * EARTH_RADIUS_KM * math.asin(chord / 2), rel=1e-12
    )


CASES = [
    # (name, lat0, lon0, dlat, dlon, cell_km, radius_km)
    ("staffordshire", 52.8, -2.0, 0.3, 0.4, 0.1, 0.1),
    ("big radius, small cells", 52.8, -2.0, 0.5, 0.8, 0.1, 25.0),
    ("far north", 78.0, 15.0, 2.0, 20.0, 1.0, 60.0),
    ("antimeridian", 0.0, 180.0, 0.5, 0.5, 1.0, 30.0),
    ("north pole", 89.9, 0.0, 0.2, 180.0, 1.0, 30.0),
    ("south", -45.0, 170.0, 1.0, 1.0, 2.0, 40.0),
]


@pytest.mark.parametrize(("name", "lat0", "lon0", "dlat", "dlon", "cell_km", "radius_km"), CASES)
def test_grid_near_finds_exactly_the_brute_force_set(
    name: str, lat0: float, lon0: float, dlat: float, dlon: float, cell_km: float, radius_km: float
) -> None:
    rng = random.Random(name)
    points = _points(rng, 1200, lat0, lon0, dlat, dlon)
    grid = SpatialGrid(points, cell_km)
    for _name, lat, lon in points[:60]:
        got = dict(grid.near(lat, lon, radius_km))
        want = {other: haversine_km(lat, lon, olat, olon) for other, olat, olon in points}
        want = {other: km for other, km in want.items() if km <= radius_km}
        assert got == want


def test_grid_pairs_match_brute_force() -> None:
    rng = random.Random(7)
    points = _points(
        rng,
        800,
        52.8,
        -2.0,
        0.05,
        0.08,
    )
    grid = SpatialGrid(points, 0.05)
    radius = 0.3
    want = set()
    for i, (a, alat, alon) in enumerate(points):
        for b, blat, blon in points[i + 1 :]:
            if haversine_km(alat, alon, blat, blon) <= radius:
                want.add((min(a, b), max(a, b)))
    assert {(a, b) for a, b, _km in grid.pairs(radius)} == want


def test_grid_add_move_and_remove() -> None:
    grid = SpatialGrid(cell_km=0.5)
    grid.add("a", 52.0, -2.0)
    grid.add("b", 52.001, -2.0)
    assert {name for name, _ in grid.near(52.0, -2.0, 0.2)} == {"a", "b"}
    grid.add("b", 53.0, -2.0)  # moved away
    assert {name for name, _ in grid.near(52.0, -2.0, 0.2)} == {"a"}
    assert "b" in grid and len(grid) == 2
    grid.remove("a")
    grid.remove("missing")
    assert list(grid.near(52.0, -2.0, 0.2)) == []
    assert list(grid.neighbours("b", 1.0)) == []


@pytest.mark.parametrize(("name", "lat0", "lon0", "dlat", "dlon", "cell_km", "radius_km"), CASES)
def test_pairs_within_finds_exactly_the_brute_force_pairs(
    name: str, lat0: float, lon0: float, dlat: float, dlon: float, cell_km: float, radius_km: float
) -> None:
    rng = random.Random(f"pairs {name}")
    points = _points(rng, 700, lat0, lon0, dlat, dlon)
    lat = np.array([p[1] for p in points])
    lon = np.array([p[2] for p in points])
    i, j, km = pairs_within(lat, lon, radius_km)
    want = {
        (a, b): haversine_km(lat[a], lon[a], lat[b], lon[b])
        for a in range(len(points))
        for b in range(a + 1, len(points))
        if haversine_km(lat[a], lon[a], lat[b], lon[b]) <= radius_km
    }
    got = dict(zip(zip(i.tolist(), j.tolist(), strict=True), km.tolist(), strict=True))
    assert set(got) == set(want)
    assert all(got[pair] == pytest.approx(want[pair], rel=1e-12, abs=1e-12) for pair in want)
    assert len(got) == i.size  # each pair once


def test_pairs_within_skips_missing_coordinates_and_handles_one_spot() -> None:
    lat = np.array([52.0, np.nan, 52.0, 52.0])
    lon = np.array([-2.0, -2.0, np.nan, -2.0])
    i, j, km = pairs_within(lat, lon, 0.0)
    assert (i.tolist(), j.tolist(), km.tolist()) == ([0], [3], [0.0])
    assert pairs_within(np.array([1.0]), np.array([1.0]), 5.0)[0].size == 0
