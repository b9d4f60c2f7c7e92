"""`psninv diagram`: the sample's logical topology as SVG, draw.io and Graphviz, each holding every site."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from psninv.cli.app import get_cli
from psninv.diagram import layout, to_dot
from psninv.graph import is_active
from psninv.inventory import Inventory
from psninv.model import CORE_ROLES
from psninv.store import Store

SAMPLE = Path(__file__).resolve().parent.parent / "inventory" / "staffordshire.xlsx"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def sample(store: Store) -> Store:
    assert CliRunner().invoke(get_cli(), ["import", str(SAMPLE), "--db", store.url]).exit_code == 0
    return store


def draw(store: Store, path: Path, *extra: str) -> str:
    result = CliRunner().invoke(get_cli(), ["diagram", str(path), "--db", store.url, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def active_links(inventory: Inventory) -> int:
    return sum(
        1
        for link in inventory.links.values()
        if is_active(link) and link["a_site"] != link["b_site"]
    )


def test_the_svg_draws_every_site_active_circuit_and_district(sample: Store, tmp_path: Path) -> None:
    said = draw(sample, tmp_path / "net.svg")
    inventory = sample.load()
    root = ElementTree.parse(tmp_path / "net.svg").getroot()
    sites = [g for g in root.iter(f"{SVG}g") if "site" in g.get("class", "").split()]
    links = [line for line in root.iter(f"{SVG}line") if line.get("class") == "link"]
    districts = {g.find(f"{SVG}text").text for g in root.iter(f"{SVG}g") if g.get("class") == "district"}
    assert len(sites) == len(inventory.sites) == 200
    assert len(links) == active_links(inventory)
    sites_districts = {s["district"] for s in inventory.sites.values() if s.get("role") not in CORE_ROLES}
    assert districts == sites_districts
    assert f"200 sites, {len(links)} active circuits" in " ".join(said.split())
    assert not re.search(r"(?:href|src)=\"https?:", (tmp_path / "net.svg").read_text())


def test_cores_sit_above_hubs_and_hubs_above_their_access_sites(sample: Store) -> None:
    drawn = layout(sample.load())
    top_of = {tier: [n.y for n in drawn.nodes.values() if n.tier == tier] for tier in ("core", "hub")}
    assert max(top_of["core"]) < min(top_of["hub"])
    for group in drawn.groups:
        members = [n for n in drawn.nodes.values() if n.district == group.district]
        hubs = [n.y for n in members if n.tier == "hub"]
        access = [n.y for n in members if n.tier == "access"]
        if hubs and access:
            assert max(hubs) < min(access)
        for node in members:  # inside its district's box
            assert group.x <= node.x and node.y + 34 <= group.y + group.height


def test_the_drawio_file_has_a_shape_per_site_and_a_connector_per_circuit(sample: Store, tmp_path: Path):
    draw(sample, tmp_path / "net.drawio")
    inventory = sample.load()
    root = ElementTree.parse(tmp_path / "net.drawio").getroot()
    assert root.tag == "mxfile"
    cells = list(root.iter("mxCell"))
    vertices = [c for c in cells if c.get("vertex") == "1" and c.get("id", "").startswith("site-")]
    edges = [c for c in cells if c.get("edge") == "1"]
    ids = {c.get("id") for c in cells}
    assert len(vertices) == len(inventory.sites)
    assert len(edges) == active_links(inventory)
    assert all(e.get("source") in ids and e.get("target") in ids for e in edges)


def test_the_dot_file_clusters_districts_and_quotes_hostile_names(tmp_path: Path) -> None:
    inventory = Inventory(
        sites={
            "C": {"code": "C", "name": "Core", "role": "core"},
            "A": {"code": "A", "name": 'say "hi" \\ \x1b[2J', "role": "access", "district": "North"},
        },
        links={"L1": {"circuit_id": "L1", "a_site": "C", "b_site": "A", "status": "active"}},
    )
    text = to_dot(layout(inventory))
    assert "subgraph cluster_0" in text and 'label="North"' in text
    assert '"C" -- "A"' in text
    assert '\\"hi\\"' in text and "\x1b" not in text and "␛[2J" in text


def test_a_diagram_keeps_an_existing_file_without_force_and_refuses_unknown_endings(
    sample: Store, tmp_path: Path
) -> None:
    target = tmp_path / "net.svg"
    target.write_text("mine")
    result = CliRunner().invoke(get_cli(), ["diagram", str(target), "--db", sample.url])
    assert result.exit_code == 1 and "already exists" in result.output and target.read_text() == "mine"
    gif = CliRunner().invoke(get_cli(), ["diagram", str(tmp_path / "net.gif"), "--db", sample.url])
    assert gif.exit_code == 1 and ".svg, .png, .drawio or .dot" in gif.output


def test_a_png_diagram_is_a_picture_of_the_layout(sample: Store, tmp_path: Path) -> None:
    from PIL import Image

    from psninv.diagram import layout

    target = tmp_path / "net.png"
    result = CliRunner().invoke(get_cli(), ["diagram", str(target), "--db", sample.url])
    assert result.exit_code == 0, result.output
    drawn = layout(sample.load())
    with Image.open(target) as image:
        assert image.size == (round(drawn.width), round(drawn.height))
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    # The tiers' fills are there: core blue, hub green.
    present = {rgb for _count, rgb in colours}
    assert (0x1F, 0x4E, 0x79) in present and (0x2E, 0x7D, 0x32) in present
