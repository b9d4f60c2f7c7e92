"""End to end: `psninv demo` in a real terminal (tmux), driven by keys and read back with capture-pane.

This is the newcomer's path: land on the Staffordshire dashboard, find the hub whose loss cuts
off a district, fail it and see who goes dark, then open a co-location opportunity and its £.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

WIDTH, HEIGHT = 100, 30


class Terminal:
    """One tmux session on a private server socket, so the user's own tmux is never touched."""

    def __init__(self, socket: str, session: str) -> None:
        self.socket = socket
        self.session = session

    def tmux(self, *args: str) -> str:
        """Run a tmux command against this session's server."""
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False, timeout=20
        )
        return result.stdout

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        """Send keys one at a time, the way a person types them."""
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key)
            time.sleep(pause)

    def screen(self) -> str:
        """What the terminal shows now."""
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, *texts: str, timeout: float = 40.0) -> str:
        """Wait until every text is on screen; return the screen."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(text in shown for text in texts):
                return shown
            time.sleep(0.25)
        raise AssertionError(f"{texts} never appeared; the screen was:\n{shown}")

    def row_of(self, text: str, below: str) -> int:
        """How many rows under the first row below a heading a text appears (for j presses)."""
        lines = self.screen().splitlines()
        start = next(i for i, line in enumerate(lines) if below in line) + 2  # heading, column names
        return next(i for i, line in enumerate(lines[start:]) if text in line)


@pytest.fixture
def terminal(db: str) -> Iterator[Terminal]:
    """`psninv demo` running in a 100×30 tmux session on a fresh demo inventory."""
    socket = f"psninv-test-{os.getpid()}"
    term = Terminal(socket, "demo")
    command = f"{shlex.quote(sys.executable)} -m psninv demo --db {shlex.quote(db)}"
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    size = ["-x", str(WIDTH), "-y", str(HEIGHT)]
    subprocess.run(
        ["tmux", "-L", socket, "new-session", "-d", "-s", "demo", *size, command],
        check=True,
        env=env,
        timeout=20,
    )
    try:
        yield term
    finally:
        term.tmux("kill-server")


def test_newcomer_finds_the_district_hub_fails_it_and_opens_a_co_location_saving(terminal: Terminal) -> None:
    # Lands on the dashboard of the Staffordshire sample.
    screen = terminal.wait_for("Most severe findings", "findings", "Losing SML-HUB", timeout=60)
    assert "200" in screen and "Sites" in screen and "Annual cost" in screen

    # The hub whose loss cuts off a district is among the most severe findings: open it.
    terminal.keys(*["j"] * terminal.row_of("Losing SML-HUB", "Most severe findings"), "Enter")
    screen = terminal.wait_for("cut-site:SML-HUB", "cuts off 22 sites")

    # Fail it and see who goes dark.
    terminal.keys("w")
    screen = terminal.wait_for("22 sites cut off from the core", "sites dark")
    assert "SML-HUB" in screen and "Mbit/s of demand lost" in screen
    assert "Staffordshire Moorl" in screen  # the cut-off sites are the Moorlands'

    # Every other table shows it too: the sites of the Moorlands are marked cut off.
    terminal.keys("2", "/", *"SML-0", "Enter")
    screen = terminal.wait_for("filter 'SML-0'", "● SML-0")
    assert "What-if ✖ SML-HUB" in screen

    # Back to the dashboard; reset the what-if; open the co-location opportunity and its £.
    terminal.keys("r", "1", "Escape")
    screen = terminal.wait_for("Biggest savings", "3 tenants in one building")
    terminal.keys("Tab")
    terminal.keys(*["j"] * terminal.row_of("3 tenants in one building", "Biggest savings"), "Enter")
    screen = terminal.wait_for("sharing · co-location", "Saves")
    assert "£" in screen.split("Saves", 1)[1].splitlines()[0]
    assert "NUL-CHS" in screen or "NUL-CHB" in screen

    # q quits back to the shell.
    terminal.keys("q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "Most severe" in terminal.screen():
        time.sleep(0.2)
    assert "Most severe" not in terminal.screen()
