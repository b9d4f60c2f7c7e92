"""What-if: what is failed, and which sites are cut off from the core, grouped by tenant."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from psninv.analysis.finding import Category
from psninv.tui import colours
from psninv.tui.base import BaseScreen
from psninv.tui.data import text
from psninv.tui.findings import findings_table, whatif_targets
from psninv.tui.table import Column, VirtualTable

SUGGESTIONS = 12


class WhatIfScreen(BaseScreen):
    """Fail sites and circuits with `f` anywhere; see here who goes dark."""

    section = "whatif"
    show_whatif_bar = False
    AUTO_FOCUS = "#whatif-cutoff"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("w", "suggest", "Run suggestion", show=False)]

    def compose_body(self) -> ComposeResult:
        with Vertical(id="whatif-body"):
            yield Static(id="whatif-head", classes="detail-head")
            yield Static(id="whatif-failed-title", classes="section-title")
            yield VirtualTable(
                [
                    Column("kind", "Kind", width=4),
                    Column("key", "Failed", min_width=8, max_width=18),
                    Column("what", "What", flex=True, min_width=8, max_width=60),
                ],
                self._failed_cells,
                row_style=lambda _key: colours.FAILED,
                id="whatif-failed",
            )
            yield Static(id="whatif-cutoff-title", classes="section-title")
            yield VirtualTable(
                [
                    Column("code", "Site", min_width=8, max_width=16),
                    Column("name", "Name", flex=True, min_width=8, max_width=40),
                    Column("district", "District", min_width=6, max_width=20),
                    Column("role", "Role", min_width=4, max_width=10),
                    Column("crit", "Crit.", min_width=4, max_width=8),
                    Column("demand", "Mbit/s", numeric=True, width=7),
                ],
                self._cutoff_cells,
                entity="site",
                sortable=False,
                empty_text="nothing is cut off: every site still reaches a core",
                id="whatif-cutoff",
            )
            yield Static(id="whatif-suggest-title", classes="section-title")
            yield findings_table(self, "whatif-suggest", "the analysis found no single points of failure")

    # ---- cells ------------------------------------------------------------------------------

    def _failed_cells(self, key: str) -> list[str | Text]:
        snap = self.psn.snapshot
        if snap is not None and key in snap.sites:
            site = snap.sites[key]
            return [
                "site",
                key,
                " · ".join(v for v in (site.get("name"), site.get("role"), site.get("district")) if v),
            ]
        if snap is not None and key in snap.links:
            link = snap.links[key]
            return ["link", key, f"{link['a_site']} ⟷ {link['b_site']}  {text(link.get('provider'))}"]
        return ["?", key, Text("not in the inventory", style=colours.MUTED)]

    def _cutoff_cells(self, key: tuple[str, ...]) -> list[str | Text]:
        snap = self.psn.snapshot
        view = self.psn.whatif
        if key[0] == "tenant":
            tenant = key[1]
            sites = view.cut_off.get(tenant, []) if view else []
            name = (snap.tenants.get(tenant) or {}).get("name") if snap else None
            demand = sum((snap.sites.get(s) or {}).get("demand_mbps") or 0 for s in sites) if snap else 0
            line = Text(tenant or "(no tenant)", style="bold")
            if name:
                line.append(f" {name}", style="bold")
            line.append(f"  {len(sites)} site{'s' if len(sites) != 1 else ''} dark", style=colours.CUT_OFF)
            line.append(f"  {demand:,.0f} Mbit/s lost")
            return [line]
        code = key[2]
        site = snap.sites.get(code) if snap else None
        if site is None:
            return ["  " + code]
        demand = site.get("demand_mbps")
        return [
            Text("  " + code, style=colours.CUT_OFF),
            text(site.get("name")),
            text(site.get("district")),
            text(site.get("role")),
            text(site.get("criticality")),
            f"{demand:,.0f}" if demand is not None else "",
        ]

    # ---- refresh ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        self.refresh_whatif()

    def refresh_whatif(self) -> None:
        app = self.psn
        view = app.whatif
        failed = list(app.failed)
        head = self.query_one("#whatif-head", Static)
        failed_table = self.query_one("#whatif-failed", VirtualTable)
        cutoff = self.query_one("#whatif-cutoff", VirtualTable)
        suggest = self.query_one("#whatif-suggest", VirtualTable)
        has_failures = bool(failed)
        for widget_id in ("#whatif-failed-title", "#whatif-failed", "#whatif-cutoff-title", "#whatif-cutoff"):
            self.query_one(widget_id).display = has_failures
        for widget_id in ("#whatif-suggest-title", "#whatif-suggest"):
            self.query_one(widget_id).display = not has_failures
        if not has_failures:
            head.update(
                Group(
                    Text("Nothing is failed.", style="bold"),
                    Text.assemble(
                        "Press ",
                        ("f", "bold"),
                        " on any site or link (in a table, a detail or the map) to "
                        "mark it failed; failures combine; ",
                        ("f", "bold"),
                        " again restores; ",
                        ("r", "bold"),
                        " resets. Or pick a weak point below and press Enter.",
                    ),
                )
            )
            results = app.results
            ids = []
            if results is not None and app.snapshot is not None:
                ids = [
                    f.id
                    for f in results.findings
                    if f.category == Category.REDUNDANCY and whatif_targets(f, app.snapshot)
                ][:SUGGESTIONS]
            suggest.set_rows(ids)
            self.query_one("#whatif-suggest-title", Static).update(
                Text.assemble(("Weak points the analysis found", "bold"), ("  Enter fails it", "dim"))
            )
            suggest.wait("analysing…" if results is None and app.analysis_error is None else None)
            return
        failed_table.set_rows(failed)
        failed_table.styles.height = min(len(failed), 5) + 1
        self.query_one("#whatif-failed-title", Static).update(
            Text.assemble(("Failed", "bold"), f"  {len(failed)}", ("   f restores the selected one", "dim"))
        )
        if view is None or view.failed != tuple(failed):
            head.update(Text("Simulating…", style="yellow"))
            cutoff.set_rows([])
            cutoff.wait("simulating…")
            return
        cutoff.wait(None)
        sites = len(view.cut_off_sites)
        summary = Text()
        plural = "s" if sites != 1 else ""
        summary.append(f"{sites} site{plural} cut off from the core", style=colours.CUT_OFF)
        summary.append(f" across {len(view.cut_off)} tenant{'s' if len(view.cut_off) != 1 else ''}")
        summary.append(f" · {view.demand_lost_mbps:,.0f} Mbit/s of demand lost", style="bold")
        lines: list[Any] = [summary]
        if view.unknown:
            lines.append(Text("Not in the inventory: " + ", ".join(view.unknown), style="yellow"))
        head.update(Group(*lines))
        keys: list[tuple[str, ...]] = []
        for tenant in sorted(view.cut_off, key=lambda t: (-len(view.cut_off[t]), t)):
            keys.append(("tenant", tenant))
            keys.extend(("site", tenant, code) for code in view.cut_off[tenant])
        cutoff.set_rows(keys)
        self.query_one("#whatif-cutoff-title", Static).update(
            Text.assemble(("Cut off, by tenant", "bold"), ("   Enter opens a site", "dim"))
        )

    # ---- keys -------------------------------------------------------------------------------

    def fail_target(self) -> tuple[str, str] | None:
        focused = self.focused
        if isinstance(focused, VirtualTable):
            key = focused.cursor_key
            if focused.id == "whatif-failed" and key is not None:
                snap = self.psn.snapshot
                return ("link" if snap is not None and key in snap.links else "site"), key
            if focused.id == "whatif-cutoff" and isinstance(key, tuple) and key[0] == "site":
                return "site", key[2]
            if focused.id == "whatif-suggest" and key is not None:
                return None
        return None

    @on(VirtualTable.RowSelected)
    def _row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        key: Hashable = event.key
        if event.table.id == "whatif-cutoff" and isinstance(key, tuple) and key[0] == "site":
            self.psn.open_site(key[2])
        elif event.table.id == "whatif-failed":
            snap = self.psn.snapshot
            if snap is not None and key in snap.links:
                self.psn.open_link(key)
            else:
                self.psn.open_site(key)
        elif event.table.id == "whatif-suggest":
            self._run_suggestion(key)

    def action_suggest(self) -> None:
        table = self.query_one("#whatif-suggest", VirtualTable)
        if table.display and table.cursor_key is not None:
            self._run_suggestion(table.cursor_key)

    def _run_suggestion(self, finding_id: Hashable) -> None:
        results = self.psn.results
        finding = results.by_id.get(finding_id) if results else None
        if finding is not None:
            self.psn.run_finding_whatif(finding)
            self.query_one("#whatif-cutoff", VirtualTable).focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        target = "#whatif-cutoff" if self.psn.failed else "#whatif-suggest"
        self.query_one(target, VirtualTable).focus()
