"""What every screen shares: the section bar, the what-if bar, the filter line and the refresh plumbing."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from psninv.style import plural
from psninv.tui import colours
from psninv.tui.safe_text import cell, cleaned
from psninv.tui.table import VirtualTable

if TYPE_CHECKING:
    from psninv.tui.app import PsninvApp

SECTIONS: list[tuple[str, str, str, str]] = [
    ("1", "dashboard", "Dashboard", "Home"),
    ("2", "sites", "Sites", "Sites"),
    ("3", "links", "Links", "Links"),
    ("4", "tenants", "Tenants", "Tenants"),
    ("5", "findings", "Findings", "Findings"),
    ("6", "whatif", "What-if", "What-if"),
    ("7", "map", "Map", "Map"),
    ("8", "history", "History", "History"),
]
"""Number key, mode, label and narrow-terminal label of each section."""

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
# Filtering a table this big waits for a pause in typing instead of running on every key.
DEBOUNCE_ROWS = 20_000


class TopBar(Widget):
    """The app's name, the sections with their number keys, and what the app is busy with."""

    DEFAULT_CSS = """
    TopBar { height: 1; background: $panel; color: $text; }
    """

    def __init__(self, section: str) -> None:
        super().__init__()
        self.section = section

    def on_mount(self) -> None:
        app = cast("PsninvApp", self.app)
        self.watch(app, "spinner", lambda _value: self.refresh(), init=False)
        self.watch(app, "status", lambda _value: self.refresh(), init=False)

    def render(self) -> RenderableType:
        app = cast("PsninvApp", self.app)
        width = self.size.width
        status = Text()
        said = app.status
        if app.read_only:
            # Said on every screen, as a badge: a viewer should not find out by being refused.
            status.append(" read-only ", style="bold black on yellow")
            status.append(" ")
            said = said.removeprefix("read-only").removeprefix(" · ")
        if said:
            if app.busy:
                status.append(SPINNER[app.spinner % len(SPINNER)] + " ", style="bold yellow")
            status.append(said, style="yellow" if app.busy else "dim")
        # The status (the findings count, read-only) matters more than the sections' names: on a
        # narrow terminal the other sections shrink to their keys before the status is cut.
        for labels in ("long", "short", "compact", "keys"):
            bar = self._sections(labels, with_name=width >= 90 and labels == "long")
            if bar.cell_len + status.cell_len + 1 <= width:
                break
        space = width - bar.cell_len - status.cell_len - 1
        if space > 0:
            bar.append(" " * space)
        bar.append_text(status)
        bar.truncate(width, overflow="ellipsis")
        return bar

    def _sections(self, labels: str, *, with_name: bool) -> Text:
        bar = Text(no_wrap=True, overflow="ellipsis")
        if with_name:
            bar.append(" psninv ", style="bold reverse")
        bar.append(" ")
        wide = self.size.width >= 100
        for key, mode, label, short in SECTIONS:
            current = mode == self.section
            style = "bold reverse" if current else ""
            bar.append(f"{key}", style=style or "bold")
            if labels == "long":
                bar.append(f" {label if wide else short} ", style=style)
            elif labels == "short" or current:
                bar.append(f" {short} ", style=style)
            elif labels == "compact":
                bar.append(f"{short} ")
            else:
                bar.append(" ")
        return bar


WRITE_ACTIONS = frozenset(
    {"add_record", "edit_record", "delete_record", "add_prefix", "revert", "revert_batch", "apply"}
)
"""Actions that change the inventory: a read-only session's key bar does not advertise them."""


