"""Add, edit and delete tenants, sites, links and prefixes in modal forms checked by the import's rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from psninv.changes import EditResult, create, delete, delete_preview, update
from psninv.errors import ConflictError, PsninvError, ValidationError
from psninv.records import COLUMNS, SINGULAR, Column, Kind
from psninv.tui.failures import failure_text
from psninv.tui.messages import DataChanged

if TYPE_CHECKING:
    from psninv.tui.app import PsninvApp

ENTITY_OF = {"tenant": "tenants", "site": "sites", "link": "links", "prefix": "prefixes"}
"""A table's row kind, as VirtualTable names it, and the entity it edits."""

LIST_KEYS: list[BindingType] = [
    Binding("a", "add_record", "Add", show=True),
    Binding("e", "edit_record('row')", "Edit", show=True),
    Binding("d", "delete_record('row')", "Delete", show=False),
]
DETAIL_KEYS: list[BindingType] = [
    Binding("e", "edit_record('this')", "Edit", show=True),
    Binding("d", "delete_record('this')", "Delete", show=False),
    Binding("E", "edit_record('row')", "Edit row", show=False),
    Binding("D", "delete_record('row')", "Delete row", show=False),
    Binding("a", "add_record", "Add: a circuit from this site, a site of this tenant", show=False),
]

SITE_KEYS: list[BindingType] = [
    *DETAIL_KEYS,
    Binding("p", "add_prefix", "Add prefix", show=False),
]


