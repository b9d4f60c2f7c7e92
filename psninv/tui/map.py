"""The map: sites drawn by latitude and longitude in braille, links as lines; or a tree from the core."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar, cast

import networkx as nx
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode
from textual.worker import Worker, WorkerState

from psninv.display import clean
from psninv.graph import build_graph
from psninv.model import CORE_ROLES
from psninv.session import Snapshot
from psninv.tui import colours
from psninv.tui.base import BaseScreen

if TYPE_CHECKING:
    from psninv.tui.app import PsninvApp

from psninv.tui.map_draw import (
    ACCESS,
    DRAW_IN_THREAD,
    FAILED_MARK,
    LABEL,
    ZOOM_STEP,
    MapData,
    Marks,
    View,
    build_map_data,
    draw_map,
    fit_view,
)


class MapCanvas(Widget, can_focus=True):
    """The braille map; zoom, pan and step through sites with the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus,equals_sign", "zoom(1)", "Zoom in", show=True, key_display="+"),
        Binding("minus", "zoom(-1)", "Zoom out", show=False, key_display="-"),
        Binding("h,left", "pan(-1,0)", "Pan left", show=False),
        Binding("l,right", "pan(1,0)", "Pan right", show=False),
        Binding("k,up", "pan(0,1)", "Pan up", show=False),
        Binding("j,down", "pan(0,-1)", "Pan down", show=False),
        Binding("n", "step(1)", "Next site", show=False),
        Binding("N", "step(-1)", "Previous site", show=False),
        Binding("c", "centre", "Centre", show=False),
        Binding("0", "fit", "Fit", show=False),
        Binding("enter", "open", "Open", show=True),
    ]

    DEFAULT_CSS = """
    MapCanvas { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.data: MapData | None = None
        self.view: View | None = None
        self._frame: list[Strip] = []
        self._drawn_for: tuple[Any, ...] | None = None
        self.fitted = True
        """Whether the view is the fit of the whole map: it then follows the widget's size."""

    @property
    def psn(self) -> PsninvApp:
        """The app, typed."""
        return cast("PsninvApp", self.app)

    def set_data(self, data: MapData) -> None:
        """Show new data, keeping the view if it still makes sense."""
        self.data = data
        if (self.view is None or self.fitted) and self.size.width:
            self.view = fit_view(data, self.size.width, self.size.height)
        if self.psn.selected_site not in data.coords and data.order:
            self.psn.selected_site = data.order[0]
        self.redraw()

    def marks(self) -> Marks:
        """The what-if's failures and cut-off sites, and the selected site."""
        view = self.psn.whatif
        return Marks(
            failed=frozenset(self.psn.failed),
            cut_off=view.cut_off_sites if view is not None and self.psn.failed else frozenset(),
            selected=self.psn.selected_site,
        )

    def redraw(self) -> None:
        """Draw again (in a thread when the map is big), keeping the old frame on screen meanwhile."""
        if self.data is None or not self.size.width:
            return
        if self.view is None:
            self.view = fit_view(self.data, self.size.width, self.size.height)
        marks = self.marks()
        key = (id(self.data), self.view, self.size, marks)
        if key == self._drawn_for:
            return
        self._drawn_for = key
        args = (self.data, self.view, self.size.width, self.size.height, marks)
        if len(self.data.coords) + len(self.data.links) > DRAW_IN_THREAD:
            self.run_worker(lambda: draw_map(*args), thread=True, exclusive=True, group="map-draw")
        else:
            self._frame = draw_map(*args)
            self.refresh()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "map-draw" and event.state == WorkerState.SUCCESS:
            self._frame = event.worker.result or []
            self.refresh()

    def on_resize(self) -> None:
        if self.data is not None:
            if self.view is None or self.fitted:
                self.view = fit_view(self.data, self.size.width, self.size.height)
            self.redraw()

    def render_line(self, y: int) -> Strip:
        # The widget's own colours underneath: blank cells and plain glyphs follow the theme.
        base = self.rich_style
        if y < len(self._frame):
            return self._frame[y].apply_style(base)
        return Strip.blank(self.size.width, base)

    def action_zoom(self, direction: int) -> None:
        if self.view is None:
            return
        factor = ZOOM_STEP if direction > 0 else 1 / ZOOM_STEP
        self.view = View(self.view.cx, self.view.cy, self.view.scale * factor)
        self.fitted = False
        self.redraw()

    def action_pan(self, dx: int, dy: int) -> None:
        if self.view is None:
            return
        # An eighth of the view per key press, whatever the zoom.
        step_x = (2 * self.size.width / self.view.scale) / 8
        step_y = (4 * self.size.height / self.view.scale) / 8
        self.view = View(self.view.cx + dx * step_x, self.view.cy + dy * step_y, self.view.scale)
        self.fitted = False
        self.redraw()

    def action_fit(self) -> None:
        if self.data is not None:
            self.view = fit_view(self.data, self.size.width, self.size.height)
            self.fitted = True
            self.redraw()

    def action_centre(self) -> None:
        code = self.psn.selected_site
        if self.data is None or self.view is None or code not in self.data.coords:
            return
        x, y = self.data.coords[code]
        self.view = View(x, y, self.view.scale)
        self.fitted = False
        self.redraw()

    def action_step(self, direction: int) -> None:
        """Select the next site: cores first, then hubs, then the rest."""
        if self.data is None or not self.data.order:
            return
        order = self.data.order
        current = self.psn.selected_site
        index = order.index(current) + direction if current in self.data.coords else 0
        self.psn.selected_site = order[index % len(order)]
        self._keep_selected_in_view()
        self.redraw()
        self.post_message(MapScreen.SelectionMoved())

    def _keep_selected_in_view(self) -> None:
        code = self.psn.selected_site
        if self.data is None or self.view is None or code not in self.data.coords:
            return
        x, y = self.data.coords[code]
        half_w = self.size.width / self.view.scale
        half_h = 2 * self.size.height / self.view.scale
        if abs(x - self.view.cx) > half_w * 0.9 or abs(y - self.view.cy) > half_h * 0.9:
            self.view = View(x, y, self.view.scale)
            self.fitted = False

    def action_open(self) -> None:
        if self.psn.selected_site:
            self.psn.open_site(self.psn.selected_site)


