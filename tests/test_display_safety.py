"""Stored text is shown, never obeyed: markup and terminal escape codes from partners' files are inert."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.markup import escape, render
from test_tui_import import review
from test_tui_support import run_app, screen_text
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from psninv.cli.app import get_cli
from psninv.display import clean, escape_markup, is_clean
from psninv.store import Store, open_store
from psninv.tui.app import PsninvApp
from psninv.tui.findings import FindingsScreen
from psninv.tui.safe_text import ControlCodeFilter
from psninv.tui.site_detail import SiteScreen

HOSTILE_NAMES = {
    "A": "x[/]y",
    "B": "[link=http://evil.example]click[/link]",
    "C": "clear\x1b[2Jscreen",
    "D": "clip\x1b]52;c;ZXZpbA==\x07board",
    "E": "osc8 \x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\",
    "F": "new\nline",
    "G": "ends with backslash\\",
    "H": "csi\x9b2Jc1 and \u202eedirrevo",
}
"""Site names a partner's spreadsheet might carry: markup, escape codes, a newline, C1 and bidi controls."""

# What reaching a terminal raw would mean: an escape sequence, a C1 control, a bell, a bidi override.
RAW = ("\x1b", "\x9b", "\x07", "\u202e")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def hostile_files(folder: Path) -> list[Path]:
    """A tenant, sites with hostile names around a core, and a link from the core to each."""
    tenants = [{"code": "T1", "name": "Tenant [b]one[/b]", "sector": "council"}]
    sites = [
        {"code": code, "name": name, "tenant": "T1", "role": "core" if code == "A" else "access",
         "latitude": 52.8 + index / 100, "longitude": -2.1, "address": f"1 {name} Street"}
        for index, (code, name) in enumerate(HOSTILE_NAMES.items())
    ]
    links = [
        {"circuit_id": f"L{index}", "a_site": "A", "b_site": code, "tenant": "T1", "bandwidth_mbps": 100,
         "provider": HOSTILE_NAMES[code]}
        for index, code in enumerate(list(HOSTILE_NAMES)[1:])
    ]
    return [
        write_csv(folder / "tenants.csv", tenants),
        write_csv(folder / "sites.csv", sites),
        write_csv(folder / "links.csv", links),
    ]


@pytest.fixture
def hostile(db: str, tmp_path: Path) -> str:
    """An inventory holding the hostile names, imported the way a user imports a partner's files."""
    result = CliRunner().invoke(get_cli(), ["import", *map(str, hostile_files(tmp_path / "in")), "--db", db])
    assert result.exit_code == 0, result.output
    return db


def test_clean_makes_every_control_character_visible_and_keeps_the_length() -> None:
    for name in HOSTILE_NAMES.values():
        shown = clean(name)
        assert len(shown) == len(name)
        assert is_clean(shown)
        assert not any(raw in shown for raw in RAW)
    assert clean("a\x1b[2J") == "a␛[2J"
    assert clean("new\nline") == "new␊line"
    assert clean(None) == ""
    assert clean("Leek Hub") == "Leek Hub"


@pytest.mark.parametrize("name", list(HOSTILE_NAMES.values()) + ["a\\", "[bold]b[/bold]", "plain"])
def test_escaped_text_renders_as_itself_inside_our_own_markup(name: str) -> None:
    assert escape_markup(name) == escape(clean(name))
    assert render(f"[bold]{escape_markup(name)}[/bold] after").plain == f"{clean(name)} after"


@pytest.mark.parametrize(
    "command",
    [["sites"], ["links"], ["tenants"], ["history"], ["analyse"], ["analyse", "--fail", "A"]],
)
def test_the_cli_shows_hostile_names_as_text(hostile: str, command: list[str]) -> None:
    result = CliRunner().invoke(get_cli(), [*command, "--db", hostile])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    assert not any(raw in result.output for raw in RAW)
    if command == ["sites"]:
        # The names are shown as written, markup and all, with the invisible made visible.
        assert "x[/]y" in result.output
        assert "[link=http://evil.example]click[/link]" in result.output
        assert "clear␛[2Jscreen" in result.output
        assert "new␊line" in result.output


def test_an_error_quoting_a_hostile_cell_is_one_safe_line(db: str, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "sites.csv", [{"code": "S1", "tenant": "NO\x1b[2JSUCH"}])
    result = CliRunner().invoke(get_cli(), ["import", str(bad), "--db", db])
    assert result.exit_code == 1
    assert not any(raw in result.output for raw in RAW)


