"""The failure events picker: SRLG tags and providers ranked by what their failure cuts off."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from psninv.analysis.connectivity import analyse_structure, build_network
from psninv.analysis.events import FailureEvent, rank_events
from psninv.display import clean
from psninv.model import srlg_tags

SORTS = ("sites", "tenants", "demand")


def sort_key(sort: str) -> Callable[[FailureEvent], tuple]:
    """The order of one sort: worst first by that figure, then by the others."""
    figures = {
        "sites": lambda e: (-e.sites_cut_off, -len(e.tenants_affected), -e.demand_mbps_lost),
        "tenants": lambda e: (-len(e.tenants_affected), -e.sites_cut_off, -e.demand_mbps_lost),
        "demand": lambda e: (-e.demand_mbps_lost, -e.sites_cut_off, -len(e.tenants_affected)),
    }[sort]
    return lambda e: (*figures(e), e.fail_name)


class EventsScreen(ModalScreen[None]):
    """Every SRLG tag and provider (or a circuit's own), worst first; s changes the order, Enter fails one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", show=True),
        Binding("s", "sort", "Sort", show=True),
    ]

    def __init__(self, circuit: str | None = None) -> None:
        super().__init__()
        self.circuit = circuit
        self.events: list[FailureEvent] = []
        self.sort = SORTS[0]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="confirm-box"):
            yield OptionList(id="events")

    def on_mount(self) -> None:
        box = self.query_one("#confirm-box")
        box.border_title = f"Failure events of {clean(self.circuit)}" if self.circuit else "Failure events"
        box.border_subtitle = "Enter fails it · s sorts · Esc closes"
        self.query_one(OptionList).add_option(Option("ranking…", disabled=True))
        self._rank()

    @work(thread=True, exclusive=True, group="events")
    def _rank(self) -> None:
        snapshot = getattr(self.app, "snapshot", None)
        if snapshot is None:
            return
        inventory = snapshot.inventory
        events = rank_events(analyse_structure(build_network(inventory)))
        if self.circuit is not None:
            link = inventory.links.get(self.circuit) or {}
            own = {f"srlg:{tag}" for tag in srlg_tags(link.get("srlg"))}
            if link.get("provider"):
                own.add(f"provider:{str(link['provider']).strip()}")
            events = [e for e in events if e.fail_name in own]
        self.app.call_from_thread(self._fill, events)

    def _fill(self, events: list[FailureEvent]) -> None:
        self.events = sorted(events, key=sort_key(self.sort))
        options = self.query_one(OptionList)
        options.clear_options()
        if not self.events:
            options.add_option(Option("no SRLG tag or provider to fail", disabled=True))
            return
        for event in self.events:
            line = (
                f"{clean(event.fail_name)}  {event.sites_cut_off} sites · {len(event.tenants_affected)} "
                f"tenants · {event.demand_mbps_lost:,.0f} Mbit/s · {event.circuits} circuits"
            )
            options.add_option(Option(line, id=event.fail_name))
        options.highlighted = 0
        options.focus()

    def action_sort(self) -> None:
        """Order by sites, tenants or demand cut off, in turn."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._fill(self.events)
        self.notify(f"events by {self.sort} cut off", timeout=2)

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        name = message.option.id
        if not name:
            return
        app = self.app
        self.dismiss(None)
        app.set_failed([*app.failed, name])  # type: ignore[attr-defined]
        app.switch_mode("whatif")