def spanning_tree(snapshot: Snapshot) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """A breadth-first tree of the active network hanging from the core sites.

    Returns the roots (cores, or the best-connected site of a component without one), each site's
    children, and the sites that are on no link at all.
    """
    graph = build_graph(snapshot.inventory)
    cores = sorted(code for code, role in graph.nodes(data="role") if role in CORE_ROLES)
    children: dict[str, list[str]] = {}
    seen: set[str] = set()
    roots: list[str] = []

    def grow(starts: list[str]) -> None:
        queue = deque(starts)
        seen.update(starts)
        while queue:
            node = queue.popleft()
            for neighbour in sorted(graph.adj[node]):
                if neighbour not in seen:
                    seen.add(neighbour)
                    children.setdefault(node, []).append(neighbour)
                    queue.append(neighbour)

    if cores:
        roots.extend(cores)
        grow(cores)
    # Parts of the network that reach no core still show, each from its best-connected site.
    for component in sorted(
        (c for c in nx.connected_components(graph) if not c & seen),
        key=len,
        reverse=True,
    ):
        if len(component) == 1:
            continue
        root = max(sorted(component), key=graph.degree)
        roots.append(root)
        grow([root])
    isolated = sorted(code for code in snapshot.sites if code not in seen)
    return roots, children, isolated


