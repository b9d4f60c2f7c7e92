"""Export then import gives back the same inventory: random inventories through .xlsx and CSV folders."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from builders import write_rows
from conftest import Databases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netaddr import IPNetwork

from psninv.inventory import Inventory
from psninv.io.export import CSV_FILES, export_inventory
from psninv.io.importer import import_files
from psninv.model import Criticality, LinkStatus, Medium, Role, Sector, join_srlg
from psninv.store import open_store

# Codes keep leading zeros and may look like formulas or numbers; ';' and ',' separate lists.
CODE_CHARS = "ABCXYZabcxyz0123456789-_=+@'.é"
TEXT_SAMPLES = ["=1+1", "+44 1785 276000", "-Leek", "@SUM(A1)", "007", "1e5", "TRUE", "'quoted",
                "Staffordshire Place", "Tŷ Hafan", "Ünïcode — «test»", "日本語", "a; b, c"]

codes = st.text(alphabet=CODE_CHARS, min_size=1, max_size=8).filter(lambda code: code.strip() == code)
free_text = st.one_of(
    st.none(),
    st.sampled_from(TEXT_SAMPLES),
    st.text(
        alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp", "Co", "Cn")),
        min_size=1, max_size=20,
    ),
)
# Values with few significant digits, as real coordinates and costs have: Excel keeps 15 digits.
latitudes = st.one_of(st.none(), st.integers(-90_000_000, 90_000_000).map(lambda n: n / 1_000_000))
longitudes = st.one_of(st.none(), st.integers(-180_000_000, 180_000_000).map(lambda n: n / 1_000_000))
amounts = st.one_of(st.none(), st.integers(0, 10**9).map(lambda n: n / 100))
dates = st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
tags = st.text(alphabet="abcdefxyz0123456789:-_/", min_size=1, max_size=10)


def choice(enum: Any) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from([member.value for member in enum]))


def prefix_text(address: Any, length: int) -> str:
    return str(IPNetwork(f"{address}/{length}").cidr)


prefixes_v4 = st.builds(prefix_text, st.ip_addresses(v=4), st.integers(8, 32))
prefixes_v6 = st.builds(prefix_text, st.ip_addresses(v=6), st.integers(16, 128))


@st.composite
def inventories(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """Rows for write_rows: tenants, sites, links and prefixes that reference each other."""
    tenant_codes = draw(st.lists(codes, min_size=1, max_size=5, unique_by=str.casefold))
    site_codes = draw(st.lists(codes, min_size=2, max_size=6, unique_by=str.casefold))
    circuit_ids = draw(st.lists(codes, max_size=6, unique_by=str.casefold))
    tenant_ref = st.one_of(st.none(), st.sampled_from(tenant_codes))

    tenants = [{"code": code, "name": draw(free_text), "sector": draw(choice(Sector))}
               for code in tenant_codes]
    sites = []
    for code in site_codes:
        owner = draw(tenant_ref)
        others = [t for t in tenant_codes if t != owner]
        sites.append({
            "code": code, "name": draw(free_text), "tenant": owner,
            "occupants": sorted(draw(st.sets(st.sampled_from(others), max_size=3))) if others else [],
            "role": draw(choice(Role)), "address": draw(free_text), "postcode": draw(free_text),
            "district": draw(free_text), "latitude": draw(latitudes), "longitude": draw(longitudes),
            "criticality": draw(choice(Criticality)), "demand_mbps": draw(amounts),
        })
    links = []
    for circuit_id in circuit_ids:
        a_site, b_site = draw(st.lists(st.sampled_from(site_codes), min_size=2, max_size=2, unique=True))
        links.append({
            "circuit_id": circuit_id, "a_site": a_site, "b_site": b_site,
            "provider": draw(free_text), "medium": draw(choice(Medium)),
            "bandwidth_mbps": draw(amounts), "annual_cost_gbp": draw(amounts),
            "contract_end": draw(dates), "tenant": draw(tenant_ref),
            "srlg": join_srlg(draw(st.lists(tags, max_size=3))),
            "status": draw(st.sampled_from([member.value for member in LinkStatus])),
        })
    prefix_keys = draw(st.lists(
        st.tuples(st.one_of(prefixes_v4, prefixes_v6), st.sampled_from(["", "nhs", "police", "-blue"])),
        max_size=6, unique=True,
    ))
    prefixes = [
        {"prefix": prefix, "vrf": vrf, "site": draw(st.one_of(st.none(), st.sampled_from(site_codes))),
         "tenant": draw(tenant_ref), "description": draw(free_text)}
        for prefix, vrf in prefix_keys
    ]
    return {"tenants": tenants, "sites": sites, "links": links, "prefixes": prefixes}


def without_versions(inventory: Inventory) -> dict[str, dict[Any, dict[str, Any]]]:
    """The inventory's rows with the store's own `version` counter left out."""
    return {
        entity: {key: {k: v for k, v in row.items() if k != "version"} for key, row in rows.items()}
        for entity, rows in inventory.entities()
    }


def import_into_fresh_store(target_db: str, paths: list[Path]) -> Inventory:
    with open_store(target_db, actor="roundtrip") as target:
        report = import_files(target, paths)
        assert report.ok, report
        return target.load()


def export_paths(inventory: Inventory, target: Path) -> list[Path]:
    """Export to target and list the files to import: the workbook, or the folder's four CSV files."""
    written = export_inventory(inventory, target)
    return [written / CSV_FILES[entity] for entity in CSV_FILES] if written.is_dir() else [written]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=inventories())