class KeyBar(Widget):
    """The keys that apply here, in one line: the focused widget's first, then the screen's, then global."""

    DEFAULT_CSS = """
    KeyBar { height: 1; background: $panel; color: $text; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def render(self) -> RenderableType:
        line = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        read_only = cast("PsninvApp", self.app).read_only
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            if read_only and binding.action.split("(")[0] in WRITE_ACTIONS:
                continue  # not offered where it would only be refused
            seen.add(binding.action)
            line.append(f" {self.app.get_key_display(binding)} ", style="bold reverse")
            line.append(f" {binding.description} ")
        palette = Text.assemble((" ^p ", "bold reverse"), " jump ")
        space = self.size.width - line.cell_len - palette.cell_len
        if space >= 0:
            line.append(" " * space)
            line.append_text(palette)
        return line


class WhatIfBar(Static):
    """One line, shown on every screen while a what-if is active: what failed and who went dark."""

    DEFAULT_CSS = """
    WhatIfBar { height: 1; display: none; background: $error 30%; padding: 0 1; }
    """

    def update_from(self, app: PsninvApp) -> None:
        """Show the current what-if, or hide when nothing is failed."""
        if not app.failed:
            self.display = False
            return
        self.display = True
        width = max(self.size.width or self.app.size.width - 2, 20)
        view = app.whatif
        for failed_names, hints in ((True, True), (True, False), (False, False)):
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("What-if ", style="bold")
            failed = " ".join(app.failed) if failed_names else f"{len(app.failed)} failed"
            line.append("✖ " + failed, style=colours.FAILED)
            if view is None or view.failed != tuple(app.failed):
                line.append("  computing…", style="yellow")
            else:
                sites = len(view.cut_off_sites)
                # Nothing cut off is good news: not in the alarm colour.
                alarm = colours.CUT_OFF if sites else "green"
                line.append(f" → {plural(sites, 'site')} cut off", style=alarm)
                if sites:
                    tenants = len(view.cut_off)
                    line.append(f", {plural(tenants, 'tenant')}")
                    line.append(f", {view.demand_lost_mbps:,.0f} Mbit/s lost")
            if hints:
                line.append("  6", style="bold")
                line.append(" details ")
                line.append("r", style="bold")
                line.append(" reset")
            if line.cell_len <= width:
                break
        self.update(line)


class FilterBar(Input):
    """The `/` filter: narrows the table as you type; Enter keeps it, Esc clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", show=True),
        Binding("enter", "keep", "Keep filter", show=True),
        Binding("down", "keep", "Keep filter", show=False),
    ]

    DEFAULT_CSS = """
    FilterBar { dock: bottom; display: none; height: 1; border: none; padding: 0 1; background: $boost; }
    FilterBar:focus { border: none; }
    """

    def __init__(self) -> None:
        super().__init__(placeholder="filter: type words to match, Enter keeps, Esc clears")

    def action_clear(self) -> None:
        screen = self.screen
        if isinstance(screen, ListScreen):
            screen.action_back()
        else:
            self.value = ""
            self.display = False

    def action_keep(self) -> None:
        screen = self.screen
        if isinstance(screen, ListScreen):
            # Enter applies at once what the debounce may still be holding back.
            screen.commit_filter(self.value)
        if not self.value:
            self.display = False


