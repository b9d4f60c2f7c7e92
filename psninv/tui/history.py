"""The change log: every change with who, when and what, filterable by entity and actor, and revertible."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Select, Static

from psninv.changes import ChangeEntry, actors, count_changes, history, revert, revert_batch
from psninv.errors import PsninvError
from psninv.records import SINGULAR
from psninv.tui.base import BaseScreen
from psninv.tui.failures import failure_text
from psninv.tui.forms import ConfirmScreen, refuse_if_read_only, run_write, shown
from psninv.tui.safe_text import cleaned, plain
from psninv.tui.table import Column, VirtualTable

if TYPE_CHECKING:
    from psninv.tui.app import PsninvApp

PAGE = 200
ACTION_STYLE = {"create": "green", "update": "yellow", "delete": "red"}


def change_columns(*, with_key: bool = True) -> list[Column]:
    """The columns of a table of changes."""
    columns = [
        Column("id", "#", numeric=True, min_width=3, max_width=7),
        Column("at", "When (UTC)", width=16),
        Column("actor", "Who", min_width=5, max_width=14),
        Column("action", "Action", width=8),
    ]
    if with_key:
        columns += [
            Column("entity", "Entity", width=8, priority=2),
            Column("key", "Key", min_width=6, max_width=18),
        ]
    columns.append(Column("what", "What", flex=True, min_width=10, max_width=200))
    return columns


def change_cells(entry: ChangeEntry | None, key: Any, *, with_key: bool = True) -> list[str | Text]:
    """A change as a row."""
    if entry is None:
        return [str(key)]
    action = Text(entry.action, style=ACTION_STYLE.get(entry.action, ""))
    if entry.reverted_by is not None:
        action = Text(f"{entry.action}↶", style="dim")
    cells: list[str | Text] = [str(entry.id), entry.at.strftime("%Y-%m-%d %H:%M"), entry.actor, action]
    if with_key:
        cells += [entry.entity, entry.key.rstrip("|")]
    what = entry.summary()
    if entry.reverted_by is not None:
        what = f"(reverted by #{entry.reverted_by}) {what}"
    cells.append(Text(what, style="dim") if entry.reverted_by is not None else what)
    return cells


class ChangesTable(VirtualTable):
    """A table of changes: Enter shows one in full, u reverts it, U reverts its whole batch."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Details", show=True),
        Binding("u", "revert", "Revert", show=True),
        Binding("U", "revert_batch", "Revert its whole batch", show=False),
    ]

    def __init__(
        self, entries: Callable[[], dict[int, ChangeEntry]], *, with_key: bool = True, **kwargs: Any
    ):
        self.entries = entries
        super().__init__(
            change_columns(with_key=with_key),
            lambda key: change_cells(self.entries().get(key), key, with_key=with_key),
            entity="change",
            **kwargs,
        )

    def action_revert(self) -> None:
        """Revert the change under the cursor, after asking."""
        entry = self.entries().get(self.cursor_key) if self.cursor_key is not None else None
        if entry is not None:
            confirm_revert(self.app, entry)  # type: ignore[arg-type]

    def action_revert_batch(self) -> None:
        """Revert every change of the batch of the change under the cursor, after asking."""
        entry = self.entries().get(self.cursor_key) if self.cursor_key is not None else None
        if entry is not None:
            confirm_revert_batch(self.app, entry)  # type: ignore[arg-type]

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        entry = self.entries().get(event.key)
        if entry is not None:
            self.app.push_screen(ChangeScreen(entry))


def confirm_revert(app: PsninvApp, entry: ChangeEntry) -> None:
    """Ask, then revert a change in a worker; a refusal is shown as it is worded."""
    if refuse_if_read_only(app):
        return
    if entry.reverted_by is not None:
        app.notify(f"change #{entry.id} was already reverted by #{entry.reverted_by}", severity="warning")
        return
    undo = {"create": "delete it again", "delete": "bring it back", "update": "put the old values back"}
    lines = [
        f"{entry.action} of {SINGULAR.get(entry.entity, entry.entity)} {entry.key.rstrip('|')} "
        f"by {entry.actor}",
        entry.summary(6),
    ]
    question = f"Revert change #{entry.id} ({undo.get(entry.action, 'undo it')})? The revert is logged too."
    screen = ConfirmScreen(f"Revert change #{entry.id}", lines, question, yes="Revert")

    def answered(yes: bool | None) -> None:
        if yes:
            run_write(app, lambda: revert(app.store, entry.id), f"reverted change #{entry.id}")

    app.push_screen(screen, answered)


