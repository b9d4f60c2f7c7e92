"""Pilot tests of the record forms on a real store: saves, field errors, dependants, conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from builders import write_rows
from test_tui_support import run_app, screen_text, settle, synthetic_rows
from textual.widgets import Input, Select, Static

from psninv.changes import history, update
from psninv.store import Store, open_store
from psninv.tui.app import PsninvApp
from psninv.tui.forms import ConfirmScreen, RecordForm
from psninv.tui.site_detail import SiteScreen
from psninv.tui.table import VirtualTable


@pytest.fixture
def county(store: Store) -> Store:
    """A 30-site county network."""
    write_rows(store, **synthetic_rows(30))
    return store


def form(app: PsninvApp) -> RecordForm:
    assert isinstance(app.screen, RecordForm), type(app.screen).__name__
    return app.screen


def fill(app: PsninvApp, **values: str) -> None:
    """Put text in a form's inputs and choices in its selects."""
    screen = form(app)
    for name, value in values.items():
        widget = screen.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            widget.value = value if value else Select.NULL
        else:
            assert isinstance(widget, Input)
            widget.value = value


def error_of(app: PsninvApp, name: str) -> str:
    widget = form(app).query_one(f"#error-{name}", Static)
    return str(widget.render()) if widget.display else ""


async def save(pilot: Any) -> None:
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await settle(pilot)


async def go_to_row(pilot: Any, key: Any) -> None:
    table = pilot.app.screen.focused
    assert isinstance(table, VirtualTable)
    assert table.move_to_key(key)
    await pilot.pause()


