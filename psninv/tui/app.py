"""The psninv terminal UI: an App whose sections are modes, fed by workers that load and analyse."""

from __future__ import annotations

import os
import time
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.style import Style
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import get_current_worker

from psninv.analysis.finding import Finding
from psninv.display import clean
from psninv.errors import PsninvError
from psninv.session import (
    AnalysisCancelled,
    AnalysisRunner,
    Results,
    Session,
    Snapshot,
    WhatIfView,
    fingerprint,
    load_snapshot,
    run_whatif,
)
from psninv.store import Store
from psninv.tui import colours
from psninv.tui.base import SECTIONS
from psninv.tui.dashboard import DashboardScreen
from psninv.tui.export_screen import ExportScreen
from psninv.tui.failures import failure_text
from psninv.tui.findings import FindingScreen, FindingsScreen, whatif_targets
from psninv.tui.help import HelpScreen
from psninv.tui.history import HistoryScreen
from psninv.tui.import_review import ImportScreen
from psninv.tui.links import LinkScreen, LinksScreen
from psninv.tui.map import MapScreen
from psninv.tui.messages import (
    AnalysisDone,
    AnalysisFailed,
    AnalysisProgress,
    DataChanged,
    InventoryLoaded,
    LoadFailed,
    WhatIfDone,
)
from psninv.tui.palette import JumpProvider
from psninv.tui.paths import IMPORT_DIR_ENV
from psninv.tui.safe_text import ControlCodeFilter
from psninv.tui.site_detail import SiteScreen
from psninv.tui.sites import SitesScreen
from psninv.tui.tenants import TenantScreen, TenantsScreen
from psninv.tui.whatif import WhatIfScreen

# How often the app looks for writes made by other processes (an import in another terminal).
POLL_SECONDS = 5.0
SEARCH_DELAY_S = 1.0
"""How long after the analysis shows the big tables' filter texts are built."""


_CONTROL_CODES = ControlCodeFilter()


