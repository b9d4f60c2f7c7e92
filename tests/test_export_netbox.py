"""`psninv export --netbox DIR`: files NetBox's bulk import takes, and the round trip back through NetBox."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from builders import run_cli as run
from conftest import Databases

from psninv import open_store
from psninv.errors import InputError
from psninv.io.importer import import_files
from psninv.io.netbox_export import FILES, export_netbox, read_site_ids

# The fields of NetBox's import forms (netbox-community/netbox, main as of 2026: tenancy, dcim,
# circuits and ipam forms/bulk_import.py); a column outside its form makes NetBox refuse the file.
NETBOX_FORMS = {
    "01-tenant-groups.csv": {"name", "slug", "parent", "description", "owner", "comments", "tags"},
    "02-tenants.csv": {"name", "slug", "group", "description", "owner", "comments", "tags"},
    "03-regions.csv": {"name", "slug", "parent", "description", "owner", "comments", "tags"},
    "04-site-groups.csv": {"name", "slug", "parent", "description", "owner", "comments", "tags"},
    "05-sites.csv": {
        "name",
        "slug",
        "status",
        "region",
        "group",
        "tenant",
        "facility",
        "time_zone",
        "description",
        "physical_address",
        "shipping_address",
        "latitude",
        "longitude",
        "owner",
        "comments",
        "tags",
    },
    "06-providers.csv": {"name", "slug", "description", "owner", "comments", "tags"},
    "07-circuit-types.csv": {"name", "slug", "color", "description", "owner", "tags"},
    "08-circuits.csv": {
        "cid",
        "provider",
        "provider_account",
        "type",
        "status",
        "tenant",
        "install_date",
        "termination_date",
        "commit_rate",
        "distance",
        "distance_unit",
        "description",
        "owner",
        "comments",
        "tags",
    },
    "09-circuit-terminations.csv": {
        "circuit",
        "term_side",
        "termination_type",
        "termination_id",
        "port_speed",
        "upstream_speed",
        "xconnect_id",
        "pp_info",
        "description",
        "tags",
    },
    "10-vrfs.csv": {"name", "rd", "tenant", "enforce_unique", "description", "owner", "comments", "tags"},
    "11-prefixes.csv": {
        "prefix",
        "vrf",
        "tenant",
        "vlan_group",
        "vlan_site",
        "vlan",
        "status",
        "role",
        "scope_type",
        "scope_id",
        "scope_name",
        "is_pool",
        "mark_utilized",
        "description",
        "owner",
        "comments",
        "tags",
    },
}
REQUIRED = {  # fields NetBox's forms require
    "05-sites.csv": {"name", "slug", "status"},
    "08-circuits.csv": {"cid", "provider", "type", "status"},
    "09-circuit-terminations.csv": {"circuit", "term_side"},
    "11-prefixes.csv": {"prefix", "status"},
}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def netbox_sites_export(folder: Path, target: Path, first_id: int = 101) -> Path:
    """What NetBox's "Export → All data" of sites gives once it has imported 05-sites.csv: IDs added."""
    sites = rows(folder / "05-sites.csv")
    with target.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["ID", "Name", "Slug", "Status", "Region", "Group", "Tenant", "Latitude", "Longitude"]
        )
        for number, site in enumerate(reversed(sites), start=first_id):
            writer.writerow(
                [
                    number,
                    site["name"],
                    site["slug"],
                    site["status"].title(),
                    site["region"],
                    site["group"],
                    site["tenant"],
                    site["latitude"],
                    site["longitude"],
                ]
            )
    return target


