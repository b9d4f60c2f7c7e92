"""The report as a PDF: its page printed by a headless Chromium or Chrome, where one is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from psninv.atomic import replacing
from psninv.errors import ReportError

BROWSER_ENV = "PSNINV_BROWSER"
"""A browser to print with, by name or path, where none of BROWSERS is on the PATH."""

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
TIMEOUT_S = 180

# The browser prints one local page: its background services have nothing to do.
_QUIET = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
)


def find_browser() -> str | None:
    """The browser that prints PDFs: PSNINV_BROWSER, else the first of BROWSERS on the PATH (None: none)."""
    chosen = os.environ.get(BROWSER_ENV, "").strip()
    if chosen:
        return shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def no_browser(pdf: Path) -> ReportError:
    """The error for a PDF that no browser here can print: what to install, or what to fix."""
    chosen = os.environ.get(BROWSER_ENV, "").strip()
    if chosen:
        why = f"{BROWSER_ENV}={chosen} names no browser on this machine"
    else:
        why = (
            "a PDF is printed by Chromium or Google Chrome, and neither is installed "
            "(Debian: apt install chromium)"
        )
    return ReportError(f"{pdf}: {why}: nothing was written; write the .html page instead")


def print_pdf(page: Path, pdf: Path) -> Path:
    """Print an HTML page to a PDF file (replaced whole); ReportError where no browser can print it."""
    browser = find_browser()
    if browser is None:
        raise no_browser(pdf)
    with replacing(pdf) as part, tempfile.TemporaryDirectory(prefix="psninv-pdf-") as profile:
        args = [browser, *_QUIET, f"--user-data-dir={profile}", f"--print-to-pdf={part}", page.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to start as root with its sandbox on
        try:
            done = subprocess.run(
                args, capture_output=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired:
            raise ReportError(f"{pdf}: {browser} did not print the page within {TIMEOUT_S} s") from None
        except OSError as error:
            raise ReportError(f"{pdf}: {browser} could not be started ({error.strerror or error})") from None
        if not _is_pdf(part):
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            why = said[-1][:200] if said else "it said nothing"
            raise ReportError(f"{pdf}: {browser} printed no PDF (exit status {done.returncode}: {why})")
    return pdf


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(5) == b"%PDF-"
    except OSError:
        return False
