"""Links: every circuit in one table, and one circuit in detail with its two ends."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from psninv.display import clean
from psninv.model import srlg_tags
from psninv.tui import forms
from psninv.tui.base import DetailScreen, ListScreen, fields
from psninv.tui.data import mbps, money, text
from psninv.tui.findings import findings_section
from psninv.tui.site_detail import tenant_label, whatif_state
from psninv.tui.sites import findings_cell, findings_sort_value
from psninv.tui.table import Column, VirtualTable


class LinksScreen(ListScreen):
    """Every circuit: ends, provider, bandwidth, cost, contract end and findings."""

    BINDINGS: ClassVar[list[BindingType]] = forms.LIST_KEYS

    section = "links"
    title_text = "Links"

    def make_table(self) -> VirtualTable:
        return VirtualTable(
            [
                Column("circuit", "Circuit", min_width=8, max_width=16),
                Column("a_site", "A end", min_width=7, max_width=16),
                Column("b_site", "B end", min_width=7, max_width=16),
                Column("provider", "Provider", flex=True, min_width=6, max_width=16),
                Column("bandwidth_mbps", "BW", numeric=True, min_width=4, max_width=6),
                Column("annual_cost_gbp", "£/yr", numeric=True, min_width=6, max_width=9),
                Column("contract_end", "Ends", width=10),
                Column("findings", "Findings", min_width=6, max_width=11),
            ],
            self._cells,
            entity="link",
            sort_value=self._sort_value,
            search_text=self._search,
            **self.psn.state_args("link"),
            empty_text="no links yet",
            id="links-table",
        )

    def _cells(self, cid: str) -> list[str | Text]:
        snap, results = self.psn.snapshot, self.psn.results
        link = snap.links.get(cid) if snap else None
        if link is None:
            return [cid]
        status = link.get("status") or "active"
        circuit: str | Text = cid if status == "active" else Text(f"{cid} ({status})", style="dim")
        return [
            circuit,
            link["a_site"],
            link["b_site"],
            text(link.get("provider")),
            mbps(link.get("bandwidth_mbps")),
            money(link.get("annual_cost_gbp")),
            text(link.get("contract_end")),
            findings_cell(results.by_link.get(cid) if results else None, results),
        ]

    def _sort_value(self, cid: str, column: str) -> Any:
        snap, results = self.psn.snapshot, self.psn.results
        link = snap.links.get(cid) if snap else None
        if link is None:
            return None
        if column == "circuit":
            return cid
        if column == "findings":
            return findings_sort_value(results.by_link.get(cid) if results else None, results)
        value = link.get(column)
        return value.lower() if isinstance(value, str) else value

    def _search(self, cid: str) -> str:
        return self.psn.snapshot.link_search(cid) if self.psn.snapshot else cid

    def refresh_data(self) -> None:
        snap = self.psn.snapshot
        self.table.wait("loading…" if snap is None else None)
        self.table.set_rows(list(snap.links) if snap else [])
        self.update_title()

    def open_row(self, key: Hashable) -> None:
        self.psn.open_link(key)


class LinkScreen(DetailScreen):
    """A circuit: its fields, its two ends (Enter opens them) and the findings about it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *forms.DETAIL_KEYS,
        Binding("v", "events", "Fail its tag or provider", show=True),
    ]

    section = "links"

    def action_events(self) -> None:
        """Pick one of this circuit's SRLG tags or its provider to fail, with what each cuts off."""
        from psninv.tui.events import EventsScreen

        self.app.push_screen(EventsScreen(self.circuit))

    def __init__(self, circuit: str) -> None:
        super().__init__()
        self.circuit = circuit
        self.subject = ("link", circuit)

    def compose_sections(self) -> ComposeResult:
        yield self.section_title("link-ends")
        yield VirtualTable(
            [
                Column("end", "End", width=3),
                Column("code", "Site", min_width=8, max_width=16),
                Column("name", "Name", flex=True, min_width=8, max_width=40),
                Column("tenant", "Tenant", min_width=6, max_width=12),
                Column("role", "Role", min_width=4, max_width=10),
                Column("district", "District", min_width=6, max_width=20),
            ],
            self._end_cells,
            entity="site",
            **self.psn.state_args("site"),
            id="link-ends",
        )
        yield from findings_section(self, "link-findings", "no findings about this circuit")

    def _end_cells(self, code: str) -> list[str | Text]:
        snap = self.psn.snapshot
        link = snap.links.get(self.circuit) if snap else None
        site = snap.sites.get(code) if snap else None
        if link is None or site is None:
            return ["", code]
        end = "A" if link["a_site"] == code else "B"
        return [
            end,
            code,
            text(site.get("name")),
            text(site.get("tenant")),
            text(site.get("role")),
            text(site.get("district")),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#link-ends", VirtualTable).focus()

    def refresh_data(self) -> None:
        snap = self.psn.snapshot
        link = snap.links.get(self.circuit) if snap else None
        if link is None:
            self.set_head(Text(f"There is no circuit {self.circuit} (any more).", style="yellow"))
            return
        head = Text.assemble(
            (self.circuit, "bold"),
            "  ",
            (clean(snap.site_label(link["a_site"])), ""),
            " ⟷ ",
            clean(snap.site_label(link["b_site"])),
        )
        pairs: list[tuple[str, Any]] = [
            ("Provider", text(link.get("provider"))),
            ("Medium", text(link.get("medium"))),
            ("Bandwidth", mbps(link.get("bandwidth_mbps"))),
            ("Annual cost", money(link.get("annual_cost_gbp"))),
            ("Contract end", text(link.get("contract_end"))),
            ("Paid by", tenant_label(self.psn, link.get("tenant"))),
            ("SRLG", ", ".join(srlg_tags(link.get("srlg")))),
            ("Status", text(link.get("status") or "active")),
        ]
        parts: list[Any] = [head, fields(pairs, columns=2 if self.size.width >= 70 else 1)]
        state = whatif_state(self.psn, "link", self.circuit)
        if state is not None:
            parts.append(state)
        self.set_head(Group(*parts))
        ends = list(dict.fromkeys([link["a_site"], link["b_site"]]))
        self.fill("link-ends", "Ends  (Enter opens the site)", ends)
        results = self.psn.results
        ids = [f.id for f in results.by_link.get(self.circuit, [])] if results else []
        self.fill("link-findings", "Findings", ids, max_rows=8)

    def refresh_whatif(self) -> None:
        super().refresh_whatif()
        self.refresh_data()
