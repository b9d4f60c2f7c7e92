"""The report as a PDF: its page printed by a headless Chromium or Chrome, where one is installed."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psninv.atomic import replacing
from psninv.errors import ReportError, file_error

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


def print_pdf(page: str, pdf: Path) -> Path:
    """Print an HTML page (its text) to a PDF file, replaced whole; ReportError where no browser can.

    The page is written beside the PDF for the browser to read: a sandboxed browser (Ubuntu's
    Chromium snap) cannot read another program's /tmp. The PDF is kept only if it is that page
    (its title is the page's), never a browser's "file not found" page printed in its place.
    """
    browser = find_browser()
    if browser is None:
        raise no_browser(pdf)
    title = _page_title(page)
    with (
        replacing(pdf) as part,
        _beside(pdf, page) as source,
        tempfile.TemporaryDirectory(prefix="psninv-pdf-") as profile,
    ):
        args = [browser, *_QUIET, f"--user-data-dir={profile}", f"--print-to-pdf={part}", source.as_uri()]
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
        printed = _pdf_title(part)
        # Compared by their ASCII letters and digits: a PDF may spell punctuation its own way.
        if printed is not None and title and _letters(printed) != _letters(title):
            raise ReportError(
                f"{pdf}: {browser} printed another page ({printed!r}), not the report: it may not be "
                f"allowed to read {pdf.parent.resolve()}; nothing was written (set {BROWSER_ENV} to another)"
            )
    return pdf


@contextmanager
def _beside(pdf: Path, page: str) -> Iterator[Path]:
    """The page in a hidden file beside the PDF, removed afterwards."""
    try:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{pdf.stem}-", suffix=".html", dir=pdf.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
    except OSError as error:
        raise file_error(pdf, error, "write it") from None
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _page_title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    return html.unescape(found.group(1)).strip() if found else ""


_TITLE = re.compile(rb"/Title\s*(?:<([0-9A-Fa-f\s]*)>|\(((?:\\.|[^\\)])*)\))")
_ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3})")
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_title(path: Path) -> str | None:
    """The title in a PDF's document information, or None where none can be read (never a guess)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    titles = list(_TITLE.finditer(data))
    if not titles:
        return None
    found = titles[-1]  # a later update of the document information wins
    if found.group(1) is not None:
        raw = bytes.fromhex(found.group(1).decode("ascii"))
    else:
        raw = _ESCAPE.sub(_unescape, found.group(2))
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace").strip()
    return raw.decode("latin-1").strip()


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(5) == b"%PDF-"
    except OSError:
        return False


def _unescape(escape: re.Match[bytes]) -> bytes:
    code = escape.group(1)
    if code.isdigit():
        return bytes([int(code, 8) & 0xFF])
    return _ESCAPED.get(code, code)


def _letters(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "", text).lower()
