"""An import's change log: one row per created or updated record, its after-image the row as stored.

A first import's new rows are logged by the database itself on SQLite (json_object over the rows
just inserted); these tests hold that log to what the Python encoder records, on both databases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import write_csv
from sqlalchemy import select

from psninv.io.importer import import_files
from psninv.model import Change
from psninv.store import Store
from psninv.store.writes import change_json

CHANGE = Change.__table__

# Floats whose shortest text needs 16 or 17 significant digits (SQLite's json_object writes 15).
NAME = 'Quote " back \\ new\nline Ä \U0001f600'
# 1e-05 (not 1e+20: issue 15 bounds bandwidth at 10 Tbit/s) still has an exponent in its repr.
AWKWARD = ["52.123456789012345", "0.30000000000000004", "1e-05", "-2.0000000000000004", "100"]


def logged(store: Store, batch: str | None) -> list[dict[str, Any]]:
    """The change-log rows of one batch, in the order they were written."""
    with store.read() as conn:
        query = select(CHANGE).where(CHANGE.c.batch == batch).order_by(CHANGE.c.id)
        return [dict(row) for row in conn.execute(query).mappings()]


def first_import(tmp_path: Path) -> list[Path]:
    """Tenants, sites (with occupants and awkward numbers and text), links and prefixes, all new."""
    tenants = write_csv(tmp_path / "tenants.csv", [["code", "name"], ["SCC", "County"], ["POL", "Police"]])
    sites = write_csv(
        tmp_path / "sites.csv",
        [
            ["code", "name", "tenant", "occupants", "latitude", "longitude", "demand_mbps"],
            ["A", NAME, "SCC", "POL; SCC", AWKWARD[0], "-2.5", AWKWARD[4]],
            ["B", "", "", "", "", AWKWARD[3], ""],
        ],
    )
    links = write_csv(
        tmp_path / "links.csv",
        [
            ["circuit_id", "a_site", "b_site", "annual_cost_gbp", "bandwidth_mbps", "contract_end", "srlg"],
            ["L1", "A", "B", AWKWARD[1], AWKWARD[2], "31/03/2027", "exchange:Leek; duct:A53"],
        ],
    )
    prefixes = write_csv(
        tmp_path / "prefixes.csv",
        [["prefix", "vrf", "site"], ["10.1.0.0/16", "", "A"], ["10.1.0.0/16", "police", "B"]],
    )
    return [tenants, sites, links, prefixes]


def test_a_first_import_logs_every_row_as_stored(store: Store, tmp_path: Path) -> None:
    report = import_files(store, first_import(tmp_path))
    assert report.ok, [str(issue) for issue in report.issues]

    rows = logged(store, report.batch)
    assert [(row["action"], row["entity"], row["key"]) for row in rows] == [
        ("create", "tenants", "SCC"),
        ("create", "tenants", "POL"),
        ("create", "sites", "A"),
        ("create", "sites", "B"),
        ("create", "links", "L1"),
        ("create", "prefixes", "10.1.0.0/16|"),
        ("create", "prefixes", "10.1.0.0/16|police"),
    ]
    assert {row["before"] for row in rows} == {None}
    assert len({(row["at"], row["actor"]) for row in rows}) == 1
    afters = [json.loads(row["after"]) for row in rows]
    # What the importer would have logged from the rows it read, value for value (floats exactly).
    assert afters == [json.loads(change_json(change.after)) for change in report.changes]
    site, link = afters[2], afters[4]
    assert site == {
        "code": "A",
        "name": NAME,
        "tenant": "SCC",
        "occupants": ["POL", "SCC"],
        "latitude": 52.123456789012345,
        "longitude": -2.5,
        "demand_mbps": 100.0,
    }
    assert afters[3]["occupants"] == [] and afters[3]["longitude"] == -2.0000000000000004
    assert link["annual_cost_gbp"] == 0.30000000000000004 and link["bandwidth_mbps"] == 1e-05
    assert (link["contract_end"], link["srlg"]) == ("2027-03-31", "duct:A53;exchange:Leek")

    # The after-images are the stored rows, column for column.
    stored = store.load()
    for after in afters[2:4]:
        assert after == {name: stored.sites[after["code"]][name] for name in after}
    assert link == {name: stored.links["L1"][name] for name in link if name != "contract_end"} | {
        "contract_end": stored.links["L1"]["contract_end"].isoformat()
    }


def test_new_and_existing_rows_in_one_import_are_each_logged_once(store: Store, tmp_path: Path) -> None:
    assert import_files(store, first_import(tmp_path)).ok
    # One sites file updates A and adds C; another, with other columns, adds D and E.
    more = write_csv(tmp_path / "more.csv", [["code", "name"], ["A", "Renamed"], ["C", "Sea"]])
    new = write_csv(
        tmp_path / "new.csv", [["code", "postcode", "latitude"], ["D", "ST13 5AA", "53.1"], ["E", "", ""]]
    )

    report = import_files(store, [more, new], kind="sites")
    assert report.ok, [str(issue) for issue in report.issues]
    assert report.counts == {"sites": {"created": 3, "updated": 1, "unchanged": 0}}
    rows = logged(store, report.batch)
    assert [(row["action"], row["key"]) for row in rows] == [
        ("update", "A"),
        ("create", "C"),
        ("create", "D"),
        ("create", "E"),
    ]
    assert [json.loads(row["after"]) for row in rows] == [
        {"code": "A", "name": "Renamed"},
        {"code": "C", "name": "Sea"},
        {"code": "D", "postcode": "ST13 5AA", "latitude": 53.1},
        {"code": "E", "postcode": None, "latitude": None},
    ]
    assert json.loads(rows[0]["before"])["name"] == NAME

    # A link between two of the new sites is the next import's only change.
    (tmp_path / "next").mkdir()
    links = write_csv(tmp_path / "next" / "links.csv", [["cid", "a_site", "b_site"], ["L2", "D", "E"]])
    report = import_files(store, [links])
    assert [(row["entity"], row["key"]) for row in logged(store, report.batch)] == [("links", "L2")]


def test_the_reports_changes_read_like_a_list(store: Store, tmp_path: Path) -> None:
    report = import_files(store, first_import(tmp_path), dry_run=True)
    assert report.ok and report.batch is None
    changes = list(report.changes)
    assert len(report.changes) == len(changes) == 7
    assert [report.changes[i] for i in range(7)] == changes
    assert report.changes[-1] == changes[-1] and report.changes[2:4] == changes[2:4]
    assert changes[5].key == "10.1.0.0/16|" and changes[5].after == {
        "prefix": "10.1.0.0/16",
        "vrf": "",
        "site": "A",
    }
    # A dry run wrote nothing, the change log included.
    with store.read() as conn:
        assert conn.execute(select(CHANGE)).first() is None


@pytest.mark.sqlite_only  # about SQLite's rowids
def test_new_rows_are_logged_when_sqlite_numbers_them_at_random(store: Store, tmp_path: Path) -> None:
    # Once a table holds rowid 2**63 - 1, SQLite gives new rows unused rowids at random, so an
    # import's rows are no longer those past the largest rowid: they are logged from Python then.
    with store.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO site (rowid, code, version) VALUES (9223372036854775807, 'LAST', 1)"
        )
    names = {f"S{i:02}": f"Site {i}" for i in range(50)}
    sites = write_csv(tmp_path / "sites.csv", [["code", "name"], *names.items()])

    report = import_files(store, [sites])

    assert report.ok, [str(issue) for issue in report.issues]
    rows = logged(store, report.batch)
    assert {row["key"]: json.loads(row["after"]) for row in rows} == {
        code: {"code": code, "name": name} for code, name in names.items()
    }