def test_export_writes_netbox_import_files_in_order_and_says_the_next_step(sample_db, sample, tmp_path):
    out = tmp_path / "netbox"
    result = run("export", str(out), "--netbox", "--db", sample_db)

    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in out.iterdir())
    assert names == [name for name in FILES if not name.startswith("09")] + ["IMPORT-STEPS.txt"]
    for name in names[:-1]:
        header = next(csv.reader((out / name).open(encoding="utf-8")))
        assert set(header) <= NETBOX_FORMS[name], name
        assert REQUIRED.get(name, {"name", "slug"} if "slug" in header else {"name"}) <= set(header), name
    assert "--netbox-sites" in result.stderr and "IMPORT-STEPS.txt" in result.stderr
    steps = (out / "IMPORT-STEPS.txt").read_text(encoding="utf-8")
    assert f"psninv export --netbox {out} --netbox-sites" in steps
    assert "annual cost" in steps

    circuits = {row["cid"]: row for row in rows(out / "08-circuits.csv")}
    assert len(circuits) == len(sample.links)
    for cid, link in sample.links.items():
        # NetBox rates are kbit/s: 10 Gbit/s is 10,000,000.
        assert int(circuits[cid]["commit_rate"]) == round(link["bandwidth_mbps"] * 1000)
        assert circuits[cid]["provider"] == link["provider"]
        assert circuits[cid]["tenant"] == sample.tenants[link["tenant"]]["name"]
        assert f"£{link['annual_cost_gbp']:,.0f}" in circuits[cid]["comments"]
    sites = {row["slug"]: row for row in rows(out / "05-sites.csv")}
    assert sites.keys() == sample.sites.keys()
    assert all(not row["longitude"].startswith("'") for row in sites.values())  # a number, not a formula
    groups = {row["name"] for row in rows(out / "01-tenant-groups.csv")}
    assert {row["group"] for row in rows(out / "02-tenants.csv")} <= groups
    regions = {row["name"] for row in rows(out / "03-regions.csv")}
    assert {row["region"] for row in sites.values()} <= regions
    assert {row["provider"] for row in circuits.values()} == {
        row["name"] for row in rows(out / "06-providers.csv")
    }


def test_the_round_trip_through_netbox_keeps_what_netbox_can_hold(
    sample_db, sample, tmp_path, databases: Databases
):
    out = tmp_path / "netbox"
    assert run("export", str(out), "--netbox", "--db", sample_db).exit_code == 0
    ids = netbox_sites_export(out, tmp_path / "netbox_sites.csv")
    result = run("export", str(out), "--netbox", "--netbox-sites", str(ids), "--force", "--db", sample_db)
    assert result.exit_code == 0, result.output
    terminations = rows(out / "09-circuit-terminations.csv")
    assert len(terminations) == 2 * len(sample.links)
    id_of = {row["Slug"]: row["ID"] for row in rows(ids)}
    first = next(iter(sample.links.values()))
    assert [(t["term_side"], t["termination_type"], t["termination_id"]) for t in terminations[:2]] == [
        ("A", "dcim.site", id_of[first["a_site"]]),
        ("Z", "dcim.site", id_of[first["b_site"]]),
    ]
    assert all(
        row["scope_id"] == id_of[p["site"]]
        for row, p in zip(rows(out / "11-prefixes.csv"), sample.prefixes.values(), strict=True)
        if p["site"]
    )

    # What NetBox would give back: its exports of the same objects, sites with their IDs.
    back = databases.new()
    with open_store(back) as store:
        files = [out / name for name in FILES if name != "05-sites.csv"] + [_sites_with_ids(out, ids)]
        report = import_files(store, files)
        assert report.ok, [str(issue) for issue in report.issues if issue.level == "error"]
        again = store.load()

    assert again.counts() == sample.counts()
    for code, tenant in sample.tenants.items():
        assert (again.tenants[code]["name"], again.tenants[code]["sector"]) == (
            tenant["name"],
            tenant["sector"],
        )
    for code, site in sample.sites.items():
        kept = again.sites[code]
        for column in ("name", "tenant", "role", "district", "status"):
            assert kept[column] == site[column], (code, column)
        assert kept["latitude"] == pytest.approx(site["latitude"], abs=1e-6)
        assert kept["address"].startswith(site["address"])
    for cid, link in sample.links.items():
        kept = again.links[cid]
        for column in ("a_site", "b_site", "provider", "bandwidth_mbps", "contract_end", "tenant", "status"):
            assert kept[column] == link[column], (cid, column)
    for key, prefix in sample.prefixes.items():
        assert {c: again.prefixes[key][c] for c in ("site", "tenant")} == {
            c: prefix[c] for c in ("site", "tenant")
        }


def _sites_with_ids(out: Path, ids: Path) -> Path:
    """NetBox's sites export carries every field imported: the IDs beside 05-sites.csv's columns."""
    by_slug = {row["Slug"]: row["ID"] for row in rows(ids)}
    sites = rows(out / "05-sites.csv")
    target = ids.with_name("netbox_sites_all.csv")
    with target.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, ["id", *sites[0]])
        writer.writeheader()
        for site in sites:
            writer.writerow({"id": by_slug[site["slug"]], **site})
    return target