def test_random_inventories_survive_export_and_import(databases: Databases, rows):
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        # Migrated copies, not new files: migrating afresh for every example would be slow.
        source_db = databases.new(folder / "source.db", migrated=True)
        with open_store(source_db, actor="roundtrip") as source:
            write_rows(source, **rows)
            original = source.load()
        databases.drop(source_db)
        expected = without_versions(original)
        # One generated inventory goes through both formats, each into its own fresh store.
        for name in ("inventory.xlsx", "csv-folder"):
            paths = export_paths(original, folder / name)
            target_db = databases.new(folder / f"{name}.db", migrated=True)
            assert without_versions(import_into_fresh_store(target_db, paths)) == expected, name
            databases.drop(target_db)


def test_csv_folder_round_trip_of_a_hand_built_inventory(build, databases, tmp_path):
    original = build(
        tenants=[{"code": "007", "name": "=cmd|' /C calc'!A0", "sector": "police"},
                 {"code": "SCC", "name": "Staffordshire County Council"}],
        sites=[{"code": "-1", "name": "+Hub", "tenant": "SCC", "occupants": ["007"],
                "latitude": -0.5, "longitude": -2.25, "demand_mbps": 0.001},
               {"code": "0002", "name": "@Leek", "tenant": "007"}],
        links=[{"circuit_id": "=C1", "a_site": "-1", "b_site": "0002", "contract_end": dt.date(2027, 3, 31),
                "srlg": "-duct;exchange:Leek", "annual_cost_gbp": 1234.56, "status": "ceased"}],
        prefixes=[{"prefix": "10.0.0.0/8", "vrf": "", "site": "-1"},
                  {"prefix": "fd00::/8", "vrf": "=v", "tenant": "007", "description": "-"}],
    )
    folder = export_inventory(original, tmp_path / "export")
    assert "'=cmd" in (folder / "tenants.csv").read_text(encoding="utf-8")
    paths = [folder / CSV_FILES[entity] for entity in CSV_FILES]
    imported = import_into_fresh_store(databases.new(tmp_path / "imported.db"), paths)
    assert without_versions(imported) == without_versions(original)


def test_importing_the_same_export_again_changes_nothing(build, store, tmp_path):
    original = build(
        tenants=[{"code": "T"}],
        sites=[{"code": "A", "tenant": "T"}, {"code": "B", "occupants": ["T"]}],
        links=[{"circuit_id": "L", "a_site": "A", "b_site": "B", "srlg": "x;y"}],
        prefixes=[{"prefix": "192.168.0.0/16", "site": "A"}],
    )
    path = export_inventory(original, tmp_path / "again.xlsx")
    report = import_files(store, [path])
    assert report.ok
    for entity, counts in report.counts.items():
        assert counts.get("created", 0) == 0 and counts.get("updated", 0) == 0, entity
    assert without_versions(store.load()) == without_versions(original)


def test_graphml_round_trip_of_sites_and_links(build, databases, tmp_path):
    tenants = [{"code": "007", "name": "Police"}, {"code": "SCC"}]
    original = build(
        tenants=tenants,
        sites=[{"code": "0001", "name": "=Hub", "tenant": "SCC", "occupants": ["007"], "role": "hub",
                "latitude": 52.8, "longitude": -2.1, "demand_mbps": 100.0},
               {"code": "0002", "name": "Ünïcode; library", "district": "Leek"}],
        links=[{"circuit_id": "0099", "a_site": "0002", "b_site": "0001",
                "contract_end": dt.date(2027, 3, 31),
                "srlg": "duct:A;route:B", "bandwidth_mbps": 100.0, "tenant": "007", "status": "planned"},
               {"circuit_id": "C2", "a_site": "0001", "b_site": "0002", "provider": "+BT"}],
    )
    path = export_inventory(original, tmp_path / "net.graphml")
    target_db = databases.new(tmp_path / "graph.db")
    with open_store(target_db, actor="roundtrip") as target:
        write_rows(target, tenants=tenants)  # GraphML carries no tenants
        report = import_files(target, [path])
        assert report.ok, report
        imported = without_versions(target.load())
    expected = without_versions(original)
    assert imported["sites"] == expected["sites"]
    assert imported["links"] == expected["links"]
