"""The report as one self-contained HTML page: Jinja2 fills the template, pictures are inlined."""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from psninv import __version__
from psninv.atomic import replacing
from psninv.report.content import Report
from psninv.report.pdf import print_pdf
from psninv.style import SEVERITY_COLOURS, money, plural, signed_money


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("psninv.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = lambda value: "unknown" if value is None else money(value)
    environment.filters["signed_money"] = signed_money
    environment.filters["plural"] = plural
    environment.filters["count"] = lambda value: f"{value:,}"
    return environment


def render_report(report: Report) -> str:
    """The report as HTML text: no script, no link to anything outside the page."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        colours=SEVERITY_COLOURS,
        map_png=base64.b64encode(report.map.png).decode("ascii"),
        version=__version__,
    )


def write_report(report: Report, path: str | Path) -> Path:
    """Write the report to path, its page (.html) or that page printed (.pdf); replaced whole.

    A failed write leaves the old file. A PDF is printed by a headless Chromium or Chrome
    (psninv.report.pdf): ReportError where none is installed.
    """
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        return print_pdf(render_report(report), path)
    with replacing(path) as part:
        part.write_text(render_report(report), encoding="utf-8")
    return path
