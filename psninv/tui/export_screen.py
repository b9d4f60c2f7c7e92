"""Export from the TUI: a format, an optional tenant and a path, written by the CLI's own export function."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static

from psninv.errors import InputError, PsninvError
from psninv.io.export import export_inventory, resolve_target
from psninv.tui.base import KeyBar
from psninv.tui.failures import failure_text
from psninv.tui.messages import Failed
from psninv.tui.paths import PathSuggester
from psninv.tui.safe_text import markup

if TYPE_CHECKING:
    from psninv.tui.app import PsninvApp

FORMAT_LABELS = {
    "xlsx": "Excel workbook (.xlsx)",
    "csv": "CSV folder (one file per entity)",
    "graphml": "GraphML (sites and links)",
    "geojson": "GeoJSON (located sites and links)",
}
SUFFIXES = {"xlsx": ".xlsx", "csv": "", "graphml": ".graphml", "geojson": ".geojson"}
ALL_TENANTS = "__all__"


class ExportDone(Message):
    """The export worker wrote a file or folder."""

    def __init__(self, written: Path, fmt: str, counts: dict[str, int], delivered: bool) -> None:
        super().__init__()
        self.written = written
        self.fmt = fmt
        self.counts = counts
        self.delivered = delivered


class ExportFailed(Failed):
    """The export worker could not write."""


def with_format(path: str, fmt: str) -> str:
    """The path with its extension swapped for a format's (a CSV export is a folder: no extension)."""
    if not path.strip():
        return f"psninv-export{SUFFIXES[fmt]}"
    current = Path(path)
    stem = current.with_suffix("") if current.suffix.lower() in {".xlsx", ".graphml", ".geojson"} else current
    return f"{stem}{SUFFIXES[fmt]}"


class ExportScreen(Screen[None]):
    """Choose a format, a tenant (or all) and where to write, then export (Enter or ^s)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "export", "Export", show=True),
        Binding("escape", "close", "Close", show=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.running = False

    @property
    def psn(self) -> PsninvApp:
        """The app, typed."""
        return cast("PsninvApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("Export the inventory", classes="list-title")
        with Horizontal(classes="export-row"):
            yield Label("Format", classes="export-label")
            yield Select(
                [(label, fmt) for fmt, label in FORMAT_LABELS.items()],
                value="xlsx",
                allow_blank=False,
                id="export-format",
            )
        with Horizontal(classes="export-row"):
            yield Label("Tenant", classes="export-label")
            yield Select(
                [("All tenants", ALL_TENANTS)], value=ALL_TENANTS, allow_blank=False, id="export-tenant"
            )
        with Horizontal(classes="export-row"):
            yield Label("Save as", classes="export-label")
            # In a browser only the file's name is used: no server path is suggested.
            suggester = None if self.app.is_web else PathSuggester()
            yield Input(value="psninv-export.xlsx", suggester=suggester, id="export-path")
        yield Button("Export", id="export-go", variant="primary")
        yield Static("", id="export-status")
        yield KeyBar()

    def on_mount(self) -> None:
        snapshot = self.psn.snapshot
        tenants = sorted(snapshot.tenants) if snapshot is not None else []
        options = [("All tenants", ALL_TENANTS)]
        for code in tenants:
            name = (snapshot.tenants[code].get("name") if snapshot else None) or ""
            options.append((f"{code}  {name}".rstrip(), code))
        self.query_one("#export-tenant", Select).set_options(options)
        self.query_one("#export-tenant", Select).value = ALL_TENANTS
        if self.app.is_web:
            self.say("In the browser the file is downloaded; only its name is used.")
        self.query_one("#export-path", Input).focus()

    def say(self, text: str | Content) -> None:
        """Show where the export went, or why it did not."""
        self.query_one("#export-status", Static).update(text)

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        field = self.query_one("#export-path", Input)
        field.value = with_format(field.value, str(event.value))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def _go(self) -> None:
        self.action_export()

    def action_close(self) -> None:
        """Close the export screen."""
        self.dismiss()

    def action_export(self) -> None:
        """Write the export in a worker; the screen says where and how many rows."""
        if self.running:
            self.notify("an export is already running", severity="warning", timeout=3)
            return
        fmt = str(self.query_one("#export-format", Select).value)
        tenant_value = self.query_one("#export-tenant", Select).value
        tenant = None if tenant_value == ALL_TENANTS else str(tenant_value)
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.say("[red]Give a file name (or a folder name for CSV).[/]")
            return
        if self.app.is_web:
            # In a browser the file goes to the viewer, never to a path of the server's choosing.
            if fmt == "csv":
                self.say("[red]A CSV export is a folder, which a browser cannot download: choose xlsx.[/]")
                return
            path = str(Path(tempfile.mkdtemp(prefix="psninv-export-")) / Path(path).name)
        try:
            fmt, target = resolve_target(path, fmt)
        except PsninvError as exc:
            self.say(markup("[red]$error[/]", error=exc))
            return
        self.running = True
        self.say(markup("exporting to $target…", target=target))
        self._export(target, fmt, tenant)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, target: Path, fmt: str, tenant: str | None) -> None:
        """Read the inventory and write it off the UI thread."""
        try:
            inventory = self.psn.store.load()
            if tenant is not None:
                if tenant not in inventory.tenants:
                    raise InputError(f"no tenant with code {tenant!r}")
                inventory = inventory.for_tenant(tenant)
            written = export_inventory(inventory, target, fmt=fmt)
        except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
            if self.app.is_web:
                shutil.rmtree(target.parent, ignore_errors=True)  # the export's own temporary folder
            self.post_message(ExportFailed(exc))
            return
        self.post_message(ExportDone(written, fmt, inventory.counts(), delivered=self.app.is_web))

    def on_export_done(self, message: ExportDone) -> None:
        self.running = False
        counts = ", ".join(f"{n:,} {entity}" for entity, n in message.counts.items())
        partial = message.fmt in ("graphml", "geojson")
        note = "  (GraphML and GeoJSON hold sites and links only)" if partial else ""
        if message.delivered:
            handle = message.written.open("rb")
            # Sent from the open file, which is already gone from the server's temporary folder:
            # nothing of the inventory stays on the server once the browser has it.
            shutil.rmtree(message.written.parent, ignore_errors=True)
            self.app.deliver_binary(handle, save_filename=message.written.name)
            self.say(markup("[green]Sent $name to your browser[/] ($counts).$note", name=message.written.name,
                            counts=counts, note=note))
        else:
            self.say(markup("[green]Wrote $path[/] ($counts).$note", path=message.written.resolve(),
                            counts=counts, note=note))
        self.notify(f"exported {message.written.name}", timeout=4)

    def on_export_failed(self, message: ExportFailed) -> None:
        self.running = False
        self.say(markup("[red]Nothing was exported: $why[/]", why=failure_text(self, message.error)))
        self.notify("the export failed", severity="error", timeout=6)
