"""Importing CSV files: entity from the file name, dialects, encodings, NetBox headers, several files."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import write_csv

from psninv.io.importer import import_files
from psninv.store import Store


def test_several_files_are_one_import_so_links_may_name_sites_from_another_file(
    store: Store, tmp_path: Path
) -> None:
    tenants = write_csv(tmp_path / "tenants.csv", [["code", "name"], ["SCC", "County"], ["POL", "Police"]])
    sites = write_csv(
        tmp_path / "Sites.CSV",
        [["Site Code", "Site Name", "tenant"], ["HQ", "Headquarters", "SCC"], ["LEEK", "Leek", "POL"]],
    )
    links = write_csv(
        tmp_path / "links.csv",
        [["Circuit Ref", "From Site", "To Site", "Annual Cost"], ["C1", "HQ", "LEEK", "1,000"]],
    )

    # The files come in any order: links before the sites and tenants they name.
    report = import_files(store, [links, sites, tenants])

    assert report.ok, [str(issue) for issue in report.issues]
    assert report.counts == {
        "tenants": {"created": 2, "updated": 0, "unchanged": 0},
        "sites": {"created": 2, "updated": 0, "unchanged": 0},
        "links": {"created": 1, "updated": 0, "unchanged": 0},
    }
    link = store.load().links["C1"]
    assert (link["a_site"], link["b_site"], link["annual_cost_gbp"]) == ("HQ", "LEEK", 1000.0)


def test_links_may_name_sites_already_in_the_inventory(store: Store, tmp_path: Path) -> None:
    import_files(store, [write_csv(tmp_path / "sites.csv", [["code"], ["A"], ["B"]])])

    report = import_files(
        store, [write_csv(tmp_path / "links.csv", [["cid", "a_site", "b_site"], ["L", "A", "B"]])]
    )

    assert report.ok and store.load().links["L"]["b_site"] == "B"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed(store: Store, tmp_path: Path, delimiter: str) -> None:
    path = write_csv(
        tmp_path / "sites.csv",
        [["code", "name", "latitude"], ["A", "Alpha, the first", "52,5"], ["B", "Beta; second", "1"]],
        delimiter=delimiter,
    )

    report = import_files(store, [path])

    assert report.ok, [str(issue) for issue in report.issues]
    sites = store.load().sites
    assert sites["A"]["name"] == "Alpha, the first" and sites["B"]["name"] == "Beta; second"
    assert sites["A"]["latitude"] == 52.5  # a decimal comma, as semicolon CSVs from Excel have


def test_a_utf8_bom_is_accepted(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tenants.csv", [["code", "name"], ["TY", "Tŷ Hafan"]], bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    report = import_files(store, [path])

    assert report.ok and store.load().tenants["TY"]["name"] == "Tŷ Hafan"


def test_a_latin1_file_gives_one_error_suggesting_the_encoding_and_imports_with_it(
    store: Store, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "tenants.csv",
        [["code", "name"], ["A", "Plain"], ["C", "Café Société"]],
        encoding="latin-1",
    )

    report = import_files(store, [path])

    assert len(report.issues) == 1
    issue = report.errors[0]
    assert issue.row == 3 and "UTF-8" in issue.message and "--encoding latin-1" in issue.message
    assert store.load().counts()["tenants"] == 0

    again = import_files(store, [path], encoding="latin-1")
    assert again.ok and store.load().tenants["C"]["name"] == "Café Société"


def test_kind_names_the_entity_of_a_file_whose_name_does_not(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export-2024.csv", [["code"], ["A"]])

    unnamed = import_files(store, [path])
    assert not unnamed.ok and "--kind" in unnamed.errors[0].message

    report = import_files(store, [path], kind="tenants")
    assert report.ok and "A" in store.load().tenants


def test_entity_names_in_longer_file_names_are_found(store: Store, tmp_path: Path) -> None:
    prefixes = write_csv(
        tmp_path / "ip prefixes.csv", [["prefix", "vrf"], ["10.0.0.0/8", ""], ["10.0.0.0/8", "nhs"]]
    )
    sites = write_csv(tmp_path / "netbox_sites_2024.csv", [["code"], ["A"]])

    report = import_files(store, [prefixes, sites])

    assert report.ok, [str(issue) for issue in report.issues]
    assert set(store.load().prefixes) == {("10.0.0.0/8", ""), ("10.0.0.0/8", "nhs")}


def test_netbox_site_and_circuit_exports_import_with_their_own_headers(store: Store, tmp_path: Path) -> None:
    tenants = write_csv(
        tmp_path / "tenants.csv",
        [["name", "slug", "group", "description"], ["Staffs County", "scc", "Local government", ""]],
    )
    import_files(store, [tenants])
    sites = write_csv(
        tmp_path / "sites.csv",
        [
            [
                "name",
                "slug",
                "status",
                "region",
                "tenant",
                "facility",
                "time_zone",
                "description",
                "physical_address",
                "latitude",
                "longitude",
                "comments",
                "tags",
            ],
            [
                "Staffordshire Place",
                "sta-001",
                "active",
                "Stafford",
                "scc",
                "",
                "Europe/London",
                "",
                "1 Tipping St",
                "52.8066",
                "-2.1171",
                "",
                "",
            ],
            [
                "Leek Library",
                "leek",
                "active",
                "Staffordshire Moorlands",
                "scc",
                "",
                "",
                "",
                "",
                "53.1",
                "-2.0",
                "",
                "",
            ],
        ],
    )
    circuits = write_csv(
        tmp_path / "circuits.csv",
        [
            [
                "cid",
                "provider",
                "type",
                "status",
                "tenant",
                "install_date",
                "termination_date",
                "commit_rate",
                "description",
                "comments",
                "termination_a",
                "termination_b",
            ],
            [
                "KC-1",
                "Kcom",
                "Fibre",
                "active",
                "scc",
                "2023-04-01",
                "2028-03-31",
                "100000",
                "",
                "",
                "sta-001",
                "leek",
            ],
        ],
    )

    report = import_files(store, [sites, circuits])

    assert report.ok, [str(issue) for issue in report.errors]
    # Issue 15: NetBox's files are read as NetBox's (not column by column); type is a circuit type.
    assert [issue.message for issue in report.warnings] == []
    inventory = store.load()
    site = inventory.sites["sta-001"]
    assert (site["name"], site["district"], site["address"], site["tenant"]) == (
        "Staffordshire Place",
        "Stafford",
        "1 Tipping St",
        "scc",
    )
    circuit = inventory.links["KC-1"]
    assert circuit["bandwidth_mbps"] == 100.0  # commit_rate is kbit/s
    assert (circuit["medium"], circuit["a_site"], circuit["b_site"]) == (None, "sta-001", "leek")
    assert str(circuit["contract_end"]) == "2028-03-31"


def test_the_exporters_formula_guard_is_taken_off_text_and_nothing_else(store: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "tenants.csv",
        [
            ["code", "name"],
            ["A", "'=SUM(A1)"],
            ["B", "'-Leek"],
            ["C", "O'Brien & Co"],
            ["D", "'quoted"],
            ["E", "'@home"],
        ],
    )

    report = import_files(store, [path])

    assert report.ok
    names = {code: row["name"] for code, row in store.load().tenants.items()}
    assert names == {"A": "=SUM(A1)", "B": "-Leek", "C": "O'Brien & Co", "D": "'quoted", "E": "@home"}


def test_numbers_and_dates_written_as_text_are_read(store: Store, tmp_path: Path) -> None:
    write_csv(tmp_path / "sites.csv", [["code"], ["A"], ["B"]])
    links = write_csv(
        tmp_path / "links.csv",
        [
            ["circuit_id", "a_site", "b_site", "annual_cost_gbp", "bandwidth", "contract_end"],
            ["L1", "A", "B", "£4,200.00", "1 Gbps", "31/03/2028"],
            ["L2", "A", "B", " 1000 ", "100M", "2028-03-31"],
            ["L3", "A", "B", "1,234,567.5", "512k", "46843"],
            ["L4", "A", "B", "", "", "1 Apr 2028"],
        ],
    )

    report = import_files(store, [tmp_path / "sites.csv", links])

    assert report.ok, [str(issue) for issue in report.issues]
    rows = store.load().links
    assert [rows[k]["annual_cost_gbp"] for k in ("L1", "L2", "L3", "L4")] == [4200.0, 1000.0, 1234567.5, None]
    assert [rows[k]["bandwidth_mbps"] for k in ("L1", "L2", "L3", "L4")] == [1000.0, 100.0, 0.512, None]
    assert [str(rows[k]["contract_end"]) for k in ("L1", "L2", "L3", "L4")] == [
        "2028-03-31",
        "2028-03-31",
        "2028-03-31",
        "2028-04-01",
    ]


def test_blank_lines_are_skipped_but_keep_their_row_numbers(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("code,latitude\n\nA,1\n,\nB,99\n", encoding="utf-8")

    report = import_files(store, [path])

    assert [(issue.row, issue.column, issue.value) for issue in report.errors] == [(5, "latitude", "99")]


def test_short_rows_are_padded_and_long_rows_warned_about(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("code,name,district\nA,Alpha\nB,Beta,Leek,extra\n", encoding="utf-8")

    report = import_files(store, [path])

    assert report.ok
    assert [(issue.level, issue.row) for issue in report.issues] == [("warning", 3)]
    assert store.load().sites["B"]["district"] == "Leek"
