"""`psninv serve`: the app's page on localhost, the app itself over the websocket, and the address guard."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from psninv.cli.serve_cmd import app_command, is_loopback
from psninv.io.importer import import_files
from psninv.store import open_store

BOOT_SECONDS = 60  # a loaded 2-core CI machine starts Python, textual-serve and a TUI slowly


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


TOKEN = "test-token-0123456789abcdef"
COOKIE = {"Cookie": f"psninv_token={TOKEN}"}


def start_server(
    db: str, *options: str, env: dict[str, str] | None = None
) -> tuple[str, subprocess.Popen[str]]:
    """`psninv serve` on a free localhost port with a known token; its base URL and process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "psninv", "serve", "--db", db, "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PSNINV_SERVE_TOKEN": TOKEN, **(env or {})},
    )
    return f"http://127.0.0.1:{port}/", process


def stop_server(process: subprocess.Popen[str]) -> tuple[float, str]:
    """SIGTERM the server; how long it took to end, and what it printed on stderr."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        _out, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
    return time.monotonic() - started, err


@pytest.fixture
def served(inventory: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`psninv serve` on a free localhost port, stopped after the test."""
    url, process = start_server(inventory)
    try:
        yield url, process
    finally:
        stop_server(process)


def request(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    """GET a page without following redirects, retrying while the server starts: status, body, headers."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    deadline = time.monotonic() + BOOT_SECONDS
    while True:
        try:
            with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
                return response.status, response.read().decode("utf-8"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8"), dict(error.headers)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fetch(url: str) -> str:
    """GET a page as a browser holding the token's cookie would."""
    status, body, _headers = request(url, COOKIE)
    assert status == 200, (status, body)
    return body


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

    async def session() -> tuple[bytes, bytes]:
        seen = bytearray()
        # Wide enough for the top bar's status, where the app says it is read-only.
        async with aiohttp.ClientSession() as client, client.ws_connect(
            url + "ws?width=160&height=40", headers={**COOKIE, "Origin": url.rstrip("/")}
        ) as ws:
            await _until(ws, seen, b"Dashboard", b"read-only")
            started = bytes(seen)
            seen.clear()
            await ws.send_json(["stdin", "i"])
            await _until(ws, seen, b"importing is off")
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


# --- access control ------------------------------------------------------------------------------


def test_the_page_needs_the_token_and_moves_it_into_a_cookie(served: tuple[str, Any]) -> None:
    url, _process = served
    status, body, _ = request(url)
    assert status == 403 and "token" in body
    assert request(url + "?token=wrong-token-0123456789")[0] == 403

    status, _body, headers = request(url + f"?token={TOKEN}")
    assert status == 302 and headers["Location"] == "/"  # out of the address bar and its history
    cookie = headers["Set-Cookie"]
    assert f"psninv_token={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie

    page = fetch(url)
    assert "textual.js" in page


def test_the_page_loads_nothing_from_outside_the_server(served: tuple[str, subprocess.Popen[str]]) -> None:
    url, _process = served
    page = fetch(url)
    references = re.findall(r"""(?:src|href|url)\s*[=(]\s*["']?([^"')\s>]+)""", page)
    assert references, page
    absolute = [ref for ref in references if ref.startswith(("http:", "https:", "//"))]
    outside = [ref for ref in absolute if not ref.startswith(url)]
    assert outside == [] and "googleapis" not in page


def test_a_foreign_host_header_is_refused(served: tuple[str, subprocess.Popen[str]]) -> None:
    url, _process = served
    # DNS rebinding: evil.example resolved to 127.0.0.1 still says Host: evil.example.
    assert request(url, {**COOKIE, "Host": "evil.example"})[0] == 403
    assert request(url + "static/js/textual.js", {"Host": "evil.example:80"})[0] == 403
    assert request(url, COOKIE)[0] == 200


def _ws_status(url: str, headers: dict[str, str]) -> int:
    import aiohttp

    async def attempt() -> int:
        async with aiohttp.ClientSession() as client:
            try:
                async with client.ws_connect(url + "ws", headers=headers):
                    return 101
            except aiohttp.WSServerHandshakeError as error:
                return error.status

    return asyncio.run(attempt())


def test_the_websocket_needs_the_token_and_this_servers_origin(served: tuple[str, Any]) -> None:
    url, _process = served
    fetch(url)
    origin = url.rstrip("/")
    assert _ws_status(url, {"Origin": origin}) == 403  # no token
    assert _ws_status(url, {**COOKIE, "Origin": "http://evil.example"}) == 403
    assert _ws_status(url, {**COOKIE}) == 403  # a browser always says where the page came from
    assert _ws_status(url, {**COOKIE, "Origin": origin}) == 101


def _descendants(pid: int) -> set[int]:
    """The processes below pid (the TUIs the server started), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_sessions_are_capped_and_a_silent_browser_loses_its_session(inventory: str) -> None:
    import aiohttp

    url, process = start_server(inventory, "--max-sessions", "1", "--heartbeat", "1")
    try:
        fetch(url)
        headers = {**COOKIE, "Origin": url.rstrip("/")}

        async def scenario() -> tuple[int, int, int]:
            # autoping off: this client never answers the server's heartbeat, as a browser that
            # navigated away (or froze the page in its back/forward cache) does not.
            async with aiohttp.ClientSession() as client, client.ws_connect(
                url + "ws", headers=headers, autoping=False
            ) as ws:
                await ws.receive(timeout=BOOT_SECONDS)
                second = await asyncio.to_thread(_ws_status, url, headers)
                full_page = (await asyncio.to_thread(request, url, COOKIE))[0]
                deadline = time.monotonic() + 20
                while not ws.closed and time.monotonic() < deadline:
                    with contextlib.suppress(TimeoutError):
                        await ws.receive(timeout=1)
                return second, full_page, int(ws.closed)

        second, full_page, closed = asyncio.run(scenario())
        assert second == 503 and full_page == 503
        assert closed == 1
        deadline = time.monotonic() + 10
        while _descendants(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _descendants(process.pid) == set()  # its TUI process is gone too
        assert request(url, COOKIE)[0] == 200  # and the place is free again
    finally:
        stop_server(process)


def test_sigterm_stops_the_server_and_its_sessions_quickly_and_quietly(inventory: str) -> None:
    import aiohttp

    url, process = start_server(inventory)
    fetch(url)

    async def hold_a_session() -> None:
        headers = {**COOKIE, "Origin": url.rstrip("/")}
        async with aiohttp.ClientSession() as client, client.ws_connect(url + "ws", headers=headers) as ws:
            await ws.receive(timeout=BOOT_SECONDS)
            assert _descendants(process.pid)
            seconds, err = await asyncio.to_thread(stop_server, process)
            assert seconds < 5, seconds  # about 1 s here; generous for a loaded CI machine
            assert "Event loop is closed" not in err and "Traceback" not in err, err

    asyncio.run(hold_a_session())
    assert process.returncode == 0


def test_the_token_is_printed_in_the_link_and_never_given_to_the_tui_processes(inventory: str) -> None:
    url, process = start_server(inventory, env={"PSNINV_SERVE_TOKEN": ""})
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        line = ""
        while "?token=" not in line and time.monotonic() < deadline:
            line = process.stderr.readline() if process.stderr else ""
        token = line.strip().split("?token=", 1)[1]
        assert len(token) >= 24
        assert request(url)[0] == 403  # up (the link is printed just before it listens), and guarded
        import aiohttp

        async def look() -> list[str]:
            headers = {"Cookie": f"psninv_token={token}", "Origin": url.rstrip("/")}
            async with (
                aiohttp.ClientSession() as client,
                client.ws_connect(url + "ws", headers=headers) as ws,
            ):
                await ws.receive(timeout=BOOT_SECONDS)
                seen = []
                for pid in _descendants(process.pid):
                    with contextlib.suppress(OSError):
                        seen.append(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"))
                        seen.append(Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace"))
                return seen

        seen = asyncio.run(look())
        assert seen and all(token not in text for text in seen)
    finally:
        stop_server(process)


def test_a_browser_imports_only_from_the_import_folder(inventory: str, tmp_path: Path) -> None:
    import aiohttp

    folder = tmp_path / "drop"
    folder.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_text("code,name\nX,root's file\n")
    url, process = start_server(inventory, "--allow-writes", "--import-dir", str(folder))
    try:
        fetch(url)

        async def session() -> bytes:
            seen = bytearray()
            headers = {**COOKIE, "Origin": url.rstrip("/")}
            async with aiohttp.ClientSession() as client, client.ws_connect(
                url + "ws?width=160&height=40", headers=headers
            ) as ws:
                await _until(ws, seen, b"Dashboard")
                await ws.send_json(["stdin", "i"])
                await _until(ws, seen, b"import folder")
                seen.clear()
                await ws.send_json(["stdin", "../secret.csv\r"])
                await _until(ws, seen, b"only files in the import folder")
            return bytes(seen)

        after = asyncio.run(session())
        assert b"only files in the import folder" in after and b"root's file" not in after
    finally:
        stop_server(process)


async def _until(ws: Any, seen: bytearray, *texts: bytes) -> None:
    import aiohttp

    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline and not all(text in seen for text in texts):
        try:
            message = await ws.receive(timeout=2)
        except TimeoutError:
            continue
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            return
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data


def test_a_browser_export_leaves_nothing_on_the_server(inventory: str, tmp_path: Path) -> None:
    import aiohttp

    scratch = tmp_path / "tmp"  # the server's (and its TUIs') temporary folder
    scratch.mkdir()
    url, process = start_server(inventory, env={"TMPDIR": str(scratch)})
    try:
        fetch(url)

        async def session() -> bytes:
            seen = bytearray()
            headers = {**COOKIE, "Origin": url.rstrip("/")}
            async with aiohttp.ClientSession() as client, client.ws_connect(
                url + "ws?width=160&height=40", headers=headers
            ) as ws:
                await _until(ws, seen, b"Dashboard")
                await ws.send_json(["stdin", "x"])
                await _until(ws, seen, b"Save as")
                seen.clear()
                await ws.send_json(["stdin", "\x13"])  # Ctrl+S exports
                await _until(ws, seen, b"to your browser")
            return bytes(seen)

        seen = asyncio.run(session())
        assert b"to your browser" in seen
        assert [p.name for p in scratch.iterdir() if p.name.startswith("psninv-export-")] == []
    finally:
        stop_server(process)
