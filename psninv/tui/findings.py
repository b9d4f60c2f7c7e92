"""Findings: every gap and opportunity grouped by category and kind, and one finding in detail."""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from psninv.analysis.finding import Category, Finding, Kind
from psninv.display import clean
from psninv.session import Snapshot
from psninv.tui import colours
from psninv.tui.base import BaseScreen, DetailScreen, ListScreen, fields
from psninv.tui.data import money, text
from psninv.tui.table import Column, VirtualTable

GroupKey = tuple[str, str, str]
IMPACT_LABELS = {
    "sites_cut_off": "Sites cut off",
    "cut_off_sites": "Which",
    "tenants_affected": "Tenants hit",
    "demand_mbps_lost": "Demand lost Mbit/s",
    "distance_km": "Distance km",
}


_UNITS = {"gbp": "£", "mbps": "Mbit/s", "km": "km", "pct": "%"}


def impact_label(name: str) -> str:
    """How a finding's detail names one of its figures: words and a unit, never a raw key."""
    if name in IMPACT_LABELS:
        return IMPACT_LABELS[name]
    words = name.split("_")
    unit = _UNITS.get(words[-1]) if len(words) > 1 else None
    label = " ".join(words[:-1] if unit else words).capitalize()
    return f"{label} ({unit})" if unit else label


def finding_columns(*, hide_blank_savings: bool = False) -> list[Column]:
    """The columns every list of findings shows; the savings column can give its width up when blank."""
    return [
        Column("severity", "Severity", width=8),
        Column("title", "Finding", flex=True, min_width=20, max_width=200, fit=fit_title),
        Column("where", "Where", min_width=8, max_width=16),
        Column(
            "savings", "Saves £/yr", numeric=True, min_width=8, max_width=10,
            hide_when_blank=hide_blank_savings,
        ),
    ]


_ASIDE = re.compile(r" ?\([^()]*\)")


def fit_title(title: str, width: int) -> str:
    """A finding's title made to fit: the names in brackets go first, so the numbers after them stay."""
    while len(title) > width:
        shorter = _ASIDE.sub("", title, count=1)
        if shorter == title:
            break
        title = shorter
    return title


def finding_where(finding: Finding) -> str:
    """The first site or link a finding names, with how many more."""
    names = finding.sites or finding.links or finding.tenants
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{names[0]} +{len(names) - 1}"


def finding_cells(finding: Finding) -> list[str | Text]:
    """A finding as a table row."""
    return [
        colours.severity_text(finding.severity),
        finding.title,
        finding_where(finding),
        "" if finding.breaks_policy else money(finding.savings_gbp),
    ]


def finding_search_text(finding: Finding) -> str:
    """Everything a filter can match in a finding."""
    return " ".join(
        [
            finding.severity.value,
            finding.category.value,
            finding.kind.value,
            finding.title,
            *finding.sites,
            *finding.links,
            *finding.tenants,
        ]
    )


def whatif_targets(finding: Finding, snapshot: Snapshot) -> list[str]:
    """The sites or circuits whose failure shows a redundancy finding's consequence ([] if none does).

    A bridge or an overloaded circuit fails that circuit; a cut-site fails the site; a single-homed
    site loses its uplinks and a shared risk all the circuits sharing it. A site's own shortfall
    against policy (or a sharing opportunity) has no single failure to show.
    """
    if finding.category != Category.REDUNDANCY:
        return []
    subject = finding.id.partition(":")[2]
    if subject in snapshot.links:
        return [subject]
    if finding.kind in (Kind.SINGLE_HOMED, Kind.SHARED_RISK) and finding.links:
        return [cid for cid in finding.links if cid in snapshot.links]
    if subject in snapshot.sites and subject not in finding.cut_off_sites:
        return [subject]
    return []


