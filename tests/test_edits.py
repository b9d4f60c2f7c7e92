"""Single-record edits on a real store: the import's rules, version conflicts, dependants, the change log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from builders import write_rows

from psninv.changes import (
    ConflictError,
    EditError,
    ValidationError,
    create,
    delete,
    delete_preview,
    history,
    update,
)
from psninv.store import ReadOnlyError, Store, open_store


@pytest.fixture
def small(store: Store) -> Store:
    """Two tenants, three sites, two links and a prefix."""
    write_rows(
        store,
        tenants=[
            {"code": "SCC", "name": "County", "sector": "local-government"},
            {"code": "POL", "name": "Police"},
        ],
        sites=[
            {"code": "DC1", "name": "Data centre", "tenant": "SCC", "role": "datacentre", "latitude": 52.8},
            {"code": "HUB", "name": "Hub", "tenant": "SCC", "role": "hub", "occupants": ["POL"]},
            {"code": "LIB", "name": "Library", "tenant": "POL", "role": "access"},
        ],
        links=[
            {
                "circuit_id": "C1",
                "a_site": "DC1",
                "b_site": "HUB",
                "tenant": "SCC",
                "annual_cost_gbp": 1000.0,
            },
            {"circuit_id": "C2", "a_site": "HUB", "b_site": "LIB", "tenant": "POL"},
        ],
        prefixes=[{"prefix": "10.0.0.0/24", "site": "HUB", "tenant": "POL"}],
    )
    return store


def errors_of(call: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.errors


def test_create_reads_form_text_like_an_import_and_logs_it(small: Store) -> None:
    result = create(
        small,
        "links",
        {
            "circuit_id": "C3",
            "a_site": "DC1",
            "b_site": "LIB",
            "bandwidth_mbps": "1 Gbps",
            "annual_cost_gbp": "£4,200.00",
            "contract_end": "31/03/2028",
            "medium": "Fibre",
            "status": "",
        },
    )
    link = small.load().links["C3"]
    assert link["bandwidth_mbps"] == 1000.0
    assert link["annual_cost_gbp"] == 4200.0
    assert link["contract_end"] == dt.date(2028, 3, 31)
    assert link["medium"] == "fibre" and link["status"] == "active"
    [entry] = history(small, limit=1)
    assert entry.id == result.change_ids[0]
    assert (entry.action, entry.entity, entry.key, entry.actor) == ("create", "links", "C3", "tester")
    assert entry.after is not None and entry.after["contract_end"] == "2028-03-31"


def test_each_kind_of_field_error_is_placed_on_its_field(small: Store) -> None:
    errors = errors_of(
        lambda: create(
            small,
            "sites",
            {"name": "no code", "role": "castle", "latitude": "95", "demand_mbps": "lots", "tenant": "scc"},
        )
    )
    assert errors["code"] == "code is required"
    assert errors["role"].startswith("role must be one of core, datacentre")
    assert errors["latitude"] == "latitude must be between -90 and 90"
    assert errors["demand_mbps"] == "demand_mbps must be a number"
    assert "unknown tenant code 'scc'" in errors["tenant"] and "did you mean 'SCC'" in errors["tenant"]
    assert errors_of(lambda: create(small, "sites", {"code": "HUB"}))["code"].startswith(
        "duplicate site code 'HUB'"
    )
    assert (
        "itself"
        in errors_of(lambda: create(small, "links", {"circuit_id": "X", "a_site": "HUB", "b_site": "HUB"}))[
            "b_site"
        ]
    )
    assert "10.1.2.0/24" in errors_of(lambda: create(small, "prefixes", {"prefix": "10.1.2.3/24"}))["prefix"]
    assert "LIB" not in small.load().links and "X" not in small.load().links
    assert len(history(small)) == 0


def test_update_changes_only_given_fields_bumps_the_version_and_logs_before_and_after(small: Store) -> None:
    site = small.load().sites["DC1"]
    result = update(
        small, "sites", "DC1", {"latitude": "52.81", "longitude": "-2.12"}, version=site["version"]
    )
    assert result.record is not None and result.record["version"] == site["version"] + 1
    stored = small.load().sites["DC1"]
    assert (stored["latitude"], stored["longitude"], stored["name"]) == (52.81, -2.12, "Data centre")
    [entry] = history(small, entity="sites", key="DC1")
    assert entry.before == {"code": "DC1", "latitude": 52.8, "longitude": None}
    assert entry.after == {"code": "DC1", "latitude": 52.81, "longitude": -2.12}


def test_update_of_occupants_and_a_field_error(small: Store) -> None:
    hub = small.load().sites["HUB"]
    update(small, "sites", "HUB", {"occupants": "POL; SCC"}, version=hub["version"])
    assert small.load().sites["HUB"]["occupants"] == ["POL", "SCC"]
    again = small.load().sites["HUB"]
    errors = errors_of(lambda: update(small, "sites", "HUB", {"occupants": "NOPE"}, version=again["version"]))
    assert "unknown tenant code 'NOPE'" in errors["occupants"]


def second_store(store: Store, **options: Any) -> Store:
    """Another engineer's connection to the same database (its own engine and pool)."""
    return open_store(store.engine.url.render_as_string(hide_password=False), **options)


