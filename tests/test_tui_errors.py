"""The TUI tells the user's problems inline and its own bugs as internal errors, with the traceback logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import textual.constants
from test_errors import corrupted  # noqa: F401 - a fixture
from test_tui_export import export
from test_tui_import import county, notices, wait_until  # noqa: F401 - county is a fixture
from test_tui_support import run_app

from psninv.store import Store, open_store
from psninv.tui.app import PsninvApp


@pytest.fixture
def textual_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file Textual logs to, as $TEXTUAL_LOG would name it."""
    path = tmp_path / "textual.log"
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(path))
    return path


def test_a_bug_in_a_worker_is_an_internal_error_with_its_traceback_logged(
    corrupted: str,  # noqa: F811
    textual_log: Path,
) -> None:
    shown: list[str] = []
    with open_store(corrupted, actor="tester") as store:
        app = PsninvApp(store)

        async def scenario(pilot: Any) -> None:
            await wait_until(pilot, lambda: app.analysis_error is not None)
            shown.extend(text for text in notices(app) if text.startswith("analysis failed: "))

        run_app(app, scenario, size=(120, 30))
    assert len(shown) == 1
    assert shown[0].startswith("analysis failed: internal error: ")
    assert shown[0].endswith(f"(a bug in psninv; its traceback is in {textual_log})")
    error = shown[0].removeprefix("analysis failed: internal error: ").split(" (a bug")[0]
    log = textual_log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log
    assert error in log  # the traceback's last line: "ValueError: could not convert ..."


def test_a_users_problem_is_told_inline_and_not_logged_as_a_bug(
    county: Store,  # noqa: F811
    tmp_path: Path,
    textual_log: Path,
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    target = blocker / "out.xlsx"
    app = PsninvApp(county)

    async def scenario(pilot: Any) -> None:
        screen = await export(pilot, "xlsx", target)
        status = str(screen.query_one("#export-status").render())
        assert f"Nothing was exported: {target}: cannot write it" in status
        assert "internal error" not in status

    run_app(app, scenario, size=(120, 30))
    assert "Traceback" not in textual_log.read_text(encoding="utf-8")
