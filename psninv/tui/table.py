"""A virtual table on Textual's line API: only the rows on screen are ever formatted.

Rows are keys; the screen that owns a table supplies functions that turn a key into cells, a
sort value and search text. Sorting and filtering reorder a list of keys, so a table of 100,000
sites opens at once and scrolls as fast as a table of ten.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from psninv.display import clean
from psninv.tui.safe_text import cleaned

Cell = str | Text
GAP = 2  # spaces between columns, narrowed to one when a table is short of width
# Column widths are measured on this many rows, so wide inventories lay out in constant time.
MEASURE_ROWS = 300


@dataclass(slots=True)
class Column:
    """One column: its key, header, and how it sizes."""

    key: str
    label: str
    width: int | None = None  # fixed width; None measures the contents
    min_width: int = 4
    max_width: int = 36
    flex: bool = False  # takes the spare width, and gives width back first when short
    numeric: bool = False  # right-aligned, sorted as numbers
    priority: int = 0  # when even minimum widths do not fit, higher numbers are hidden first; 0 never
    hide_when_blank: bool = False  # no width at all while every row's cell is blank
    fit: Callable[[str, int], str] | None = None  # shortens a text that is too wide, before the ellipsis


def _none_last(value: Any) -> tuple[bool, Any]:
    # Blanks sort after every value in either direction of the key, never compared with them.
    return (value is None or value == "", value if value is not None else "")


class VirtualTable(ScrollView, can_focus=True):
    """A sortable, filterable table that renders only its visible rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", show=True),
        Binding("j,down", "cursor(1)", "Down", show=False),
        Binding("k,up", "cursor(-1)", "Up", show=False),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False),
        Binding("g,home", "first", "First row", show=False),
        Binding("G,end", "last", "Last row", show=False),
        Binding("s", "sort", "Sort", show=True),
        Binding("S", "reverse", "Reverse sort", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--cursor-blurred",
        "virtual-table--empty",
    }

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        & > .virtual-table--header { text-style: bold; background: $panel; color: $text; }
        & > .virtual-table--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
        }
        & > .virtual-table--cursor-blurred { background: $block-cursor-blurred-background; }
        & > .virtual-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class _RowMessage(Message):
        """Something happened on one row of the table."""

        def __init__(self, table: VirtualTable, key: Hashable) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved onto a row."""

    class SortChanged(Message):
        """The table was sorted by another column or direction."""

        def __init__(self, table: VirtualTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowSelected(_RowMessage):
        """Enter (or a double click) on a row."""

    def __init__(
        self,
        columns: Sequence[Column],
        cells: Callable[[Any], Sequence[Cell]],
        *,
        entity: str | None = None,
        sort_value: Callable[[Any, str], Any] | None = None,
        search_text: Callable[[Any], str] | None = None,
        row_style: Callable[[Any], Style | None] | None = None,
        row_mark: Callable[[Any], str] | None = None,
        empty_text: str = "nothing to show",
        sortable: bool = True,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.entity = entity
        self._cells = cells
        self._sort_value = sort_value
        self._search_text = search_text
        self._row_style = row_style
        self._row_mark = row_mark
        # A one-cell gutter before the first column carries the row's mark (✖ failed, ● cut off).
        self._gutter = 2 if row_mark is not None else 0
        self.empty_text = empty_text
        self._waiting = ""
        self._keys: list[Any] = []
        self._order: list[Any] = []
        self._visible: list[Any] = []
        self._search_cache: dict[Any, str] = {}
        self._widths: list[int] = [c.width or len(c.label) for c in self.columns]
        self._gap = GAP
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.sortable = sortable
        self.filter_text = ""

    # ---- data -------------------------------------------------------------------------------

    def wait(self, message: str | None) -> None:
        """Say what the table is waiting for (e.g. 'analysing…') in place of its empty text; None stops."""
        if (message or "") != self._waiting:
            self._waiting = message or ""
            self.refresh()

    @property
    def row_count(self) -> int:
        """How many rows pass the filter."""
        return len(self._visible)

    @property
    def total_count(self) -> int:
        """How many rows there are before filtering."""
        return len(self._keys)

    @property
    def visible_keys(self) -> list[Any]:
        """The keys of the rows shown, in display order."""
        return list(self._visible)

    @property
    def cursor_key(self) -> Any | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if 0 <= self.cursor < len(self._visible):
            return self._visible[self.cursor]
        return None

    def row_cells(self, key: Any) -> list[str]:
        """A row's cells as plain text (for tests and search)."""
        return [cell.plain if isinstance(cell, Text) else str(cell) for cell in self._cells(key)]

    def set_rows(self, keys: Sequence[Any], *, keep_cursor: bool = True) -> None:
        """Replace the rows, keeping the sort, the filter and (where possible) the cursor's row."""
        current = self.cursor_key if keep_cursor else None
        self._keys = list(keys)
        self._search_cache = {}
        self._apply_sort()
        self._apply_filter(current)
        self._layout_columns()

    def sort_by(self, column: str | None, *, reverse: bool = False) -> None:
        """Sort by a column's key (None restores the source order)."""
        current = self.cursor_key
        self.sort_column = column
        self.sort_reverse = reverse
        self._apply_sort()
        self._apply_filter(current)
        self.refresh()
        self.post_message(self.SortChanged(self))

    def set_filter(self, text: str) -> None:
        """Show only the rows whose text contains every word of the filter (case-insensitive)."""
        current = self.cursor_key
        self.filter_text = text
        self._apply_filter(current)
        self._layout_columns()

    def move_to_key(self, key: Any) -> bool:
        """Put the cursor on a row by key; False if no such row is shown."""
        try:
            index = self._visible.index(key)
        except ValueError:
            return False
        self.cursor = index
        return True

    def _apply_sort(self) -> None:
        if self.sort_column is None:
            self._order = list(self._keys)
            if self.sort_reverse:
                self._order.reverse()
            return
        column = self.sort_column
        getter = self._sort_value or self._default_sort_value
        self._order = sorted(
            self._keys, key=lambda key: _none_last(getter(key, column)), reverse=self.sort_reverse
        )

    def _default_sort_value(self, key: Any, column: str) -> Any:
        index = next(i for i, c in enumerate(self.columns) if c.key == column)
        cell = self._cells(key)[index]
        return cell.plain if isinstance(cell, Text) else cell

    def _text_of(self, key: Any) -> str:
        cached = self._search_cache.get(key)
        if cached is None:
            if self._search_text is not None:
                cached = self._search_text(key).lower()
            else:
                cached = " ".join(self.row_cells(key)).lower()
            self._search_cache[key] = cached
        return cached

    def _apply_filter(self, keep: Any | None) -> None:
        terms = self.filter_text.lower().split()
        if terms:
            text_of = self._text_of
            self._visible = [k for k in self._order if all(t in text_of(k) for t in terms)]
        else:
            self._visible = self._order
        index = 0
        if keep is not None:
            try:
                index = self._visible.index(keep)
            except ValueError:
                index = 0
        self.set_reactive(VirtualTable.cursor, min(index, max(len(self._visible) - 1, 0)))
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self.refresh()

    # ---- layout -----------------------------------------------------------------------------

    def _total_width(self, widths: list[int], gap: int) -> int:
        shown = [w for w in widths if w > 0]
        return sum(shown) + gap * max(len(shown) - 1, 0)

    def _update_virtual_size(self) -> None:
        width = self._gutter + self._total_width(self._widths, self._gap)
        self.virtual_size = Size(width, len(self._visible) + 1)

    def _layout_columns(self) -> None:
        sample = self._visible[:MEASURE_ROWS]
        top = int(self.scroll_y) if self.is_mounted else 0
        sample = sample + self._visible[top : top + self.size.height]
        widths = []
        measured: list[list[Cell]] = [list(self._cells(key)) for key in sample]
        measured = [cells for cells in measured if len(cells) > 1]
        arrows = 2 if self.sort_column else 0
        for index, column in enumerate(self.columns):
            if column.width is not None:
                widths.append(column.width)
                continue
            longest = len(column.label) + (arrows if column.key == self.sort_column else 0)
            blank = True
            for cells in measured:
                cell = cells[index] if index < len(cells) else ""
                length = cell.cell_len if isinstance(cell, Text) else len(cell)
                longest = max(longest, length)
                blank = blank and not length
            if column.hide_when_blank and blank:
                widths.append(0)
                continue
            widths.append(max(column.min_width, min(longest, column.max_width)))
        available = self.size.width - self._gutter
        if len(self._visible) + 1 > self.size.height > 0:
            available -= self.styles.scrollbar_size_vertical
        gap = GAP
        flex = [i for i, c in enumerate(self.columns) if c.flex]
        if available > 0 and self._total_width(widths, gap) > available:
            gap = 1
            # Take width one cell at a time from the widest text column, so no column starves.
            excess = self._total_width(widths, gap) - available
            shrinkable = [i for i, c in enumerate(self.columns) if not c.numeric and c.width is None]
            while excess > 0:
                candidates = [i for i in shrinkable if widths[i] > self.columns[i].min_width]
                if not candidates:
                    break
                widest = max(candidates, key=lambda i: (widths[i], self.columns[i].flex))
                widths[widest] -= 1
                excess -= 1
            # Still too wide: hide the least important columns rather than scroll sideways.
            droppable = sorted(
                (i for i, c in enumerate(self.columns) if c.priority), key=lambda i: -self.columns[i].priority
            )
            for i in droppable:
                if self._total_width(widths, gap) <= available:
                    break
                widths[i] = 0
        if available > 0 and flex and self._total_width(widths, gap) < available and widths[flex[0]]:
            widths[flex[0]] += available - self._total_width(widths, gap)
        self._widths = widths
        self._gap = gap
        self._update_virtual_size()
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self._layout_columns()
        self._scroll_cursor_into_view()

    def on_mount(self) -> None:
        super().on_mount()
        self._layout_columns()

    # ---- rendering --------------------------------------------------------------------------

    def _line(self, cells: Sequence[Cell], base: Style, mark: str = "") -> Text:
        line = Text(style=base, no_wrap=True, overflow="ellipsis", end="")
        if self._gutter:
            line.append((mark or " ")[:1].ljust(self._gutter))
        if len(cells) == 1 and len(self.columns) > 1:
            # A single cell is a heading row: it spans the whole table.
            cell = cells[0]
            piece = cleaned(cell).copy() if isinstance(cell, Text) else Text(clean(cell))
            width = self._total_width(self._widths, self._gap)
            piece.truncate(width, overflow="ellipsis")
            line.append_text(piece)
            line.pad_right(width - line.cell_len)
            return line
        first = True
        for index, width in enumerate(self._widths):
            if width <= 0:
                continue
            if not first:
                line.append(" " * self._gap)
            first = False
            cell = cells[index] if index < len(cells) else ""
            fit = self.columns[index].fit
            if fit is not None and isinstance(cell, str) and len(cell) > width:
                cell = fit(cell, width)
            piece = cleaned(cell).copy() if isinstance(cell, Text) else Text(clean(cell))
            piece.truncate(width, overflow="ellipsis")
            if self.columns[index].numeric:
                piece.pad_left(width - piece.cell_len)
            else:
                piece.pad_right(width - piece.cell_len)
            line.append_text(piece)
        return line

    def _header_cells(self) -> list[Cell]:
        cells: list[Cell] = []
        for column in self.columns:
            label = column.label
            if column.key == self.sort_column:
                label = f"{label} {'▼' if self.sort_reverse else '▲'}"
            cells.append(label)
        return cells

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("virtual-table--header")
            text = self._line(self._header_cells(), style)
        else:
            index = scroll_y + y - 1
            if not self._visible and y == 1:
                style = base + self.get_component_rich_style("virtual-table--empty")
                message = self.empty_text if not self.filter_text else f"no rows match '{self.filter_text}'"
                if self._waiting:
                    message, style = self._waiting, base + Style(color="yellow")
                return Strip(Text(message, style=style).render(self.app.console)).crop_extend(0, width, base)
            if index >= len(self._visible):
                return Strip.blank(width, base)
            key = self._visible[index]
            style = base
            if self._row_style is not None:
                extra = self._row_style(key)
                if extra is not None:
                    style = style + extra
            mark = self._row_mark(key) if self._row_mark is not None else ""
            text = self._line(self._cells(key), style, mark)
            if index == self.cursor:
                name = "virtual-table--cursor" if self.has_focus else "virtual-table--cursor-blurred"
                text.stylize(self.get_component_rich_style(name))
        strip = Strip(list(text.render(self.app.console)))
        if y == 0:
            return strip.crop_extend(scroll_x, scroll_x + width, style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    # ---- cursor -----------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._visible) - 1)) if self._visible else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowHighlighted(self, key))

    def _scroll_cursor_into_view(self) -> None:
        if not self.is_mounted:
            return
        rows = max(self.size.height - 1 - (1 if self.show_horizontal_scrollbar else 0), 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, force=True)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(self.size.height - 2, 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._visible) - 1

    def action_select(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hidden, not just disabled, so the footer does not offer a key that does nothing.
        return self.sortable or action not in ("sort", "reverse")

    def action_sort(self) -> None:
        """Sort by the next column (after the last, back to the source order)."""
        keys = [c.key for c in self.columns]
        if self.sort_column is None:
            nxt: str | None = keys[0]
        else:
            position = keys.index(self.sort_column) + 1
            nxt = keys[position] if position < len(keys) else None
        # Numbers are most useful biggest first; text alphabetical.
        numeric = nxt is not None and self.columns[keys.index(nxt)].numeric
        self.sort_by(nxt, reverse=numeric)
        self._layout_columns()
        label = self.columns[keys.index(nxt)].label if nxt else "the original order"
        self.notify(f"sorted by {label}", timeout=1.5)

    def action_reverse(self) -> None:
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)
        self._layout_columns()

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            if not self.sortable:
                return
            x = event.x + int(self.scroll_x) - self._gutter
            for column, width in zip(self.columns, self._widths, strict=True):
                if width <= 0:
                    continue
                if x < width + self._gap:
                    reverse = not self.sort_reverse if self.sort_column == column.key else column.numeric
                    self.sort_by(column.key, reverse=reverse)
                    self._layout_columns()
                    return
                x -= width + self._gap
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < len(self._visible):
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index
