"""Read-only mode: the TUI refuses to apply an import, and the CLI's writes refuse in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_tui_import import change_count, clean_workbook, county, notices, review, wait_until  # noqa: F401
from test_tui_support import run_app, screen_text

from psninv.cli.app import get_cli
from psninv.store import Store, open_store
from psninv.tui.app import PsninvApp


def test_the_tui_reviews_but_refuses_to_apply_an_import_when_read_only(
    county: Store, tmp_path: Path  # noqa: F811
) -> None:
    before, logged = county.load(), change_count(county)
    workbook = clean_workbook(tmp_path)
    with open_store(county.url, read_only=True) as reader:
        app = PsninvApp(reader, read_only=True)

        async def scenario(pilot: Any) -> None:
            assert "read-only" in app.status
            screen = await review(pilot, workbook)
            assert screen.reviewed is not None and screen.reviewed.changed
            assert "cannot be applied" in screen_text(app)
            app.screen.action_apply()  # as the key would, were it offered
            await pilot.press("a")
            await wait_until(pilot, lambda: "read-only: nothing was imported" in notices(app))
            assert screen.running is None and not screen.applied

        run_app(app, scenario, size=(120, 30))
    after = county.load()
    assert after.sites == before.sites and change_count(county) == logged


def test_a_read_only_app_refuses_even_on_a_writable_store(county: Store, tmp_path: Path) -> None:  # noqa: F811
    logged = change_count(county)
    app = PsninvApp(county, read_only=True)
    workbook = clean_workbook(tmp_path)

    async def scenario(pilot: Any) -> None:
        screen = await review(pilot, workbook)
        screen.action_apply()
        await wait_until(pilot, lambda: "read-only: nothing was imported" in notices(app))

    run_app(app, scenario, size=(120, 30))
    assert change_count(county) == logged


@pytest.mark.parametrize(
    "args",
    [
        ["import", "{sheet}", "--read-only"],
        ["init", "--read-only"],
    ],
)
def test_every_cli_write_refuses_in_one_line_with_exit_1(
    county: Store, tmp_path: Path, args: list[str]  # noqa: F811
) -> None:
    logged = change_count(county)
    sheet = clean_workbook(tmp_path)
    argv = [arg.format(sheet=sheet) for arg in args] + ["--db", county.url]
    result = CliRunner().invoke(get_cli(), argv)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.strip().splitlines() if line]
    assert len(lines) == 1 and "read-only" in lines[0]
    assert change_count(county) == logged


def test_cli_reads_work_read_only(county: Store) -> None:  # noqa: F811
    result = CliRunner().invoke(get_cli(), ["sites", "--db", county.url, "--read-only"])
    assert result.exit_code == 0 and "LEEK" in result.output


@pytest.mark.parametrize("read_only", [True, False])
def test_a_read_only_session_says_so_and_offers_no_write_keys(county: Store, read_only: bool) -> None:  # noqa: F811
    app = PsninvApp(county, read_only=read_only)

    async def scenario(pilot: Any) -> None:
        for section, write_keys in (("2", (" a ", " e ")), ("8", (" u ",))):
            await pilot.press(section)
            await pilot.pause()
            lines = screen_text(app).splitlines()
            assert ("read-only" in lines[0]) is read_only
            offered = [key for key in write_keys if key in lines[-1]]
            assert offered == ([] if read_only else list(write_keys)), (section, lines[-1])

    run_app(app, scenario, size=(120, 30))
