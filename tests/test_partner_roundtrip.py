"""A partner's round trip: its export marks the sites it only references; reimporting changes nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner
from digest import contents_digest
from sqlalchemy import func, select

from psninv.cli.app import get_cli
from psninv.io.export import export_inventory
from psninv.io.importer import import_files
from psninv.model import Change
from psninv.store import Store, open_store

SAMPLE = Path(__file__).parent.parent / "inventory" / "staffordshire.xlsx"
PARTNER = "NHS-MPFT"


def run(*args: str) -> object:
    return CliRunner().invoke(get_cli(), [*map(str, args)], catch_exceptions=False)


def log_size(store: Store) -> int:
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(Change.__table__)).scalar_one()


@pytest.fixture
def sample(tmp_path: Path) -> str:
    db = str(tmp_path / "psn.db")
    assert run("import", SAMPLE, "--db", db).exit_code == 0
    return db


def test_the_tenant_export_marks_only_the_referenced_sites(sample: str, tmp_path: Path) -> None:
    with open_store(sample, actor="t") as store:
        view = store.load().for_tenant(PARTNER)
    path = tmp_path / "mpft.csv"

    assert run("export", path, "--tenant", PARTNER, "--db", sample, "--format", "csv").exit_code == 0

    header, *rows = [line.split(",") for line in (path / "sites.csv").read_text().splitlines()]
    assert header[-1] == "_reference"
    marked = {row[0] for row in rows if row[-1] == "reference"}
    assert marked == set(view.references) and marked
    assert all(view.sites[code]["tenant"] != PARTNER for code in marked)


def test_exporting_a_tenant_and_importing_it_back_changes_nothing(sample: str, tmp_path: Path) -> None:
    path = tmp_path / "mpft.xlsx"
    with open_store(sample, actor="t") as store:
        before, logged = contents_digest(store), log_size(store)

    exported = run("export", path, "--tenant", PARTNER, "--db", sample)
    imported = run("import", path, "--db", sample)

    assert exported.exit_code == 0 and imported.exit_code == 0, imported.output
    assert "Nothing changed" in imported.output
    with open_store(sample, actor="t") as store:
        assert (contents_digest(store), log_size(store)) == (before, logged)


def partner_edit(sample: str, tmp_path: Path, *, site_of: str) -> tuple[Path, str]:
    """The partner's export with one site renamed: one of `site_of`'s sites in the partner's view."""
    with open_store(sample, actor="t") as store:
        view = store.load().for_tenant(PARTNER)
    code = sorted(
        c for c, row in view.sites.items() if row["tenant"] == site_of and c not in view.references
    )[0]
    sites = dict(view.sites) | {code: view.sites[code] | {"name": "Renamed by the partner"}}
    path = export_inventory(dataclasses.replace(view, sites=sites), tmp_path / "edited.xlsx")
    return path, code


def test_a_partners_edit_of_its_own_site_is_the_only_change(sample: str, tmp_path: Path) -> None:
    path, code = partner_edit(sample, tmp_path, site_of=PARTNER)
    with open_store(sample, actor="t") as store:
        old_name = store.load().sites[code]["name"]

    dry = run("import", path, "--tenant", PARTNER, "--dry-run", "--db", sample)
    with open_store(sample, actor="t") as store:
        report = import_files(store, [path], tenant=PARTNER)
        after = store.load()

    assert dry.exit_code == 0, dry.output
    assert "update" in dry.output and code in dry.output and "name" in dry.output
    assert f"{old_name} → Renamed by the partner" in " ".join(dry.output.split())
    assert report.ok, [str(issue) for issue in report.issues]
    assert [(c.action, c.entity, c.key, sorted(c.after)) for c in report.changes] == [
        ("update", "sites", code, ["code", "name"])
    ]
    assert after.sites[code]["name"] == "Renamed by the partner"


def test_a_partner_import_that_touches_another_bodys_row_is_refused(sample: str, tmp_path: Path) -> None:
    path, code = partner_edit(sample, tmp_path, site_of="SCC")
    with open_store(sample, actor="t") as store:
        before = contents_digest(store)

    result = run("import", path, "--tenant", PARTNER, "--db", sample)

    assert result.exit_code == 1
    assert len([line for line in result.output.splitlines() if line.startswith("error")]) == 1
    assert f"--tenant {PARTNER}: 1 changed rows are not {PARTNER}'s own (site {code})" in " ".join(
        result.output.split()
    )
    with open_store(sample, actor="t") as store:
        assert contents_digest(store) == before
