"""The TUI's own widgets on their own: the virtual table, the braille map, the tree from the core."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult

from psninv.inventory import Inventory
from psninv.session import index_inventory
from psninv.tui.map import spanning_tree
from psninv.tui.map_draw import Marks, View, build_map_data, draw_map, fit_view
from psninv.tui.table import Column, VirtualTable


class TableHost(App[None]):
    """Just a table of n numbered rows, counting how often a row is formatted."""

    def __init__(self, rows: int, columns: list[Column] | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.formatted = 0
        self.columns = columns or [
            Column("key", "Key", width=8),
            Column("name", "Name", flex=True, min_width=6),
            Column("size", "Size", numeric=True, width=6),
        ]

    def cells(self, key: int) -> list[str | Text]:
        self.formatted += 1
        return [f"R{key:06d}", f"row number {key}", str((key * 7919) % 1000)]

    def compose(self) -> ComposeResult:
        yield VirtualTable(
            self.columns,
            self.cells,
            sort_value=lambda key, column: (key * 7919) % 1000 if column == "size" else key,
            row_mark=lambda key: "✖" if key == 3 else "",
        )

    def on_mount(self) -> None:
        self.query_one(VirtualTable).set_rows(range(self.rows))


def run(app: App[Any], scenario: Any, size: tuple[int, int] = (60, 12)) -> None:
    """Run a scenario against a host app."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def test_a_million_rows_are_never_formatted_all_at_once() -> None:
    host = TableHost(1_000_000)

    async def scenario(pilot: Any) -> None:
        table = host.query_one(VirtualTable)
        assert table.row_count == 1_000_000
        # Measuring widths looks at a few hundred rows; drawing at a screenful.
        assert host.formatted < 1_000
        before = host.formatted
        await pilot.press("G")
        assert table.cursor_key == 999_999
        assert host.formatted - before < 100
        text = table.render_line(table.cursor - int(table.scroll_y) + 1).text
        assert "R999999" in text

    run(host, scenario)


def test_keys_move_the_cursor_and_scroll_it_into_view() -> None:
    host = TableHost(100)

    async def scenario(pilot: Any) -> None:
        table = host.query_one(VirtualTable)
        await pilot.press("j", "j", "j")
        assert table.cursor == 3
        await pilot.press("k")
        assert table.cursor == 2
        await pilot.press("pagedown")
        assert table.cursor > 5
        await pilot.press("G")
        assert table.cursor == 99 and table.scroll_y > 80
        await pilot.press("g")
        assert table.cursor == 0 and table.scroll_y == 0

    run(host, scenario)


def test_sorting_and_filtering() -> None:
    host = TableHost(50)

    async def scenario(pilot: Any) -> None:
        table = host.query_one(VirtualTable)
        table.sort_by("size", reverse=True)
        sizes = [(k * 7919) % 1000 for k in table.visible_keys]
        assert sizes == sorted(sizes, reverse=True)
        table.set_filter("r00004")  # case-insensitive
        assert sorted(table.visible_keys) == list(range(40, 50))
        table.set_filter("R000042 number")  # every word must match
        assert table.visible_keys == [42]
        table.set_filter("")
        assert table.row_count == 50
        assert "Size ▼" in table.render_line(0).text

    run(host, scenario)


def test_the_row_mark_gutter_and_heading_rows() -> None:
    host = TableHost(10)

    async def scenario(pilot: Any) -> None:
        table = host.query_one(VirtualTable)
        assert table.render_line(4).text.startswith("✖ R000003")
        assert table.render_line(3).text.startswith("  R000002")

    run(host, scenario)


def test_narrow_tables_shrink_text_columns_then_hide_the_least_important() -> None:
    columns = [
        Column("key", "Key", width=8),
        Column("name", "Name", flex=True, min_width=6),
        Column("extra", "Extra", min_width=10, max_width=10, priority=1),
        Column("size", "Size", numeric=True, width=6),
    ]
    host = TableHost(5, columns)

    async def scenario(pilot: Any) -> None:
        table = host.query_one(VirtualTable)
        header = table.render_line(0).text
        assert "Extra" not in header and "Name" in header and "Size" in header

    run(host, scenario, size=(28, 8))


def inventory(located: bool = True) -> Inventory:
    """Two cores, a hub between them and an access site, as a bare Inventory."""

    def site(code: str, role: str, lat: float, lon: float) -> dict[str, Any]:
        where = {"latitude": lat, "longitude": lon} if located else {"latitude": None, "longitude": None}
        return {"code": code, "name": code.title(), "role": role, "occupants": [], **where}

    sites = {
        "CORE-A": site("CORE-A", "core", 52.0, -2.0),
        "CORE-B": site("CORE-B", "datacentre", 52.0, -1.0),
        "HUB": site("HUB", "hub", 52.5, -1.5),
        "SITE": site("SITE", "access", 52.8, -1.5),
    }
    links = {
        "L1": {"circuit_id": "L1", "a_site": "CORE-A", "b_site": "HUB", "status": "active"},
        "L2": {"circuit_id": "L2", "a_site": "CORE-B", "b_site": "HUB", "status": "active"},
        "L3": {"circuit_id": "L3", "a_site": "HUB", "b_site": "SITE", "status": "active"},
        "L4": {"circuit_id": "L4", "a_site": "CORE-A", "b_site": "SITE", "status": "ceased"},
    }
    return Inventory(sites=sites, links=links)


def test_the_map_draws_sites_as_glyphs_and_links_in_braille() -> None:
    data = build_map_data(index_inventory(inventory()))
    assert len(data.links) == 3, "ceased links are not drawn"
    view = fit_view(data, 40, 12)
    lines = [strip.text for strip in draw_map(data, view, 40, 12, Marks(selected="HUB"))]
    drawn = "".join(lines)
    assert len(lines) == 12 and all(len(line) == 40 for line in lines)
    assert drawn.count("◉") == 2 and "•" in drawn
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in drawn)
    assert "HUB Hub" in drawn  # the selected site is labelled with code and name
    # North is up: the access site is drawn above the hub, the cores below.
    row = {mark: next(i for i, line in enumerate(lines) if mark in line) for mark in ("•", "◉")}
    assert row["•"] < row["◉"]


def test_the_map_marks_failed_and_cut_off_sites_and_clips_zoomed_links() -> None:
    data = build_map_data(index_inventory(inventory()))
    view = fit_view(data, 40, 12)
    marks = Marks(failed=frozenset({"HUB"}), cut_off=frozenset({"SITE"}))
    drawn = "".join(strip.text for strip in draw_map(data, view, 40, 12, marks))
    assert "✖" in drawn and "●" in drawn
    # Zoomed far into an empty corner: nothing to draw, and no time spent on off-screen lines.
    far = View(view.cx + 10, view.cy + 10, view.scale * 1000)
    assert "".join(strip.text for strip in draw_map(data, far, 40, 12, Marks())).strip() == ""


def test_the_tree_hangs_from_the_cores() -> None:
    snapshot = index_inventory(inventory(located=False))
    roots, children, isolated = spanning_tree(snapshot)
    assert roots == ["CORE-A", "CORE-B"]
    assert children["CORE-A"] == ["HUB"] and children["HUB"] == ["SITE"]
    assert isolated == []
    assert build_map_data(snapshot).coords == {}
