"""Sites: every site in one sortable, filterable table."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import BindingType

from psninv.analysis.finding import Finding
from psninv.session import Results, Snapshot
from psninv.tui import colours, forms
from psninv.tui.base import ListScreen
from psninv.tui.data import criticality_text, role_text, text
from psninv.tui.table import Column, VirtualTable


def findings_cell(findings: list[Finding] | None, results: Results | None) -> Text:
    """How many findings name something, coloured by the worst of them."""
    if results is None:
        return Text("…", style=colours.MUTED)
    if not findings:
        return Text("")
    worst = results.worst(findings)
    return Text(
        f"{len(findings)} {colours.SEVERITY_SHORT.get(str(worst), worst)}",
        style=colours.severity_style(worst),
    )


def findings_sort_value(findings: list[Finding] | None, results: Results | None) -> Any:
    """Worst severity first, then most findings."""
    if not findings or results is None:
        return None
    worst = results.worst(findings)
    return (worst.rank if worst else 9, -len(findings))


def site_columns() -> list[Column]:
    """The columns of the sites table."""
    return [
        Column("code", "Code", min_width=8, max_width=16),
        Column("name", "Name", flex=True, min_width=10, max_width=40),
        Column("tenant", "Tenant", min_width=6, max_width=12),
        Column("district", "District", min_width=6, max_width=20, priority=2),
        Column("role", "Role", min_width=4, max_width=6),
        Column("criticality", "Crit.", width=5),
        Column("links", "Links", numeric=True, width=5),
        Column("findings", "Findings", width=8),
    ]


def site_cells(snapshot: Snapshot | None, results: Results | None, code: str) -> list[str | Text]:
    """A site as a row of the sites table."""
    site = snapshot.sites.get(code) if snapshot else None
    if site is None:
        return [code]
    return [
        code,
        text(site.get("name")),
        text(site.get("tenant")),
        text(site.get("district")),
        role_text(site.get("role")),
        criticality_text(site.get("criticality")),
        str(len(snapshot.links_by_site.get(code, ()))),
        findings_cell(results.by_site.get(code) if results else None, results),
    ]


def site_sort_value(snapshot: Snapshot | None, results: Results | None, code: str, column: str) -> Any:
    """What a site row sorts by in a column."""
    site = snapshot.sites.get(code) if snapshot else None
    if site is None:
        return None
    if column == "code":
        return code
    if column == "links":
        return len(snapshot.links_by_site.get(code, ()))
    if column == "findings":
        return findings_sort_value(results.by_site.get(code) if results else None, results)
    if column == "criticality":
        return {"critical": 0, "high": 1, "standard": 2}.get(site.get("criticality") or "")
    value = site.get(column)
    return value.lower() if isinstance(value, str) else value


def site_search_text(snapshot: Snapshot | None, code: str) -> str:
    """Everything a filter can match in a site."""
    return snapshot.site_search(code) if snapshot else code


class SitesScreen(ListScreen):
    """Every site: code, name, tenant, district, role, criticality, links and findings."""

    BINDINGS: ClassVar[list[BindingType]] = forms.LIST_KEYS

    section = "sites"
    title_text = "Sites"

    def make_table(self) -> VirtualTable:
        return VirtualTable(
            site_columns(),
            lambda code: site_cells(self.psn.snapshot, self.psn.results, code),
            entity="site",
            sort_value=lambda code, col: site_sort_value(self.psn.snapshot, self.psn.results, code, col),
            search_text=lambda code: site_search_text(self.psn.snapshot, code),
            **self.psn.state_args("site"),
            empty_text="no sites yet: import a workbook with `psninv import`",
            id="sites-table",
        )

    def refresh_data(self) -> None:
        snapshot = self.psn.snapshot
        table = self.table
        table.wait("loading…" if snapshot is None else None)
        table.set_rows(list(snapshot.sites) if snapshot else [])
        self.update_title()

    def open_row(self, key: Hashable) -> None:
        self.psn.open_site(key)

    def on_virtual_table_row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        self.psn.selected_site = str(event.key)
