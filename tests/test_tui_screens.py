"""Pilot tests of every screen and key path of the TUI, on real SQLite inventories."""

from __future__ import annotations

import io
from typing import Any

import pytest
from builders import write_rows
from rich.console import Console
from test_tui_support import run_app, screen_text, synthetic_rows
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Static

from psninv.analysis.whatif import simulate_failures
from psninv.store import Store
from psninv.tui import colours
from psninv.tui.app import PsninvApp
from psninv.tui.base import FilterBar, WhatIfBar
from psninv.tui.dashboard import Card, DashboardScreen
from psninv.tui.findings import FindingScreen, FindingsScreen
from psninv.tui.help import HelpScreen
from psninv.tui.links import LinkScreen, LinksScreen
from psninv.tui.map import MapCanvas, MapScreen, SiteTree
from psninv.tui.site_detail import SiteScreen
from psninv.tui.sites import SitesScreen
from psninv.tui.table import VirtualTable
from psninv.tui.tenants import TenantScreen, TenantsScreen
from psninv.tui.whatif import WhatIfScreen

SITES = 120  # two data centres, three hubs (HUB-LEEK hangs off one data centre), 115 access sites


@pytest.fixture
def county(store: Store) -> Store:
    """A small county network with a hub whose loss darkens part of its district."""
    write_rows(store, **synthetic_rows(SITES))
    return store


def table(app: PsninvApp, selector: str = "VirtualTable") -> VirtualTable:
    """The first table on the current screen matching a selector."""
    return app.screen.query_one(selector, VirtualTable)


def row_styles(widget: VirtualTable, key: Any) -> set[str]:
    """The colours a row is drawn in ('fg:magenta', 'bg:dark_red'), read from the rendered line."""
    y = widget.visible_keys.index(key) - int(widget.scroll_y) + 1
    found = set()
    for segment in widget.render_line(y):
        if segment.style is not None and segment.text.strip():
            if segment.style.color is not None:
                found.add(f"fg:{segment.style.color.name}")
            if segment.style.bgcolor is not None:
                found.add(f"bg:{segment.style.bgcolor.name}")
    return found


CUT_OFF = f"fg:{colours.CUT_OFF.color.name}"
FAILED = f"bg:{colours.FAILED.bgcolor.name}"


