"""One site: its fields and occupants, its links (walk to the far ends), its prefixes and findings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from psninv.display import clean
from psninv.tui import colours, forms
from psninv.tui.base import DetailScreen, fields
from psninv.tui.data import mbps, money, text
from psninv.tui.findings import findings_section
from psninv.tui.history import ChangesTable, record_history
from psninv.tui.table import Column, VirtualTable


class SiteLinksTable(VirtualTable):
    """A site's links: Enter walks to the far end, o opens the circuit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Far end", show=True),
        Binding("o", "open_circuit", "Circuit", show=True),
    ]

    def action_open_circuit(self) -> None:
        if self.cursor_key is not None:
            self.app.open_link(self.cursor_key)  # type: ignore[attr-defined]


def tenant_label(app: Any, code: str | None) -> str:
    """A tenant's code with its name, where known."""
    if not code:
        return ""
    tenant = app.snapshot.tenants.get(code) if app.snapshot else None
    name = tenant.get("name") if tenant else None
    return f"{code} ({name})" if name else code


def whatif_state(app: Any, kind: str, key: str) -> Text | None:
    """A line saying what the current what-if does to a site or link, if anything."""
    style = app.row_state(kind, key)
    if style is None:
        return None
    if key in app.failed:
        return Text(f"✖ FAILED in the what-if (r resets, f restores this {kind})", style=colours.FAILED)
    if style == colours.FAILED:
        return Text("✖ down: an end of it is failed in the what-if", style=colours.FAILED)
    return Text("⚠ CUT OFF from the core by the what-if", style=colours.CUT_OFF)


