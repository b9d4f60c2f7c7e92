"""Tenants: every body on the network, and one tenant with its sites, cost, findings and savings."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType

from psninv.display import clean
from psninv.tui import colours, forms
from psninv.tui.base import DetailScreen, ListScreen, fields
from psninv.tui.data import money, text
from psninv.tui.findings import findings_section
from psninv.tui.sites import findings_cell, findings_sort_value, site_cells, site_columns
from psninv.tui.table import Column, VirtualTable


def tenant_money(app: Any, code: str) -> tuple[float | None, float | None, float | None]:
    """A tenant's annual cost (from the inventory) and the savings open to it (£, %) once analysed."""
    snap, results = app.snapshot, app.results
    cost = snap.tenant_cost(code) if snap is not None else None
    entry = results.tenant_savings(code) if results is not None else None
    return cost, (entry.savings_gbp if entry else None), (entry.savings_pct if entry else None)


class TenantsScreen(ListScreen):
    """Every tenant: sector, sites, circuits paid for, annual cost, savings open and findings."""

    BINDINGS: ClassVar[list[BindingType]] = forms.LIST_KEYS

    section = "tenants"
    title_text = "Tenants"
    hint = "Enter opens · / filters · s sorts"

    def make_table(self) -> VirtualTable:
        return VirtualTable(
            [
                Column("code", "Code", min_width=6, max_width=14),
                Column("name", "Name", flex=True, min_width=10, max_width=44),
                Column("sector", "Sector", min_width=6, max_width=18, priority=1),
                Column("sites", "Sites", numeric=True, width=6),
                Column("cost", "£/yr", numeric=True, min_width=7, max_width=11),
                Column("savings", "Savings", numeric=True, min_width=7, max_width=10),
                Column("findings", "Findings", min_width=6, max_width=11),
            ],
            self._cells,
            entity="tenant",
            sort_value=self._sort_value,
            **self.psn.state_args("tenant"),
            empty_text="no tenants yet",
            id="tenants-table",
        )

    def _cells(self, code: str) -> list[str | Text]:
        snap, results = self.psn.snapshot, self.psn.results
        tenant = snap.tenants.get(code) if snap else None
        if tenant is None:
            return [code]
        cost, gbp, _pct = tenant_money(self.psn, code)
        return [
            code,
            text(tenant.get("name")),
            text(tenant.get("sector")),
            str(len(snap.sites_by_tenant.get(code, ()))),
            money(cost),
            Text(money(gbp), style="green") if gbp else Text("…" if results is None else "", style="dim"),
            findings_cell(results.by_tenant.get(code) if results else None, results),
        ]

    def _sort_value(self, code: str, column: str) -> Any:
        snap, results = self.psn.snapshot, self.psn.results
        tenant = snap.tenants.get(code) if snap else None
        if tenant is None:
            return None
        if column == "sites":
            return len(snap.sites_by_tenant.get(code, ()))
        if column in ("cost", "savings"):
            cost, gbp, _pct = tenant_money(self.psn, code)
            return cost if column == "cost" else gbp
        if column == "findings":
            return findings_sort_value(results.by_tenant.get(code) if results else None, results)
        value = code if column == "code" else tenant.get(column)
        return value.lower() if isinstance(value, str) else value

    def refresh_data(self) -> None:
        snap = self.psn.snapshot
        self.table.wait("loading…" if snap is None else None)
        self.table.set_rows(list(snap.tenants) if snap else [])
        self.update_title()

    def open_row(self, key: Hashable) -> None:
        self.psn.open_tenant(key)


class TenantScreen(DetailScreen):
    """A tenant: its sites, annual cost, the findings about it and the savings open to it."""

    BINDINGS: ClassVar[list[BindingType]] = forms.DETAIL_KEYS

    section = "tenants"

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.subject = ("tenant", code)

    def compose_sections(self) -> ComposeResult:
        yield from findings_section(self, "tenant-findings", "no findings about this tenant")
        yield self.section_title("tenant-sites")
        yield VirtualTable(
            site_columns(),
            lambda code: site_cells(self.psn.snapshot, self.psn.results, code),
            entity="site",
            **self.psn.state_args("site"),
            id="tenant-sites",
        )
        yield self.section_title("tenant-links")
        yield VirtualTable(
            [
                Column("circuit", "Circuit", min_width=8, max_width=16),
                Column("a", "A end", min_width=7, max_width=16),
                Column("b", "B end", min_width=7, max_width=16),
                Column("provider", "Provider", flex=True, min_width=6, max_width=16),
                Column("cost", "£/yr", numeric=True, min_width=6, max_width=9),
                Column("end", "Ends", width=10),
            ],
            self._link_cells,
            entity="link",
            **self.psn.state_args("link"),
            empty_text="it pays for no circuits",
            id="tenant-links",
        )

    def _link_cells(self, cid: str) -> list[str | Text]:
        link = self.psn.snapshot.links.get(cid) if self.psn.snapshot else None
        if link is None:
            return [cid]
        return [
            cid,
            link["a_site"],
            link["b_site"],
            text(link.get("provider")),
            money(link.get("annual_cost_gbp")),
            text(link.get("contract_end")),
        ]

    def refresh_data(self) -> None:
        snap, results = self.psn.snapshot, self.psn.results
        tenant = snap.tenants.get(self.code) if snap else None
        if tenant is None:
            self.set_head(Text(f"There is no tenant {self.code} (any more).", style="yellow"))
            return
        sites = snap.sites_by_tenant.get(self.code, [])
        owned = sum(1 for s in sites if snap.sites[s].get("tenant") == self.code)
        cost, gbp, pct = tenant_money(self.psn, self.code)
        saving: Any = None
        if results is None:
            saving = Text("analysing…", style="yellow")
        else:
            saving = Text(f"{money(gbp or 0)} a year", style="bold green" if gbp else "")
            if gbp and pct is not None:
                saving.append(f"  ({pct:.1f}% of its cost)", style="green")
            entry = results.tenant_savings(self.code)
            avoided = entry.avoided_gbp if entry else 0
            if avoided:
                saving.append(f"  + {money(avoided)} avoided", style="green")
        head = Text.assemble((self.code, "bold"), "  ", (clean(text(tenant.get("name"))), "bold"))
        pairs: list[tuple[str, Any]] = [
            ("Sector", text(tenant.get("sector"))),
            ("Sites", f"{len(sites)} ({owned} owned, {len(sites) - owned} shared)"),
            ("Annual cost", money(cost)),
            ("Savings open", saving),
        ]
        parts: list[Any] = [head, fields(pairs, columns=2 if self.size.width >= 70 else 1)]
        view = self.psn.whatif
        if self.psn.failed and view is not None and view.cut_off.get(self.code):
            dark = view.cut_off[self.code]
            parts.append(
                Text(
                    f"⚠ {len(dark)} of its sites are cut off by the what-if: "
                    + ", ".join(dark[:8])
                    + (" …" if len(dark) > 8 else ""),
                    style=colours.CUT_OFF,
                )
            )
        self.set_head(Group(*parts))
        ids = [f.id for f in results.by_tenant.get(self.code, [])] if results else []
        findings = self.fill("tenant-findings", "Findings and opportunities", ids, max_rows=8)
        findings.wait("analysing…" if results is None and self.psn.analysis_error is None else None)
        self.fill("tenant-sites", "Sites", list(sites))
        self.fill("tenant-links", "Circuits it pays for", list(snap.links_by_tenant.get(self.code, [])))

    def refresh_whatif(self) -> None:
        super().refresh_whatif()
        self.refresh_data()