def plain(renderable: Any, width: int = 120) -> str:
    """A Rich renderable as plain text."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def test_dashboard_shows_counts_cost_severities_savings_and_top_ten(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        assert isinstance(app.screen, DashboardScreen)
        text = screen_text(app)
        assert f"{SITES}" in str(app.screen.query_one("#card-sites", Card).render())
        assert str(app.screen.query_one("#card-links", Card).render()) == f"{len(app.snapshot.links)}"
        assert str(app.screen.query_one("#card-tenants", Card).render()) == "6"
        assert "£" in str(app.screen.query_one("#card-cost", Card).render())
        savings = str(app.screen.query_one("#card-savings", Card).render())
        assert "%" in savings or app.results.savings()[0] == 0
        assert "critical" in str(app.screen.query_one("#card-redundancy", Card).render())
        top = table(app, "#top-findings")
        assert top.visible_keys == [f.id for f in app.results.findings[:10]]
        assert top.row_cells(top.visible_keys[0])[0] == app.results.findings[0].severity.value
        assert "Most severe findings" in text

    run_app(app, scenario)


def test_dashboard_enter_opens_the_finding_and_cards_lead_to_sections(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        first = app.results.findings[0]
        await pilot.press("enter")
        assert isinstance(app.screen, FindingScreen)
        assert app.screen.finding_id == first.id
        assert first.title[:40] in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
        app.screen.query_one("#card-sites", Card).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)

    run_app(app, scenario)


def test_sites_table_lists_every_site_and_moves_with_j_and_k(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2")
        assert isinstance(app.screen, SitesScreen)
        sites = table(app)
        assert sites.row_count == SITES
        assert sites.visible_keys[:2] == ["DC-BURTON", "DC-STAFFORD"]
        assert sites.row_cells("HUB-LEEK")[:6] == ["HUB-LEEK", "Leek hub 0", "SCC", "Leek", "hub", "high"]
        await pilot.press("j", "j")
        assert sites.cursor_key == sites.visible_keys[2]
        await pilot.press("k")
        assert sites.cursor_key == sites.visible_keys[1]
        assert "Sites 120" in screen_text(app)

    run_app(app, scenario)


def test_slash_filters_the_sites_as_you_type_and_escape_clears(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2", "slash")
        assert app.screen.query_one(FilterBar).has_focus
        await pilot.press(*"hub-l")
        sites = table(app)
        assert sites.visible_keys == ["HUB-LEEK", "HUB-LICHFIELD"]
        await pilot.press(*"ee")
        assert sites.visible_keys == ["HUB-LEEK"]
        assert "1 of 120" in screen_text(app)
        await pilot.press("enter")
        assert sites.has_focus
        await pilot.press("enter")
        assert isinstance(app.screen, SiteScreen) and app.screen.code == "HUB-LEEK"
        await pilot.press("escape")
        await pilot.press("escape")  # the first Esc on the list clears its filter
        assert sites.row_count == SITES
        assert isinstance(app.screen, SitesScreen)

    run_app(app, scenario)


def test_slash_matches_names_and_districts_from_the_first_moment(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2")
        snapshot = app.snapshot
        district = next(row["district"] for row in snapshot.sites.values() if row.get("district"))
        # A filter typed before the app prepares its texts (a moment after the dashboard) builds them.
        snapshot.site_text = snapshot.link_text = None
        await pilot.press("slash", *district.lower())
        wanted = sorted(
            code for code, row in snapshot.sites.items() if district.lower() in snapshot.site_search(code)
        )
        assert table(app).visible_keys and sorted(table(app).visible_keys) == wanted
        assert all(snapshot.sites[code]["district"] == district for code in wanted if district not in code)
        assert snapshot.site_text is not None and snapshot.link_text is not None

    run_app(app, scenario)


def test_the_dashboard_shows_before_the_lists_lookups_are_built_and_a_worker_builds_them(
    county: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psninv.tui.app as app_module

    monkeypatch.setattr(app_module, "SEARCH_DELAY_S", 60.0)  # the worker never starts here
    app = PsninvApp(county)

    async def drawn(pilot: Any) -> None:
        assert app.results is not None and "Most severe findings" in screen_text(app)
        # Neither the findings by site, circuit and tenant nor the filters' texts were needed.
        assert app.results._named is None and app.snapshot.site_text is None
        await pilot.press("2")  # a list opened before the worker ran builds what it shows
        assert app.results._named is not None

    run_app(app, drawn)
    monkeypatch.setattr(app_module, "SEARCH_DELAY_S", 0.05)
    app = PsninvApp(county)

    async def prepared(pilot: Any) -> None:
        for _ in range(100):
            if app.results._named is not None and app.snapshot.site_text is not None:
                return
            await pilot.pause(0.05)
        raise AssertionError("the worker never built the lists' lookups")

    run_app(app, prepared)


def test_s_sorts_the_sites_by_each_column_in_turn(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2")
        sites = table(app)
        await pilot.press("s")  # by code
        assert sites.visible_keys == sorted(app.snapshot.sites)
        await pilot.press("S")
        assert sites.visible_keys == sorted(app.snapshot.sites, reverse=True)
        for _ in range(6):  # on to Links, biggest first
            await pilot.press("s")
        assert sites.sort_column == "links"
        counts = [len(app.snapshot.links_by_site[c]) for c in sites.visible_keys]
        assert counts == sorted(counts, reverse=True)
        assert "sorted by Links" in screen_text(app)

    run_app(app, scenario)


def test_site_detail_shows_fields_links_prefixes_findings_and_walks_to_the_far_end(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        app.open_site("S000001")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SiteScreen)
        text = screen_text(app)
        assert "Leek site 1" in text and "Staffordshire County" in text
        links = table(app, "#site-links")
        assert links.has_focus
        far_ends = {links.row_cells(cid)[1] for cid in links.visible_keys}
        assert far_ends == {"HUB-LEEK", "HUB-STAFFORD"}
        cells = links.row_cells(links.visible_keys[0])
        assert cells[4] == "100M" and cells[5].startswith("£") and cells[6].startswith("20")
        assert table(app, "#site-prefixes").visible_keys == [("10.0.0.0/24", "")]
        findings = table(app, "#site-findings")
        assert findings.visible_keys == [f.id for f in app.results.by_site.get("S000001", [])]
        # Walk: Enter opens the far end, then Esc comes back.
        links.move_to_key(next(c for c in links.visible_keys if links.row_cells(c)[1] == "HUB-LEEK"))
        await pilot.press("enter")
        assert isinstance(app.screen, SiteScreen) and app.screen.code == "HUB-LEEK"
        hub_links = table(app, "#site-links")
        assert "DC-STAFFORD" in {hub_links.row_cells(c)[1] for c in hub_links.visible_keys}
        await pilot.press("o")
        assert isinstance(app.screen, LinkScreen)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, SiteScreen) and app.screen.code == "S000001"

    run_app(app, scenario)


def test_links_screen_and_link_detail_open_the_ends(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("3")
        assert isinstance(app.screen, LinksScreen)
        links = table(app)
        assert links.row_count == len(app.snapshot.links)
        assert links.row_cells("CIR-000003")[1:3] == ["HUB-LEEK", "DC-STAFFORD"]
        links.move_to_key("CIR-000003")
        await pilot.press("enter")
        assert isinstance(app.screen, LinkScreen)
        assert "HUB-LEEK" in screen_text(app) and "Virgin Media Business" in screen_text(app)
        ends = table(app, "#link-ends")
        assert ends.visible_keys == ["HUB-LEEK", "DC-STAFFORD"]
        await pilot.press("j", "enter")
        assert isinstance(app.screen, SiteScreen) and app.screen.code == "DC-STAFFORD"

    run_app(app, scenario)


def test_tenants_screen_and_tenant_view_with_sites_cost_findings_and_savings(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("4")
        assert isinstance(app.screen, TenantsScreen)
        tenants = table(app)
        assert tenants.visible_keys == sorted(app.snapshot.tenants)
        assert tenants.row_cells("SCC")[4].startswith("£")
        tenants.move_to_key("NHS-MPFT")
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, TenantScreen) and screen.code == "NHS-MPFT"
        text = screen_text(app)
        assert "Midlands Partnership NHS Foundation Trust" in text
        assert "Annual cost" in text and "Savings open" in text
        assert set(table(app, "#tenant-sites").visible_keys) == set(app.snapshot.sites_by_tenant["NHS-MPFT"])
        assert table(app, "#tenant-findings").visible_keys == [
            f.id for f in app.results.by_tenant.get("NHS-MPFT", [])
        ]

    run_app(app, scenario)


def test_findings_are_grouped_by_category_and_kind_and_enter_shows_what_they_name(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("5")
        assert isinstance(app.screen, FindingsScreen)
        findings = table(app)
        keys = findings.visible_keys
        groups = [k for k in keys if isinstance(k, tuple)]
        kinds = {(f.category.value, f.kind) for f in app.results.findings}
        assert {(g[1], g[2]) for g in groups} == kinds
        assert isinstance(keys[0], tuple) and keys[0][1] == "redundancy"
        # Each finding sits under its own group heading.
        current = None
        for key in keys:
            if isinstance(key, tuple):
                current = key
            else:
                finding = app.results.by_id[key]
                assert (finding.category.value, finding.kind) == current[1:]
        assert len([k for k in keys if not isinstance(k, tuple)]) == len(app.results.findings)
        await pilot.press("j", "enter")
        assert isinstance(app.screen, FindingScreen)
        finding = app.results.by_id[app.screen.finding_id]
        assert table(app, "#f-sites").visible_keys == list(finding.sites)
        assert table(app, "#f-links").visible_keys == list(finding.links)
        await pilot.press("escape")
        await pilot.press("k", "space")  # fold the first group
        assert len(table(app).visible_keys) < len(keys)

    run_app(app, scenario)


def test_f_fails_a_site_from_the_sites_table_and_every_table_highlights_who_is_cut_off(county: Store) -> None:
    app = PsninvApp(county)
    expected = simulate_failures(county.load(), ["HUB-LEEK"]).cut_off_sites

    async def scenario(pilot: Any) -> None:
        assert expected and "S000004" in expected and "S000016" not in expected
        await pilot.press("2")
        sites = table(app)
        sites.move_to_key("HUB-LEEK")
        await pilot.press("f")
        from test_tui_support import settle

        await settle(pilot)
        assert app.failed == ["HUB-LEEK"]
        assert app.whatif.cut_off_sites == expected
        bar = app.screen.query_one(WhatIfBar)
        assert bar.display and f"{len(expected)} sites cut off" in str(bar.render())
        assert sites.cursor_key == "HUB-LEEK"
        assert sites.render_line(sites.cursor - int(sites.scroll_y) + 1).text.startswith("✖ HUB-LEEK")
        sites.move_to_key("DC-BURTON")
        assert FAILED in row_styles(sites, "HUB-LEEK")
        assert CUT_OFF in row_styles(sites, "S000004")
        assert CUT_OFF not in row_styles(sites, "S000016")
        line = sites.render_line(sites.visible_keys.index("S000004") - int(sites.scroll_y) + 1).text
        assert line.startswith("● S000004")
        await pilot.press("3")
        links = table(app)
        cid = app.snapshot.links_by_site["S000004"][0]  # its uplink to the failed hub is down too
        assert links.cursor_key != cid
        assert FAILED in row_styles(links, cid)
        await pilot.press("6")
        assert isinstance(app.screen, WhatIfScreen)
        cutoff = table(app, "#whatif-cutoff")
        shown = {k[2] for k in cutoff.visible_keys if k[0] == "site"}
        assert shown == expected
        tenants = [k[1] for k in cutoff.visible_keys if k[0] == "tenant"]
        assert set(tenants) == set(app.whatif.cut_off)
        assert f"{app.whatif.demand_lost_mbps:,.0f} Mbit/s of demand lost" in screen_text(app)

    run_app(app, scenario)


def test_failures_combine_f_restores_and_r_resets(county: Store) -> None:
    app = PsninvApp(county)
    inventory = county.load()
    both = simulate_failures(inventory, ["HUB-LEEK", "HUB-STAFFORD"]).cut_off_sites

    async def scenario(pilot: Any) -> None:
        from test_tui_support import settle

        app.open_site("HUB-LEEK")
        await pilot.pause()
        assert table(app, "#site-links").has_focus
        await pilot.press("f")  # on a site's detail, f fails the site itself
        await settle(pilot)
        assert app.failed == ["HUB-LEEK"]
        await pilot.press("F")  # and F the circuit under the cursor
        await settle(pilot)
        assert app.failed == ["HUB-LEEK", table(app, "#site-links").cursor_key]
        await pilot.press("F")
        await settle(pilot)
        await pilot.press("escape", "2")
        table(app).move_to_key("HUB-STAFFORD")
        await pilot.press("f")
        await settle(pilot)
        assert app.failed == ["HUB-LEEK", "HUB-STAFFORD"]
        assert app.whatif.cut_off_sites == both
        await pilot.press("6")
        failed = table(app, "#whatif-failed")
        assert failed.visible_keys == ["HUB-LEEK", "HUB-STAFFORD"]
        failed.focus()
        await pilot.press("f")  # f on a failed item restores it
        await settle(pilot)
        assert app.failed == ["HUB-STAFFORD"]
        await pilot.press("r")
        await settle(pilot)
        assert app.failed == [] and app.whatif is None
        assert "Nothing is failed" in screen_text(app)
        assert not table(app, "#whatif-cutoff").display

    run_app(app, scenario)


def test_a_finding_runs_its_what_if_with_w(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        from test_tui_support import settle

        await pilot.press("5")
        findings = table(app)
        target = next(
            f for f in app.results.findings if f.category.value == "redundancy" and "HUB-LEEK" in f.sites
        )
        findings.move_to_key(target.id)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WhatIfScreen)
        assert app.failed
        assert app.whatif is not None and app.whatif.failed == tuple(app.failed)
        assert app.whatif.cut_off_sites, "the what-if of a redundancy finding darkens something"

    run_app(app, scenario)


def test_what_if_suggests_weak_points_and_enter_fails_one(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        from test_tui_support import settle

        await pilot.press("6")
        suggest = table(app, "#whatif-suggest")
        assert suggest.has_focus and suggest.row_count > 0
        await pilot.press("enter")
        await settle(pilot)
        assert app.failed and app.whatif.cut_off_sites
        assert table(app, "#whatif-cutoff").row_count > 0

    run_app(app, scenario)


def test_map_draws_sites_and_links_zooms_pans_and_highlights_the_cut_off(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        from test_tui_support import settle

        await pilot.press("7")
        assert isinstance(app.screen, MapScreen)
        canvas = app.screen.query_one(MapCanvas)
        assert canvas.has_focus
        drawn = "".join(strip.text for strip in canvas._frame)
        assert drawn.count("◉") == 2 and drawn.count("◆") == 3
        assert any("\u2800" < ch <= "\u28ff" for ch in drawn), "links are drawn in braille"
        assert "DC-BURTON" in screen_text(app)  # the selected site is labelled
        scale = canvas.view.scale
        await pilot.press("plus")
        assert canvas.view.scale > scale
        centre = canvas.view.cx
        await pilot.press("l")
        assert canvas.view.cx > centre
        await pilot.press("0")
        assert canvas.view.scale == pytest.approx(scale)
        await pilot.press("n")
        assert app.selected_site == "DC-STAFFORD"
        app.selected_site = "HUB-LEEK"
        await pilot.press("f")
        await settle(pilot)
        drawn = "".join(strip.text for strip in canvas._frame)
        assert "✖" in drawn and drawn.count("●") >= 1
        await pilot.press("enter")
        assert isinstance(app.screen, SiteScreen) and app.screen.code == "HUB-LEEK"

    run_app(app, scenario)


def test_map_t_shows_the_tree_from_the_core(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        from test_tui_support import settle

        await pilot.press("7", "t")
        await settle(pilot)
        tree = app.screen.query_one(SiteTree)
        assert tree.display and tree.has_focus
        roots = [node.data for node in tree.root.children]
        assert roots == ["DC-BURTON", "DC-STAFFORD"]
        under = {child.data for root in tree.root.children for child in root.children}
        assert {"HUB-LEEK", "HUB-STAFFORD", "HUB-LICHFIELD"} <= under

    run_app(app, scenario)


def test_sites_without_coordinates_get_the_tree_instead_of_a_map(store: Store) -> None:
    write_rows(store, **synthetic_rows(40, located=False))
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        from test_tui_support import settle

        await pilot.press("7")
        await settle(pilot)
        tree = app.screen.query_one(SiteTree)
        assert tree.display and not app.screen.query_one(MapCanvas).display
        assert "no site has coordinates" in screen_text(app)
        assert [node.data for node in tree.root.children] == ["DC-BURTON", "DC-STAFFORD"]

    run_app(app, scenario)


def test_question_mark_shows_every_key(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = plain(app.screen.query_one("#help-text", Static).content)
        for words in ("Fail", "Reset what-if", "Filter", "Sort", "Far end", "What-if", "Zoom in", "Map/tree",
                      "Back", "Quit", "command palette", "Pan left", "Next site"):
            assert words in text, words
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)

    run_app(app, scenario)


def test_ctrl_p_jumps_to_a_site_a_circuit_or_a_tenant(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        for query, screen_type, attribute, value in (
            ("hub-leek", SiteScreen, "code", "HUB-LEEK"),
            ("000003", LinkScreen, "circuit", "CIR-000003"),
            ("police", TenantScreen, "code", "STAFFS-POL"),
        ):
            await pilot.press("ctrl+p")
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            palette.query_one(Input).value = query
            results = palette.query_one(OptionList)
            for _ in range(100):
                await pilot.pause(0.05)
                first = str(results.get_option_at_index(0).prompt) if results.option_count else ""
                if query in first.lower():
                    break
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, screen_type), query
            assert getattr(app.screen, attribute) == value

    run_app(app, scenario)


def test_escape_goes_back_to_the_dashboard_and_q_quits(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2", "escape")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 or not app.is_running

    run_app(app, scenario)


def test_the_app_reloads_and_reanalyses_when_the_data_changes(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        from test_tui_support import settle

        await pilot.press("2")
        before = app.results
        write_rows(county, sites=[{"code": "NEW-SITE", "name": "Brand new library", "tenant": "LIBS",
                                   "role": "access"}])
        app.check_for_changes()
        await settle(pilot)
        assert "NEW-SITE" in table(app).visible_keys
        assert app.results is not before
        assert f"{SITES + 1}" in screen_text(app)

    run_app(app, scenario)


def test_an_empty_inventory_opens_and_says_so(store: Store) -> None:
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        assert "0" in str(app.screen.query_one("#card-sites", Card).render())
        await pilot.press("2")
        assert "no sites yet" in screen_text(app)

    run_app(app, scenario)


def test_footer_keys_fit_at_80_columns_and_the_section_bar_names_every_section(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        for key in "1234567":
            await pilot.press(key)
            await pilot.pause()
            lines = screen_text(app).splitlines()
            assert len(lines) == 24
            assert all(word in lines[0] for word in ("Sites", "Links", "Tenants", "Findings", "Map"))
            assert "Quit" in lines[-1] or "Help" in lines[-1]

    run_app(app, scenario)


def test_a_failure_that_cuts_nothing_off_is_not_shown_as_an_alarm(county: Store) -> None:
    app = PsninvApp(county)
    harmless = "S000016"
    assert not simulate_failures(county.load(), [harmless]).cut_off_sites

    async def scenario(pilot: Any) -> None:
        from test_tui_support import settle

        await pilot.press("2")
        sites = table(app)
        sites.move_to_key(harmless)
        await pilot.press("f")
        await settle(pilot)
        bar = app.screen.query_one(WhatIfBar)
        rendered = bar.render()
        assert "→ 0 sites cut off" in str(rendered)
        text = rendered.plain
        styles = {str(span.style) for span in rendered.spans if "cut off" in text[span.start : span.end]}
        assert styles and all("green" in style for style in styles)  # good news, not the alarm red

    run_app(app, scenario)


def test_a_findings_figures_are_labelled_in_words_with_units() -> None:
    from test_tui_support import staffordshire_rows

    from psninv.analysis import analyse
    from psninv.inventory import Inventory
    from psninv.tui.findings import impact_label

    rows = staffordshire_rows()
    inventory = Inventory(
        tenants={r["code"]: r for r in rows["tenants"]},
        sites={r["code"]: {**r, "occupants": r.get("occupants") or []} for r in rows["sites"]},
        links={r["circuit_id"]: r for r in rows["links"]},
    )
    names = {name for finding in analyse(inventory).findings for name in finding.impact}
    assert len(names) > 5  # the sample's findings carry many kinds of figure
    for name in names:
        label = impact_label(name)
        assert "_" not in label and not label.lower().endswith((" gbp", " mbps", " pct")), (name, label)
    assert impact_label("savings_exact_gbp") == "Savings exact (£)"
    assert impact_label("load_mbps") == "Load (Mbit/s)"


def test_a_section_key_opens_the_sections_list_not_its_last_detail(county: Store) -> None:
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        await pilot.press("2")
        table(app).move_to_key("HUB-LEEK")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SiteScreen)
        await pilot.press("1", "2")
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)
        await pilot.press("2")  # pressed again on the list: still the list
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)

    run_app(app, scenario)
