"""Export: each format written to a real file and read back; formula safety; per-tenant subsets."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from psninv.inventory import Inventory
from psninv.io.columns import COLUMNS
from psninv.io.export import CSV_FILES, export_inventory, resolve_target
from psninv.io.formula import FORMULA_TRIGGERS, escape_csv_text, looks_like_formula, unescape_csv_text

DANGEROUS = ["=1+1", "+44 1785 276 000", "-x", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://e.vil\")"]
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TEXTY = [*DANGEROUS, "007", "0044", "1e5", "TRUE", "2024-01-01", "http://example.org", "'quoted"]


@pytest.fixture
def inventory(build) -> Inventory:
    """A small inventory with shared sites, leading-zero codes, formula-looking text and IPv6."""
    return build(
        tenants=[
            {"code": "SCC", "name": "Staffordshire County Council", "sector": "local-government"},
            {"code": "NHS", "name": "NHS Trust — Ünïcode", "sector": "health"},
            {"code": "007", "name": "=1+1", "sector": "police"},
            {"code": "FIRE", "name": "Fire and Rescue", "sector": "fire"},
        ],
        sites=[
            {"code": "HUB", "name": "County Hub", "tenant": "SCC", "role": "hub",
             "district": "Stafford", "latitude": 52.8066, "longitude": -2.1171,
             "criticality": "high", "demand_mbps": 500.0, "occupants": ["FIRE", "NHS"]},
            {"code": "0012", "name": "-Leek Library", "tenant": "SCC", "role": "access",
             "latitude": 53.1047, "longitude": -2.0263, "demand_mbps": 12.5},
            {"code": "NHS-1", "name": "Clinic", "tenant": "NHS", "role": "access",
             "postcode": "ST16 2DH"},
            {"code": "POL-1", "name": "Station", "tenant": "007", "role": "access",
             "latitude": 52.58, "longitude": -1.98},
        ],
        links=[
            {"circuit_id": "C-1", "a_site": "HUB", "b_site": "0012", "provider": "Kcom",
             "medium": "fibre", "bandwidth_mbps": 1000.0, "annual_cost_gbp": 4200.5,
             "contract_end": dt.date(2028, 3, 31), "tenant": "SCC",
             "srlg": "duct:A34;exchange:Stafford"},
            {"circuit_id": "C-2", "a_site": "NHS-1", "b_site": "HUB", "provider": "BT",
             "bandwidth_mbps": 100.0, "tenant": "NHS", "status": "planned"},
            {"circuit_id": "0099", "a_site": "POL-1", "b_site": "HUB", "provider": "@carrier",
             "contract_end": dt.date(2026, 1, 5)},
        ],
        prefixes=[
            {"prefix": "10.0.0.0/24", "vrf": "", "site": "HUB", "tenant": "SCC", "description": "LAN"},
            {"prefix": "10.0.0.0/24", "vrf": "nhs", "site": "NHS-1", "tenant": "NHS"},
            {"prefix": "2001:db8::/48", "vrf": "", "site": "0012", "description": "+v6"},
        ],
    )


def read_xlsx(path: Path) -> dict[str, list[list[object]]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def xlsx_part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


# --- xlsx --------------------------------------------------------------------------------------


def test_xlsx_has_the_import_sheets_headers_and_typed_values(inventory, tmp_path):
    written = export_inventory(inventory, tmp_path / "out.xlsx")
    assert written == tmp_path / "out.xlsx"
    sheets = read_xlsx(written)
    assert list(sheets) == list(COLUMNS)
    for entity, columns in COLUMNS.items():
        assert sheets[entity][0] == [column.name for column in columns]
    tenants = {row[0]: row for row in sheets["tenants"][1:]}
    assert set(tenants) == {"SCC", "NHS", "007", "FIRE"}
    assert tenants["007"] == ["007", "=1+1", "police"]
    sites = {row[0]: dict(zip(sheets["sites"][0], row, strict=True)) for row in sheets["sites"][1:]}
    assert sites["HUB"]["occupants"] == "FIRE; NHS"
    assert sites["HUB"]["latitude"] == 52.8066 and sites["HUB"]["longitude"] == -2.1171
    assert sites["0012"]["name"] == "-Leek Library"
    assert sites["NHS-1"]["latitude"] == ""
    links = {row[0]: dict(zip(sheets["links"][0], row, strict=True)) for row in sheets["links"][1:]}
    assert links["C-1"]["contract_end"] == dt.date(2028, 3, 31)
    assert links["C-1"]["bandwidth_mbps"] == 1000.0 and links["C-1"]["annual_cost_gbp"] == 4200.5
    assert links["C-1"]["srlg"] == "duct:A34; exchange:Stafford"
    assert links["0099"]["provider"] == "@carrier" and links["0099"]["status"] == "active"
    prefixes = [dict(zip(sheets["prefixes"][0], row, strict=True)) for row in sheets["prefixes"][1:]]
    assert {(p["prefix"], p["vrf"]) for p in prefixes} == {
        ("10.0.0.0/24", ""), ("10.0.0.0/24", "nhs"), ("2001:db8::/48", "")
    }


@pytest.mark.parametrize("text", TEXTY)
def test_xlsx_keeps_formula_looking_and_numeric_looking_text_as_text(build, tmp_path, text):
    inventory = build(tenants=[{"code": text, "name": text}])
    path = export_inventory(inventory, tmp_path / "t.xlsx")
    assert read_xlsx(path)["tenants"][1] == [text, text, ""]
    sheet = ElementTree.fromstring(xlsx_part(path, "xl/worksheets/sheet1.xml"))
    cells = [cell for cell in sheet.iter(f"{SHEET_NS}c") if cell.get("r") in ("A2", "B2")]
    assert len(cells) == 2
    for cell in cells:
        assert cell.get("t") in ("s", "inlineStr")  # a string, not a number or a formula's result
        assert cell.find(f"{SHEET_NS}f") is None
    assert sheet.find(f".//{SHEET_NS}hyperlinks") is None


def test_xlsx_marks_formula_looking_text_with_excels_quote_prefix(build, tmp_path):
    inventory = build(tenants=[{"code": "A", "name": "=1+1"}, {"code": "B", "name": "plain"}])
    path = export_inventory(inventory, tmp_path / "t.xlsx")
    styles = xlsx_part(path, "xl/styles.xml")
    assert 'quotePrefix="1"' in styles


def test_xlsx_round_trip_of_dates_before_excels_epoch_is_iso_text(build, tmp_path):
    inventory = build(
        sites=[{"code": "A"}, {"code": "B"}],
        links=[{"circuit_id": "OLD", "a_site": "A", "b_site": "B", "contract_end": dt.date(1899, 1, 2)}],
    )
    sheets = read_xlsx(export_inventory(inventory, tmp_path / "t.xlsx"))
    assert sheets["links"][1][7] == "1899-01-02"


def test_xlsx_refuses_text_longer_than_excel_holds_and_keeps_the_old_file(build, tmp_path):
    target = tmp_path / "out" / "t.xlsx"
    export_inventory(build(tenants=[{"code": "OK"}]), target)
    before = target.read_bytes()
    too_long = build(tenants=[{"code": "LONG", "name": "x" * 40_000}])
    with pytest.raises(ValueError, match="Excel's limit"):
        export_inventory(too_long, target, overwrite=True)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == ["t.xlsx"]  # no half-written file left


def test_empty_inventory_exports_headers_only(tmp_path):
    sheets = read_xlsx(export_inventory(Inventory(), tmp_path / "empty.xlsx"))
    assert {name: rows[1:] for name, rows in sheets.items()} == {name: [] for name in COLUMNS}
    folder = export_inventory(Inventory(), tmp_path / "empty")
    assert read_csv(folder / "links.csv") == [[column.name for column in COLUMNS["links"]]]


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_folder_has_one_utf8_file_per_entity_with_the_import_headers(inventory, tmp_path):
    folder = export_inventory(inventory, tmp_path / "out")
    assert folder == tmp_path / "out" and folder.is_dir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(CSV_FILES.values())
    for entity, columns in COLUMNS.items():
        raw = (folder / CSV_FILES[entity]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert read_csv(folder / CSV_FILES[entity])[0] == [column.name for column in columns]
    tenants = {row[0]: row for row in read_csv(folder / "tenants.csv")[1:]}
    assert tenants["NHS"][1] == "NHS Trust — Ünïcode"
    assert tenants["007"] == ["007", "'=1+1", "police"]


def test_csv_defuses_formula_text_but_never_numbers(inventory, tmp_path):
    folder = export_inventory(inventory, tmp_path / "out", fmt="csv")
    header, *rows = read_csv(folder / "sites.csv")
    sites = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert sites["0012"]["name"] == "'-Leek Library"
    assert sites["HUB"]["longitude"] == "-2.1171"  # a negative number is data, not a formula
    assert sites["HUB"]["demand_mbps"] == "500" and sites["0012"]["demand_mbps"] == "12.5"
    assert sites["HUB"]["occupants"] == "FIRE; NHS"
    header, *rows = read_csv(folder / "links.csv")
    links = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert links["0099"]["provider"] == "'@carrier"
    assert links["C-1"]["contract_end"] == "2028-03-31"
    assert links["C-1"]["annual_cost_gbp"] == "4200.5"
    header, *rows = read_csv(folder / "prefixes.csv")
    assert ["2001:db8::/48", "", "0012", "", "'+v6"] in rows
    for row in rows:
        for cell in row:
            assert not looks_like_formula(cell)


@pytest.mark.parametrize("text", TEXTY)
def test_csv_cells_never_start_with_a_formula_trigger_and_unescape_exactly(build, tmp_path, text):
    folder = export_inventory(build(tenants=[{"code": text, "name": text}]), tmp_path / "out")
    row = read_csv(folder / "tenants.csv")[1]
    assert not any(looks_like_formula(cell) for cell in row)
    assert [unescape_csv_text(cell) for cell in row] == [text, text, ""]


def test_an_existing_folder_gets_csv_files(inventory, tmp_path):
    folder = tmp_path / "existing.d"
    folder.mkdir()
    assert export_inventory(inventory, folder) == folder
    assert (folder / "sites.csv").is_file()


# --- formula escaping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("007", "007"), ("'plain", "'plain"), ("'=x", "''=x"), ("", ""), ("a=b", "a=b")],
)
def test_escape_csv_text(text, escaped):
    assert escape_csv_text(text) == escaped
    assert unescape_csv_text(escaped) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from([*FORMULA_TRIGGERS, "'", "a", "0", " ", "é"]), max_size=6))
def test_escaping_is_reversible_and_never_leaves_a_trigger_in_front(text):
    escaped = escape_csv_text(text)
    assert unescape_csv_text(escaped) == text
    assert not looks_like_formula(escaped)


# --- GraphML -----------------------------------------------------------------------------------


def test_graphml_has_sites_as_nodes_and_links_as_keyed_edges(inventory, tmp_path):
    path = export_inventory(inventory, tmp_path / "net.graphml")
    # networkx turns numeric-looking edge ids into ints unless told otherwise.
    graph = nx.read_graphml(path, force_multigraph=True, edge_key_type=str)
    assert graph.graph["generator"] == "psninv"
    assert not graph.is_directed()
    assert set(graph.nodes) == set(inventory.sites)
    hub = graph.nodes["HUB"]
    assert hub["occupants"] == "FIRE;NHS"
    assert hub["latitude"] == 52.8066 and hub["demand_mbps"] == 500.0
    assert hub["role"] == "hub" and "address" not in hub
    assert graph.nodes["0012"]["name"] == "-Leek Library"
    edges = {key: (u, v, data) for u, v, key, data in graph.edges(keys=True, data=True)}
    assert set(edges) == {"C-1", "C-2", "0099"}
    assert edges["0099"][2]["circuit_id"] == "0099"
    u, v, c1 = edges["C-1"]
    assert {u, v} == {"HUB", "0012"}
    assert (c1["a_site"], c1["b_site"]) == ("HUB", "0012")
    assert c1["contract_end"] == "2028-03-31"
    assert c1["srlg"] == "duct:A34;exchange:Stafford"
    assert c1["bandwidth_mbps"] == 1000.0 and c1["annual_cost_gbp"] == 4200.5
    assert "medium" not in edges["C-2"][2] and edges["C-2"][2]["status"] == "planned"
    assert "tenants" not in graph.graph and "prefixes" not in graph.graph


def test_graphml_keeps_parallel_circuits_apart(build, tmp_path):
    inventory = build(
        sites=[{"code": "A"}, {"code": "B"}],
        links=[{"circuit_id": "X1", "a_site": "A", "b_site": "B"},
               {"circuit_id": "X2", "a_site": "B", "b_site": "A"}],
    )
    graph = nx.read_graphml(export_inventory(inventory, tmp_path / "g.graphml"), force_multigraph=True)
    assert sorted(key for _, _, key in graph.edges(keys=True)) == ["X1", "X2"]
    assert graph.number_of_edges("A", "B") == 2


def test_graphml_drops_characters_xml_cannot_hold_and_stays_readable(build, tmp_path):
    inventory = build(tenants=[{"code": "T"}], sites=[{"code": "S", "name": "bad\x01name\x0bhere"}])
    graph = nx.read_graphml(export_inventory(inventory, tmp_path / "g.graphml"))
    assert graph.nodes["S"]["name"] == "badnamehere"


# --- GeoJSON -----------------------------------------------------------------------------------


def test_geojson_has_points_and_lines_in_lon_lat_order(inventory, tmp_path):
    path = export_inventory(inventory, tmp_path / "map.geojson")
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946: always WGS84, no crs member
    points = {f["properties"]["code"]: f for f in collection["features"]
              if f["geometry"]["type"] == "Point"}
    lines = {f["properties"]["circuit_id"]: f for f in collection["features"]
             if f["geometry"]["type"] == "LineString"}
    assert set(points) == {"HUB", "0012", "POL-1"}  # NHS-1 has no coordinates
    assert points["HUB"]["geometry"]["coordinates"] == [-2.1171, 52.8066]
    hub = points["HUB"]["properties"]
    assert hub["kind"] == "site" and hub["name"] == "County Hub" and hub["tenant"] == "SCC"
    assert hub["role"] == "hub" and hub["district"] == "Stafford" and hub["criticality"] == "high"
    assert hub["occupants"] == "FIRE;NHS"
    assert "latitude" not in hub and "longitude" not in hub
    assert set(lines) == {"C-1", "0099"}  # C-2 ends at NHS-1, which has no coordinates
    c1 = lines["C-1"]
    assert c1["geometry"]["coordinates"] == [[-2.1171, 52.8066], [-2.0263, 53.1047]]
    props = c1["properties"]
    assert props["kind"] == "link" and props["provider"] == "Kcom"
    assert props["bandwidth_mbps"] == 1000.0 and props["annual_cost_gbp"] == 4200.5
    assert props["contract_end"] == "2028-03-31" and props["tenant"] == "SCC"
    assert props["srlg"] == "duct:A34;exchange:Stafford" and props["status"] == "active"
    assert lines["0099"]["properties"]["tenant"] is None


# --- per tenant --------------------------------------------------------------------------------


def test_a_tenants_export_holds_only_its_part(inventory, tmp_path):
    subset = inventory.for_tenant("NHS")
    sheets = read_xlsx(export_inventory(subset, tmp_path / "nhs.xlsx"))
    keys = {entity: {tuple(row[:2]) if entity == "prefixes" else row[0] for row in rows[1:]}
            for entity, rows in sheets.items()}
    # NHS occupies HUB and owns NHS-1; every link touching them comes with both its ends.
    assert keys["sites"] == {"HUB", "NHS-1", "0012", "POL-1"}
    assert keys["links"] == {"C-1", "C-2", "0099"}
    # Only its own prefixes: never the county's LAN at the hub it shares, nor far ends' address plans.
    assert keys["prefixes"] == {("10.0.0.0/24", "nhs")}
    assert keys["tenants"] == {"NHS", "SCC", "007", "FIRE"}

    police = inventory.for_tenant("007")
    folder = export_inventory(police, tmp_path / "police")
    sites = {row[0] for row in read_csv(folder / "sites.csv")[1:]}
    assert sites == {"POL-1", "HUB"}
    assert {row[0] for row in read_csv(folder / "links.csv")[1:]} == {"0099"}
    assert read_csv(folder / "prefixes.csv")[1:] == []
    assert "2001:db8::/48" not in (folder / "prefixes.csv").read_text(encoding="utf-8")
    # The hub is a far end for the police: its owner shows, not who else is housed there.
    assert {row[0] for row in read_csv(folder / "tenants.csv")[1:]} == {"007", "SCC"}


# --- choosing the format -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "expected", "written"),
    [("a.xlsx", None, "xlsx", "a.xlsx"), ("A.XLSX", None, "xlsx", "A.XLSX"),
     ("g.graphml", None, "graphml", "g.graphml"), ("m.geojson", None, "geojson", "m.geojson"),
     ("folder", None, "csv", "folder"), ("book", "xlsx", "xlsx", "book.xlsx"),
     ("map", "GeoJSON", "geojson", "map.geojson"), ("x.csv", "csv", "csv", "x.csv"),
     ("data.bin", "xlsx", "xlsx", "data.bin")],
)
def test_resolve_target(tmp_path, name, fmt, expected, written):
    assert resolve_target(tmp_path / name, fmt) == (expected, tmp_path / written)


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [("a.xls", None, "cannot tell the export format"), ("a.txt", None, ".xlsx, .graphml or .geojson"),
     ("sites.csv", None, "folder"), ("a.xlsx", "pdf", "unknown export format")],
)
def test_unknown_formats_raise_a_clear_value_error(inventory, tmp_path, name, fmt, message):
    with pytest.raises(ValueError, match=message):
        export_inventory(inventory, tmp_path / name, fmt=fmt)
    assert not (tmp_path / name).exists()


def test_a_folder_cannot_take_a_file_format_nor_a_file_a_csv_export(inventory, tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        export_inventory(inventory, tmp_path / "dir", fmt="xlsx")
    (tmp_path / "plain").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        export_inventory(inventory, tmp_path / "plain", fmt="csv")


def test_export_creates_missing_parent_folders_and_replaces_old_files(inventory, tmp_path):
    target = tmp_path / "deep" / "er" / "out.xlsx"
    export_inventory(Inventory(), target)
    export_inventory(inventory, target, overwrite=True)
    assert len(read_xlsx(target)["sites"]) == 1 + len(inventory.sites)
    assert [p.name for p in target.parent.iterdir()] == ["out.xlsx"]