class FindingsScreen(ListScreen):
    """All findings, grouped by category and kind, worst groups first."""

    section = "findings"
    title_text = "Findings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "whatif", "What-if", show=True),
        Binding("v", "events", "Events", show=True),
        Binding("space", "toggle_group", "Fold", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._groups: dict[GroupKey, list[str]] = {}
        self._folded: set[GroupKey] = set()
        self._pending_category: str | None = None

    def make_table(self) -> VirtualTable:
        return VirtualTable(
            finding_columns(),
            self._cells,
            entity="finding",
            search_text=self._search,
            empty_text="no findings",
            sortable=False,
            id="findings-table",
        )

    def _finding(self, key: Hashable) -> Finding | None:
        results = self.psn.results
        return results.by_id.get(key) if results is not None and isinstance(key, str) else None

    def _cells(self, key: Hashable) -> list[str | Text]:
        if isinstance(key, tuple):
            return [self._group_line(key)]
        finding = self._finding(key)
        if finding is None:
            return []
        cells = finding_cells(finding)
        cells[1] = "  " + finding.title
        return cells

    def _group_line(self, group: GroupKey) -> Text:
        _tag, category, kind = group
        results = self.psn.results
        members = [results.by_id[i] for i in self._groups.get(group, [])] if results else []
        line = Text()
        line.append("▸ " if group in self._folded else "▾ ", style="bold")
        line.append(f"{category} · {kind}", style="bold")
        line.append(f"  {len(members)}", style="bold")
        worst = results.worst(members) if results else None
        if worst is not None:
            line.append("  worst ")
            line.append_text(colours.severity_text(worst))
        saved = sum(f.savings_gbp or 0 for f in members if not f.breaks_policy)
        if saved:
            line.append(f"  saves {money(saved)}/yr", style="green")
        return line

    def _search(self, key: Hashable) -> str:
        if isinstance(key, tuple):
            # A group heading matches whatever any of its findings matches, so it shows above them.
            results = self.psn.results
            texts = [finding_search_text(results.by_id[i]) for i in self._groups.get(key, [])]
            return " ".join([key[1], key[2], *texts]) if results else ""
        finding = self._finding(key)
        return finding_search_text(finding) if finding else ""

    def refresh_data(self) -> None:
        results = self.psn.results
        table = self.table
        table.wait("analysing…" if results is None and self.psn.analysis_error is None else None)
        if results is None:
            table.set_rows([])
            self.update_title()
            return
        groups: dict[GroupKey, list[str]] = {}
        for finding in results.findings:
            groups.setdefault(("group", finding.category.value, finding.kind), []).append(finding.id)
        categories = [c.value for c in Category]

        def group_order(item: tuple[GroupKey, list[str]]) -> tuple[int, int, str]:
            (_tag, category, kind), ids = item
            worst = results.worst(results.by_id[i] for i in ids)
            rank = categories.index(category) if category in categories else len(categories)
            return (rank, worst.rank if worst else 9, kind)

        self._groups = dict(sorted(groups.items(), key=group_order))
        self._rebuild()
        if self._pending_category:
            self.focus_category(self._pending_category)

    def _rebuild(self) -> None:
        keys: list[Hashable] = []
        for group, ids in self._groups.items():
            keys.append(group)
            if group not in self._folded:
                keys.extend(ids)
        self.table.set_rows(keys)
        self.update_title()

    def update_title(self) -> None:
        results = self.psn.results
        table = self.table
        line = Text.assemble(("Findings", "bold"), " ")
        if results is None:
            self.query_one("#list-title", Static).update(line)
            return
        total = len(results.findings)
        if table.filter_text:
            shown = sum(1 for key in table.visible_keys if not isinstance(key, tuple))
            line.append(f"{shown:,} of {total:,}", style="bold")
            line.append(f"  filter '{table.filter_text}'", style="yellow")
        else:
            line.append(f"{total:,}", style="bold")
        line.append(f" in {len(self._groups)} groups", style="dim")
        line.append("  Enter opens · w what-if · space folds", style="dim")
        self.query_one("#list-title", Static).update(line)

    def focus_category(self, category: str | None) -> None:
        """Put the cursor on the first group of a category."""
        self._pending_category = category
        if not self._groups or category is None:
            return
        self._pending_category = None
        for group in self._groups:
            if group[1] == category:
                self.table.move_to_key(group)
                break

    def open_row(self, key: Hashable) -> None:
        if isinstance(key, tuple):
            self.action_toggle_group()
        else:
            self.psn.open_finding(key)

    def action_toggle_group(self) -> None:
        key = self.table.cursor_key
        if key is None:
            return
        if not isinstance(key, tuple):
            key = next((g for g, ids in self._groups.items() if key in ids), None)
            if key is None:
                return
        self._folded.symmetric_difference_update({key})
        self._rebuild()
        self.table.move_to_key(key)

    def action_events(self) -> None:
        """Every SRLG tag and provider ranked by what its failure cuts off; Enter fails one."""
        from psninv.tui.events import EventsScreen

        self.app.push_screen(EventsScreen())

    def action_whatif(self) -> None:
        finding = self._finding(self.table.cursor_key)
        if finding is None:
            self.notify("choose a finding first", severity="warning", timeout=3)
            return
        self.psn.run_finding_whatif(finding)

    def fail_target(self) -> tuple[str, str] | None:
        finding = self._finding(self.table.cursor_key)
        if finding is None or self.psn.snapshot is None:
            return None
        targets = whatif_targets(finding, self.psn.snapshot)
        if len(targets) == 1:
            kind = "link" if targets[0] in self.psn.snapshot.links else "site"
            return kind, targets[0]
        return None


class FindingScreen(DetailScreen):
    """One finding: what, where, how bad, what it costs, how to fix it, and what it names."""

    section = "findings"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("w", "whatif", "What-if", show=True)]

    def __init__(self, finding_id: str) -> None:
        super().__init__()
        self.finding_id = finding_id
        self.subject = ("finding", finding_id)

    def compose_sections(self) -> ComposeResult:
        yield self.section_title("f-sites")
        yield VirtualTable(
            [
                Column("code", "Site", max_width=18),
                Column("name", "Name", flex=True, min_width=10),
                Column("tenant", "Tenant", max_width=12),
                Column("role", "Role", max_width=10),
                Column("district", "District", min_width=6, max_width=18),
            ],
            self._site_cells,
            entity="site",
            **self.psn.state_args("site"),
            id="f-sites",
        )
        yield self.section_title("f-links")
        yield VirtualTable(
            [
                Column("circuit", "Circuit", max_width=18),
                Column("a", "A end", max_width=18),
                Column("b", "B end", max_width=18),
                Column("provider", "Provider", min_width=6, max_width=14, flex=True),
                Column("cost", "£/yr", numeric=True, max_width=10),
            ],
            self._link_cells,
            entity="link",
            **self.psn.state_args("link"),
            id="f-links",
        )
        yield self.section_title("f-proposed")
        yield VirtualTable(
            [
                Column("a", "From", max_width=18),
                Column("b", "To", max_width=18),
                Column("km", "km", numeric=True, max_width=8),
                Column("cost", "£/yr", numeric=True, max_width=10),
                Column("pad", "", flex=True, min_width=0),
            ],
            self._proposed_cells,
            id="f-proposed",
            empty_text="none proposed",
        )

    @property
    def finding(self) -> Finding | None:
        """The finding, from the latest results."""
        results = self.psn.results
        return results.by_id.get(self.finding_id) if results else None

    def _site_cells(self, code: str) -> list[str | Text]:
        site = self.psn.snapshot.sites.get(code) if self.psn.snapshot else None
        if site is None:
            return [code, Text("not in the inventory", style=colours.MUTED)]
        return [
            code,
            text(site.get("name")),
            text(site.get("tenant")),
            text(site.get("role")),
            text(site.get("district")),
        ]

    def _link_cells(self, cid: str) -> list[str | Text]:
        link = self.psn.snapshot.links.get(cid) if self.psn.snapshot else None
        if link is None:
            return [cid, Text("not in the inventory", style=colours.MUTED)]
        return [
            cid,
            link["a_site"],
            link["b_site"],
            text(link.get("provider")),
            money(link.get("annual_cost_gbp")),
        ]

    def _proposed_cells(self, index: int) -> list[str | Text]:
        finding = self.finding
        if finding is None or index >= len(finding.proposed_links):
            return []
        proposal = finding.proposed_links[index]
        km = "" if proposal.length_km is None else f"{proposal.length_km:.1f}"
        return [proposal.a_site, proposal.b_site, km, money(proposal.annual_cost_gbp), ""]

    def refresh_data(self) -> None:
        finding = self.finding
        if finding is None:
            self.set_head(Text("This finding is no longer reported (the data changed).", style="yellow"))
            return
        head = Text()
        head.append_text(colours.severity_text(finding.severity))
        head.append(f"  {finding.category.value} · {finding.kind}", style="bold")
        head.append(f"  {finding.id}\n", style="dim")
        head.append(clean(finding.title) + "\n", style="bold")
        pairs: list[tuple[str, Any]] = []
        if finding.breaks_policy:
            pairs.append(("Breaks policy", Text(clean(finding.breaks_policy), style="bold red")))
        if finding.savings_gbp is not None:
            style = "dim strike" if finding.breaks_policy else "bold green"
            saving = Text(money(finding.savings_gbp) + " a year", style=style)
            if finding.savings_pct is not None:
                saving.append(f"  ({finding.savings_pct:.1f}%)", style=style)
            pairs.append(("Saves", saving))
        if finding.tenants:
            pairs.append(("Tenants", ", ".join(finding.tenants)))
        for name, value in finding.impact.items():
            if name == "tenants_affected" and list(value) == list(finding.tenants):
                continue
            pairs.append((impact_label(name), _impact_text(value)))
        parts: list[Any] = [head]
        if pairs:
            parts.append(fields(pairs, columns=1))
        if finding.remedy:
            parts.append(Text.assemble(("Remedy ", "bold"), clean(finding.remedy)))
        parts.append(
            Text("w runs the what-if: fails what this finding names and shows who goes dark.", style="dim")
        )
        self.set_head(Group(*parts))
        self.fill("f-sites", "Sites it names", list(finding.sites))
        self.fill("f-links", "Links it names", list(finding.links))
        self.fill("f-proposed", "Proposed new links", list(range(len(finding.proposed_links))), max_rows=6)

    def action_whatif(self) -> None:
        finding = self.finding
        if finding is not None:
            self.psn.run_finding_whatif(finding)


def _impact_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple | set):
        items = [str(v) for v in value]
        return ", ".join(items[:12]) + (f" and {len(items) - 12} more" if len(items) > 12 else "")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_impact_text(v)}" for k, v in value.items())
    return text(value)


def findings_table(screen: BaseScreen, table_id: str, empty_text: str) -> VirtualTable:
    """A table of findings, keyed by finding id, drawn from the screen's latest analysis."""

    def cells(finding_id: str) -> list[str | Text]:
        results = screen.psn.results
        finding = results.by_id.get(finding_id) if results else None
        return finding_cells(finding) if finding else [finding_id]

    columns = finding_columns(hide_blank_savings=True)
    return VirtualTable(columns, cells, entity="finding", empty_text=empty_text, id=table_id)


def findings_section(screen: DetailScreen, table_id: str, empty_text: str) -> ComposeResult:
    """A heading and a table of the findings about what a detail page shows."""
    yield screen.section_title(table_id)
    yield findings_table(screen, table_id, empty_text)