def shown(value: Any) -> str:
    """A stored value as a form shows it: numbers without a needless .0, lists joined by ';'."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(map(str, value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def label(entity: str, key: Any) -> str:
    """'site STA-001', 'prefix 10.0.0.0/24 in vrf X'."""
    if isinstance(key, tuple):
        text = key[0] + (f" in vrf {key[1]}" if len(key) > 1 and key[1] else "")
    else:
        text = str(key)
    return f"{SINGULAR[entity]} {text}"


class RecordForm(ModalScreen["EditResult | None"]):
    """One record's fields, each with its error beside it; Ctrl+S saves, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", show=True),
        Binding("escape", "cancel", "Cancel", show=True),
    ]

    def __init__(
        self,
        entity: str,
        record: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
        suggestions: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__()
        self.entity = entity
        self.record = dict(record) if record is not None else None
        self.defaults = dict(defaults or {})
        self.suggestions = suggestions or {}
        self.saving = False

    @property
    def editing(self) -> bool:
        """True for an edit of a stored record, False for a new one."""
        return self.record is not None

    def compose(self) -> ComposeResult:
        key_names = set(_key_fields(self.entity))
        with Vertical(id="form-box"):
            yield Static(id="form-message")
            with VerticalScroll(id="form-fields"):
                for column in COLUMNS[self.entity]:
                    source = self.record if self.record is not None else self.defaults
                    value = shown(source.get(column.name))
                    with Horizontal(classes="form-row"):
                        yield Label(column.name + (" *" if column.required else ""), classes="form-label")
                        yield self._field(column, value, disabled=self.editing and column.name in key_names)
                    yield Static(id=f"error-{column.name}", classes="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Save (^s)", id="form-save", variant="primary", compact=True)
                yield Button("Cancel (Esc)", id="form-cancel", compact=True)

    def _field(self, column: Column, value: str, *, disabled: bool) -> Widget:
        name = f"field-{column.name}"
        if column.kind is Kind.CHOICE:
            options = [(choice, choice) for choice in column.choices]
            chosen: Any = value if value in column.choices else Select.NULL
            return Select(options, value=chosen, id=name, compact=True, disabled=disabled, prompt="—")
        suggester = None
        if column.kind is Kind.REF and column.ref in self.suggestions:
            suggester = SuggestFromList(self.suggestions[column.ref], case_sensitive=False)
        placeholder = column.help + (f"  e.g. {column.example}" if column.example else "")
        return Input(
            value, id=name, placeholder=placeholder, compact=True, disabled=disabled, suggester=suggester
        )

    def on_mount(self) -> None:
        box = self.query_one("#form-box")
        action = (
            f"Edit {label(self.entity, self._key())}" if self.editing else f"Add a {SINGULAR[self.entity]}"
        )
        box.border_title = action
        box.border_subtitle = "^s saves · Esc cancels · * required"
        self._initial = self.values()  # what Esc compares with before it throws anything away
        first = next(
            (w for w in self.query("#form-fields Input, #form-fields Select") if not w.disabled), None
        )
        if first is not None:
            first.focus()

    def _key(self) -> Any:
        names = _key_fields(self.entity)
        record = self.record or {}
        if len(names) == 1:
            return record.get(names[0])
        return tuple(record.get(name) or "" for name in names)

    def values(self) -> dict[str, Any]:
        """What the form holds: text from inputs, the choice (or None) from selects."""
        out: dict[str, Any] = {}
        for column in COLUMNS[self.entity]:
            widget = self.query_one(f"#field-{column.name}")
            if isinstance(widget, Select):
                out[column.name] = None if widget.value is Select.NULL else widget.value
            else:
                out[column.name] = cast(Input, widget).value
        return out

    def show_errors(self, errors: Mapping[str, str], message: str | Text = "") -> None:
        """Put each field's error beside it and a summary at the top."""
        for column in COLUMNS[self.entity]:
            error = self.query_one(f"#error-{column.name}", Static)
            text = errors.get(column.name, "")
            error.update(Text(f"  ✖ {text}", style="bold red") if text else "")
            error.display = bool(text)
        top = self.query_one("#form-message", Static)
        if not message and errors:
            message = Text(
                f"{len(errors)} field{'s' if len(errors) != 1 else ''} to correct", style="bold red"
            )
        top.update(message)
        top.display = bool(message)
        first = next(iter(errors), None)
        if first is not None:
            widget = self.query_one(f"#field-{first}")
            if not widget.disabled:
                widget.focus()

    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        """Check and write the record off the UI thread."""
        if self.saving:
            return
        self.saving = True
        self.save(self.values())

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        """Close the form without writing; ask first if anything was typed into it."""
        changed = [name for name, value in self.values().items() if value != self._initial.get(name)]
        if not changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard the changes?",
                [f"{name} was changed" for name in changed[:6]],
                "Close the form without saving them?",
                yes="Discard",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="form-save")
    def save(self, values: dict[str, Any]) -> None:
        """Create or update the record; report field errors or a conflict in the form."""
        app = cast("PsninvApp", self.app)
        try:
            if self.record is None:
                result = create(app.store, self.entity, values)
            else:
                record = self.record
                result = update(
                    app.store, self.entity, self._key(), values, version=record["version"], base=record
                )
        except ValidationError as exc:
            app.call_from_thread(self._failed, exc.errors, "")
        except ConflictError as exc:
            app.call_from_thread(
                self._failed, {name: "changed by someone else" for name in exc.newer}, str(exc)
            )
            # Reload now, so that reopening the form starts from the newer version.
            app.call_from_thread(changed, app)
        except PsninvError as exc:
            app.call_from_thread(self._failed, {}, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug: logged, and said to be one in the form
            app.call_from_thread(self._failed, {}, f"could not save: {failure_text(app, exc)}")
        else:
            app.call_from_thread(self.dismiss, result)

    def _failed(self, errors: Mapping[str, str], message: str) -> None:
        self.saving = False
        self.show_errors(errors, Text(message, style="bold red") if message else "")


class ConfirmScreen(ModalScreen[bool]):
    """A question with its details: y (or Enter on the button) confirms, n or Esc declines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", show=True),
        Binding("n,escape", "answer(False)", "No", show=True),
    ]

    def __init__(self, title: str, lines: list[str], question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            body = Text()
            for line in self.lines:
                body.append(f"• {line}\n")
            body.append(self.question, style="bold")
            yield Static(body, id="confirm-text")
            with Horizontal(id="form-buttons"):
                yield Button(f"{self.yes} (y)", id="confirm-yes", variant="error", compact=True)
                yield Button("Cancel (n)", id="confirm-no", compact=True)

    def on_mount(self) -> None:
        box = self.query_one("#confirm-box")
        box.border_title = self.title_text
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")


def _key_fields(entity: str) -> tuple[str, ...]:
    from psninv.records import ENTITY_KEYS

    return ENTITY_KEYS[entity]


def refuse_if_read_only(app: PsninvApp) -> bool:
    """Say so and return True when the app may not write."""
    if app.read_only:
        app.notify("read-only: this inventory cannot be changed here, no change was made", severity="error")
        return True
    return False


def suggestions(app: PsninvApp) -> dict[str, list[str]]:
    """Codes that reference fields complete from."""
    snap = app.snapshot
    if snap is None:
        return {}
    return {"tenants": list(snap.tenants), "sites": list(snap.sites)}


def stored_record(app: PsninvApp, entity: str, key: Any) -> dict[str, Any] | None:
    """The record as the app last loaded it (with its version, which an edit is checked against)."""
    snap = app.snapshot
    if snap is None:
        return None
    rows = getattr(snap.inventory, entity)
    row = rows.get(key)
    return dict(row) if row is not None else None


def open_form(
    app: PsninvApp, entity: str, key: Any = None, defaults: Mapping[str, Any] | None = None
) -> None:
    """Open the add form (no key) or the edit form of a record; after a save the app reloads."""
    if refuse_if_read_only(app):
        return
    record = None
    if key is not None:
        record = stored_record(app, entity, key)
        if record is None:
            app.notify(f"no {label(entity, key)} to edit", severity="warning")
            return
    form = RecordForm(entity, record, defaults, suggestions(app))
    app.push_screen(form, lambda result: _saved(app, entity, result))


def _saved(app: PsninvApp, entity: str, result: EditResult | None) -> None:
    if result is None:
        return
    if not result.change_ids:
        app.notify("nothing changed", timeout=3)
        return
    record = result.record or {}
    names = _key_fields(entity)
    key = record.get(names[0]) if len(names) == 1 else tuple(record.get(n) for n in names)
    app.notify(f"saved {label(entity, key)} (change #{result.change_ids[-1]})", timeout=4)
    changed(app)


def changed(app: PsninvApp) -> None:
    """Tell the app the inventory changed: it reloads, and the analysis reruns in the background."""
    app.post_message(DataChanged())


def confirm_delete(app: PsninvApp, entity: str, key: Any) -> None:
    """Ask before deleting a record, listing what goes with it; then delete it off the UI thread."""
    if refuse_if_read_only(app):
        return
    record = stored_record(app, entity, key)
    if record is None:
        app.notify(f"no {label(entity, key)} to delete", severity="warning")
        return
    try:
        found = delete_preview(app.store, entity, key)
    except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
        app.notify(f"could not read what depends on it: {failure_text(app, exc)}", severity="error")
        return
    lines = found.lines() if found else ["nothing else refers to it"]
    question = f"Delete {label(entity, key)}" + (" and change these with it?" if found else "?")
    screen = ConfirmScreen(f"Delete {label(entity, key)}", lines, question, yes="Delete")

    def answered(yes: bool | None) -> None:
        if yes:
            run_write(
                app,
                lambda: delete(app.store, entity, key, version=record["version"], base=record, cascade=True),
                f"deleted {label(entity, key)}",
                then=lambda: _leave_deleted(app, entity, key),
            )

    app.push_screen(screen, answered)


def _leave_deleted(app: PsninvApp, entity: str, key: Any) -> None:
    # A detail of something that no longer exists has nothing left to show.
    kind = {plural: singular for singular, plural in ENTITY_OF.items()}[entity]
    if getattr(app.screen, "subject", None) == (kind, key) and len(app.screen_stack) > 1:
        app.pop_screen()


def run_write(
    app: PsninvApp, call: Callable[[], EditResult], done: str, then: Callable[[], None] | None = None
) -> None:
    """Run a write in a worker thread; say what happened, and reload (and run `then`) on success."""

    def work() -> None:
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - a PsninvError as it is, a bug logged as one
            app.call_from_thread(app.notify, failure_text(app, exc), severity="error", timeout=12)
            return
        ids = result.change_ids
        logged = f"change #{ids[0]}" if len(ids) == 1 else f"changes #{ids[0]}–#{ids[-1]}"
        app.call_from_thread(app.notify, f"{done} ({logged})", timeout=5)
        app.call_from_thread(changed, app)
        if then is not None:
            app.call_from_thread(then)

    app.run_worker(work, thread=True, group="edit", exit_on_error=False)


def screen_target(screen: Any, which: str) -> tuple[str, Any] | None:
    """The record e or d acts on: the focused table's row ('row'), or what the screen is about ('this')."""
    from psninv.tui.table import VirtualTable

    if which == "this" and screen.subject is not None and screen.subject[0] in ENTITY_OF:
        kind, key = screen.subject
        return ENTITY_OF[kind], key
    focused = screen.focused
    if isinstance(focused, VirtualTable) and focused.entity in ENTITY_OF and focused.cursor_key is not None:
        return ENTITY_OF[focused.entity], focused.cursor_key
    return None


def add_defaults(screen: Any) -> tuple[str, dict[str, Any]] | None:
    """What `a` adds here: a list's own kind; from a site, a circuit from it; from a tenant, a site of it."""
    subject = getattr(screen, "subject", None)
    if subject is not None:
        kind, key = subject
        if kind == "site":
            return "links", {"a_site": key}
        if kind == "tenant":
            return "sites", {"tenant": key}
        if kind == "link":
            link = stored_record(screen.app, "links", key) or {}
            # A second circuit between the same ends is the usual reason to add one here.
            return "links", {"a_site": link.get("a_site"), "b_site": link.get("b_site")}
        return None
    entity = ENTITY_OF.get(getattr(getattr(screen, "table", None), "entity", "") or "")
    return (entity, {}) if entity else None