class SiteScreen(DetailScreen):
    """A site and everything attached to it."""

    BINDINGS: ClassVar[list[BindingType]] = forms.SITE_KEYS

    section = "sites"

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.subject = ("site", code)
        self.record_changes: dict[int, Any] = {}

    def compose_sections(self) -> ComposeResult:
        yield self.section_title("site-links")
        yield SiteLinksTable(
            [
                Column("circuit", "Circuit", min_width=8, max_width=16),
                Column("far", "Far end", min_width=8, max_width=16),
                Column("far_name", "Far-end name", flex=True, min_width=6, max_width=30),
                Column("provider", "Provider", min_width=6, max_width=14),
                Column("bandwidth", "BW", numeric=True, min_width=4, max_width=6),
                Column("cost", "£/yr", numeric=True, min_width=6, max_width=9),
                Column("end", "Ends", width=10),
            ],
            self._link_cells,
            entity="link",
            sort_value=self._link_sort,
            row_style=self._link_style,
            row_mark=lambda cid: {colours.FAILED: "✖", colours.CUT_OFF: "●"}.get(self._link_style(cid), ""),
            empty_text="no links: this site is not connected",
            id="site-links",
        )
        yield self.section_title("site-prefixes")
        yield VirtualTable(
            [
                Column("prefix", "Prefix", min_width=10, max_width=20),
                Column("vrf", "VRF", min_width=3, max_width=12),
                Column("tenant", "Tenant", min_width=6, max_width=12),
                Column("description", "Description", flex=True, min_width=6, max_width=60),
            ],
            self._prefix_cells,
            entity="prefix",
            empty_text="no prefixes recorded (p adds one)",
            id="site-prefixes",
        )
        yield from findings_section(self, "site-findings", "no findings about this site")
        yield self.section_title("site-history")
        yield ChangesTable(
            lambda: self.record_changes, with_key=False, empty_text="no changes logged", id="site-history"
        )

    def _link_cells(self, cid: str) -> list[str | Text]:
        snap = self.psn.snapshot
        link = snap.links.get(cid) if snap else None
        if link is None:
            return [cid]
        far = snap.far_end(cid, self.code)
        far_name = (snap.sites.get(far) or {}).get("name")
        status = link.get("status") or "active"
        end = text(link.get("contract_end"))
        return [
            cid,
            far,
            text(far_name) if status == "active" else Text(f"{text(far_name)} [{status}]", style="dim"),
            text(link.get("provider")),
            mbps(link.get("bandwidth_mbps")),
            money(link.get("annual_cost_gbp")),
            end,
        ]

    def _link_sort(self, cid: str, column: str) -> Any:
        snap = self.psn.snapshot
        link = snap.links.get(cid) if snap else None
        if link is None:
            return None
        return {
            "circuit": cid,
            "far": snap.far_end(cid, self.code),
            "far_name": (snap.sites.get(snap.far_end(cid, self.code)) or {}).get("name"),
            "provider": link.get("provider"),
            "bandwidth": link.get("bandwidth_mbps"),
            "cost": link.get("annual_cost_gbp"),
            "end": link.get("contract_end"),
        }.get(column)

    def _link_style(self, cid: str) -> Any:
        state = self.psn.row_state("link", cid)
        if state is not None or self.psn.snapshot is None or cid not in self.psn.snapshot.links:
            return state
        # The far end's state matters more here than the link's own: it is where Enter goes.
        return self.psn.row_state("site", self.psn.snapshot.far_end(cid, self.code))

    def _prefix_cells(self, key: tuple[str, str]) -> list[str | Text]:
        snap = self.psn.snapshot
        row = snap.inventory.prefixes.get(key) if snap else None
        if row is None:
            return [key[0]]
        return [
            row["prefix"],
            row.get("vrf") or "global",
            text(row.get("tenant")),
            text(row.get("description")),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#site-links", VirtualTable).focus()

    def action_add_prefix(self) -> None:
        """Open the form for a new prefix at this site, used by its owner unless changed."""
        site = self.psn.snapshot.sites.get(self.code) if self.psn.snapshot else None
        defaults = {"site": self.code, "tenant": (site or {}).get("tenant")}
        forms.open_form(self.psn, "prefixes", defaults=defaults)

    def open_row(self, table: VirtualTable, key: Any) -> None:
        if table.id == "site-links" and self.psn.snapshot is not None:
            self.psn.open_site(self.psn.snapshot.far_end(key, self.code))
        else:
            super().open_row(table, key)

    def refresh_data(self) -> None:
        snap = self.psn.snapshot
        site = snap.sites.get(self.code) if snap else None
        if site is None:
            self.set_head(Text(f"There is no site {self.code} (any more).", style="yellow"))
            for table_id in ("site-links", "site-prefixes", "site-findings"):
                self.fill(table_id, "", [])
            return
        self.psn.selected_site = self.code
        head = Text()
        head.append(self.code, style="bold")
        if site.get("name"):
            head.append(f"  {clean(site['name'])}", style="bold")
        lat, lon = site.get("latitude"), site.get("longitude")
        demand = site.get("demand_mbps")
        occupants = [o for o in site.get("occupants", ()) if o != site.get("tenant")]
        pairs: list[tuple[str, Any]] = [
            ("Tenant", tenant_label(self.psn, site.get("tenant"))),
            ("Role", text(site.get("role"))),
            ("Occupants", ", ".join(occupants)),
            ("Criticality", text(site.get("criticality"))),
            ("District", text(site.get("district"))),
            ("Demand", f"{demand:,.0f} Mbit/s" if demand is not None else None),
            ("Address", ", ".join(v for v in (site.get("address"), site.get("postcode")) if v)),
            ("Location", f"{lat:.4f}, {lon:.4f}" if lat is not None and lon is not None else None),
        ]
        parts: list[Any] = [head, fields(pairs, columns=2 if self.size.width >= 70 else 1)]
        state = whatif_state(self.psn, "site", self.code)
        if state is not None:
            parts.append(state)
        self.set_head(Group(*parts))
        self.fill("site-links", "Links", list(snap.links_by_site.get(self.code, [])))
        self.fill("site-prefixes", "Prefixes", list(snap.prefixes_by_site.get(self.code, [])), max_rows=6)
        results = self.psn.results
        ids = [f.id for f in results.by_site.get(self.code, [])] if results else []
        table = self.fill("site-findings", "Findings", ids, max_rows=8)
        table.wait("analysing…" if results is None and self.psn.analysis_error is None else None)
        record_history(self, "site-history", "sites", self.code)

    def refresh_whatif(self) -> None:
        super().refresh_whatif()
        if self.psn.snapshot is not None and self.code in self.psn.snapshot.sites:
            self.refresh_data()
