"""Where a verified remedy's new link goes: the array search chooses as a site-by-site search would."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from psninv import open_store, sample_path
from psninv.analysis.connectivity import analyse_structure, build_network
from psninv.analysis.geo import PointIndex, haversine_km
from psninv.analysis.policy import Policy
from psninv.analysis.redundancy import gaps
from psninv.analysis.tariff import Tariff
from psninv.analysis.verified import OTHER_TENANT_FACTOR, _groups, _Partners, short_sites
from psninv.inventory import Inventory
from psninv.io import import_files

CASES = [
    # (name, lat0, lon0, dlat, dlon, radius_km)
    ("county", 52.8, -2.0, 0.5, 0.8, 25.0),
    ("tiny radius", 52.8, -2.0, 0.3, 0.4, 0.1),
    ("far north", 78.0, 15.0, 2.0, 20.0, 60.0),
    ("antimeridian", 0.0, 180.0, 0.5, 0.5, 30.0),
    ("north pole", 89.9, 0.0, 0.2, 180.0, 30.0),
    ("south", -45.0, 170.0, 1.0, 1.0, 40.0),
]


@pytest.mark.parametrize(("name", "lat0", "lon0", "dlat", "dlon", "radius_km"), CASES)
def test_point_index_finds_exactly_the_brute_force_set(
    name: str, lat0: float, lon0: float, dlat: float, dlon: float, radius_km: float
) -> None:
    rng = random.Random(name)
    lats = np.array([max(-90.0, min(90.0, lat0 + rng.uniform(-dlat, dlat))) for _ in range(1500)])
    lons = np.array([(lon0 + rng.uniform(-dlon, dlon) + 180.0) % 360.0 - 180.0 for _ in range(1500)])
    index = PointIndex(lats, lons, radius_km)
    for i in range(80):
        lat, lon = float(lats[i]), float(lons[i])
        at, km = index.within(lat, lon)
        want = {j for j in range(lats.size) if haversine_km(lat, lon, lats[j], lons[j]) <= radius_km}
        assert set(at.tolist()) == want
        assert len(at) == len(want)  # each point once
        for j, distance in zip(at.tolist(), km.tolist(), strict=True):
            assert distance == pytest.approx(haversine_km(lat, lon, lats[j], lons[j]), abs=1e-9)


def test_point_index_decides_points_on_the_radius_as_haversine_does() -> None:
    centre = (52.8, -2.0)
    rng = random.Random(7)
    lats = np.array([centre[0] + rng.uniform(-0.3, 0.3) for _ in range(400)])
    lons = np.array([centre[1] + rng.uniform(-0.3, 0.3) for _ in range(400)])
    # Radii exactly some points' distances: those points lie on the boundary and must be found.
    for j in range(0, 400, 37):
        radius = haversine_km(*centre, lats[j], lons[j])
        at, _km = PointIndex(lats, lons, radius).within(*centre)
        want = {k for k in range(400) if haversine_km(*centre, lats[k], lons[k]) <= radius}
        assert j in want and set(at.tolist()) == want


def test_point_index_empty() -> None:
    at, km = PointIndex(np.empty(0), np.empty(0), 25.0).within(52.0, -2.0)
    assert at.size == 0 and km.size == 0


def _brute_best(finder: _Partners, region: int, members: list[str], tried: dict[str, set[str]]):
    """The rule site by site: nearest good site outside the part, not a neighbour nor tried, ties by code."""
    s, net = finder.s, finder.s.net
    ends, lo, hi = finder.part(region, members)
    done = set().union(*(tried.get(code, set()) for code in members))
    best = None
    for a in ends:
        neighbours = {net.other(e, a) for e in net.adj[a]}
        for b in finder.partners.tolist():
            if b == a or b in neighbours or lo <= s.disc[b] < hi or net.codes[b] in done:
                continue
            km = haversine_km(*finder.coords[a], *finder.coords[b])
            if km > finder.tariff.max_remedy_km:
                continue
            same = net.sites[a].get("tenant") == net.sites[b].get("tenant")
            key = (km * (1 if same else OTHER_TENANT_FACTOR), net.codes[a], net.codes[b])
            if best is None or key < best[0]:
                best = (key, a, b)
    return None if best is None else (best[1], best[2])


@pytest.mark.parametrize("max_km", [5.0, 25.0, 60.0])
def test_partners_choose_as_the_site_by_site_rule_on_the_sample(tmp_path, max_km: float) -> None:
    db = str(tmp_path / "sample.db")
    with open_store(db, actor="tester") as store:
        import_files(store, [sample_path()])
        inventory = store.load()
    s = analyse_structure(build_network(inventory))
    assert short_sites(gaps(inventory, Policy(), Tariff()), inventory)
    finder = _Partners(s, Tariff(max_remedy_km=max_km))
    # Every site's part, not only the three short of policy: the search is asked from everywhere.
    groups = _groups(s, set(inventory.sites))
    assert len(groups) > 100
    tried: dict[str, set[str]] = {}
    chosen = 0
    for region, members in groups.items():
        got = finder.best(region, members, tried)
        want = _brute_best(finder, region, members, tried)
        if want is None:
            assert isinstance(got, str)
            continue
        assert got[:2] == want
        assert got[2] == round(haversine_km(*finder.coords[want[0]], *finder.coords[want[1]]), 3)
        chosen += 1
        # A partner tried before (a link that fixed nothing) is never chosen again for these sites.
        for code in members:
            tried.setdefault(code, set()).add(s.net.codes[got[1]])
        again, want = finder.best(region, members, tried), _brute_best(finder, region, members, tried)
        assert (again if isinstance(again, str) else again[:2]) == (want or again)
        assert isinstance(again, str) or again[1] != got[1]
    assert chosen > 0


def test_equally_near_partners_go_to_the_lower_code() -> None:
    site = {"role": "access", "status": "active", "tenant": "COUNCIL"}
    inventory = Inventory()
    # Two cores at exactly the same distance either side of S1; the western one has the higher code.
    places = {"CORE-Z": (52.0, -1.7), "CORE-B": (52.0, -1.3), "HUB": (52.3, -1.5), "S1": (52.0, -1.5)}
    for code, (lat, lon) in places.items():
        role = "core" if code.startswith("CORE") else "hub" if code == "HUB" else "access"
        inventory.sites[code] = {**site, "code": code, "role": role, "latitude": lat, "longitude": lon}
    for cid, (a, b) in {"L1": ("CORE-Z", "CORE-B"), "L2": ("HUB", "CORE-Z"), "L3": ("HUB", "CORE-B"),
                        "L4": ("S1", "HUB")}.items():  # fmt: skip
        inventory.links[cid] = {"circuit_id": cid, "a_site": a, "b_site": b, "status": "active"}
    s = analyse_structure(build_network(inventory))
    finder = _Partners(s, Tariff())
    ((region, members),) = _groups(s, {"S1"}).items()
    a, b, km = finder.best(region, members, {})
    assert (s.net.codes[a], s.net.codes[b]) == ("S1", "CORE-B")
    assert km == round(haversine_km(52.0, -1.5, 52.0, -1.3), 3)
    assert math.isclose(haversine_km(52.0, -1.5, 52.0, -1.7), haversine_km(52.0, -1.5, 52.0, -1.3))