def test_add_a_site_typed_into_the_form(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2")
        await pilot.press("a")
        await pilot.pause()
        assert form(app).query_one("#field-code", Input).has_focus
        await pilot.press(*"NEW-001", "tab", *"New library", "tab", *"LIBS")
        fill(app, role="access", latitude="52.81", longitude="-2.12", criticality="standard")
        await save(pilot)
        assert not isinstance(app.screen, RecordForm)
        site = county.load().sites["NEW-001"]
        assert (site["name"], site["tenant"], site["role"], site["latitude"]) == (
            "New library", "LIBS", "access", 52.81,
        )
        assert "NEW-001" in app.snapshot.sites  # the app reloaded
        [entry] = history(county, entity="sites", key="NEW-001")
        assert (entry.action, entry.actor) == ("create", "tester")

    run_app(app, scenario)


def test_field_errors_appear_beside_each_field_and_nothing_is_written(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2", "a")
        await pilot.pause()
        fill(app, code="", latitude="95", demand_mbps="lots", tenant="nope")
        await save(pilot)
        assert error_of(app, "code") == "  ✖ code is required"
        assert "between -90 and 90" in error_of(app, "latitude")
        assert "must be a number" in error_of(app, "demand_mbps")
        assert "unknown tenant code 'nope'" in error_of(app, "tenant")
        assert error_of(app, "name") == ""
        assert "4 fields to correct" in screen_text(app)
        fill(app, code="HUB-LEEK", latitude="52", demand_mbps="5", tenant="SCC")
        await save(pilot)
        assert "duplicate site code 'HUB-LEEK'" in error_of(app, "code")
        assert error_of(app, "latitude") == ""
        # A choice can only be one of the import's values: the select offers exactly those.
        role = form(app).query_one("#field-role", Select)
        assert [value for _label, value in role._options if value is not Select.NULL] == [
            "core", "datacentre", "hub", "access",
        ]
        await pilot.press("escape")  # the form holds typed values: Esc asks first (issue 16)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)  # kept, with what was typed
        assert form(app).query_one("#field-code", Input).value == "HUB-LEEK"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm | ConfirmScreen)
        assert len(county.load().sites) == 30
        assert history(county) == []

    run_app(app, scenario)


def test_correct_a_sites_coordinates_from_its_detail(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        app.open_site("HUB-LEEK")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert form(app).query_one("#field-code", Input).disabled  # the key is not edited in place
        assert form(app).query_one("#field-name", Input).value == "Leek hub 0"
        fill(app, latitude="53.106", longitude="-2.023")
        await save(pilot)
        assert isinstance(app.screen, SiteScreen)
        site = county.load().sites["HUB-LEEK"]
        assert (site["latitude"], site["longitude"]) == (53.106, -2.023)
        assert "53.1060, -2.0230" in screen_text(app)
        history_table = app.screen.query_one("#site-history", VirtualTable)
        assert history_table.row_count == 1
        assert "latitude" in " ".join(map(str, history_table.row_cells(history_table.visible_keys[0])))

    run_app(app, scenario, size=(100, 40))


def test_add_a_circuit_from_a_site_and_the_findings_update(county: Store) -> None:
    app = PsninvApp(county)
    # S000002 hangs off one hub only: a second circuit to the data centre makes it dual-homed.
    code = "S000002"

    async def scenario(pilot: Any) -> None:
        before = {f.id for f in app.results.by_site.get(code, [])}
        assert before
        app.open_site(code)
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert form(app).query_one("#field-a_site", Input).value == code
        fill(app, circuit_id="NEW-CCT", b_site="DC-STAFFORD", bandwidth_mbps="1 Gbps",
             annual_cost_gbp="£3,000", contract_end="31/03/2029", medium="fibre")
        await save(pilot)
        link = county.load().links["NEW-CCT"]
        assert (link["a_site"], link["b_site"], link["bandwidth_mbps"], str(link["contract_end"])) == (
            code, "DC-STAFFORD", 1000.0, "2029-03-31",
        )
        assert app.results is not None and app.results.fingerprint == app.snapshot.fingerprint
        after = {f.id for f in app.results.by_site.get(code, [])}
        assert after != before and len(after) < len(before)

    run_app(app, scenario)


def test_add_and_edit_a_prefix_and_edit_a_tenant(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        app.open_site("S000003")
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert form(app).query_one("#field-site", Input).value == "S000003"
        fill(app, prefix="10.99.1.7/24")
        await save(pilot)
        assert "10.99.1.0/24" in error_of(app, "prefix")  # host bits set, as the import says
        fill(app, prefix="10.99.1.0/24", description="Office LAN")
        await save(pilot)
        assert county.load().prefixes[("10.99.1.0/24", "")]["description"] == "Office LAN"
        prefixes = app.screen.query_one("#site-prefixes", VirtualTable)
        prefixes.focus()
        assert prefixes.move_to_key(("10.99.1.0/24", ""))
        await pilot.press("E")
        await pilot.pause()
        fill(app, description="Guest Wi-Fi")
        await save(pilot)
        assert county.load().prefixes[("10.99.1.0/24", "")]["description"] == "Guest Wi-Fi"

        await pilot.press("4")
        await settle(pilot)
        await go_to_row(pilot, "SFRS")
        await pilot.press("e")
        await pilot.pause()
        fill(app, name="Staffordshire Fire & Rescue Service", sector="fire")
        await pilot.click("#form-save")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert county.load().tenants["SFRS"]["name"] == "Staffordshire Fire & Rescue Service"

    run_app(app, scenario)


def test_delete_a_site_shows_its_dependants_and_asks(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        links = set(app.snapshot.links_by_site["S000001"])
        assert links
        await pilot.press("2")
        await settle(pilot)
        await go_to_row(pilot, "S000001")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert f"{len(links)} link" in text and "1 prefix deleted too" in text
        await pilot.press("n")
        await pilot.pause()
        assert "S000001" in county.load().sites
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        inventory = county.load()
        assert "S000001" not in inventory.sites and not links & set(inventory.links)
        assert "S000001" not in app.snapshot.sites
        deleted = {(e.entity, e.key) for e in history(county) if e.action == "delete"}
        assert ("sites", "S000001") in deleted and {("links", cid) for cid in links} <= deleted

    run_app(app, scenario)


def test_a_stale_edit_shows_the_newer_values_and_keeps_them(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        app.open_site("DC-BURTON")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        other = open_store(county.engine.url.render_as_string(hide_password=False), actor="alice")
        try:
            site = other.load().sites["DC-BURTON"]
            update(other, "sites", "DC-BURTON", {"name": "Burton DC (new)"}, version=site["version"])
        finally:
            other.close()
        fill(app, name="Burton data centre 2", district="East Staffordshire")
        await save(pilot)
        assert isinstance(app.screen, RecordForm)
        message = str(app.screen.query_one("#form-message", Static).render())
        assert "changed by alice" in message and "name is now 'Burton DC (new)'" in message
        assert "changed by someone else" in error_of(app, "name")
        stored = county.load().sites["DC-BURTON"]
        assert (stored["name"], stored["district"]) == ("Burton DC (new)", "Burton")
        # The app reloads at once, so the form reopened starts from the newer version.
        await pilot.press("escape", "y")  # discard what was typed
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert form(app).query_one("#field-name", Input).value == "Burton DC (new)"
        fill(app, district="East Staffordshire")
        await save(pilot)
        assert county.load().sites["DC-BURTON"]["district"] == "East Staffordshire"

    run_app(app, scenario, size=(100, 40))


def test_the_palette_adds_a_tenant(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Add a tenant")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        fill(app, code="UNI", name="Keele University", sector="education")
        await save(pilot)
        assert county.load().tenants["UNI"]["sector"] == "education"

    run_app(app, scenario)


def test_read_only_app_refuses_to_open_forms(county: Store) -> None:
    app = PsninvApp(county, read_only=True)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2")
        await settle(pilot)
        for key in ("a", "e", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, RecordForm | ConfirmScreen)
        messages = [n.message for n in app._notifications]
        assert any("read-only" in m and "no change was made" in m for m in messages)
        assert history(county) == []

    run_app(app, scenario)
