"""How the command line shows things: aligned tables, severity colours, progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from psninv.display import clean, escape_markup
from psninv.io.diff import change_rows
from psninv.style import SEVERITY_STYLES

REPORT_WIDTH = 100
"""Width of tables written to a file or pipe, where no terminal says how wide it is."""


class _Console(Console):
    """A rich Console that leaves a closed pipe to the command group, which ends quietly."""

    def on_broken_pipe(self) -> None:
        # rich's own handler exits 1; psninv ends every command whose reader went away alike.
        self.quiet = True
        raise BrokenPipeError


def console(*, err: bool = False) -> Console:
    """A console on stdout or stderr; colour only where it is a terminal."""
    stream = sys.stderr if err else sys.stdout
    width = None if stream.isatty() else REPORT_WIDTH
    return _Console(stderr=err, highlight=False, soft_wrap=False, width=width)


class SafeTable(Table):
    """A rich Table whose cells are shown as the text they hold, never read as markup or escape codes."""

    def add_row(self, *renderables: Any, **options: Any) -> None:
        """Add a row: text through the sanitiser, styled Text with its text cleaned, None as blank."""
        super().add_row(*(_safe_cell(cell) for cell in renderables), **options)


def _safe_cell(cell: Any) -> Any:
    if cell is None:
        return ""
    if isinstance(cell, Text):
        # clean() keeps the length, so the styles' spans stay where they were.
        safe = cell.copy()
        safe.plain = clean(cell.plain)
        return safe
    if isinstance(cell, str | int | float):
        return Text(clean(cell))
    return cell


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    numeric: Iterable[str] = (),
) -> Table:
    """An aligned table, numbers right-aligned; cells show stored text safely (see psninv.display)."""
    right = set(numeric)
    grid = SafeTable(
        title=None if title is None else escape_markup(title),
        header_style="bold",
        box=None,
        pad_edge=False,
        title_justify="left",
    )
    for name in columns:
        grid.add_column(name, justify="right" if name in right else "left", overflow="fold")
    for row in rows:
        grid.add_row(*row)
    return grid


def severity_text(severity: str) -> Text:
    """A severity word in its colour."""
    return Text(severity, style=SEVERITY_STYLES.get(severity, ""))


class _ProgressBar:
    """A progress bar on stderr that follows the importer's (phase, done, total) callbacks."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console(err=True),
            transient=True,
        )
        self.tasks: dict[str, Any] = {}
        self.started = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(phase, total=total or None)
        self.progress.update(self.tasks[phase], completed=done, total=total or None)
        if total and done >= total and all(t.finished for t in self.progress.tasks):
            self.progress.stop()
            self.started = False


    def finish(self) -> None:
        """Fill every bar to 100% and take them off the screen before the report is printed."""
        if not self.started:
            return
        for task in self.progress.tasks:
            self.progress.update(task.id, completed=task.total or task.completed, total=task.total)
        self.progress.stop()
        self.started = False


class _StageBar:
    """One line on stderr for work done in stages: the stage it is at, the stages done, the time so far."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            TimeElapsedColumn(),
            console=console(err=True),
            transient=True,
        )
        self.task: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task(stage, total=None)
        description = f"{self.title}: {stage}"
        self.progress.update(self.task, description=description, completed=done, total=total or None)

    def finish(self) -> None:
        """Take the line off the screen before the results are printed."""
        if self.task is not None:
            self.progress.stop()
            self.task = None


def progress_stages(title: str) -> _StageBar | None:
    """A one-line progress bar for work in stages ("analysing: finding gaps"), or None off a terminal."""
    return _StageBar(title) if sys.stderr.isatty() else None


def progress_callback() -> _ProgressBar | None:
    """A progress bar for long work, or None when stderr is not a terminal."""
    return _ProgressBar() if sys.stderr.isatty() else None


MAX_DIFF_ROWS = 1_000
"""Field changes a dry run prints; the rest are counted."""


def _print_diff(out: Console, changes: Sequence[Any]) -> None:
    """A dry run's field-level diff (entity, key, field, before → after), as the TUI's review shows it."""
    rows = change_rows(changes[:MAX_DIFF_ROWS]) if changes else []
    if not rows:
        return
    shown = [
        (change, entity, key, name, f"{before} → {after}" if name else after)
        for change, entity, key, name, before, after in rows[:MAX_DIFF_ROWS]
    ]
    out.print(table(["change", "entity", "key", "field", "before → after"], shown, title="What would change"))
    hidden = len(changes) - MAX_DIFF_ROWS
    if hidden > 0:
        out.print(f"… and {hidden:,} more changed rows not shown (the TUI's import review lists them all).")


def print_import_report(report: Any) -> None:
    """Print an import's issues, one line each, then its counts per entity."""
    err = console(err=True)
    for issue in report.issues:
        style = "red" if issue.level == "error" else "yellow"
        err.print(f"[{style}]{issue.level}[/]: {escape_markup(issue)}", markup=True, highlight=False)
    out = console()
    if not report.ok:
        n = len(report.errors)
        err.print(f"[bold red]{n} error{'s' if n != 1 else ''}: nothing was written.[/]")
        return
    rows = [
        (entity, c.get("created", 0), c.get("updated", 0), c.get("unchanged", 0))
        for entity, c in report.counts.items()
    ]
    out.print(
        table(
            ["entity", "created", "updated", "unchanged"], rows, numeric=("created", "updated", "unchanged")
        )
    )
    if report.dry_run:
        _print_diff(out, report.changes)
        out.print("Dry run: nothing was written.")
    elif report.changed:
        out.print(f"Imported in one transaction (change batch {report.batch}).")
    else:
        out.print("Nothing changed: the inventory already matches these files.")
