"""Other tools' graphs: directed arcs folded, groups flattened, topohub keys, Latin-1, clashes, empty."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from click.testing import CliRunner

from psninv.analysis.connectivity import bridges_and_cut_sites
from psninv.cli.app import get_cli
from psninv.io.importer import import_files
from psninv.store import Store

EMPTY = {"tenants": 0, "sites": 0, "links": 0, "prefixes": 0}
# A path A-B-C, a triangle C-D-E and a tail E-F: six links, three of them bridges.
LINKS = [("A", "B"), ("B", "C"), ("C", "D"), ("D", "E"), ("E", "C"), ("E", "F")]


def graphml(path: Path, nodes: str, edges: list[tuple[str, str]], *, directed: bool, keys: str = "") -> Path:
    body = "".join(f'<edge source="{u}" target="{v}"/>' for u, v in edges)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        f'{keys}<graph id="G" edgedefault="{"directed" if directed else "undirected"}">{nodes}{body}</graph>'
        "</graphml>",
        encoding="utf-8",
    )
    return path


def plain_nodes(names: str) -> str:
    return "".join(f'<node id="{name}"/>' for name in names)


def messages(report) -> list[str]:
    return [str(issue) for issue in report.issues]


def test_directed_graph_with_both_arcs_per_link_gives_one_circuit_each(store: Store, tmp_path: Path) -> None:
    arcs = [arc for u, v in LINKS for arc in ((u, v), (v, u))]
    path = graphml(tmp_path / "gephi.graphml", plain_nodes("ABCDEF"), arcs, directed=True)

    report = import_files(store, [path])

    assert report.ok, messages(report)
    inventory = store.load()
    assert len(inventory.links) == 6
    assert {frozenset((link["a_site"], link["b_site"])) for link in inventory.links.values()} == {
        frozenset((f"gephi-{u}", f"gephi-{v}")) for u, v in LINKS
    }
    bridges, _cut_sites = bridges_and_cut_sites(inventory)
    assert len(bridges) == len(list(nx.bridges(nx.Graph(LINKS)))) == 3
    [note] = report.warnings
    assert (note.sheet, note.level) == ("edges", "warning")
    assert "6 pairs of opposite arcs read as one link each (6 links)" in note.message


def test_true_parallels_in_a_directed_graph_stay_parallel(store: Store, tmp_path: Path) -> None:
    # Two circuits A-B written with both arcs each, one circuit B-C written one way only.
    arcs = [("A", "B"), ("B", "A"), ("A", "B"), ("B", "A"), ("B", "C")]
    path = graphml(tmp_path / "par.graphml", plain_nodes("ABC"), arcs, directed=True)

    report = import_files(store, [path])

    assert report.ok, messages(report)
    assert set(store.load().links) == {"par-A-B-0", "par-A-B-1", "par-B-C-0"}
    assert "2 pairs of opposite arcs" in report.warnings[0].message


def test_an_undirected_graph_keeps_every_edge(store: Store, tmp_path: Path) -> None:
    path = graphml(tmp_path / "u.graphml", plain_nodes("AB"), [("A", "B"), ("B", "A")], directed=False)

    report = import_files(store, [path])

    assert report.ok and not report.issues
    assert len(store.load().links) == 2


def test_a_nested_graphml_is_flattened_and_its_group_is_not_a_site(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "yed.graphml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="d0" for="node" attr.name="label" attr.type="string"/>'
        '<graph id="G" edgedefault="undirected">'
        '<node id="n0"><data key="d0">Stafford</data></node>'
        '<node id="g1"><data key="d0">North</data>'
        '<graph id="g1:" edgedefault="undirected">'
        '<node id="g1::n0"><data key="d0">Leek</data></node>'
        '<node id="g1::n1"><data key="d0">Stoke</data></node>'
        '<edge source="g1::n0" target="g1::n1"/>'
        "</graph></node>"
        '<edge source="n0" target="g1::n0"/>'
        '<edge source="n0" target="g1"/>'
        "</graph></graphml>",
        encoding="utf-8",
    )

    report = import_files(store, [path])

    assert report.ok, messages(report)
    inventory = store.load()
    assert {code: site["name"] for code, site in inventory.sites.items()} == {
        "yed-n0": "Stafford",
        "yed-g1::n0": "Leek",
        "yed-g1::n1": "Stoke",
    }
    assert {(link["a_site"], link["b_site"]) for link in inventory.links.values()} == {
        ("yed-n0", "yed-g1::n0"),
        ("yed-g1::n0", "yed-g1::n1"),
    }
    warnings = messages(report)
    assert any("group node g1 not imported as sites" in w for w in warnings), warnings
    assert any("edge to group node g1 skipped" in w for w in warnings), warnings


def test_topohub_style_keys_give_names_and_coordinates(store: Store, tmp_path: Path) -> None:
    keys = (
        '<key id="n" for="node" attr.name="name" attr.type="string"/>'
        '<key id="la" for="node" attr.name="lat" attr.type="double"/>'
        '<key id="lo" for="node" attr.name="lon" attr.type="double"/>'
    )
    nodes = (
        '<node id="0"><data key="n">Stafford</data>'
        '<data key="la">52.81</data><data key="lo">-2.12</data></node>'
        '<node id="1"><data key="n">Leek</data><data key="la">53.1</data><data key="lo">-2.02</data></node>'
    )
    path = graphml(tmp_path / "hub.graphml", nodes, [("0", "1")], directed=False, keys=keys)

    report = import_files(store, [path])

    assert report.ok and not report.issues, messages(report)
    site = store.load().sites["hub-0"]
    assert (site["name"], site["latitude"], site["longitude"]) == ("Stafford", 52.81, -2.12)


def test_x_y_are_longitude_latitude_only_when_they_are_geographic(store: Store, tmp_path: Path) -> None:
    keys = (
        '<key id="x" for="node" attr.name="x" attr.type="double"/>'
        '<key id="y" for="node" attr.name="y" attr.type="double"/>'
    )
    geo = '<node id="0"><data key="x">-2.12</data><data key="y">52.81</data></node><node id="1"/>'
    drawn = '<node id="0"><data key="x">350.0</data><data key="y">120.0</data></node><node id="1"/>'
    graphml(tmp_path / "geo.graphml", geo, [("0", "1")], directed=False, keys=keys)
    graphml(tmp_path / "drawn.graphml", drawn, [("0", "1")], directed=False, keys=keys)

    report = import_files(store, [tmp_path / "geo.graphml", tmp_path / "drawn.graphml"])

    assert report.ok, messages(report)
    sites = store.load().sites
    assert (sites["geo-0"]["latitude"], sites["geo-0"]["longitude"]) == (52.81, -2.12)
    assert (sites["drawn-0"]["latitude"], sites["drawn-0"]["longitude"]) == (None, None)
    [warning] = report.warnings
    assert (Path(warning.file).name, warning.sheet) == ("drawn.graphml", "nodes")
    assert "x/y are not longitudes and latitudes" in warning.message


LATIN_1_GML = (
    'graph [\n  node [ id 0 label "Newcastle-under-Lyme Caf\xe9" ]\n  node [ id 1 label "Leek" ]\n'
    "  edge [ source 0 target 1 ]\n]\n"
)


def test_a_latin_1_gml_is_refused_with_advice_and_read_with_encoding(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "town.gml"
    path.write_bytes(LATIN_1_GML.encode("latin-1"))

    refused = import_files(store, [path])

    [error] = refused.errors
    assert Path(error.file).name == "town.gml"
    assert "not UTF-8 text (byte 0xe9" in error.message and "--encoding latin-1" in error.message
    assert store.load().counts() == EMPTY

    report = import_files(store, [path], encoding="latin-1")

    assert report.ok, messages(report)
    assert store.load().sites["town-0"]["name"] == "Newcastle-under-Lyme Caf\xe9"


def test_the_cli_honours_encoding_for_graph_files(tmp_path: Path) -> None:
    path = tmp_path / "town.graphml"
    path.write_bytes(
        (
            '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            '<key id="l" for="node" attr.name="label" attr.type="string"/>'
            '<graph edgedefault="undirected"><node id="0"><data key="l">Caf\xe9</data></node>'
            "</graph></graphml>"
        ).encode("latin-1")
    )
    db = str(tmp_path / "t.db")

    refused = CliRunner().invoke(get_cli(), ["import", str(path), "--db", db])
    assert refused.exit_code != 0 and "town.graphml" in refused.output

    result = CliRunner().invoke(get_cli(), ["import", str(path), "--db", db, "--encoding", "latin-1"])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(get_cli(), ["sites", "--db", db, "--format", "json"])
    assert "Caf\xe9" in listed.output


def test_an_empty_graph_is_refused(store: Store, tmp_path: Path) -> None:
    path = graphml(tmp_path / "empty.graphml", "", [], directed=False)

    report = import_files(store, [path])

    [error] = report.errors
    assert Path(error.file).name == "empty.graphml"
    assert error.message == "the GraphML graph has no nodes: nothing to import from it"
    assert store.load().counts() == EMPTY


def test_generated_circuit_id_clashes_are_refused_naming_the_edges(store: Store, tmp_path: Path) -> None:
    # "a-b" to "c" and "a" to "b-c" would both be circuit net-a-b-c-0.
    nodes = '<node id="a-b"/><node id="c"/><node id="a"/><node id="b-c"/>'
    path = graphml(tmp_path / "net.graphml", nodes, [("a-b", "c"), ("a", "b-c")], directed=False)

    report = import_files(store, [path])

    error = report.errors[0]  # the validator then finds the duplicate ids too
    assert (Path(error.file).name, error.sheet) == ("net.graphml", "edges")
    assert "edges at positions 1, 2 would all get the circuit id 'net-a-b-c-0'" in error.message
    assert store.load().counts() == EMPTY