class BaseScreen(Screen[None]):
    """A screen of the app: section bar on top, what-if bar and key footer at the bottom."""

    section: ClassVar[str] = "dashboard"
    show_whatif_bar: ClassVar[bool] = True
    subject: tuple[str, str] | None = None

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back", show=True)]

    def __init__(self) -> None:
        super().__init__()
        self._stale_data = True
        self._stale_whatif = True

    @property
    def psn(self) -> PsninvApp:
        """The app, typed."""
        return cast("PsninvApp", self.app)

    def compose(self) -> ComposeResult:
        yield TopBar(self.section)
        yield from self.compose_body()
        if self.show_whatif_bar:
            yield WhatIfBar()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets, between the bars."""
        yield from ()

    def on_mount(self) -> None:
        self.psn.data_changed.subscribe(self, self._on_data_signal)
        self.psn.whatif_changed.subscribe(self, self._on_whatif_signal)
        self._catch_up()

    def on_screen_resume(self) -> None:
        self._catch_up()

    def _on_data_signal(self, _data: Any) -> None:
        self._stale_data = True
        if self.is_current:
            self._catch_up()

    def _on_whatif_signal(self, _data: Any) -> None:
        self._stale_whatif = True
        if self.is_current:
            self._catch_up()

    def _catch_up(self) -> None:
        # Screens out of sight only note that they are stale, and redraw when shown again.
        if self._stale_data:
            self._stale_data = False
            self._stale_whatif = False
            self.refresh_data()
            self.refresh_whatif()
        elif self._stale_whatif:
            self._stale_whatif = False
            self.refresh_whatif()

    def refresh_data(self) -> None:
        """Redraw from the app's snapshot and results."""

    def refresh_whatif(self) -> None:
        """Redraw what the what-if changes: highlights in every table and the what-if bar."""
        for table in self.query(VirtualTable):
            table.refresh()
        for bar in self.query(WhatIfBar):
            bar.update_from(self.psn)

    def fail_target(self) -> tuple[str, str] | None:
        """The site or link `f` would fail here: the focused row's, else this screen's subject."""
        return self.row_target() or self.subject

    def row_target(self) -> tuple[str, str] | None:
        """The site or link under the cursor of the focused table, if any."""
        focused = self.focused
        if isinstance(focused, VirtualTable) and focused.entity in ("site", "link"):
            key = focused.cursor_key
            if key is not None:
                return focused.entity, key
        return None

    def action_back(self) -> None:
        self.psn.action_back()

    # The edit keys are bound on the screens that list or show records (forms.LIST_KEYS, DETAIL_KEYS).
    def action_add_record(self) -> None:
        """Open the form for a new record of what this screen lists (or hangs off its subject)."""
        from psninv.tui import forms

        target = forms.add_defaults(self)
        if target is not None:
            forms.open_form(self.psn, target[0], defaults=target[1])

    def action_edit_record(self, which: str = "row") -> None:
        """Open the edit form of the row under the cursor ('row') or of this screen's subject ('this')."""
        from psninv.tui import forms

        target = self._record_target(which)
        if target is not None:
            forms.open_form(self.psn, *target)

    def action_delete_record(self, which: str = "row") -> None:
        """Delete the row under the cursor ('row') or this screen's subject ('this'), after asking."""
        from psninv.tui import forms

        target = self._record_target(which)
        if target is not None:
            forms.confirm_delete(self.psn, *target)

    def _record_target(self, which: str) -> tuple[str, Any] | None:
        """The record an edit key acts on, or None after saying where to put the cursor."""
        from psninv.tui import forms

        target = forms.screen_target(self, which)
        if target is None:
            self.notify("put the cursor on a site, circuit, tenant or prefix first", severity="warning")
        return target


