"""`psninv serve`: the app's page on localhost, the app itself over the websocket, and the address guard."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from psninv.cli.serve_cmd import app_command, is_loopback
from psninv.io.importer import import_files
from psninv.store import open_store

BOOT_SECONDS = 30


def free_port() -> int:
    """A port nothing listens on now, on the loopback address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def psninv(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the command line in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "psninv", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def inventory(db: str, tmp_path: Path) -> str:
    """An inventory with one site, as a --db value."""
    sheet = tmp_path / "sites.csv"
    sheet.write_text("code,name\nHQ,Headquarters\n", encoding="utf-8")
    with open_store(db, actor="tester") as store:
        assert import_files(store, [sheet]).ok
    return db


@pytest.fixture
def served(inventory: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`psninv serve` on a free localhost port, stopped after the test."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "psninv", "serve", "--db", inventory, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        yield url, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def fetch(url: str) -> str:
    """GET a page, retrying while the server starts, for a bounded time."""
    deadline = time.monotonic() + BOOT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_answers_on_localhost_with_the_apps_page(served: tuple[str, subprocess.Popen[str]]) -> None:
    url, process = served
    page = fetch(url)
    assert "<div>psninv</div>" in page  # the title textual-serve shows while the app starts
    assert f"ws://{url.removeprefix('http://')}ws" in page
    assert "textual.js" in page
    assert process.poll() is None


def test_the_served_page_runs_the_psninv_tui_read_only(served: tuple[str, subprocess.Popen[str]]) -> None:
    import aiohttp

    url, _process = served
    fetch(url)
    ws_types = aiohttp.WSMsgType

    async def until(ws: Any, seen: bytearray, *texts: bytes) -> None:
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline and not all(text in seen for text in texts):
            try:
                message = await ws.receive(timeout=2)
            except TimeoutError:
                continue
            if message.type in (ws_types.CLOSE, ws_types.CLOSED, ws_types.ERROR):
                return
            if message.type == ws_types.BINARY:
                seen += message.data

    async def session() -> tuple[bytes, bytes]:
        seen = bytearray()
        # Wide enough for the top bar's status, where the app says it is read-only.
        async with aiohttp.ClientSession() as client, client.ws_connect(url + "ws?width=160&height=40") as ws:
            await until(ws, seen, b"Dashboard", b"read-only")
            started = bytes(seen)
            seen.clear()
            await ws.send_json(["stdin", "i"])
            await until(ws, seen, b"importing is off")
        return started, bytes(seen)

    started, after_i = asyncio.run(session())
    assert b"Dashboard" in started and b"read-only" in started
    # A read-only viewer in a browser cannot even open the import (it would read the server's files).
    assert b"importing is off" in after_i


def test_a_non_loopback_host_is_refused_without_public(inventory: str) -> None:
    result = psninv("serve", "--db", inventory, "--host", "0.0.0.0", "--port", str(free_port()))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--public" in lines[0] and "Traceback" not in result.stderr


def test_public_prints_the_sensitivity_warning(tmp_path: Path) -> None:
    # A missing inventory stops the command after the warning and before anything listens.
    result = psninv("serve", "--db", str(tmp_path / "absent.db"), "--host", "0.0.0.0", "--public")
    assert "warning" in result.stderr and "sensitive" in result.stderr
    assert result.returncode == 1 and "no inventory database" in result.stderr


def test_read_only_and_allow_writes_contradict(inventory: str) -> None:
    result = psninv("serve", "--db", inventory, "--read-only", "--allow-writes")
    assert result.returncode == 2 and "contradict" in result.stderr


def test_only_loopback_names_count_as_local() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.9.1", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.org", "10.0.0.1"))


def test_the_served_command_is_psninv_tui_read_only_unless_writes_are_allowed() -> None:
    assert app_command(True, None).endswith("-m psninv tui --read-only")
    assert app_command(False, "ana").endswith("-m psninv tui --actor ana")
    assert app_command(True, None).startswith(sys.executable.replace(os.sep, os.sep))