def confirm_revert_batch(app: PsninvApp, entry: ChangeEntry) -> None:
    """Ask, then revert every change of an entry's batch (an import, a delete with its dependants)."""
    if refuse_if_read_only(app):
        return
    try:
        changes = history(app.store, batch=entry.batch, limit=100_000)
    except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
        app.notify(f"could not read the change log: {failure_text(app, exc)}", severity="error")
        return
    lines = [
        f"#{c.id} {c.action} {SINGULAR.get(c.entity, c.entity)} {c.key.rstrip('|')}" for c in changes[:8]
    ]
    if len(changes) > 8:
        lines.append(f"… and {len(changes) - 8} more")
    question = (
        f"Revert all {len(changes)} changes of batch {entry.batch}, newest first? The reverts are logged."
    )
    screen = ConfirmScreen(f"Revert batch {entry.batch}", lines, question, yes="Revert all")

    def answered(yes: bool | None) -> None:
        if yes:
            run_write(app, lambda: revert_batch(app.store, entry.batch), f"reverted batch {entry.batch}")

    app.push_screen(screen, answered)


def change_detail(entry: ChangeEntry) -> Group:
    """A change in full: who, when, and each field before and after."""
    head = Text.assemble(
        (f"#{entry.id} ", "bold"),
        (entry.action, f"bold {ACTION_STYLE.get(entry.action, '')}"),
        f" {SINGULAR.get(entry.entity, entry.entity)} ",
        (entry.key.rstrip("|"), "bold"),
        f"  by {entry.actor} at {entry.at:%Y-%m-%d %H:%M:%S} UTC  batch {entry.batch}",
    )
    notes = []
    if entry.reverts is not None:
        notes.append(Text(f"This change reverts #{entry.reverts}.", style="cyan"))
    if entry.reverted_by is not None:
        notes.append(Text(f"Reverted by #{entry.reverted_by}.", style="cyan"))
    grid = Table(box=None, header_style="bold", pad_edge=False, expand=True)
    grid.add_column("Field", no_wrap=True)
    grid.add_column("Before", ratio=1, overflow="fold")
    grid.add_column("After", ratio=1, overflow="fold")
    before, after = entry.before or {}, entry.after or {}
    for name in dict.fromkeys([*before, *after]):
        old, new = shown(before.get(name)), shown(after.get(name))
        moved = old != new
        grid.add_row(name, plain(old, "red" if moved else ""), plain(new, "green" if moved else ""))
    return Group(cleaned(head), *notes, Text(""), grid)


