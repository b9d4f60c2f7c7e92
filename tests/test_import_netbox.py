"""NetBox exports in one command: tenants, sites, circuits joined with their terminations, kbit/s speeds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from builders import write_csv
from click.testing import CliRunner

from psninv.cli.app import get_cli
from psninv.io.importer import import_files
from psninv.store import Store

NETBOX = Path(__file__).parent / "data" / "netbox"
FILES = ["tenants.csv", "sites.csv", "circuits.csv", "circuit-terminations.csv"]
EMPTY = {"tenants": 0, "sites": 0, "links": 0, "prefixes": 0}


def netbox_copy(tmp_path: Path, names: dict[str, str] | None = None) -> list[Path]:
    """The sample export copied under other file names: NetBox files are known by their headers."""
    names = names or {name: name for name in FILES}
    paths = []
    for source, target in names.items():
        paths.append(Path(shutil.copy(NETBOX / source, tmp_path / target)))
    return paths


def test_a_netbox_export_imports_in_one_command(store: Store, tmp_path: Path) -> None:
    renamed = {name: f"export-{i}.csv" for i, name in enumerate(FILES)}
    report = import_files(store, netbox_copy(tmp_path, renamed))

    assert report.ok, [str(issue) for issue in report.issues]
    inventory = store.load()
    assert inventory.counts() == {"tenants": 5, "sites": 8, "links": 8, "prefixes": 0}
    assert {code: t["sector"] for code, t in inventory.tenants.items()} == {
        "scc": "local-government",
        "sbc": "local-government",
        "nhs-mpft": "health",
        "staffs-police": "other",
        "sfrs": "fire",
    }
    leek = inventory.sites["leek-health-centre"]
    assert (leek["name"], leek["tenant"], leek["latitude"]) == ("Leek Health Centre", "nhs-mpft", 53.1069)
    assert inventory.sites["county-dc"]["tenant"] == "scc"  # NetBox's tenant by slug
    assert inventory.sites["staffordshire-place"]["address"] == "1 Tipping Street, Stafford ST16 2DH"
    links = inventory.links
    core = links["KC-100001"]
    assert (core["a_site"], core["b_site"], core["bandwidth_mbps"]) == (
        "staffordshire-place",
        "county-dc",
        10000.0,
    )
    assert (core["provider"], core["tenant"], core["medium"]) == ("Kcom", "scc", None)
    assert str(core["contract_end"]) == "2028-03-31"
    # No commit rate: the terminations' port speed (100,000 kbit/s) is the bandwidth.
    assert links["BT-200001"]["bandwidth_mbps"] == 100.0
    assert {cid: link["status"] for cid, link in links.items() if link["status"] != "active"} == {
        "VM-300001": "planned",
        "VM-300002": "ceased",
        "KC-100005": "planned",
    }
    assert "KC-100099" not in links  # ends on a provider network, not at two sites
    warnings = [(Path(issue.file).name, issue.message) for issue in report.warnings]
    assert (
        "export-0.csv",
        "tenant group 'Blue Light' matches no sector: its tenants are 'other'",
    ) in warnings
    assert any(file == "export-2.csv" and "not imported (KC-100099)" in message for file, message in warnings)
    assert any("not active in NetBox (row 9 (planned)): kept" in message for _, message in warnings)
    # Issue 15: the site keeps its status and each circuit its NetBox type.
    assert inventory.sites["tamworth-library"]["status"] == "planned"
    assert links["KC-100001"]["circuit_type"] == "Dark Fibre"


def test_the_cli_imports_and_analyses_the_export(tmp_path: Path) -> None:
    db = str(tmp_path / "nb.db")
    runner = CliRunner()

    imported = runner.invoke(get_cli(), ["import", *map(str, netbox_copy(tmp_path)), "--db", db])
    analysed = runner.invoke(get_cli(), ["analyse", "--db", db, "--format", "json"])

    assert imported.exit_code == 0, imported.output
    assert analysed.exit_code in (0, 3), analysed.output
    findings = json.loads(analysed.output)["findings"]
    assert any("leek-health-centre" in json.dumps(finding) for finding in findings)


def test_netbox_4_1_terminations_name_their_site(store: Store, tmp_path: Path) -> None:
    paths = netbox_copy(tmp_path, {"tenants.csv": "tenants.csv", "sites.csv": "sites.csv"})
    write_csv(
        tmp_path / "circuits.csv",
        [
            ["cid", "provider", "type", "status", "tenant", "commit_rate"],
            ["C1", "BT", "Ethernet", "active", "sbc", ""],
        ],
    )
    write_csv(
        tmp_path / "terminations.csv",
        [
            ["circuit", "term_side", "site", "port_speed", "upstream_speed"],
            ["C1", "A", "Stafford Hub", "1000000", "1000000"],
            ["C1", "Z", "leek-hub", "1000000", "1000000"],
        ],
    )

    report = import_files(store, [*paths, tmp_path / "circuits.csv", tmp_path / "terminations.csv"])

    assert report.ok, [str(issue) for issue in report.issues]
    link = store.load().links["C1"]
    assert (link["a_site"], link["b_site"], link["bandwidth_mbps"], link["tenant"]) == (
        "stafford-hub",
        "leek-hub",
        1000.0,
        "sbc",
    )


def test_the_ui_export_all_data_headers(store: Store, tmp_path: Path) -> None:
    write_csv(
        tmp_path / "tenants.csv",
        [
            ["ID", "Name", "Slug", "Group", "Description"],
            ["1", "Staffordshire County Council", "scc", "Councils", ""],
        ],
    )
    write_csv(
        tmp_path / "sites.csv",
        [
            [
                "ID",
                "Name",
                "Slug",
                "Status",
                "Facility",
                "Tenant",
                "Physical address",
                "Latitude",
                "Longitude",
            ],
            [
                "1",
                "Staffordshire Place",
                "sp",
                "Active",
                "",
                "Staffordshire County Council",
                "",
                "52.8066",
                "-2.1173",
            ],
            ["2", "Leek Hub", "leek", "Active", "", "Staffordshire County Council", "", "", ""],
        ],
    )
    write_csv(
        tmp_path / "circuits.csv",
        [
            [
                "ID",
                "Circuit ID",
                "Provider",
                "Type",
                "Status",
                "Tenant",
                "Side A",
                "Side Z",
                "Commit rate (Kbps)",
            ],
            ["7", "KC-1", "Kcom", "Fibre", "Active", "Staffordshire County Council", "", "", "10000000"],
        ],
    )
    write_csv(
        tmp_path / "terminations.csv",
        [
            [
                "ID",
                "Circuit",
                "Provider",
                "Side",
                "Termination Type",
                "Termination Point",
                "Site",
                "Port speed (Kbps)",
            ],
            ["1", "KC-1", "Kcom", "A", "DCIM > Location", "Plant room", "Staffordshire Place", "10000000"],
            ["2", "KC-1", "Kcom", "Z", "DCIM > Site", "Leek Hub", "Leek Hub", "10000000"],
        ],
    )

    report = import_files(store, sorted(tmp_path.glob("*.csv")))

    assert report.ok, [str(issue) for issue in report.issues]
    inventory = store.load()
    assert inventory.tenants["scc"]["sector"] == "local-government"
    link = inventory.links["KC-1"]
    assert (link["a_site"], link["b_site"], link["bandwidth_mbps"]) == ("sp", "leek", 10000.0)


def test_an_unknown_tenant_is_refused_where_it_is_and_nothing_is_written(
    store: Store, tmp_path: Path
) -> None:
    paths = netbox_copy(tmp_path, {"sites.csv": "sites.csv"})

    report = import_files(store, paths)

    errors = report.errors
    assert errors and all(Path(e.file).name == "sites.csv" and e.column == "tenant" for e in errors)
    assert (errors[0].row, errors[0].value) == (2, "Staffordshire County Council")
    assert "unknown tenant 'Staffordshire County Council'" in errors[0].message
    assert store.load().counts() == EMPTY


def test_a_location_termination_without_its_site_is_refused(store: Store, tmp_path: Path) -> None:
    paths = netbox_copy(tmp_path, {"tenants.csv": "tenants.csv", "sites.csv": "sites.csv"})
    write_csv(
        tmp_path / "circuits.csv", [["cid", "provider", "type", "status"], ["C1", "BT", "Ethernet", "active"]]
    )
    write_csv(
        tmp_path / "terminations.csv",
        [
            ["circuit", "term_side", "termination_type", "termination_id"],
            ["C1", "A", "dcim.location", "4"],
            ["C1", "Z", "dcim.site", "2"],
        ],
    )

    report = import_files(store, [*paths, tmp_path / "circuits.csv", tmp_path / "terminations.csv"])

    [error] = report.errors
    assert (Path(error.file).name, error.row, error.column) == ("terminations.csv", 2, "termination_type")
    assert "needs its site" in error.message
    assert store.load().counts() == EMPTY