class PsninvApp(App[None]):
    """Browse a shared network's inventory, its gaps and opportunities, and simulate failures."""

    TITLE = "psninv"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, Any]] = {
        "dashboard": DashboardScreen,
        "sites": SitesScreen,
        "links": LinksScreen,
        "tenants": TenantsScreen,
        "findings": FindingsScreen,
        "whatif": WhatIfScreen,
        "map": MapScreen,
        "history": HistoryScreen,
    }
    DEFAULT_MODE = "dashboard"
    COMMANDS = App.COMMANDS | {JumpProvider}
    COMMAND_PALETTE_DISPLAY = "^p"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", show=True),
        Binding("question_mark", "help", "Help", show=True, key_display="?"),
        Binding("escape", "back", "Back", show=False),
        Binding("f", "fail", "Fail", show=True),
        Binding("r", "reset", "Reset what-if", show=False),
        Binding("ctrl+r", "reload", "Reload data", show=False),
        Binding("i", "import", "Import", show=False),
        Binding("x", "export", "Export", show=False),
        Binding("p", "plan", "Plan", show=False),
        *[Binding(key, f"section('{mode}')", label, show=False) for key, mode, label, _short in SECTIONS],
    ]

    status: reactive[str] = reactive("")
    busy: reactive[bool] = reactive(False)
    spinner: reactive[int] = reactive(0)
    analysis_stage: reactive[str] = reactive("")
    """What the running analysis is doing, as the dashboard says it ("" when none runs)."""

    def __init__(self, store: Store, read_only: bool = False) -> None:
        super().__init__()
        self.store = store
        self.read_only = read_only or store.read_only
        self.session = Session()
        self._poll_failed = False
        self.selected_site: str | None = None
        self.timings: dict[str, float] = {}
        self._started = time.perf_counter()
        self._tasks: set[str] = set()
        self._spin_timer: Timer | None = None
        self.analyser = AnalysisRunner(store)
        self.data_changed: Signal[None] = Signal(self, "data-changed")
        self.whatif_changed: Signal[None] = Signal(self, "whatif-changed")

    # ---- the session's state, as the screens read it -------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        """The loaded inventory with its indices (None until the first load)."""
        return self.session.snapshot

    @property
    def results(self) -> Results | None:
        """The analysis of the loaded inventory (None while it runs, or if it failed)."""
        return self.session.results

    @property
    def analysis_error(self) -> str | None:
        """Why the last analysis failed, as a line for the user."""
        return self.session.analysis_error

    @property
    def load_error(self) -> str | None:
        """Why the last load failed, as a line for the user."""
        return self.session.load_error

    @property
    def failed(self) -> list[str]:
        """The sites and circuits failed in the what-if."""
        return self.session.failed

    @property
    def whatif(self) -> WhatIfView | None:
        """The what-if of the failed sites and circuits."""
        return self.session.whatif

    # ---- what reaches the screen --------------------------------------------------------------

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's own filters, then the guard that keeps control characters off the terminal."""
        return [*super().get_line_filters(), _CONTROL_CODES]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification shown as written: messages quote stored names, which are never markup."""
        super().notify(clean(message), title=clean(title), severity=severity, timeout=timeout, markup=markup)

    # ---- start-up and workers ---------------------------------------------------------------

    def on_mount(self) -> None:
        self._begin("loading")
        self.load_inventory()
        self.set_interval(POLL_SECONDS, self.check_for_changes)

    def on_unmount(self) -> None:
        self.analyser.stop()

    def _begin(self, task: str) -> None:
        self._tasks.add(task)
        self._show_status()

    def _end(self, task: str) -> None:
        self._tasks.discard(task)
        self._show_status()

    def _show_status(self) -> None:
        order = ("loading", "analysing", "what-if")
        running = [task for task in order if task in self._tasks]
        self.busy = bool(running)
        if running:
            self.status = f"{running[0]}…"
            if self._spin_timer is None:
                self._spin_timer = self.set_interval(0.1, self._spin)
            return
        if self._spin_timer is not None:
            self._spin_timer.stop()
            self._spin_timer = None
        parts = []
        if self.read_only:
            parts.append("read-only")
        if self.load_error:
            parts.append("could not read the inventory")
        elif self.analysis_error:
            parts.append("analysis failed")
        elif self.results is not None:
            parts.append(f"{len(self.results.findings)} findings")
        self.status = " · ".join(parts)

    def _spin(self) -> None:
        self.spinner += 1

    @work(thread=True, exclusive=True, group="load")
    def load_inventory(self) -> None:
        """Read and index the inventory off the UI thread."""
        started = time.perf_counter()
        try:
            stamp = fingerprint(self.store)
            # A large inventory's analysis starts now, in its own process, while this one reads it.
            self.analyser.prestart(stamp)
            snapshot = load_snapshot(self.store, stamp)
        except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
            self.post_message(LoadFailed(exc))
            return
        self.post_message(InventoryLoaded(snapshot, time.perf_counter() - started))

    # A description of our own: Textual's default is the repr of the arguments, the whole snapshot.
    @work(thread=True, exclusive=True, group="analysis", description="analysing the inventory")
    def analyse(self, snapshot: Snapshot) -> None:
        """Run the analysers off the UI thread (and, for big inventories, off the UI's process)."""
        worker = get_current_worker()

        def progress(stage: str, done: int, total: int) -> None:
            self.post_message(AnalysisProgress(stage, done, total))

        try:
            results = self.analyser.run(snapshot, cancelled=lambda: worker.is_cancelled, progress=progress)
        except AnalysisCancelled:
            return
        except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
            self.post_message(AnalysisFailed(exc))
            return
        self.post_message(AnalysisDone(results))

    def _prepare_search_soon(self) -> None:
        # A moment after the dashboard is drawn: built at once, it would hold the interpreter lock
        # while the screen draws (a filter typed, or a list opened, before then builds its own part).
        snapshot, results = self.snapshot, self.results
        if (snapshot is not None and snapshot.site_text is None) or results is not None:
            self.set_timer(SEARCH_DELAY_S, lambda: self.prepare_search(snapshot, results))

    @work(thread=True, exclusive=True, group="search", description="preparing the lists")
    def prepare_search(self, snapshot: Snapshot | None, results: Results | None) -> None:
        """Build what `/` matches in the big tables and the findings by site, once the dashboard shows."""
        if results is not None:
            results.named()
        if snapshot is not None:
            snapshot.search_texts()

    @work(thread=True, exclusive=True, group="whatif", description="simulating the failures")
    def simulate(self, snapshot: Snapshot, failed: tuple[str, ...]) -> None:
        """Simulate the current failures off the UI thread."""
        try:
            view = run_whatif(snapshot, failed)
        except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
            self.call_from_thread(self._whatif_failed, exc)
            return
        self.post_message(WhatIfDone(view, snapshot.fingerprint))

    @work(thread=True, exclusive=True, group="poll")
    def check_for_changes(self) -> None:
        """Compare the database's fingerprint with the loaded snapshot's."""
        if self.snapshot is None or "loading" in self._tasks:
            return
        try:
            stamp = fingerprint(self.store)
        except PsninvError:
            return  # a busy or vanished database is retried next poll
        except Exception as exc:  # noqa: BLE001 - a bug: logged and told once, not at every poll
            if not self._poll_failed:
                self._poll_failed = True
                self.call_from_thread(self._poll_bug, exc)
            return
        if stamp != self.snapshot.fingerprint:
            self.post_message(DataChanged())

    def on_inventory_loaded(self, message: InventoryLoaded) -> None:
        first = self.snapshot is None
        needs_analysis = self.session.loaded(message.snapshot)
        self.timings["load"] = message.seconds
        if first:
            self.timings["first_data"] = time.perf_counter() - self._started
        self._end("loading")
        if needs_analysis:
            self._begin("analysing")
            self.analyse(message.snapshot)
        self.data_changed.publish(None)
        if self.failed:
            self._run_whatif()

    def on_load_failed(self, message: LoadFailed) -> None:
        self.session.load_error = failure_text(self, message.error)
        self._end("loading")
        self.notify(
            f"could not read the inventory: {self.load_error} (^r retries)", severity="error", timeout=10
        )

    def on_analysis_progress(self, message: AnalysisProgress) -> None:
        if "analysing" not in self._tasks:
            return  # a late word from an analysis that has ended
        self.analysis_stage = f"analysing: {message.text()}…"

    def on_analysis_done(self, message: AnalysisDone) -> None:
        self.analysis_stage = ""
        if not self.session.analysed(message.results):
            return
        self.timings["analysis"] = message.results.seconds
        self.timings.setdefault("first_analysis", time.perf_counter() - self._started)
        self._end("analysing")
        self.data_changed.publish(None)
        self._prepare_search_soon()

    def on_analysis_failed(self, message: AnalysisFailed) -> None:
        self.analysis_stage = ""
        self.session.analysis_error = failure_text(self, message.error)
        self._end("analysing")
        self.notify(f"analysis failed: {self.analysis_error}", severity="error", timeout=10)
        self.data_changed.publish(None)
        self._prepare_search_soon()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """Read the inventory again (and re-analyse it if it changed)."""
        if "loading" in self._tasks:
            return
        self._begin("loading")
        self.load_inventory()

    # ---- what-if ----------------------------------------------------------------------------

    def _run_whatif(self) -> None:
        if self.snapshot is None:
            return
        if not self.session.use_cached_whatif():
            self._begin("what-if")
            self.simulate(self.snapshot, tuple(self.failed))
        self.whatif_changed.publish(None)

    def on_what_if_done(self, message: WhatIfDone) -> None:
        self._end("what-if")
        if self.session.simulated(message.view, message.stamp):
            self.whatif_changed.publish(None)

    def _poll_bug(self, error: BaseException) -> None:
        self.notify(f"checking for changes failed: {failure_text(self, error)}", severity="error", timeout=10)

    def _whatif_failed(self, error: BaseException) -> None:
        self._end("what-if")
        self.notify(f"what-if failed: {failure_text(self, error)}", severity="error", timeout=10)

    def set_failed(self, failed: Iterable[str]) -> None:
        """Replace the what-if's failed sites and circuits."""
        self.session.set_failed(failed)
        if not self.failed:
            self.whatif_changed.publish(None)
            return
        self._run_whatif()

    def toggle_failed(self, key: str) -> bool:
        """Fail a site or circuit, or restore it if it was failed; True if it is now failed."""
        now_failed = key not in self.failed
        self.set_failed(self.session.toggle(key))
        return now_failed

    def action_fail(self) -> None:
        """Mark the selected site or link failed (or restore it)."""
        target = getattr(self.screen, "fail_target", lambda: None)()
        if target is None:
            self.notify("select a site or a link to fail", severity="warning", timeout=3)
            return
        self.fail(*target)

    def fail(self, kind: str, key: str) -> None:
        """Fail a site or circuit (or restore it), and say so."""
        now_failed = self.toggle_failed(key)
        verb = "failed" if now_failed else "restored"
        self.notify(f"{kind} {key} {verb}", timeout=2)

    def action_reset(self) -> None:
        """Clear every failure."""
        if self.failed:
            self.set_failed([])
            self.notify("what-if reset: nothing failed", timeout=2)

    def run_finding_whatif(self, finding: Finding) -> None:
        """Fail what a finding names as its weak point and show who goes dark."""
        if self.snapshot is None:
            return
        targets = whatif_targets(finding, self.snapshot)
        if not targets:
            self.notify(
                "no single failure shows this finding: press f on a site or link instead",
                severity="warning",
                timeout=4,
            )
            return
        self.set_failed(targets)
        self.switch_mode("whatif")

    def row_state(self, kind: str, key: str) -> Style | None:
        """How a site, link or tenant row looks under the current what-if."""
        if not self.failed:
            return None
        view = self.whatif
        if kind == "site":
            if key in self.failed:
                return colours.FAILED
            if view is not None and key in view.cut_off_sites:
                return colours.CUT_OFF
        elif kind == "link":
            if key in self.failed:
                return colours.FAILED
            link = self.snapshot.links.get(key) if self.snapshot else None
            if link and view is not None:
                ends = (link["a_site"], link["b_site"])
                if any(end in self.failed for end in ends):
                    return colours.FAILED
                if any(end in view.cut_off_sites for end in ends):
                    return colours.CUT_OFF
        elif kind == "tenant" and view is not None and view.cut_off.get(key):
            return colours.CUT_OFF
        return None

    def row_mark(self, kind: str, key: str) -> str:
        """The one-character mark of a row under the current what-if: ✖ failed, ● cut off."""
        state = self.row_state(kind, key)
        if state is None:
            return ""
        return "✖" if state == colours.FAILED else "●"

    def state_args(self, kind: str) -> dict[str, Any]:
        """The row_style and row_mark with which a table of sites, links or tenants shows the what-if."""
        return {
            "row_style": lambda key: self.row_state(kind, key),
            "row_mark": lambda key: self.row_mark(kind, key),
        }

    # ---- navigation -------------------------------------------------------------------------

    def action_section(self, mode: str) -> None:
        """Go to a section's own screen, its list, not whatever detail was open in it last."""
        self.switch_mode(mode)
        # A detail left open in that section would take the next key (2 then a opened "Add a link").
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_back(self) -> None:
        """Go back: close the open detail, else return to the dashboard."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self.current_mode != "dashboard":
            self.switch_mode("dashboard")

    def show_findings(self, category: str | None = None) -> None:
        """Go to the findings, with the cursor on a category's first group."""
        self.switch_mode("findings")
        screen = self.screen
        if isinstance(screen, FindingsScreen):
            screen.focus_category(category)

    def action_import(self) -> None:
        """Open the import screen: pick a file, review it, apply it or cancel."""
        if self.is_web and self.read_only:
            # A read-only viewer in a browser must not read files on the server either.
            self.notify("read-only: importing is off in the browser", severity="error", timeout=5)
            return
        if self.is_web and self.import_folder is None:
            self.notify(
                "importing is off in the browser: psninv serve --import-dir DIR allows it from DIR",
                severity="error",
                timeout=6,
            )
            return
        if not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen(self.import_folder, confined=self.is_web))

    @property
    def import_folder(self) -> Path | None:
        """The one folder a browser user may import from (`psninv serve --import-dir`), if any."""
        folder = os.environ.get(IMPORT_DIR_ENV)
        return Path(folder) if folder and self.is_web else None

    def action_export(self) -> None:
        """Open the export screen."""
        if not isinstance(self.screen, ExportScreen):
            self.push_screen(ExportScreen())

    def action_plan(self) -> None:
        """Open the Plan screen: the remedies and sharing of the plan, each with a tick."""
        from psninv.tui.plan_screen import PlanScreen

        if not isinstance(self.screen, PlanScreen):
            self.push_screen(PlanScreen())

    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def _push_detail(self, screen: Any, kind: str, key: Hashable) -> None:
        current = self.screen
        if getattr(current, "subject", None) == (kind, key):
            return
        self.push_screen(screen)

    def open_site(self, code: Hashable) -> None:
        """Open a site's detail on top of the current screen."""
        if self.snapshot is None or code not in self.snapshot.sites:
            self.notify(f"no site {code}", severity="warning", timeout=3)
            return
        self.selected_site = str(code)
        self._push_detail(SiteScreen(str(code)), "site", code)

    def open_link(self, circuit: Hashable) -> None:
        """Open a circuit's detail."""
        if self.snapshot is None or circuit not in self.snapshot.links:
            self.notify(f"no circuit {circuit}", severity="warning", timeout=3)
            return
        self._push_detail(LinkScreen(str(circuit)), "link", circuit)

    def open_tenant(self, code: Hashable) -> None:
        """Open a tenant's detail."""
        if self.snapshot is None or code not in self.snapshot.tenants:
            self.notify(f"no tenant {code}", severity="warning", timeout=3)
            return
        self._push_detail(TenantScreen(str(code)), "tenant", code)

    def open_finding(self, finding_id: Hashable) -> None:
        """Open a finding's detail."""
        if self.results is None or finding_id not in self.results.by_id:
            self.notify("the analysis is still running", severity="warning", timeout=3)
            return
        self._push_detail(FindingScreen(str(finding_id)), "finding", finding_id)


def run_tui(store: Store, *, read_only: bool = False) -> None:
    """Run the terminal UI on an opened inventory until the user quits."""
    PsninvApp(store, read_only=read_only).run()
