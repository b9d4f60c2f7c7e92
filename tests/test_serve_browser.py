"""`psninv serve` in a real browser: headless Chromium opens the tokened link, fetching only from here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from builders import CHROMIUM, CHROMIUM_QUIET
from test_serve import TOKEN, fetch, inventory, start_server, stop_server  # noqa: F401 - fixture

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed here")
QUIET = CHROMIUM_QUIET


def test_the_tokened_link_opens_the_app_and_nothing_is_fetched_from_elsewhere(
    inventory: str,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    url, process = start_server(inventory)
    try:
        fetch(url)  # up and answering
        shot, log = tmp_path / "page.png", tmp_path / "net.json"
        subprocess.run(
            [
                str(CHROMIUM),
                *QUIET,
                "--window-size=1280,800",
                "--virtual-time-budget=15000",
                f"--log-net-log={log}",
                f"--screenshot={shot}",
                f"{url}?token={TOKEN}",
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    finally:
        stop_server(process)

    # The page drew something: a screenshot of more than one colour.
    assert shot.is_file()
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5_000

    origin = url.rstrip("/")
    requested = {
        event["params"]["url"]
        for event in json.loads(log.read_text())["events"]
        if event.get("params", {}).get("initiator") == origin and "url" in event["params"]
    }
    assert any(u.endswith("/static/js/textual.js") for u in requested)
    assert any(u.startswith(f"ws://{origin.removeprefix('http://')}/ws") for u in requested)  # the app ran
    assert any("/static/fonts/" in u for u in requested)  # the font, from here
    elsewhere = sorted(u for u in requested if not u.startswith((origin, origin.replace("http", "ws", 1))))
    assert elsewhere == []
