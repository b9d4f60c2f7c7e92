"""The Plan screen: the plan's changes with a tick each; untick one and the after-state is analysed again."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from psninv.analysis.finding import Severity
from psninv.analysis.plan import make_plan
from psninv.analysis.plan_result import Plan
from psninv.analysis.plan_selection import change_groups, select
from psninv.io.plan_workbook import write_plan_workbook
from psninv.session.kept_plan import plan_store
from psninv.style import money, signed_money
from psninv.tui import colours
from psninv.tui.base import KeyBar
from psninv.tui.messages import Failed
from psninv.tui.progress import Progressed
from psninv.tui.safe_text import cells

if TYPE_CHECKING:
    from psninv.tui.app import PsninvApp

TICK, UNTICKED = "✓", "·"


class PlanReady(Message):
    """A worker made the whole plan."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan


class SelectionReady(Message):
    """A worker analysed and costed the ticked part of the plan."""

    def __init__(self, selected: Plan, ticked: frozenset[int]) -> None:
        super().__init__()
        self.selected = selected
        self.ticked = ticked


class PlanProgress(Progressed):
    """The plan worker started a stage ("proving remedies")."""


class PlanFailed(Failed):
    """A plan worker failed."""


class PlanScreen(Screen[None]):
    """Every change of the plan with a tick; Space unticks a change (a sharing finding's lines together)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", show=True),
        Binding("space", "toggle", "Tick/untick", show=True),
        Binding("w", "write", "Write plan.xlsx", show=True),
        Binding("a", "apply", "Apply (import review)", show=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: Plan | None = None
        self.shown: Plan | None = None
        self.shown_ticks: frozenset[int] = frozenset()
        """The ticks `shown` was analysed for: it is the ticked plan only while they are the ticks."""
        self.ticked: set[int] = set()
        self.groups: dict[str, list[int]] = {}
        self.group_of: dict[int, str] = {}

    @property
    def psn(self) -> PsninvApp:
        """The app, typed."""
        return cast("PsninvApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("The plan: remedies to policy, plus the sharing that keeps it", classes="list-title")
        yield Static("making the plan: analysing, proving remedies, checking sharing…", id="plan-summary")
        yield DataTable(id="plan-table", zebra_stripes=True, cursor_type="row")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#plan-table", DataTable)
        table.add_columns("", "change", "circuit", "between", "£ a year", "tenant", "why")
        self._make()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return not self.psn.read_only and self.shown is not None
        if action in ("toggle", "write"):
            return self.plan is not None
        return True

    # ---- workers ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="plan")
    def _make(self) -> None:
        snapshot = self.psn.snapshot
        if snapshot is None:
            self.post_message(PlanFailed(RuntimeError("the inventory is still loading")))
            return
        results = self.psn.results
        # The dashboard's analysis is the network as it is: the plan need not analyse it again.
        current = results is not None and results.fingerprint == snapshot.fingerprint
        before = results.analysis if results is not None and current else None

        def progress(stage: str, done: int, total: int) -> None:
            self.post_message(PlanProgress(stage, done, total))

        try:
            if snapshot.fingerprint:
                stamp = snapshot.fingerprint
                store = self.psn.store
                made = plan_store(store, snapshot.inventory, stamp=stamp, before=before, progress=progress)
                plan = made.plan
            else:
                plan = make_plan(snapshot.inventory, before=before, progress=progress)
        except Exception as error:  # noqa: BLE001 - shown on the screen and logged by the app
            self.post_message(PlanFailed(error))
            return
        self.post_message(PlanReady(plan))

    @work(thread=True, exclusive=True, group="plan")
    def _select(self, ticked: frozenset[int]) -> None:
        snapshot, plan = self.psn.snapshot, self.plan
        if snapshot is None or plan is None:
            return
        try:
            selected = select(plan, snapshot.inventory, ticked)
        except Exception as error:  # noqa: BLE001
            self.post_message(PlanFailed(error))
            return
        self.post_message(SelectionReady(selected, ticked))

    # ---- handlers -----------------------------------------------------------------------------

    def on_plan_ready(self, message: PlanReady) -> None:
        plan = message.plan
        self.plan = self.shown = plan
        self.ticked = set(range(len(plan.changes)))
        self.shown_ticks = frozenset(self.ticked)
        self.groups = change_groups(plan)
        self.group_of = {index: key for key, indexes in self.groups.items() for index in indexes}
        self._fill()
        self._summarise(plan)
        self.refresh_bindings()
        self.query_one("#plan-table", DataTable).focus()

    def on_selection_ready(self, message: SelectionReady) -> None:
        if message.ticked != frozenset(self.ticked):
            return  # a later tick is being worked out
        self.shown, self.shown_ticks = message.selected, message.ticked
        self._summarise(message.selected)

    def on_plan_progress(self, message: PlanProgress) -> None:
        if self.plan is not None or message.stage == "done":
            return
        text = Text(f"making the plan: {message.text()}…", style=colours.MUTED)
        self.query_one("#plan-summary", Static).update(text)

    def on_plan_failed(self, message: PlanFailed) -> None:
        self.query_one("#plan-summary", Static).update(Text(f"No plan: {message.error}", style="red"))
        self.psn.log.error(f"plan failed: {message.error!r}")

    def _fill(self) -> None:
        table = self.query_one("#plan-table", DataTable)
        row = table.cursor_row
        table.clear()
        assert self.plan is not None
        for index, change in enumerate(self.plan.changes):
            tick = TICK if index in self.ticked else UNTICKED
            table.add_row(
                *cells(
                    tick,
                    change.action,
                    change.circuit,
                    f"{change.a_site}–{change.b_site}",
                    signed_money(change.annual_gbp),
                    change.tenant,
                    change.reason,
                ),
                key=str(index),
            )
        if self.plan.changes:
            table.move_cursor(row=min(row, len(self.plan.changes) - 1))

    def _summarise(self, plan: Plan) -> None:
        t = plan.totals
        before, after = plan.severity_counts("before"), plan.severity_counts("after")
        text = Text()
        bill = (
            "unknown"
            if t.annual_before_gbp is None or t.annual_after_gbp is None
            else f"{money(t.annual_before_gbp)} → {money(t.annual_after_gbp)}"
        )
        total = len(self.plan.changes) if self.plan else 0
        text.append(f"{len(self.ticked)}/{total} ticked · ", style="bold")
        text.append(f"{bill} a year · saves {money(t.savings_gbp)} · spends {money(t.spend_gbp)}\n")
        text.append("findings before → after: ")
        for severity in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM):
            text.append(f"{severity.value} ", style=colours.severity_style(severity))
            text.append(f"{before[severity.value]}→{after[severity.value]}  ")
        self.query_one("#plan-summary", Static).update(text)

    # ---- actions ------------------------------------------------------------------------------

    def action_toggle(self) -> None:
        """Tick or untick the change under the cursor (with the lines of the same sharing finding)."""
        if self.plan is None or not self.plan.changes:
            return
        table = self.query_one("#plan-table", DataTable)
        index = table.cursor_row
        change = self.plan.changes[index]
        if change.source == "inventory":
            self.notify("already planned in the inventory: not the plan's to drop", timeout=3)
            return
        members = self.groups[self.group_of[index]]
        if index in self.ticked:
            self.ticked.difference_update(members)
        else:
            self.ticked.update(members)
        self._fill()
        self.query_one("#plan-summary", Static).update(Text("analysing the ticked plan…", style="dim"))
        self._select(frozenset(self.ticked))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.plan is None or event.row_key.value is None:
            return
        change = self.plan.changes[int(event.row_key.value)]
        self.psn.open_site(change.a_site)

    def _ticked_plan(self) -> Plan | None:
        """The plan as ticked, once a worker has analysed it (None while one still is)."""
        return self.shown if self.plan is not None and self.shown_ticks == frozenset(self.ticked) else None

    def action_write(self) -> None:
        """Write the ticked plan as an import workbook (to the browser in `serve`)."""
        plan = self._ticked_plan()
        if plan is None:
            self.notify("wait: the ticked plan is still being analysed", timeout=3)
            return
        if self.app.is_web:
            folder = Path(tempfile.mkdtemp(prefix="psninv-plan-"))
            target = folder / "plan.xlsx"
            write_plan_workbook(plan, target)
            handle = target.open("rb")
            target.unlink()
            folder.rmdir()
            self.app.deliver_binary(handle, save_filename="plan.xlsx")
            self.notify("sent plan.xlsx to your browser", timeout=4)
            return
        target = _free_name(Path.cwd() / "plan.xlsx")
        write_plan_workbook(plan, target)
        self.notify(f"wrote {target}: `psninv analyse --scenario {target.name}` shows it", timeout=6)

    def action_apply(self) -> None:
        """Review the ticked plan as an import; `a` there applies it as one revertible batch."""
        if self.psn.read_only:
            self.notify("read-only: nothing can be applied", severity="error", timeout=4)
            return
        plan = self._ticked_plan()
        if plan is None:
            self.notify("wait: the ticked plan is still being analysed", timeout=3)
            return
        from psninv.tui.import_review import ImportScreen

        folder = Path(tempfile.mkdtemp(prefix="psninv-plan-"))
        target = folder / "plan.xlsx"
        write_plan_workbook(plan, target)
        review = ImportScreen(folder, confined=True)
        self.app.push_screen(review)

        def start() -> None:
            review.query_one("#import-path", Input).value = target.name
            review.review([str(target)])

        review.call_after_refresh(start)

    def action_close(self) -> None:
        """Close the Plan screen."""
        self.dismiss()


def _free_name(path: Path) -> Path:
    """The path, or path-2, path-3… if it is taken: the screen never replaces a file."""
    number = 1
    candidate = path
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate

