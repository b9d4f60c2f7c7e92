"""The record registry agrees with the tables, and one record is checked without a table."""

from __future__ import annotations

from psninv.io.record_check import check_references, read_record
from psninv.model import ENTITY_TABLES, metadata
from psninv.records import OCCUPANTS, RECORDS


def test_every_record_names_its_table_key_and_relations() -> None:
    assert list(RECORDS) == list(ENTITY_TABLES)
    for entity, record in RECORDS.items():
        table = ENTITY_TABLES[entity]
        assert table.name == record.table
        assert all(name in table.c for name in record.key)
        assert all(name in table.c for name in record.stored)
        for relation in record.relations:
            assert relation.name not in table.c
            pairs = metadata.tables[relation.table]
            assert {relation.owner, relation.member} <= set(pairs.c.keys())
    assert RECORDS["sites"].relation("occupants") is OCCUPANTS
    assert RECORDS["sites"].relation("tenant") is None


def test_one_record_is_read_with_the_import_rules() -> None:
    check = read_record(
        "links", {"circuit_id": "C1", "a_site": "S1", "b_site": "S1", "bandwidth_mbps": "1 Gbps"}
    )
    assert check.record["bandwidth_mbps"] == 1000
    assert check.record["status"] == "active"
    assert check.errors == {"b_site": "a link cannot run from site 'S1' to itself"}
    blank = read_record("sites", {"occupants": ["SCC", "POL"]})
    assert blank.errors == {"code": "code is required"}
    check_references(blank, "sites", {"tenants": {"scc-x", "SCC"}})
    assert blank.errors["occupants"] == "unknown tenant code 'POL': not in the inventory"
