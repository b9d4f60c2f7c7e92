"""Importing graphs: Topology Zoo GraphML, GML with parallel edges, and psninv's own GraphML export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import pytest
from builders import write_rows
from conftest import TOPOLOGY_ZOO, Databases

from psninv.io.export import export_inventory
from psninv.io.importer import import_files
from psninv.store import Store, open_store

ZOO = {
    "Geant2012": (40, 61),
    "HiberniaUk": (15, 15),
    "JanetExternal": (12, 10),
    "Janetbackbone": (29, 45),
    "Janetlense": (20, 40),
    "KentmanJan2011": (38, 39),
}


def unversioned(rows: dict) -> dict:
    return {key: {k: v for k, v in row.items() if k != "version"} for key, row in rows.items()}


def test_the_expected_counts_are_what_networkx_reads_as_a_multigraph() -> None:
    for name, (nodes, edges) in ZOO.items():
        graph = nx.read_graphml(TOPOLOGY_ZOO / f"{name}.graphml", force_multigraph=True)
        assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges), name
    assert {path.stem for path in TOPOLOGY_ZOO.glob("*.graphml")} == set(ZOO)


@pytest.mark.parametrize("name", sorted(ZOO))
def test_every_zoo_file_imports_its_nodes_as_sites_and_edges_as_links(store: Store, name: str) -> None:
    path = TOPOLOGY_ZOO / f"{name}.graphml"

    report = import_files(store, [path])

    assert report.ok, [str(issue) for issue in report.issues]
    nodes, edges = ZOO[name]
    assert report.counts == {
        "sites": {"created": nodes, "updated": 0, "unchanged": 0},
        "links": {"created": edges, "updated": 0, "unchanged": 0},
    }
    inventory = store.load()
    assert all(code.startswith(f"{name}-") for code in inventory.sites)
    assert all(
        link["a_site"] in inventory.sites and link["b_site"] in inventory.sites
        for link in inventory.links.values()
    )

    again = import_files(store, [path])
    assert not again.changed and again.counts["links"]["unchanged"] == edges


def test_names_coordinates_speeds_and_parallel_edges_come_from_the_graph(store: Store) -> None:
    report = import_files(store, [TOPOLOGY_ZOO / "Janetlense.graphml"])

    assert report.ok
    inventory = store.load()
    site = inventory.sites["Janetlense-0"]
    assert (site["name"], site["latitude"], site["longitude"]) == ("Southampton Aggregation", 50.9, -1.4)
    # Two parallel circuits between the same nodes stay two links with their own ids.
    assert {"Janetlense-0-13-0", "Janetlense-0-13-1"} <= set(inventory.links)
    assert inventory.links["Janetlense-0-13-0"]["bandwidth_mbps"] == 1000.0  # LinkSpeedRaw 1e9 bit/s


def test_all_zoo_files_at_once_are_one_import(store: Store) -> None:
    report = import_files(store, sorted(TOPOLOGY_ZOO.glob("*.graphml")))

    assert report.ok
    assert store.load().counts() == {
        "tenants": 0,
        "sites": sum(n for n, _ in ZOO.values()),
        "links": sum(e for _, e in ZOO.values()),
        "prefixes": 0,
    }


def test_gml_with_parallel_edges_and_a_self_loop(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ring.gml"
    path.write_text(
        "graph [\n  directed 0\n"
        '  node [ id 0 label "Stafford" Latitude 52.8 Longitude -2.1 ]\n'
        '  node [ id 1 label "Leek" ]\n'
        "  edge [ source 0 target 1 LinkSpeedRaw 100000000 ]\n"
        "  edge [ source 0 target 1 ]\n"
        "  edge [ source 1 target 1 ]\n"
        "]\n",
        encoding="utf-8",
    )

    report = import_files(store, [path])

    assert report.ok, [str(issue) for issue in report.issues]
    assert [(issue.level, issue.sheet, issue.row) for issue in report.issues] == [("warning", "edges", 3)]
    inventory = store.load()
    assert inventory.sites["ring-0"]["name"] == "Stafford" and inventory.sites["ring-1"]["latitude"] is None
    assert set(inventory.links) == {"ring-0-1-0", "ring-0-1-1"}
    assert inventory.links["ring-0-1-0"]["bandwidth_mbps"] == 100.0


def test_psninv_graphml_export_reads_back_with_codes_circuit_ids_and_columns(
    databases: Databases, tmp_path: Path
) -> None:
    with open_store(databases.new(), actor="a") as source:
        write_rows(
            source,
            tenants=[{"code": "SCC"}, {"code": "NHS"}],
            sites=[
                {
                    "code": "007",
                    "name": "Leek",
                    "tenant": "SCC",
                    "role": "hub",
                    "latitude": 53.1,
                    "longitude": -2.0,
                    "occupants": ["NHS"],
                    "demand_mbps": 20.0,
                },
                {
                    "code": "HQ",
                    "name": "Stafford",
                    "tenant": "SCC",
                    "role": "core",
                    "criticality": "critical",
                },
            ],
            links=[
                {
                    "circuit_id": "KC-1",
                    "a_site": "HQ",
                    "b_site": "007",
                    "provider": "Kcom",
                    "medium": "fibre",
                    "bandwidth_mbps": 1000.0,
                    "annual_cost_gbp": 4200.0,
                    "contract_end": dt.date(2028, 3, 31),
                    "tenant": "NHS",
                    "srlg": "duct:A34;exchange:Leek",
                    "status": "planned",
                },
                {"circuit_id": "KC-2", "a_site": "007", "b_site": "HQ"},
            ],
        )
        original = source.load()
    path = export_inventory(original, tmp_path / "network.graphml")

    with open_store(databases.new(), actor="b") as target:
        write_rows(target, tenants=[{"code": "SCC"}, {"code": "NHS"}])
        report = import_files(target, [path])
        imported = target.load()

    assert report.ok, [str(issue) for issue in report.issues]
    for entity in ("sites", "links"):
        assert unversioned(getattr(imported, entity)) == unversioned(getattr(original, entity)), entity
