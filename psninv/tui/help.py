"""The `?` help: every key of every screen, read from the bindings themselves so it never goes stale."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "question_mark": "?",
    "slash": "/",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "home": "Home",
    "end": "End",
    "tab": "Tab",
}


def key_text(keys: str) -> str:
    """Binding keys as a person reads them: 'j,down' becomes 'j ↓'."""
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if key.startswith("ctrl+"):
            shown.append("^" + key[5:])
        else:
            shown.append(KEY_NAMES.get(key, key))
    return " ".join(shown)


def help_sections(app_keys: list[BindingType]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each context with its keys and what they do; `app_keys` are the app's own, used everywhere."""
    from psninv.tui.base import DetailScreen, FilterBar, ListScreen
    from psninv.tui.dashboard import Card
    from psninv.tui.export_screen import ExportScreen
    from psninv.tui.findings import FindingScreen, FindingsScreen
    from psninv.tui.forms import DETAIL_KEYS, LIST_KEYS, SITE_KEYS, ConfirmScreen, RecordForm
    from psninv.tui.history import ChangesTable, HistoryScreen
    from psninv.tui.import_review import ImportScreen
    from psninv.tui.map import MapCanvas, MapScreen, SiteTree
    from psninv.tui.plan_screen import PlanScreen
    from psninv.tui.site_detail import SiteLinksTable
    from psninv.tui.table import VirtualTable
    from psninv.tui.whatif import WhatIfScreen

    def rows(bindings: list[BindingType], skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        out = []
        for binding in bindings:
            if isinstance(binding, Binding) and binding.action not in skip and binding.description:
                out.append((key_text(binding.key), binding.description))
        return out

    everywhere = rows(app_keys)
    everywhere.insert(0, ("^p", "Jump to any site, circuit or tenant (command palette)"))
    everywhere.append(("Tab", "Next table or panel on a screen"))
    return [
        ("Everywhere", everywhere),
        ("Tables", rows(VirtualTable.BINDINGS) + rows(ListScreen.BINDINGS, skip=("back",))),
        ("Filter line", rows(FilterBar.BINDINGS)),
        ("Dashboard", rows(Card.BINDINGS)),
        (
            "Site or circuit detail",
            rows(SiteLinksTable.BINDINGS)
            + rows(DetailScreen.BINDINGS)
            + [("f", "Fail or restore this site or circuit")],
        ),
        ("Findings", rows(FindingsScreen.BINDINGS) + rows(FindingScreen.BINDINGS)),
        (
            "What-if",
            rows(WhatIfScreen.BINDINGS)
            + [("f", "Fail or restore the selected site or link"), ("r", "Reset: nothing failed")],
        ),
        ("Map", rows(MapCanvas.BINDINGS) + rows(MapScreen.BINDINGS)),
        ("Import review", rows(ImportScreen.BINDINGS) + [("→", "Complete the path as you type")]),
        ("Export", rows(ExportScreen.BINDINGS)),
        ("Plan (p)", rows(PlanScreen.BINDINGS) + [("Enter", "Open the change's first site")]),
        ("Tree", rows(SiteTree.BINDINGS) + [("Space", "Fold or unfold")]),
        ("Editing: lists of sites, links, tenants", rows(LIST_KEYS)),
        ("Editing: a site, circuit or tenant", rows(DETAIL_KEYS) + rows(SITE_KEYS[len(DETAIL_KEYS) :])),
        ("Forms and questions", rows(RecordForm.BINDINGS) + rows(ConfirmScreen.BINDINGS)),
        ("History (8), a site's history", rows(ChangesTable.BINDINGS) + rows(HistoryScreen.BINDINGS)),
    ]


class HelpScreen(ModalScreen[None]):
    """Every key, by where it applies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", show=True),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self._render_help(), id="help-text")

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "Keys"
        box.border_subtitle = "Esc closes"

    def _render_help(self) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True, min_width=10)
        grid.add_column()
        for title, keys in help_sections(self.app.BINDINGS):
            grid.add_row(Text(title, style="bold underline"), "")
            for key, description in keys:
                grid.add_row(key, description)
            grid.add_row("", "")
        grid.add_row(Text("Colours", style="bold underline"), "")
        from psninv.analysis.finding import Severity
        from psninv.tui import colours

        for severity in Severity:
            grid.add_row(colours.severity_text(severity), "finding severity")
        grid.add_row(Text("cut off", style=colours.CUT_OFF), "site cut off from the core by the what-if")
        grid.add_row(Text("failed", style=colours.FAILED), "site or circuit failed in the what-if")
        return grid

    def action_scroll(self, step: int) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_relative(y=step, animate=False)