class ListScreen(BaseScreen):
    """A section that is one big table: title line, the table, and a `/` filter."""

    title_text: ClassVar[str] = ""
    hint: ClassVar[str] = "Enter opens · / filters · s sorts · f fails"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", show=True),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._filter_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="list-title", classes="list-title")
        yield self.make_table()
        yield FilterBar()

    def make_table(self) -> VirtualTable:
        """The screen's table, with its columns and cell functions."""
        raise NotImplementedError

    @property
    def table(self) -> VirtualTable:
        """The screen's table."""
        return self.query_one(VirtualTable)

    def update_title(self) -> None:
        """Show the table's name, its counts, its filter and sort, and a hint of the keys."""
        table = self.table
        line = Text.assemble((self.title_text, "bold"), " ")
        if table.filter_text:
            line.append(f"{table.row_count:,} of {table.total_count:,}", style="bold")
            line.append(f"  filter '{table.filter_text}'", style="yellow")
        else:
            line.append(f"{table.total_count:,}", style="bold")
        if table.sort_column:
            label = next(c.label for c in table.columns if c.key == table.sort_column)
            line.append(f"  sorted by {label} {'▼' if table.sort_reverse else '▲'}", style="dim")
        if self.psn.snapshot is not None and self.hint:
            line.append(f"  {self.hint}", style="dim")
        self.query_one("#list-title", Static).update(line)

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.display = True
        bar.focus()

    def action_back(self) -> None:
        # Esc first undoes a filter, then leaves the screen.
        bar = self.query_one(FilterBar)
        if bar.value or self.table.filter_text:
            bar.value = ""
            bar.display = False
            self._cancel_filter_timer()
            self.apply_filter("")
            self.table.focus()
            return
        self.psn.action_back()

    def _cancel_filter_timer(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._cancel_filter_timer()
        if event.value == self.table.filter_text:
            return
        if self.table.total_count > DEBOUNCE_ROWS:
            self._filter_timer = self.set_timer(0.25, lambda: self.apply_filter(event.value))
        else:
            self.apply_filter(event.value)

    def commit_filter(self, text: str) -> None:
        """Apply the filter now (Enter in the filter line) and go back to the table."""
        self._cancel_filter_timer()
        if text != self.table.filter_text:
            self.apply_filter(text)
        self.table.focus()

    def apply_filter(self, text: str) -> None:
        """Narrow the table to the rows matching the filter."""
        self.table.set_filter(text)
        self.update_title()

    @on(VirtualTable.RowSelected)
    def _row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.open_row(event.key)

    @on(VirtualTable.SortChanged)
    def _sorted(self, event: VirtualTable.SortChanged) -> None:
        event.stop()
        self.update_title()

    def open_row(self, key: Hashable) -> None:
        """Open the detail of a row."""


class DetailScreen(BaseScreen):
    """A screen about one thing: its fields, then tables of what it touches.

    On a site or a circuit, `f` fails that site or circuit; `F` fails the row under the cursor.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("F", "fail_row", "Fail row", show=False)]

    def fail_target(self) -> tuple[str, str] | None:
        if self.subject is not None and self.subject[0] in ("site", "link"):
            return self.subject
        return self.row_target()

    def action_fail_row(self) -> None:
        target = self.row_target()
        if target is None:
            self.notify("put the cursor on a site or link row first", severity="warning", timeout=3)
            return
        self.psn.fail(*target)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(id="detail-head", classes="detail-head")
            yield from self.compose_sections()

    def compose_sections(self) -> ComposeResult:
        """The tables under the fields."""
        yield from ()

    def set_head(self, renderable: RenderableType) -> None:
        """Show the fields block, its lines of text through the sanitiser (they quote stored names)."""
        parts = renderable.renderables if isinstance(renderable, Group) else [renderable]
        # Our own layout may break lines; a stored value was cleaned onto one line where it was put.
        safe = [cleaned(part, lines=True) if isinstance(part, Text) else part for part in parts]
        self.query_one("#detail-head", Static).update(Group(*safe))

    def fill(self, table_id: str, title: str, keys: list[Any], *, max_rows: int = 12) -> VirtualTable:
        """Put rows in one of the section tables, sized to them, with its heading."""
        table = self.query_one(f"#{table_id}", VirtualTable)
        table.set_rows(keys)
        table.styles.height = min(max(len(keys), 1), max_rows) + 1
        heading = self.query_one(f"#{table_id}-title", Static)
        heading.update(Text.assemble((title, "bold"), f"  {len(keys):,}"))
        return table

    @staticmethod
    def section_title(table_id: str) -> Static:
        """The heading widget above a section table."""
        return Static(id=f"{table_id}-title", classes="section-title")

    @on(VirtualTable.RowSelected)
    def _row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.open_row(event.table, event.key)

    def open_row(self, table: VirtualTable, key: Hashable) -> None:
        """Open what a row names."""
        if table.entity == "site":
            self.psn.open_site(key)
        elif table.entity == "link":
            self.psn.open_link(key)
        elif table.entity == "tenant":
            self.psn.open_tenant(key)
        elif table.entity == "finding":
            self.psn.open_finding(key)


def fields(pairs: list[tuple[str, RenderableType | str | None]], *, columns: int = 2) -> Table:
    """A block of label: value pairs, laid out in one or two column pairs."""
    grid = Table.grid(padding=(0, 1), expand=True)
    for _ in range(columns):
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
    row: list[RenderableType | str] = []
    for label, value in pairs:
        shown = cell(value) if value not in (None, "") else Text("—", style=colours.MUTED)
        row.extend([label, shown])
        if len(row) == columns * 2:
            grid.add_row(*row)
            row = []
    if row:
        row.extend([""] * (columns * 2 - len(row)))
        grid.add_row(*row)
    return grid
