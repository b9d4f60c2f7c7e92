"""A scenario: the inventory as if some files were imported, read through the import and written nowhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from psninv.analysis.result import ScenarioInfo
from psninv.errors import InputError
from psninv.inventory import Inventory
from psninv.io.importer import import_files
from psninv.io.issues import ImportReport
from psninv.records import COLUMNS, ENTITY_KEYS
from psninv.store import Store


@dataclass(slots=True)
class Scenario:
    """The inventory with the files applied in memory, and what applying them changed."""

    inventory: Inventory
    info: ScenarioInfo


def load_scenario(store: Store, paths: Sequence[str | Path]) -> Scenario:
    """The stored inventory as if `paths` were imported: the validated import, run dry, applied in memory.

    Any error the import would report is raised (the first one, with how many more); nothing is
    written, whether or not the store is writable.
    """
    report = import_files(store, paths, dry_run=True)
    _refuse_errors(report)
    inventory = store.load()
    info = ScenarioInfo(list(report.files), warnings=[str(issue) for issue in report.warnings])
    scenario = Scenario(inventory, info)
    tables = dict(inventory.entities())
    for record in report.changes:
        rows = tables[record.entity]
        after = dict(record.after or {})
        key_names = ENTITY_KEYS[record.entity]
        key = after[key_names[0]] if len(key_names) == 1 else tuple(after[name] for name in key_names)
        if record.action == "create":
            base = {column.name: None for column in COLUMNS[record.entity]}
            if record.entity == "sites":
                base["occupants"] = []
            rows[key] = base | after
            info.created += 1
        elif record.action == "update":
            rows[key] = {**rows.get(key, {}), **after}
            info.updated += 1
    for row in inventory.sites.values():
        if row.get("occupants") is None:
            row["occupants"] = []
    return scenario


def _refuse_errors(report: ImportReport) -> None:
    errors = report.errors
    if errors:
        more = (
            f" (and {len(errors) - 1:,} more errors: `psninv import --dry-run` lists them)"
            if len(errors) > 1
            else ""
        )
        raise InputError(f"scenario: {errors[0]}{more}")
