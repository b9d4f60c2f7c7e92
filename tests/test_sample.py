"""The bundled Staffordshire sample: deterministic, in step with its generator and README, as planted."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import netaddr
import networkx as nx
import pytest
from python_calamine import CalamineWorkbook

from psninv.analysis.geo import haversine_km
from psninv.graph import build_graph, core_sites
from psninv.inventory import Inventory
from psninv.model import (
    ENTITY_TABLES,
    Criticality,
    LinkStatus,
    Medium,
    Role,
    Sector,
    join_srlg,
    srlg_tags,
)
from psninv.records import COLUMNS, Kind

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inventory" / "staffordshire.xlsx"
README = ROOT / "inventory" / "README.md"
RFC1918 = [netaddr.IPNetwork(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
DISTRICTS = {
    "Cannock Chase", "East Staffordshire", "Lichfield", "Newcastle-under-Lyme", "South Staffordshire",
    "Stafford", "Staffordshire Moorlands", "Tamworth",
}


def _load_generator() -> ModuleType:
    path = ROOT / "scripts" / "generate_inventory.py"
    spec = importlib.util.spec_from_file_location("generate_inventory", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the module is being executed.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def sample() -> Inventory:
    """The default sample, generated afresh."""
    return gen.generate()


@pytest.fixture(scope="module")
def graph(sample: Inventory) -> nx.MultiGraph:
    """The sample's graph of active circuits."""
    return build_graph(sample)


def _km(inventory: Inventory, a: str, b: str) -> float:
    sa, sb = inventory.sites[a], inventory.sites[b]
    return haversine_km(sa["latitude"], sa["longitude"], sb["latitude"], sb["longitude"])


def _active(inventory: Inventory) -> dict[str, dict]:
    return {cid: row for cid, row in inventory.links.items() if row["status"] == LinkStatus.ACTIVE.value}


def _overlapping_prefixes(inventory: Inventory) -> set[frozenset[tuple[str, str]]]:
    by_vrf: dict[str, list[tuple[netaddr.IPNetwork, tuple[str, str]]]] = defaultdict(list)
    for key in inventory.prefixes:
        by_vrf[key[1]].append((netaddr.IPNetwork(key[0]), key))
    found = set()
    for items in by_vrf.values():
        items.sort(key=lambda item: (item[0].first, -item[0].last))
        # A sweep by first address: a block overlaps an earlier one only if that one reaches past its start.
        open_blocks: list[tuple[netaddr.IPNetwork, tuple[str, str]]] = []
        for network, key in items:
            open_blocks = [(n, k) for n, k in open_blocks if n.last >= network.first]
            found.update(frozenset((k, key)) for _, k in open_blocks)
            open_blocks.append((network, key))
    return found


def _check_references(inventory: Inventory) -> None:
    tenants, sites = inventory.tenants, inventory.sites
    for code, row in tenants.items():
        assert row["code"] == code and Sector(row["sector"])
    for code, row in sites.items():
        assert row["code"] == code
        assert row["tenant"] in tenants
        assert all(t in tenants and t != row["tenant"] for t in row["occupants"])
        assert row["occupants"] == sorted(row["occupants"])
        assert Role(row["role"]) and Criticality(row["criticality"])
        assert -90 <= row["latitude"] <= 90 and -180 <= row["longitude"] <= 180
        assert row["demand_mbps"] >= 0
    for cid, row in inventory.links.items():
        assert row["circuit_id"] == cid
        assert row["a_site"] in sites and row["b_site"] in sites and row["a_site"] != row["b_site"]
        assert row["tenant"] in tenants
        assert Medium(row["medium"]) and LinkStatus(row["status"])
        assert isinstance(row["contract_end"], dt.date)
        assert dt.date(2026, 1, 1) <= row["contract_end"] <= dt.date(2031, 12, 31)
        assert row["srlg"] is None or row["srlg"] == join_srlg(srlg_tags(row["srlg"]))
        assert row["bandwidth_mbps"] > 0 and row["annual_cost_gbp"] > 0
    for (prefix, vrf), row in inventory.prefixes.items():
        assert (row["prefix"], row["vrf"]) == (prefix, vrf)
        assert str(netaddr.IPNetwork(prefix).cidr) == prefix
        assert any(netaddr.IPNetwork(prefix) in block for block in RFC1918)
        assert row["site"] in sites and row["tenant"] in tenants


