"""Import with review: pick a file, see its errors or what it would change, then apply it or cancel."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, DirectoryTree, Input, ProgressBar, Static

from psninv.io.diff import change_rows
from psninv.io.importer import import_files
from psninv.io.issues import ImportReport
from psninv.style import plural
from psninv.tui.base import KeyBar
from psninv.tui.failures import failure_text
from psninv.tui.messages import DataChanged, Failed
from psninv.tui.paths import IMPORTABLE, ImportableTree, PathSuggester, inside
from psninv.tui.progress import Progressed
from psninv.tui.safe_text import cells, markup

if TYPE_CHECKING:
    from psninv.tui.app import PsninvApp

MAX_ROWS = 2_000
"""Rows of the review table; beyond this the table says how many more there are."""

PHASES = ("reading", "validating", "writing")


class ImportProgress(Progressed):
    """The importer reached a step of a phase (reading, validating, writing): its `stage`."""


class ImportFinished(Message):
    """A dry run (review) or a real import finished with a report."""

    def __init__(self, report: ImportReport, applied: bool) -> None:
        super().__init__()
        self.report = report
        self.applied = applied


class ImportCrashed(Failed):
    """The importer raised instead of reporting (a vanished database, say)."""

    def __init__(self, error: BaseException, applied: bool) -> None:
        super().__init__(error)
        self.applied = applied


def counts_line(counts: Mapping[str, Mapping[str, int]]) -> str:
    """Created, updated and unchanged per entity, on one line."""
    parts = [
        f"{entity}: {c.get('created', 0)} created, {c.get('updated', 0)} updated, "
        f"{c.get('unchanged', 0)} unchanged"
        for entity, c in counts.items()
    ]
    return " · ".join(parts) or "nothing in the file"


class ImportScreen(Screen[None]):
    """Pick a file, review what the import would do, then apply it (a) or cancel (Esc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "apply", "Apply import", show=True),
        Binding("escape", "cancel", "Cancel", show=True),
        Binding("o", "pick", "Other file", show=True),
    ]

    def __init__(self, start: str | Path | None = None, *, confined: bool = False) -> None:
        super().__init__()
        self.start = Path(start) if start is not None else Path.cwd()
        # In a browser: only files inside `start` may be imported, and no server path is suggested.
        self.confined = confined
        self.reviewed: ImportReport | None = None
        self.paths: list[str] = []
        self.running: str | None = None  # "review" or "apply" while a worker runs
        self.applied = False

    @property
    def psn(self) -> PsninvApp:
        """The app, typed."""
        return cast("PsninvApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("Import: pick a file, review its changes, then apply or cancel", classes="list-title")
        yield Input(
            placeholder=(
                "file name(s) in the import folder, ';' between (Enter reviews)"
                if self.confined
                else "file(s): .xlsx .csv .graphml .gml, ';' between  (→ completes, Enter reviews)"
            ),
            suggester=None if self.confined else PathSuggester(IMPORTABLE),
            id="import-path",
        )
        yield ImportableTree(self.start, id="import-tree")
        yield ProgressBar(total=None, show_eta=False, id="import-progress")
        yield Static("", id="import-status")
        yield DataTable(id="import-table", zebra_stripes=True, cursor_type="row")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-table").display = False
        self.say("read-only: you can review a file, but not apply it" if self.psn.read_only else "")
        self.query_one("#import-path", Input).focus()

    def say(self, text: str | Content) -> None:
        """Show a line (or a few) above the review table."""
        self.query_one("#import-status", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            ready = self.reviewed is not None and self.reviewed.ok and self.reviewed.changed
            return ready and not self.applied and self.running is None
        return True

    # ---- picking ------------------------------------------------------------------------------

    @on(DirectoryTree.FileSelected, "#import-tree")
    def _file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#import-path", Input).value = str(event.path)
        self.review([str(event.path)])

    @on(Input.Submitted, "#import-path")
    def _path_entered(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.notify("type a path, or pick a file in the tree", severity="warning", timeout=3)
            return
        # Several files are one import ("sites.csv; links.csv"): links may name the sites beside them.
        paths = [Path(part.strip()).expanduser() for part in value.split(";") if part.strip()]
        if self.confined:
            # A name typed in a browser is a name in the import folder.
            paths = [self.start / path for path in paths]
        if len(paths) == 1 and paths[0].is_dir():
            if self.confined and inside(paths[0], self.start) is None:
                self.say("only the import folder can be browsed here")
                return
            self.query_one("#import-tree", DirectoryTree).path = paths[0]
            self.query_one("#import-tree").focus()
            return
        self.review([str(path) for path in paths])

    def action_pick(self) -> None:
        """Go back to picking a file."""
        if self.running is not None:
            return
        self.query_one("#import-tree").display = True
        self.query_one("#import-table").display = False
        self.query_one("#import-path", Input).focus()

    # ---- review and apply ---------------------------------------------------------------------

    def review(self, paths: list[str]) -> None:
        """Start a dry run of the files: nothing is written, everything is checked and compared."""
        if self.running is not None:
            self.notify(f"wait: the {self.running} is still running", severity="warning", timeout=3)
            return
        if self.confined and any(inside(Path(path), self.start) is None for path in paths):
            # After links and '..': a browser user reads nothing of the server outside the folder.
            self.say("only files in the import folder can be imported here: nothing was read")
            return
        self.paths = paths
        self.reviewed = None
        self.applied = False
        self._start("review", markup("reviewing $files…", files=", ".join(Path(p).name for p in paths)))
        self._run_import(paths, dry_run=True)

    def action_apply(self) -> None:
        """Apply the reviewed import for real (it is checked again in its own transaction)."""
        if self.psn.read_only:
            self.notify("read-only: nothing was imported", severity="error", timeout=6)
            return
        if self.reviewed is None or not self.reviewed.ok or self.running is not None or self.applied:
            return
        self._start("apply", "importing…")
        self._run_import(self.paths, dry_run=False)

    def action_cancel(self) -> None:
        """Leave without importing anything (a running review is left to finish; it writes nothing)."""
        if self.running == "apply":
            self.notify("the import is being written: wait for it to finish", severity="warning", timeout=4)
            return
        self.dismiss()

    def _start(self, task: str, text: Content) -> None:
        self.running = task
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.say(text)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="import")
    def _run_import(self, paths: list[str], dry_run: bool) -> None:
        """Run the importer off the UI thread, posting its progress and its report."""

        def progress(phase: str, done: int, total: int) -> None:
            self.post_message(ImportProgress(phase, done, total))

        try:
            report = import_files(self.psn.store, paths, dry_run=dry_run, progress=progress)
        except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
            self.post_message(ImportCrashed(exc, applied=not dry_run))
            return
        self.post_message(ImportFinished(report, applied=not dry_run))

    def on_import_progress(self, message: ImportProgress) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        # One bar over the three phases, so it only ever moves forward.
        step = PHASES.index(message.stage) if message.stage in PHASES else 0
        fraction = message.done / message.total if message.total else 0.0
        bar.update(total=len(PHASES) * 100, progress=step * 100 + 100 * min(fraction, 1.0))

    def on_import_crashed(self, message: ImportCrashed) -> None:
        self._finish()
        what = "the import failed" if message.applied else "the review failed"
        why = failure_text(self, message.error)
        self.say(markup("$what: $why. Nothing was written.", what=what, why=why))
        self.notify(what, severity="error", timeout=6)

    def on_import_finished(self, message: ImportFinished) -> None:
        self._finish()
        report = message.report
        if message.applied:
            self._show_applied(report)
        else:
            self.reviewed = report
            self._show_review(report)
        self.refresh_bindings()

    def _finish(self) -> None:
        self.running = None
        self.query_one("#import-progress").display = False
        self.refresh_bindings()

    def _show_review(self, report: ImportReport) -> None:
        warnings = f" · {plural(len(report.warnings), 'warning')}" if report.warnings else ""
        if not report.ok:
            self.say(
                f"[b red]{plural(len(report.errors), 'error')}[/]{warnings}: "
                "this file cannot be imported as it is. "
                "Fix it and review it again (o picks another file)."
            )
            self._show_issues(report)
            return
        if not report.changed:
            self.say(f"Nothing to change: the inventory already matches this file.{warnings}\n"
                     f"{counts_line(report.counts)}")
        else:
            tail = "a applies, Esc cancels" if not self.psn.read_only else "read-only: it cannot be applied"
            self.say(f"[b]Review[/] (nothing written yet){warnings}: {tail}\n{counts_line(report.counts)}")
        self._show_changes(report)

    def _show_applied(self, report: ImportReport) -> None:
        reviewed = self.reviewed
        if not report.ok:
            self.say(
                f"[b red]The import was refused[/]: {plural(len(report.errors), 'error')} "
                "(the inventory may have "
                "changed since the review). Nothing was written."
            )
            self._show_issues(report)
            self.notify("nothing was imported", severity="error", timeout=6)
            return
        self.applied = True
        drifted = reviewed is not None and reviewed.counts != report.counts
        note = (
            "\n[yellow]The inventory changed since the review: the import checked everything again "
            "in its own transaction, and this is what it did.[/]"
            if drifted
            else ""
        )
        if report.changed:
            self.say(f"[b green]Imported[/] in one transaction (change batch {report.batch}).{note}\n"
                     f"{counts_line(report.counts)}")
            self.notify(f"imported: {counts_line(report.counts)}", timeout=6)
        else:
            self.say(f"Nothing changed: the inventory already matched the file.{note}")
        self._show_changes(report)
        # The app re-reads the inventory and re-runs the analysis in the background.
        self.app.post_message(DataChanged())

    def _table(self, *columns: str) -> DataTable[str]:
        table = cast("DataTable[str]", self.query_one("#import-table", DataTable))
        table.clear(columns=True)
        table.add_columns(*columns)
        self.query_one("#import-tree").display = False
        table.display = True
        table.focus()
        return table

    def _show_issues(self, report: ImportReport) -> None:
        table = self._table("level", "file", "sheet", "row", "column", "value", "message")
        for issue in report.issues[:MAX_ROWS]:
            table.add_row(
                *cells(
                    issue.level,
                    Path(issue.file).name if issue.file else "",
                    issue.sheet or "",
                    "" if issue.row is None else str(issue.row),
                    issue.column or "",
                    "" if issue.value is None else issue.value,
                    issue.message,
                )
            )
        if len(report.issues) > MAX_ROWS:
            table.add_row("", "", "", "", "", "", f"… {len(report.issues) - MAX_ROWS:,} more not shown")

    def _show_changes(self, report: ImportReport) -> None:
        table = self._table("change", "entity", "key", "field", "before", "after")
        for issue in report.warnings[:MAX_ROWS]:
            where = Path(issue.file).name + (f" row {issue.row}" if issue.row is not None else "")
            table.add_row(*cells("warning", where, "", issue.column or "", issue.value or "", issue.message))
        rows = change_rows(report.changes)
        for row in rows[:MAX_ROWS]:
            table.add_row(*cells(*row))
        if len(rows) > MAX_ROWS:
            table.add_row("", "", "", "", "", f"… {len(rows) - MAX_ROWS:,} more changes not shown")
