"""The change log read back and reverted, in the library and through `psninv history` and `psninv revert`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from builders import write_rows
from click.testing import CliRunner

from psninv.changes import RevertError, count_changes, create, delete, history, revert, revert_batch, update
from psninv.cli.app import get_cli
from psninv.store import Store


@pytest.fixture
def edited(store: Store) -> Store:
    """A tenant and two sites created through edits, then one site's coordinates corrected."""
    create(store, "tenants", {"code": "SCC", "name": "County"})
    create(store, "sites", {"code": "A", "tenant": "SCC", "latitude": "52.1", "longitude": "-2.1"})
    create(store, "sites", {"code": "B", "tenant": "SCC"})
    site = store.load().sites["A"]
    update(store, "sites", "A", {"latitude": "52.8"}, version=site["version"])
    return store


def run(db: str, *args: str) -> Any:
    return CliRunner().invoke(get_cli(), [*args, "--db", db], catch_exceptions=False)


def test_history_filters_newest_first_and_pages(edited: Store) -> None:
    entries = history(edited)
    assert [(e.action, e.key) for e in entries] == [
        ("update", "A"),
        ("create", "B"),
        ("create", "A"),
        ("create", "SCC"),
    ]
    assert [e.key for e in history(edited, entity="sites", limit=2, offset=1)] == ["B", "A"]
    assert [e.action for e in history(edited, entity="sites", key="A")] == ["update", "create"]
    assert history(edited, actor="nobody") == []
    assert count_changes(edited, entity="sites") == 3
    assert entries[0].summary() == "latitude '52.1' → '52.8'"


def test_revert_of_an_update_restores_it_and_is_logged(edited: Store) -> None:
    change = history(edited, entity="sites", key="A")[0]
    result = revert(edited, change.id)
    assert edited.load().sites["A"]["latitude"] == 52.1
    latest = history(edited, limit=1)[0]
    assert latest.id == result.change_ids[0] and latest.reverts == change.id
    assert latest.before == {"code": "A", "latitude": 52.8} and latest.after == {
        "code": "A",
        "latitude": 52.1,
    }
    assert history(edited, entity="sites", key="A")[1].reverted_by == latest.id
    with pytest.raises(RevertError, match="already reverted"):
        revert(edited, change.id)
    # Reverting the revert brings the correction back; the create under both can then not be undone.
    revert(edited, latest.id)
    assert edited.load().sites["A"]["latitude"] == 52.8


def test_revert_refuses_when_later_changes_depend_on_it(edited: Store) -> None:
    created_a = history(edited, entity="sites", key="A")[-1]
    with pytest.raises(
        RevertError, match=r"change #\d+ \(update by tester .*\) came later to the same site A"
    ):
        revert(edited, created_a.id)
    created_scc = history(edited, entity="tenants", key="SCC")[0]
    with pytest.raises(RevertError, match="other records now refer to tenant SCC"):
        revert(edited, created_scc.id)
    assert "A" in edited.load().sites and "SCC" in edited.load().tenants


def test_revert_of_a_create_deletes_and_of_a_delete_recreates(edited: Store) -> None:
    created_b = history(edited, entity="sites", key="B")[0]
    revert(edited, created_b.id)
    assert "B" not in edited.load().sites
    create(edited, "sites", {"code": "C", "tenant": "SCC"})
    create(edited, "links", {"circuit_id": "L1", "a_site": "A", "b_site": "C", "contract_end": "2029-01-31"})
    result = delete(edited, "sites", "C", cascade=True)
    deleted = {e.entity: e for e in history(edited, batch=result.batch)}
    with pytest.raises(RevertError, match="refers to site C, which no longer exists"):
        revert(edited, deleted["links"].id)
    revert(edited, deleted["sites"].id)
    revert(edited, deleted["links"].id)
    link = edited.load().links["L1"]
    assert (link["a_site"], link["b_site"], str(link["contract_end"])) == ("A", "C", "2029-01-31")