# --------------------------------------------------------------------------------------------------
# Determinism and the bundled files
# --------------------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_inventory(sample: Inventory) -> None:
    assert gen.generate() == sample
    assert gen.generate(seed=7) != sample


def test_planted_features_do_not_depend_on_the_seed_or_the_size(sample: Inventory) -> None:
    for other in (gen.generate(seed=7), gen.generate(sites=120, seed=3)):
        for site in gen.PLANTED_SITES:
            assert other.sites[site.code] == sample.sites[site.code]
        for link in gen.PLANTED_LINKS:
            assert other.links[link.circuit_id] == sample.links[link.circuit_id]
        for prefix, vrf, *_ in gen.PLANTED_PREFIXES:
            assert other.prefixes[(prefix, vrf)] == sample.prefixes[(prefix, vrf)]


def test_the_workbook_is_byte_identical_from_run_to_run(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert gen.main(["-o", str(first)]) == 0
    assert gen.main(["-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def _expected_cell(kind: Kind, value: object) -> object:
    # Lists are written joined by '; ', empty cells read back as '', numbers as floats.
    if kind is Kind.REFS:
        value = "; ".join(value or ())  # type: ignore[call-overload]
    elif kind is Kind.TAGS:
        value = "; ".join(srlg_tags(value))  # type: ignore[arg-type]
    if value is None:
        return ""
    if kind is Kind.NUMBER:
        return float(value)  # type: ignore[arg-type]
    return value


def test_the_bundled_workbook_holds_exactly_what_the_generator_makes(sample: Inventory) -> None:
    workbook = CalamineWorkbook.from_path(str(SAMPLE))
    assert workbook.sheet_names == ["tenants", "sites", "links", "prefixes"]
    for entity, rows in sample.entities():
        columns = COLUMNS[entity]
        table = workbook.get_sheet_by_name(entity).to_python(skip_empty_area=False)
        assert table[0][: len(columns)] == [column.name for column in columns]
        assert len(table) - 1 == len(rows)
        for row, cells in zip(rows.values(), table[1:], strict=True):
            expected = [_expected_cell(column.kind, row.get(column.name)) for column in columns]
            assert list(cells[: len(columns)]) == expected


def test_the_readme_matches_the_generator(sample: Inventory) -> None:
    assert README.read_text(encoding="utf-8") == gen.render_readme(sample)


# --------------------------------------------------------------------------------------------------
# Shape
# --------------------------------------------------------------------------------------------------


def test_rows_carry_exactly_the_database_columns(sample: Inventory) -> None:
    for entity, rows in sample.entities():
        columns = {column.name for column in ENTITY_TABLES[entity].columns}
        if entity == "sites":
            columns.add("occupants")
        assert all(set(row) == columns for row in rows.values())


def test_every_reference_is_valid(sample: Inventory) -> None:
    _check_references(sample)


def test_counts_and_figures_are_in_range(sample: Inventory) -> None:
    sites, links = sample.sites, sample.links
    assert len(sites) == 200
    districts = defaultdict(int)
    for site in sites.values():
        districts[site["district"]] += 1
        assert 52.4 < site["latitude"] < 53.3 and -2.5 < site["longitude"] < -1.5
    assert set(districts) == DISTRICTS and min(districts.values()) >= 10
    sectors = {row["sector"] for row in sample.tenants.values()}
    assert {"local-government", "health", "police", "fire", "education"} <= sectors
    assert len(sample.tenants) >= 15
    assert 1.2 <= len(links) / len(sites) <= 1.8
    statuses = defaultdict(int)
    for row in links.values():
        statuses[row["status"]] += 1
    assert statuses["planned"] >= 1 and statuses["ceased"] >= 1
    dcs = [code for code, site in sites.items() if site["role"] == Role.DATACENTRE.value]
    assert len(dcs) == 2 and _km(sample, *dcs) > 25
    for district in DISTRICTS:
        hubs = [s for s in sites.values() if s["role"] == "hub" and s["district"] == district]
        assert 1 <= sum(1 for hub in hubs if hub["tenant"] == "SCC") <= 2
    for row in _active(sample).values():
        roles = {sites[row["a_site"]]["role"], sites[row["b_site"]]["role"]}
        if "access" in roles:
            assert 10 <= row["bandwidth_mbps"] <= 1000 and 1500 <= row["annual_cost_gbp"] <= 12000
        else:
            assert row["bandwidth_mbps"] >= 1000 and 15000 <= row["annual_cost_gbp"] <= 60000
    for site in sites.values():
        if site["role"] == "access":
            assert 20 <= site["demand_mbps"] <= 600
    assert any(site["occupants"] for site in sites.values())
    assert any(vrf for _, vrf in sample.prefixes)


# --------------------------------------------------------------------------------------------------
# The planted features, checked straight on the graph
# --------------------------------------------------------------------------------------------------


def test_planted_single_homed_sites_have_one_neighbour_over_a_bridge(sample: Inventory, graph) -> None:
    bridges = {frozenset(edge) for edge in nx.bridges(graph)}
    for code in gen.SINGLE_HOMED:
        assert len(set(graph.neighbors(code))) == 1 and graph.degree(code) == 1
        (neighbour,) = graph.neighbors(code)
        assert frozenset((code, neighbour)) in bridges
    assert sample.sites["CAN-CCH"]["criticality"] == "high"
    # Two circuits to one hub: single-homed all the same, but not a bridge.
    code = gen.SINGLE_NEIGHBOUR
    assert set(graph.neighbors(code)) == {"LIC-HUB"} and graph.degree(code) == 2
    assert frozenset((code, "LIC-HUB")) not in bridges


def test_the_moorlands_hub_is_a_cut_site_for_its_district(sample: Inventory, graph) -> None:
    simple = nx.Graph(graph)
    assert gen.CUT_HUB in set(nx.articulation_points(simple))
    cut = gen.cut_off_by(sample, [gen.CUT_HUB])
    moorlands = [code for code in cut if sample.sites[code]["district"] == "Staffordshire Moorlands"]
    assert len(moorlands) >= 5
    assert len({sample.sites[code]["tenant"] for code in moorlands}) >= 2


def _cut_by_one_circuit(sample: Inventory) -> set[str]:
    vulnerable: set[str] = set()
    for cid in _active(sample):
        vulnerable.update(gen.cut_off_by(sample, [cid]))
    return vulnerable


def test_only_the_planted_hospital_is_cut_by_a_shared_risk(sample: Inventory) -> None:
    links = _active(sample)
    tagged = [cid for cid in links if gen.SHARED_RISK_TAG in srlg_tags(links[cid]["srlg"])]
    hospital = [cid for cid in links if gen.SHARED_RISK_SITE in (links[cid]["a_site"], links[cid]["b_site"])]
    assert len(hospital) == 2 and set(hospital) <= set(tagged)
    assert sample.sites[gen.SHARED_RISK_SITE]["criticality"] == "critical"
    vulnerable = _cut_by_one_circuit(sample)
    tags = sorted({tag for row in links.values() for tag in srlg_tags(row["srlg"])})
    found = {}
    for tag in tags:
        failed = [cid for cid, row in links.items() if tag in srlg_tags(row["srlg"])]
        cut = set(gen.cut_off_by(sample, failed)) - vulnerable
        if cut:
            found[tag] = cut
    assert found == {gen.SHARED_RISK_TAG: {gen.SHARED_RISK_SITE}}
    for provider in sorted({row["provider"] for row in links.values()}):
        failed = [cid for cid, row in links.items() if row["provider"] == provider]
        assert set(gen.cut_off_by(sample, failed)) <= vulnerable, provider


def _disjoint_paths(graph: nx.MultiGraph, site: str, *, distinct_cores: bool) -> int:
    flow = nx.DiGraph()
    for a, b in graph.edges():
        for u, v in ((a, b), (b, a)):
            capacity = flow.get_edge_data(u, v, {"capacity": 0})["capacity"]
            flow.add_edge(u, v, capacity=capacity + 1)
    for core in core_sites(graph):
        flow.add_edge(core, "SINK", capacity=1 if distinct_cores else len(graph))
    return int(nx.maximum_flow_value(flow, site, "SINK"))


def test_only_the_planted_sites_fall_below_the_default_policy(sample: Inventory, graph) -> None:
    short = set()
    for code, site in sample.sites.items():
        if site["role"] in ("core", "datacentre"):
            continue
        if site["criticality"] == "critical" and _disjoint_paths(graph, code, distinct_cores=True) < 2:
            short.add(code)
        needs_two = site["criticality"] in ("critical", "high")
        if needs_two and _disjoint_paths(graph, code, distinct_cores=False) < 2:
            short.add(code)
    # EST-QHB meets the path counts; the shared exchange (tested above) is what puts it below policy.
    assert short == {"CAN-CCH"}
    assert set(gen.BELOW_POLICY) == {"CAN-CCH", gen.SHARED_RISK_SITE}


def test_only_the_planted_groups_are_co_located(sample: Inventory) -> None:
    close = set()
    for a, b in itertools.combinations(sample.sites, 2):
        if _km(sample, a, b) <= 0.1:
            close.add(frozenset((a, b)))
    planted = {frozenset(pair) for group in gen.CO_LOCATED for pair in itertools.combinations(group, 2)}
    assert close == planted
    for group in gen.CO_LOCATED:
        assert len({sample.sites[code]["tenant"] for code in group}) == len(group)
        for code in group:
            tenant = sample.sites[code]["tenant"]
            paid = [row for row in _active(sample).values() if row["tenant"] == tenant]
            assert any(code in (row["a_site"], row["b_site"]) for row in paid)
    assert max(len(group) for group in gen.CO_LOCATED) == 3


def test_the_planted_neighbours_renew_within_a_year(sample: Inventory) -> None:
    a, b = gen.RENEWAL
    assert _km(sample, a, b) <= 2 and sample.sites[a]["tenant"] != sample.sites[b]["tenant"]
    ends = [row["contract_end"] for row in _active(sample).values() if row["a_site"] in (a, b)]
    assert len(ends) == 2 and abs((ends[0] - ends[1]).days) <= 366


def test_only_the_planted_prefixes_overlap(sample: Inventory) -> None:
    planted = {frozenset(pair) for pair in gen.IP_OVERLAPS}
    assert _overlapping_prefixes(sample) == planted
    for a, b in gen.IP_OVERLAPS:
        assert netaddr.IPNetwork(a[0]) in netaddr.IPNetwork(b[0]) or \
            netaddr.IPNetwork(b[0]) in netaddr.IPNetwork(a[0])
        assert sample.prefixes[a]["tenant"] != sample.prefixes[b]["tenant"]
    in_vrf, in_global = gen.VRF_NON_OVERLAP
    assert in_vrf[0] == in_global[0] and in_vrf[1] != in_global[1]
    assert in_vrf in sample.prefixes and in_global in sample.prefixes


def test_only_the_planted_adjacent_prefixes_summarise(sample: Inventory) -> None:
    per_site: dict[tuple[str, str], list[netaddr.IPNetwork]] = defaultdict(list)
    for (prefix, vrf), row in sample.prefixes.items():
        per_site[(row["site"], vrf)].append(netaddr.IPNetwork(prefix))
    mergeable = {key for key, blocks in per_site.items() if len(netaddr.cidr_merge(blocks)) < len(blocks)}
    assert mergeable == {(gen.CIDR_MERGE_SITE, "")}
    merged = netaddr.cidr_merge([netaddr.IPNetwork(p) for p in gen.CIDR_MERGE])
    assert merged == [netaddr.IPNetwork("10.12.0.0/23")]


def test_only_the_planted_circuits_run_in_parallel(sample: Inventory) -> None:
    links = _active(sample)
    parallel = set()
    for (c1, r1), (c2, r2) in itertools.combinations(links.items(), 2):
        # Circuits shorter than the end distance join neighbours, not two places.
        shortest = min(_km(sample, r["a_site"], r["b_site"]) for r in (r1, r2))
        if r1["tenant"] == r2["tenant"] or shortest <= 0.5:
            continue
        for x, y in ((r2["a_site"], r2["b_site"]), (r2["b_site"], r2["a_site"])):
            if _km(sample, r1["a_site"], x) <= 0.5 and _km(sample, r1["b_site"], y) <= 0.5:
                parallel.add(frozenset((c1, c2)))
    assert parallel == {frozenset(gen.PARALLEL)}
    a, b = (links[cid] for cid in gen.PARALLEL)
    assert {a["a_site"], a["b_site"]} == {b["a_site"], b["b_site"]}


def test_the_tenant_hub_is_the_only_one_and_near_a_shared_hub(sample: Inventory, graph) -> None:
    sites = sample.sites
    own = []
    for code, site in sites.items():
        if site["role"] != "hub":
            continue
        served = {site["tenant"], *site["occupants"]}
        served |= {sites[n]["tenant"] for n in graph.neighbors(code) if sites[n]["role"] == "access"}
        if len(served) == 1:
            own.append(code)
    assert own == [gen.TENANT_HUB]
    assert _km(sample, gen.TENANT_HUB, gen.SHARED_HUB) <= 5
    assert sites[gen.TENANT_HUB]["tenant"] != sites[gen.SHARED_HUB]["tenant"]


def test_the_single_homed_library_has_a_neighbour_on_another_path(sample: Inventory, graph) -> None:
    site, partner = gen.MUTUAL_BACKUP
    (upstream,) = set(graph.neighbors(site))
    candidates = sorted(
        (_km(sample, site, other), other)
        for other in sample.sites
        if other not in (site, upstream)
        and sample.sites[other]["tenant"] != sample.sites[site]["tenant"]
        and upstream not in set(graph.neighbors(other))
        and _km(sample, site, other) <= 2
    )
    assert candidates and candidates[0][1] == partner
    assert len(set(graph.neighbors(partner))) >= 2


def test_only_the_planted_failure_overloads_a_circuit(sample: Inventory) -> None:
    assert gen.overloads(sample) == {}
    found = {cid: over for cid in _active(sample) if (over := gen.overloads(sample, [cid]))}
    assert list(found) == [gen.CAPACITY_FAILED]
    ((ends, (load, bandwidth)),) = found[gen.CAPACITY_FAILED].items()
    backup = sample.links[gen.CAPACITY_OVERLOADED]
    assert set(ends) == {backup["a_site"], backup["b_site"]}
    assert load > bandwidth == backup["bandwidth_mbps"]


# --------------------------------------------------------------------------------------------------
# Other sizes and the command line
# --------------------------------------------------------------------------------------------------


def test_a_larger_inventory_keeps_staffordshire_and_stays_consistent(sample: Inventory) -> None:
    big = gen.generate(sites=2000)
    assert len(big.sites) == 2000
    _check_references(big)
    for entity, rows in sample.entities():
        bigger = getattr(big, entity)
        assert all(bigger[key] == row for key, row in rows.items())
    assert nx.is_connected(build_graph(big))
    assert 1.3 <= len(big.links) / len(big.sites) <= 1.7
    assert len(big.tenants) > 3 * len(sample.tenants)
    assert _overlapping_prefixes(big) == {frozenset(pair) for pair in gen.IP_OVERLAPS}
    codes = [site["code"] for site in big.sites.values()]
    assert len(set(codes)) == len(codes)


def test_too_few_sites_for_the_planted_features_is_refused() -> None:
    smallest = len(gen.PLANTED_SITES)
    assert len(gen.generate(sites=smallest).sites) == smallest
    with pytest.raises(ValueError, match="at least"):
        gen.generate(sites=smallest - 1)


def test_the_command_line_writes_only_workbooks(tmp_path: Path) -> None:
    out = tmp_path / "small.xlsx"
    assert gen.main(["--sites", "80", "--seed", "5", "-o", str(out)]) == 0
    assert CalamineWorkbook.from_path(str(out)).get_sheet_by_name("sites").to_python()[80]
    with pytest.raises(SystemExit):
        gen.main(["-o", str(tmp_path / "sites.csv")])