class SiteTree(Tree[str]):
    """The network as a tree from the core; Enter opens a site, space folds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", show=True),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def action_open(self) -> None:
        node = self.cursor_node
        if node is not None and node.data:
            cast("PsninvApp", self.app).open_site(node.data)


class MapScreen(BaseScreen):
    """Sites by latitude and longitude, or a tree from the core where there are no coordinates."""

    section = "map"
    AUTO_FOCUS = "#map-canvas"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("t", "toggle_tree", "Map/tree", show=True)]

    class SelectionMoved(Message):
        """The map's selected site changed."""

    def __init__(self) -> None:
        super().__init__()
        self._tree_built_for: tuple[Any, ...] | None = None
        self._tree_parts: tuple[list[str], dict[str, list[str]], list[str]] | None = None
        self.showing_tree = False

    def compose_body(self) -> ComposeResult:
        yield Static(id="map-title", classes="list-title")
        yield MapCanvas(id="map-canvas")
        tree = SiteTree("Network", id="map-tree")
        tree.show_root = False
        tree.auto_expand = False
        tree.display = False
        yield tree
        yield Static(id="map-legend", classes="legend")

    def refresh_data(self) -> None:
        snap = self.psn.snapshot
        if snap is None:
            self.query_one("#map-title", Static).update(Text("Loading…", style="yellow"))
            return
        # Projecting 100,000 sites takes a moment: do it off the UI thread.
        self.run_worker(lambda: build_map_data(snap), thread=True, exclusive=True, group="map-data")

    def _map_data_ready(self, data: MapData) -> None:
        canvas = self.query_one(MapCanvas)
        canvas.view = None
        canvas.set_data(data)
        if not data.coords:
            self._show_tree(True)
        elif self.showing_tree:
            self._build_tree()
        self._update_title()

    def refresh_whatif(self) -> None:
        super().refresh_whatif()
        self.query_one(MapCanvas).redraw()
        if self.showing_tree:
            self._relabel(self.query_one(SiteTree).root)
        self._update_title()

    def on_resize(self) -> None:
        self.query_one(MapCanvas).redraw()

    def _update_title(self) -> None:
        snap = self.psn.snapshot
        canvas = self.query_one(MapCanvas)
        if snap is None or canvas.data is None:
            return
        title = Text()
        if self.showing_tree:
            title.append("Tree from the core", style="bold")
            if not canvas.data.coords:
                title.append("  (no site has coordinates)", style="dim")
        else:
            title.append("Map", style="bold")
            title.append(f"  {len(canvas.data.coords):,} sites, {len(canvas.data.links):,} links")
            if canvas.data.unlocated:
                unlocated = canvas.data.unlocated
                title.append(f"  {unlocated:,} without coordinates: t shows the tree", style="yellow")
        code = self.psn.selected_site
        if code and code in snap.sites:
            title.append("  selected ", style="dim")
            title.append(snap.site_label(code), style=colours.SELECTED)
        self.query_one("#map-title", Static).update(title)
        legend = Text(no_wrap=True, overflow="ellipsis")
        for glyph, style, label in (
            ("◉", colours.CORE, "core"),
            ("◆", colours.HUB, "hub"),
            ("•", ACCESS, "site"),
            ("●", colours.CUT_OFF, "cut off"),
            ("✖", FAILED_MARK, "failed"),
        ):
            legend.append(glyph, style=style)
            legend.append(f" {label} ")
        if not self.showing_tree:
            legend.append("hjkl pan +/- zoom 0 fit n/N site c centre", style="dim")
        else:
            legend.append("Enter opens · space folds · t map", style="dim")
        self.query_one("#map-legend", Static).update(legend)

    @on(SelectionMoved)
    def _selection_moved(self, _event: Any) -> None:
        self._update_title()

    def action_toggle_tree(self) -> None:
        canvas = self.query_one(MapCanvas)
        if self.showing_tree and canvas.data is not None and not canvas.data.coords:
            self.notify("no site has coordinates, so there is no map to show", timeout=3)
            return
        self._show_tree(not self.showing_tree)

    def _show_tree(self, show: bool) -> None:
        self.showing_tree = show
        canvas = self.query_one(MapCanvas)
        tree = self.query_one(SiteTree)
        canvas.display = not show
        tree.display = show
        if show:
            self._build_tree()
            tree.focus()
        else:
            canvas.focus()
        self._update_title()

    def _build_tree(self) -> None:
        snap = self.psn.snapshot
        if snap is None or self._tree_built_for == snap.fingerprint:
            return
        self._tree_built_for = snap.fingerprint
        self.run_worker(lambda: spanning_tree(snap), thread=True, exclusive=True, group="map-tree")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.SUCCESS:
            return
        if event.worker.group == "map-data":
            self._map_data_ready(event.worker.result)
        elif event.worker.group == "map-tree":
            self._tree_parts = event.worker.result
            self._fill_tree()

    def _fill_tree(self) -> None:
        if self._tree_parts is None:
            return
        roots, _children, isolated = self._tree_parts
        tree = self.query_one(SiteTree)
        tree.clear()
        for code in roots:
            node = self._add_site(tree.root, code)
            node.expand()
            self._populate(node)
        if isolated:
            group = tree.root.add(Text(f"On no link ({len(isolated)})", style="yellow"), data=None)
            for code in isolated[:1000]:
                self._add_site(group, code)

    def _add_site(self, parent: TreeNode[str], code: str) -> TreeNode[str]:
        children = self._tree_parts[1].get(code, []) if self._tree_parts else []
        return parent.add(self._label(code), data=code, allow_expand=bool(children))

    def _populate(self, node: TreeNode[str]) -> None:
        if node.children or not node.data or self._tree_parts is None:
            return
        for child in self._tree_parts[1].get(node.data, []):
            self._add_site(node, child)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[str]) -> None:
        # Children are added on first expansion, so a tree of 100,000 sites opens at once.
        self._populate(event.node)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        if event.node.data:
            self.psn.selected_site = event.node.data
            self._update_title()

    def _label(self, code: str) -> Text:
        snap = self.psn.snapshot
        site = snap.sites.get(code, {}) if snap else {}
        role = site.get("role") or ""
        glyph, style = (
            ("◉", colours.CORE)
            if role in CORE_ROLES
            else (("◆", colours.HUB) if role == "hub" else ("•", Style()))
        )
        state = self.psn.row_state("site", code)
        label = Text()
        label.append(glyph + " ", style=state or style)
        label.append(code, style=state or Style(bold=role in (*CORE_ROLES, "hub")))
        if site.get("name"):
            label.append(f" {clean(site['name'])}", style=state or LABEL)
        count = len(self._tree_parts[1].get(code, [])) if self._tree_parts else 0
        if count:
            label.append(f"  ({count})", style="dim")
        return label

    def _relabel(self, node: TreeNode[str]) -> None:
        for child in node.children:
            if child.data:
                child.set_label(self._label(child.data))
            self._relabel(child)

    def fail_target(self) -> tuple[str, str] | None:
        code = self.psn.selected_site
        if self.showing_tree:
            node = self.query_one(SiteTree).cursor_node
            code = node.data if node is not None else None
        return ("site", code) if code else None