def test_sites_netbox_lacks_are_refused_with_one_line_and_nothing_written(sample_db, tmp_path):
    out = tmp_path / "netbox"
    assert run("export", str(out), "--netbox", "--db", sample_db).exit_code == 0
    ids = netbox_sites_export(out, tmp_path / "netbox_sites.csv")
    partial = ids.read_text(encoding="utf-8").splitlines()
    ids.write_text("\n".join(line for line in partial if ",STA-HUB," not in line) + "\n", encoding="utf-8")
    before = {path.name: path.read_bytes() for path in out.iterdir()}

    result = run("export", str(out), "--netbox", "--netbox-sites", str(ids), "--force", "--db", sample_db)

    assert result.exit_code == 1
    assert "no site with slug 'STA-HUB'" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_an_existing_folder_needs_force_and_the_options_go_together(sample_db, tmp_path):
    out = tmp_path / "netbox"
    assert run("export", str(out), "--netbox", "--db", sample_db).exit_code == 0
    again = run("export", str(out), "--netbox", "--db", sample_db)
    assert again.exit_code == 1 and "--force" in again.stderr
    alone = run("export", str(tmp_path / "x"), "--netbox-sites", "ids.csv", "--db", sample_db)
    assert alone.exit_code == 2 and "--netbox-sites goes with --netbox" in alone.output


def test_names_netbox_holds_unique_statuses_and_slugs(build, tmp_path):
    inventory = build(
        tenants=[
            {"code": "SCC", "name": "County", "sector": "local-government"},
            {"code": "MPFT", "name": "Trust", "sector": "health"},
        ],
        sites=[
            {"code": "A1", "name": "Library", "tenant": "SCC", "role": "hub", "status": "closed"},
            {"code": "B.2", "name": "Library", "tenant": "MPFT", "occupants": ["SCC"]},
        ],
        links=[
            {"circuit_id": "C1", "a_site": "A1", "b_site": "B.2", "bandwidth_mbps": 0.5, "status": "ceased"}
        ],
    )
    written = export_netbox(inventory, tmp_path / "nb")

    sites = rows(tmp_path / "nb" / "05-sites.csv")
    assert [(s["name"], s["slug"], s["status"], s["group"]) for s in sites] == [
        ("Library", "A1", "retired", "Hub"),
        ("Library (B.2)", "b-2", "active", ""),
    ]
    assert sites[1]["comments"] == "Also occupied by: County"
    (circuit,) = rows(tmp_path / "nb" / "08-circuits.csv")
    assert (circuit["status"], circuit["commit_rate"], circuit["provider"], circuit["type"]) == (
        "decommissioned",
        "500",
        "Unknown provider",
        "Unspecified",
    )
    notes = " ".join(written.notes)
    assert "share a name" in notes and "B.2" in notes and "not NetBox slugs" in notes
    assert not written.complete


def test_site_ids_are_read_from_netbox_api_json_and_bad_files_are_refused(tmp_path):
    api = tmp_path / "sites.json"
    api.write_text(
        json.dumps(
            {
                "count": 2,
                "results": [
                    {"id": 7, "name": "Leek", "slug": "leek"},
                    {"id": 9, "name": "Stone", "slug": "STN"},
                ],
            }
        )
    )
    assert read_site_ids(api) == {"leek": 7, "stn": 9, "stone": 9}
    no_id = tmp_path / "no-id.csv"
    no_id.write_text("Name,Slug\nLeek,leek\n", encoding="utf-8")
    with pytest.raises(InputError, match="no ID column"):
        read_site_ids(no_id)
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,Slug\n7,leek\nseven,stone\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 3, column ID: 'seven' is not a NetBox site ID"):
        read_site_ids(bad)


def test_netbox_prefix_and_reference_exports_import(store, tmp_path):
    (tmp_path / "tenants.csv").write_text("name,slug,group\nCounty,scc,Councils\n", encoding="utf-8")
    (tmp_path / "sites.csv").write_text(
        "ID,Name,Slug,Status,Tenant\n12,Leek Library,leek,Active,County\n", encoding="utf-8"
    )
    (tmp_path / "netbox_prefixes.csv").write_text(
        "Prefix,Status,VRF,Tenant,Scope type,Scope ID,Description\n"
        "10.1.0.0/24,Active,,County,dcim.site,12,Library LAN\n"
        "10.2.0.0/24,Reserved,,,dcim.region,3,\n",
        encoding="utf-8",
    )
    (tmp_path / "netbox_regions.csv").write_text("Name,Slug,Parent\nMoorlands,moorlands,\n", encoding="utf-8")

    report = import_files(store, sorted(tmp_path.glob("*.csv")))

    assert report.ok, [str(issue) for issue in report.issues]
    assert any(
        "netbox_regions.csv" in str(issue) and "reference table" in str(issue) for issue in report.issues
    )
    prefixes = store.load().prefixes
    assert prefixes[("10.1.0.0/24", "")]["site"] == "leek"
    assert prefixes[("10.1.0.0/24", "")]["tenant"] == "scc"
    assert prefixes[("10.2.0.0/24", "")]["site"] is None