def test_a_stale_edit_is_refused_with_the_newer_values_and_never_overwrites(small: Store) -> None:
    opened = small.load().sites["DC1"]
    other = second_store(small, actor="alice")
    try:
        update(other, "sites", "DC1", {"name": "Stafford DC"}, version=opened["version"])
    finally:
        other.close()
    with pytest.raises(ConflictError) as caught:
        update(
            small, "sites", "DC1", {"name": "Mine", "latitude": "50"}, version=opened["version"], base=opened
        )
    message = str(caught.value)
    assert "changed by alice" in message and "name is now 'Stafford DC'" in message
    assert "Nothing was saved" in message
    assert caught.value.newer == {"name": "Stafford DC"}
    stored = small.load().sites["DC1"]
    assert (stored["name"], stored["latitude"]) == ("Stafford DC", 52.8)


def test_delete_of_a_site_with_dependants_needs_confirmation_and_logs_each(small: Store) -> None:
    preview = delete_preview(small, "sites", "HUB")
    assert preview.deleted == {"links": ["C1", "C2"], "prefixes": [("10.0.0.0/24", "")]}
    assert preview.lines()[0] == "2 links deleted too: C1, C2"
    with pytest.raises(EditError, match="has dependants"):
        delete(small, "sites", "HUB")
    assert "HUB" in small.load().sites
    result = delete(small, "sites", "HUB", cascade=True)
    inventory = small.load()
    assert "HUB" not in inventory.sites and not inventory.links and not inventory.prefixes
    entries = history(small, batch=result.batch, limit=10)
    assert sorted((e.action, e.entity, e.key) for e in entries) == [
        ("delete", "links", "C1"),
        ("delete", "links", "C2"),
        ("delete", "prefixes", "10.0.0.0/24|"),
        ("delete", "sites", "HUB"),
    ]
    site = next(e for e in entries if e.entity == "sites")
    assert site.before is not None and site.before["occupants"] == ["POL"]


def test_delete_of_a_tenant_clears_its_references(small: Store) -> None:
    preview = delete_preview(small, "tenants", "POL")
    assert preview.cleared == {"sites": ["LIB"], "links": ["C2"], "prefixes": [("10.0.0.0/24", "")]}
    assert preview.occupancies == ["HUB"]
    delete(small, "tenants", "POL", cascade=True)
    inventory = small.load()
    assert "POL" not in inventory.tenants
    assert inventory.sites["LIB"]["tenant"] is None and inventory.links["C2"]["tenant"] is None
    assert inventory.sites["HUB"]["occupants"] == []


def test_a_link_deletes_without_dependants_and_a_stale_delete_conflicts(small: Store) -> None:
    link = small.load().links["C1"]
    update(small, "links", "C1", {"provider": "BT"}, version=link["version"])
    with pytest.raises(ConflictError, match="provider is now 'BT'"):
        delete(small, "links", "C1", version=link["version"])
    delete(small, "links", "C1", version=link["version"] + 1)
    assert "C1" not in small.load().links
    with pytest.raises(EditError, match="there is no link C1 any more"):
        update(small, "links", "C1", {"provider": "X"}, version=1)


def test_writes_on_a_read_only_store_are_refused(small: Store) -> None:
    reader = second_store(small, read_only=True)
    try:
        with pytest.raises(ReadOnlyError):
            create(reader, "tenants", {"code": "NEW"})
    finally:
        reader.close()
    assert "NEW" not in small.load().tenants
