"""The dashboard: counts, cost, findings by severity, savings, and the ten most severe findings."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Static

from psninv.analysis.finding import Category, Severity
from psninv.tui import colours
from psninv.tui.base import BaseScreen
from psninv.tui.data import money
from psninv.tui.findings import findings_table
from psninv.tui.table import VirtualTable

TOP_FINDINGS = 10
TOP_SAVINGS = 40


class Card(Static, can_focus=True):
    """A bordered figure on the dashboard; Enter goes to the section behind it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "choose", "Open", show=True)]

    class Chosen(Message):
        """Enter on a card."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    def __init__(self, title: str, target: str, *, id: str) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, classes="card")
        self.border_title = title
        self.target = target

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self.target))

    def on_click(self) -> None:
        self.action_choose()


class DashboardScreen(BaseScreen):
    """The first screen: the network at a glance, every figure leading to its detail."""

    section = "dashboard"
    AUTO_FOCUS = "#top-findings"

    def compose_body(self) -> ComposeResult:
        with Grid(id="figures"):
            yield Card("Sites", "sites", id="card-sites")
            yield Card("Links", "links", id="card-links")
            yield Card("Tenants", "tenants", id="card-tenants")
            yield Card("Annual cost", "tenants", id="card-cost")
            yield Card("Savings", "findings:sharing", id="card-savings")
        with Grid(id="severity"):
            yield Card("Redundancy findings", "findings:redundancy", id="card-redundancy")
            yield Card("Sharing opportunities", "findings:sharing", id="card-sharing")
        yield Static(id="top-title", classes="section-title")
        yield findings_table(self, "top-findings", "no findings")
        yield Static(id="savings-title", classes="section-title")
        yield findings_table(self, "top-savings", "no sharing opportunity saves money")

    def on_mount(self) -> None:
        self.watch(self.app, "analysis_stage", self._stage_changed, init=False)

    def _stage_changed(self, stage: str) -> None:
        if self.psn.results is None and self.psn.analysis_error is None and self.psn.snapshot is not None:
            self._show_stage(stage)

    def _show_stage(self, stage: str | None) -> None:
        """Say in the findings tables what the analysis they wait for is doing (None: not waiting)."""
        message = None if stage is None else (stage or "analysing…")
        for table_id in ("#top-findings", "#top-savings"):
            self.query_one(table_id, VirtualTable).wait(message)

    def refresh_data(self) -> None:
        snap = self.psn.snapshot
        results = self.psn.results
        waiting = Text("…", style=colours.MUTED)
        if snap is None:
            for card in self.query(Card):
                card.update(waiting)
            self.query_one("#top-title", Static).update(Text("Loading the inventory…", style="yellow"))
            return
        counts = snap.inventory.counts()
        self.query_one("#card-sites", Card).update(Text(f"{counts['sites']:,}", style="bold"))
        self.query_one("#card-links", Card).update(Text(f"{counts['links']:,}", style="bold"))
        self.query_one("#card-tenants", Card).update(Text(f"{counts['tenants']:,}", style="bold"))
        table = self.query_one("#top-findings", VirtualTable)
        analysing = results is None and self.psn.analysis_error is None
        for widget_id in ("#card-cost", "#card-savings", "#card-redundancy", "#card-sharing"):
            self.query_one(widget_id, Card).update(waiting)
        self._show_stage(self.psn.analysis_stage if analysing else None)
        title = self.query_one("#top-title", Static)
        if results is None:
            message = "The analysis failed: " + self.psn.analysis_error if self.psn.analysis_error else ""
            title.update(Text(message or "Most severe findings", style="bold red" if message else "bold"))
            table.set_rows([])
            self.query_one("#top-savings", VirtualTable).set_rows([])
            return
        self.query_one("#card-cost", Card).update(Text(money(results.total_cost()) or "—", style="bold"))
        gbp, pct = results.savings()
        saving = Text(money(gbp) or "£0", style="bold green")
        if pct is not None:
            saving.append(f"  {pct:.1f}%", style="green")
        self.query_one("#card-savings", Card).update(saving)
        redundancy = results.by_severity(Category.REDUNDANCY)
        line = Text()
        for severity in Severity:
            if severity == "info" and not redundancy[severity]:
                continue
            if line:
                line.append("  ")
            line.append_text(colours.severity_badge(severity, redundancy[severity]))
        self.query_one("#card-redundancy", Card).update(line)
        sharing = [f for f in results.findings if f.category == Category.SHARING]
        opportunities = Text(f"{len(sharing)}", style="bold")
        opportunities.append(" found")
        if results.avoided():
            opportunities.append(f" · {money(results.avoided())} avoided", style="green")
        self.query_one("#card-sharing", Card).update(opportunities)
        top = [f.id for f in results.findings[:TOP_FINDINGS]]
        title.update(
            Text.assemble(
                ("Most severe findings", "bold"),
                (f"  {len(top)} of {len(results.findings)}", "dim"),
                ("   Enter opens · 5 lists them all", "dim"),
            )
        )
        table.set_rows(top)
        table.styles.height = len(top) + 1
        sharing.sort(key=lambda f: -(f.savings_gbp or 0))
        # A saving that would break the redundancy policy is not one to put in front of anybody.
        best = [f.id for f in sharing if f.savings_gbp and not f.breaks_policy][:TOP_SAVINGS]
        self.query_one("#savings-title", Static).update(
            Text.assemble(("Biggest savings", "bold"), (f"  {len(best)} of {len(sharing)}", "dim"))
        )
        self.query_one("#top-savings", VirtualTable).set_rows(best)

    @on(Card.Chosen)
    def _card_chosen(self, event: Card.Chosen) -> None:
        target, _, category = event.target.partition(":")
        if target == "findings":
            self.psn.show_findings(category or None)
        else:
            self.psn.switch_mode(target)

    @on(VirtualTable.RowSelected)
    def _open_finding(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.psn.open_finding(event.key)