class ChangeScreen(ModalScreen[None]):
    """One change in full; u reverts it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", show=True),
        Binding("u", "revert", "Revert", show=True),
    ]

    def __init__(self, entry: ChangeEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="confirm-box"):
            yield Static(change_detail(self.entry))

    def on_mount(self) -> None:
        box = self.query_one("#confirm-box")
        box.border_title = f"Change #{self.entry.id}"
        box.border_subtitle = "u reverts · Esc closes"

    def action_revert(self) -> None:
        """Close, then ask to revert."""
        self.dismiss(None)
        confirm_revert(self.app, self.entry)  # type: ignore[arg-type]


class HistoryScreen(BaseScreen):
    """The change log, newest first, filtered by entity and actor."""

    section = "history"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "more", "More", show=False),
        Binding("slash", "filter", "Filter", show=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[int, ChangeEntry] = {}
        self.total = 0
        self.pages = 1

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="history-filters"):
            yield Static("Entity ", classes="form-label-short")
            yield Select(
                [(name, name) for name in ("sites", "links", "tenants", "prefixes")],
                prompt="all",
                id="history-entity",
                compact=True,
            )
            yield Static("  Who ", classes="form-label-short")
            yield Input(placeholder="anyone", id="history-actor", compact=True)
        yield Static(id="list-title", classes="list-title")
        yield ChangesTable(lambda: self.entries, id="history-table", empty_text="no changes logged yet")

    @property
    def table(self) -> ChangesTable:
        """The table of changes."""
        return self.query_one(ChangesTable)

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()

    def filters(self) -> dict[str, str | None]:
        """The entity and actor chosen."""
        entity = self.query_one("#history-entity", Select).value
        actor = self.query_one("#history-actor", Input).value.strip()
        return {"entity": None if entity is Select.NULL else str(entity), "actor": actor or None}

    def refresh_data(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the log again with the filters, in a worker."""
        filters = self.filters()
        store = self.psn.store
        limit = PAGE * self.pages

        def read() -> None:
            try:
                entries = history(store, limit=limit, **filters)
                total = count_changes(store, **filters)
                names = actors(store)
            except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
                message = f"could not read the change log: {failure_text(self.app, exc)}"
                self.app.call_from_thread(self.notify, message, severity="error")
                return
            self.app.call_from_thread(self.show, entries, total, names)

        self.run_worker(read, thread=True, exclusive=True, group="history")

    def show(self, entries: list[ChangeEntry], total: int, names: list[str] | None = None) -> None:
        """Fill the table (and let the actor filter complete the names the log holds)."""
        if names is not None:
            actor = self.query_one("#history-actor", Input)
            actor.suggester = SuggestFromList(names, case_sensitive=False)
        self.entries = {entry.id: entry for entry in entries}
        self.total = total
        self.table.set_rows(list(self.entries))
        line = Text.assemble(("History", "bold"), " ")
        line.append(f"{len(entries):,} of {total:,}" if total > len(entries) else f"{total:,}", style="bold")
        hint = "  Enter details · u reverts · / filters" + (" · m more" if total > len(entries) else "")
        line.append(hint, style="dim")
        self.query_one("#list-title", Static).update(line)

    @on(Select.Changed, "#history-entity")
    @on(Input.Submitted, "#history-actor")
    def _filter_changed(self, event: Any) -> None:
        event.stop()
        self.pages = 1
        self.reload()
        if isinstance(event, Input.Submitted):
            self.table.focus()

    def action_filter(self) -> None:
        """Go to the filters."""
        self.query_one("#history-entity", Select).focus()

    def action_more(self) -> None:
        """Show the next page of older changes."""
        if self.total > len(self.entries):
            self.pages += 1
            self.reload()

    def select_filters(self, entity: str | None = None, actor: str | None = None) -> None:
        """Set the filters (used by tests and by other screens' 'history of this')."""
        self.query_one("#history-entity", Select).value = entity if entity else Select.NULL
        self.query_one("#history-actor", Input).value = actor or ""
        self.pages = 1
        self.reload()


def record_history(screen: Any, table_id: str, entity: str, key: str, limit: int = 20) -> None:
    """Fill a detail screen's table with one record's latest changes, read in a worker."""
    store = screen.psn.store

    def read() -> None:
        try:
            entries = history(store, entity=entity, key=key, limit=limit)
        except PsninvError:
            return  # a busy database: the section stays empty; the log is not essential here
        except Exception as exc:  # noqa: BLE001 - a bug: logged, and said to be one
            message = f"could not read the record's history: {failure_text(screen.app, exc)}"
            screen.app.call_from_thread(screen.app.notify, message, severity="error")
            return
        screen.app.call_from_thread(_fill, screen, table_id, entries)

    screen.run_worker(read, thread=True, exclusive=True, group=f"history-{table_id}")


def _fill(screen: Any, table_id: str, entries: list[ChangeEntry]) -> None:
    screen.record_changes = {entry.id: entry for entry in entries}
    screen.fill(table_id, "History  (Enter details, u reverts)", list(screen.record_changes), max_rows=6)