def test_codes_refuse_control_characters_at_import(db: str, tmp_path: Path) -> None:
    sites = write_csv(
        tmp_path / "sites.csv",
        [
            {"code": "OK1", "name": "fine"},
            {"code": "BA\x1bD", "name": "escape"},
            {"code": "X\tY", "name": "tab"},
        ],
    )
    links = write_csv(tmp_path / "links.csv", [{"circuit_id": "L1", "a_site": "OK1", "b_site": "OK\n1"}])
    result = CliRunner().invoke(get_cli(), ["import", str(sites), str(links), "--db", db])
    assert result.exit_code == 1
    said = " ".join(result.output.split())  # as a reader sees it, whatever the terminal's width
    assert "row 3, column code: 'BA\\x1bD' — code holds an invisible control character (ESC)" in said
    assert "sites.csv, row 4, column code" in said
    assert "links.csv, row 2, column b_site: 'OK\\n1' — b_site holds an invisible control character" in said
    with open_store(db) as store:
        assert store.load().counts()["sites"] == 0
    # Text fields keep their text: a name may hold anything, and is shown safely.
    names = write_csv(tmp_path / "names" / "sites.csv", [{"code": "OK1", "name": "a\x1bb"}])
    assert CliRunner().invoke(get_cli(), ["import", str(names), "--db", db]).exit_code == 0
    with open_store(db) as store:
        assert store.load().sites["OK1"]["name"] == "a\x1bb"


def test_the_tui_shows_hostile_names_in_details_findings_and_notifications(hostile: str) -> None:
    with open_store(hostile) as store:
        app = PsninvApp(store)

        async def scenario(pilot: Any) -> None:
            for code in HOSTILE_NAMES:
                app.open_site(code)
                await pilot.pause()
                assert isinstance(app.screen, SiteScreen)
                text = screen_text(app)
                # The heading shows the name on one line, whatever it holds.
                assert f"{code}  {clean(HOSTILE_NAMES[code])[:20]}" in text
                assert not any(raw in text for raw in RAW)
            app.open_site("A")
            await pilot.pause()
            assert "x[/]y" in screen_text(app)
            await pilot.press("5")
            await pilot.pause()
            assert isinstance(app.screen, FindingsScreen)
            text = screen_text(app)
            assert "x[/]y" in text
            assert not any(raw in text for raw in RAW)
            app.notify(f"no site {HOSTILE_NAMES['B']} {HOSTILE_NAMES['C']}")
            await pilot.pause()
            shown = list(app._notifications)[-1]
            assert not shown.markup
            assert shown.message == "no site [link=http://evil.example]click[/link] clear␛[2Jscreen"
            # Every section lists or draws the names; the palette matches them as the user types.
            for key in "12346787":
                await pilot.press(key)
                await pilot.pause()
                assert not any(raw in screen_text(app) for raw in RAW), key
            await pilot.press("ctrl+p")
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            palette.query_one(Input).value = "clear"
            results = palette.query_one(OptionList)
            for _ in range(100):
                await pilot.pause(0.05)
                if results.option_count:
                    break
            assert "clear␛[2Jscreen" in str(results.get_option_at_index(0).prompt)
            assert not any(raw in screen_text(app) for raw in RAW)

        run_app(app, scenario, size=(140, 40))


def test_the_tui_import_review_of_a_hostile_file_shows_it_safely(store: Store, tmp_path: Path) -> None:
    files = hostile_files(tmp_path / "in")
    bad = write_csv(tmp_path / "bad" / "sites.csv", [{"code": "Q\x1b[2J", "name": "[/]"}])
    app = PsninvApp(store)

    async def scenario(pilot: Any) -> None:
        screen = await review(pilot, "; ".join(map(str, files)))
        assert screen.reviewed is not None and screen.reviewed.ok
        text = screen_text(app)
        assert not any(raw in text for raw in RAW)
        await pilot.press("escape")
        screen = await review(pilot, bad)
        assert screen.reviewed is not None and not screen.reviewed.ok
        text = screen_text(app)
        assert "control character" in text
        assert not any(raw in text for raw in RAW)

    run_app(app, scenario, size=(160, 40))


def test_the_last_guard_drops_control_characters_from_what_reaches_the_terminal() -> None:
    from rich.segment import Segment
    from textual.color import Color

    guard = ControlCodeFilter()
    segments = [Segment("safe"), Segment("a\x1b[2Jb\x07\u202ec")]
    out = guard.apply(segments, Color(0, 0, 0))
    assert [segment.text for segment in out] == ["safe", "a[2Jbc"]
    clean_line = [Segment("nothing to do")]
    assert guard.apply(clean_line, Color(0, 0, 0)) is clean_line