def test_revert_refuses_a_record_that_changed_outside_the_log(edited: Store) -> None:
    change = history(edited, entity="sites", key="A")[0]
    write_rows(edited, sites=[{"code": "A", "tenant": "SCC", "latitude": 51.0}])
    with pytest.raises(RevertError, match="has changed since"):
        revert(edited, change.id)


def test_cli_history_and_revert(edited: Store, db: str) -> None:
    listed = run(db, "history", "--entity", "site", "--key", "A", "--format", "json")
    assert listed.exit_code == 0
    data = json.loads(listed.output)
    assert [row["action"] for row in data] == ["update", "create"]
    table = run(db, "history", "--actor", "tester", "--limit", "2")
    assert table.exit_code == 0 and "latitude" in table.output and "2 of 4 changes" in table.output
    done = run(db, "revert", str(data[0]["id"]), "--actor", "bob")
    assert done.exit_code == 0 and f"reverted change #{data[0]['id']}" in done.output
    assert edited.load().sites["A"]["latitude"] == 52.1
    assert history(edited, limit=1)[0].actor == "bob"
    tenant_created = history(edited, entity="tenants")[0].id
    refused = run(db, "revert", str(tenant_created))
    assert refused.exit_code == 1
    assert refused.output.startswith("psninv: cannot revert") and "Traceback" not in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    missing = run(db, "revert", "9999")
    assert missing.exit_code == 1 and "no change #9999" in missing.output
    bad = run(db, "history", "--entity", "castles")
    assert bad.exit_code == 2 and "unknown entity" in bad.output  # a usage error (issue 16)
    read_only = run(db, "revert", str(data[0]["id"]), "--read-only")
    assert read_only.exit_code == 1 and "read-only" in read_only.output


def test_revert_of_a_revert_of_a_revert_still_blocks_the_change_under_it(edited: Store) -> None:
    created_a = history(edited, entity="sites", key="A")[-1]
    update_a = history(edited, entity="sites", key="A")[0]
    first = revert(edited, update_a.id).change_ids[0]
    revert(edited, first)  # the correction is back: creating A is again followed by a standing change
    with pytest.raises(RevertError, match="came later to the same site A"):
        revert(edited, created_a.id)


def test_revert_batch_brings_back_a_deleted_site_with_its_links(edited: Store, db: str) -> None:
    create(edited, "sites", {"code": "C", "tenant": "SCC"})
    create(edited, "links", {"circuit_id": "L1", "a_site": "A", "b_site": "C"})
    create(edited, "prefixes", {"prefix": "10.9.0.0/16", "site": "C"})
    before = edited.load()
    deleted = delete(edited, "sites", "C", cascade=True)
    result = revert_batch(edited, deleted.batch)
    assert len(result.change_ids) == 3
    after = edited.load()
    assert (
        after.sites["C"]["tenant"] == "SCC" and "L1" in after.links and ("10.9.0.0/16", "") in after.prefixes
    )
    assert {k: {n: v for n, v in r.items() if n != "version"} for k, r in after.links.items()} == {
        k: {n: v for n, v in r.items() if n != "version"} for k, r in before.links.items()
    }
    assert {e.reverts for e in history(edited, batch=result.batch)} == set(deleted.change_ids)
    # The tenant's delete clears references; reverting its batch puts them back, from the CLI.
    gone = delete(edited, "tenants", "SCC", cascade=True)
    assert edited.load().sites["A"]["tenant"] is None
    done = run(db, "revert", "--batch", gone.batch)
    assert done.exit_code == 0, done.output
    assert f"of batch {gone.batch}" in done.output
    assert edited.load().sites["A"]["tenant"] == "SCC" and edited.load().sites["C"]["tenant"] == "SCC"
    again = run(db, "revert", "--batch", gone.batch)
    assert again.exit_code == 1 and "already reverted" in again.output
    both = run(db, "revert", "1", "--batch", gone.batch)
    assert both.exit_code == 2 and "one change to revert, or one --batch" in both.output
