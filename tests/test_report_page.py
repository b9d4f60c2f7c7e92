"""`psninv report FILE.html` (or .pdf): one self-contained page, its figures the analysis's and plan's."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from builders import CHROMIUM, CHROMIUM_QUIET
from builders import run_cli as run
from PIL import Image

from psninv.analysis import analyse
from psninv.analysis.plan import make_plan
from psninv.inventory import Inventory
from psninv.report import build_report, render_report
from psninv.report.figures import kind_figure
from psninv.report.pdf import BROWSER_ENV
from psninv.style import money, signed_money

ZOO = Path(__file__).parent / "data" / "topology-zoo"


@pytest.fixture(scope="module")
def page(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    result = run("report", str(path), "--db", sample_db)
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.stderr and "84 changes" in result.stderr
    return path


class _Page(HTMLParser):
    """What a browser would fetch from a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.fetched.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def words(parser: _Page) -> str:
    return re.sub(r"\s+", " ", " ".join(parser.text))


def test_the_page_needs_nothing_from_elsewhere(page: Path) -> None:
    parsed = parse(page)
    assert parsed.scripts == 0
    assert parsed.fetched and all(url.startswith("data:image/png;base64,") for url in parsed.fetched)
    assert "default-src 'none'" in page.read_text(encoding="utf-8")  # the browser is told so too


def test_its_figures_are_the_analysis_and_the_plans(page: Path, sample: Inventory) -> None:
    analysis = analyse(sample)
    plan = make_plan(sample)
    text = words(parse(page))
    by_severity = analysis.by_severity
    assert f"{by_severity['critical']} critical gaps" in text
    assert f"{len(analysis.findings)} findings in all" in text
    assert f"{money(analysis.sharing.total_annual_cost_gbp)} annual circuit cost" in text
    # The plan's headline, as `psninv plan` prints it.
    assert (
        f"{money(plan.totals.savings_gbp)} a year saved by sharing, {plan.critical_closed()} critical gaps "
        f"closed, net {signed_money(-plan.totals.net_gbp)} a year" in text
    )
    worst = sorted(
        (f for f in analysis.findings if f.category.value == "redundancy"),
        key=lambda f: (f.severity.rank, -f.sites_cut_off, -f.demand_mbps_lost, f.id),
    )[:10]
    positions = [text.index(finding.title) for finding in worst]
    assert positions == sorted(positions)  # the ten worst, worst first
    for code, bill in plan.by_tenant.items():
        if bill.change_gbp:
            assert signed_money(bill.change_gbp) in text, code


def test_a_partners_report_shows_its_part(sample_db: str, sample: Inventory, tmp_path: Path) -> None:
    path = tmp_path / "mpft.html"
    result = run("report", str(path), "--tenant", "NHS-MPFT", "--no-plan", "--db", sample_db)

    assert result.exit_code == 0, result.output
    text = words(parse(path))
    assert "Midlands Partnership University NHS Foundation Trust (NHS-MPFT)" in text
    own = {code for code, site in sample.sites.items() if site["tenant"] == "NHS-MPFT"}
    report = build_report(sample, tenant="NHS-MPFT", with_plan=False)
    assert report.sites == len(sample.for_tenant("NHS-MPFT").sites) - len(
        sample.for_tenant("NHS-MPFT").references
    )
    assert own and report.findings < len(analyse(sample).findings)
    assert "Left out (--no-plan)." in text
    assert run("report", str(tmp_path / "x.html"), "--tenant", "NOPE", "--db", sample_db).exit_code == 2


def test_stored_markup_and_escape_codes_are_shown_as_text(build, tmp_path: Path) -> None:
    inventory = build(
        tenants=[{"code": "T", "name": "<script>alert(1)</script>", "sector": "health"}],
        sites=[
            {
                "code": "A",
                "name": "Core <b>",
                "role": "core",
                "tenant": "T",
                "district": "$x^2$ \x1b[31mred",
                "latitude": 52.8,
                "longitude": -2.1,
            },
            {
                "code": "B",
                "name": "Clinic \x1b]8;;http://evil\x07",
                "tenant": "T",
                "district": "$x^2$ \x1b[31mred",
                "latitude": 52.9,
                "longitude": -2.0,
            },
        ],
        links=[{"circuit_id": "C1", "a_site": "A", "b_site": "B", "annual_cost_gbp": 1000}],
    )
    html = render_report(build_report(inventory, today=None))

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\x1b" not in html and "evil" not in html.split("<footer")[0].split("</header>")[0]


def test_an_uncosted_network_has_an_unknown_bill_and_an_empty_one_draws(tmp_path: Path, databases) -> None:
    db = databases.new()
    assert run("import", str(ZOO / "Janetbackbone.graphml"), "--db", db).exit_code == 0
    path = tmp_path / "zoo.html"
    assert run("report", str(path), "--db", db).exit_code == 0
    text = words(parse(path))
    assert "unknown annual circuit cost" in text and "£0 annual" not in text

    empty = build_report(Inventory(), with_plan=False)
    assert empty.findings == 0 and empty.map.drawn_sites == 0
    assert "No redundancy gap" in render_report(empty)


def test_refusals_write_nothing(sample_db: str, tmp_path: Path) -> None:
    taken = tmp_path / "old.html"
    taken.write_text("old", encoding="utf-8")
    again = run("report", str(taken), "--no-plan", "--db", sample_db)
    assert again.exit_code == 1 and "--force" in again.stderr and taken.read_text() == "old"
    wrong = run("report", str(tmp_path / "report.docx"), "--db", sample_db)
    assert wrong.exit_code == 2 and ".html" in wrong.output and ".pdf" in wrong.output
    assert not (tmp_path / "report.docx").exists()


def test_a_pdf_without_a_browser_to_print_it_is_refused_before_any_work(
    sample_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "no-such-browser"))
    refused = run("report", str(tmp_path / "report.pdf"), "--db", sample_db)
    assert refused.exit_code == 1 and "no-such-browser names no browser" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.output
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser on the PATH either
    monkeypatch.delenv(BROWSER_ENV)
    bare = run("report", str(tmp_path / "report.pdf"), "--db", sample_db)
    assert bare.exit_code == 1 and "apt install chromium" in bare.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_browser_that_prints_nothing_leaves_nothing_behind(
    sample_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BROWSER_ENV, "false")  # starts, prints nothing, exits 1
    old = tmp_path / "report.pdf"
    old.write_bytes(b"%PDF-1.4 an older report")
    failed = run("report", str(old), "--no-plan", "--force", "--db", sample_db)
    assert failed.exit_code == 1 and "printed no PDF (exit status 1" in failed.stderr
    assert old.read_bytes() == b"%PDF-1.4 an older report" and [p.name for p in tmp_path.iterdir()] == [
        "report.pdf"
    ]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed here")
def test_report_pdf_is_the_page_printed_on_a4(sample_db: str, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    result = run("report", str(pdf), "--db", sample_db)
    assert result.exit_code == 0, result.output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 50_000  # the map and charts, not an empty page
    # A4 (595 x 842 pt), as the page's @page rule asks, on several pages.
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", data)
    assert len(boxes) >= 3 and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed here")
def test_headless_chromium_draws_the_page(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_QUIET,
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.is_file(), "chromium wrote no screenshot"
    with Image.open(shot) as image:
        pixels = image.convert("RGB").resize((120, 160))
        colours = pixels.getcolors(maxcolors=120 * 160)
    assert colours is not None
    not_white = sum(count for count, rgb in colours if sum(rgb) < 3 * 235)
    assert len(colours) > 50 and not_white > 0.05 * 120 * 160  # text, map and charts, not a blank page


@pytest.mark.parametrize("kinds", [1, 3, 13])
def test_the_kind_charts_legend_sits_under_its_axis_title_however_few_the_kinds(kinds: int) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = kind_figure({f"kind-{i}": {"medium": 1, "low": i + 1} for i in range(kinds)})
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # lays the axis title out under the tick labels
    renderer = canvas.get_renderer()
    (axes,) = figure.axes
    legend = axes.get_legend().get_window_extent(renderer)
    title = axes.xaxis.label.get_window_extent(renderer)
    ticks = [label.get_window_extent(renderer) for label in axes.get_xticklabels() if label.get_text()]
    assert title.y0 > legend.y1 and all(tick.y0 > legend.y1 for tick in ticks)


def _stand_in_browser(folder: Path, title: str) -> Path:
    """A program standing in for a browser: it prints a one-page PDF with this title where it is told to."""
    script = folder / "stand-in-browser"
    script.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do case "$arg" in --print-to-pdf=*) out="${arg#--print-to-pdf=}";; esac; done\n'
        f'for arg in "$@"; do page="$arg"; done; echo "$page" > "{folder}/page-read"\n'
        f"printf '%%PDF-1.4\\n1 0 obj << /Title {title} >> endobj\\n%%%%EOF\\n' > \"$out\"\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("(report.html)", False),  # the browser could not read the page and printed its error page
        ("(Network report \\227 The whole network)", True),  # the report, punctuation spelt its own way
        ("<FEFF004E006500740077006F0072006B0020007200650070006F00720074>", False),  # "Network report" alone
    ],
)
def test_a_pdf_is_kept_only_if_it_is_the_report_printed(
    sample_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, title: str, kept: bool
) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    monkeypatch.setenv(BROWSER_ENV, str(_stand_in_browser(tools, title)))
    out = tmp_path / "out"
    out.mkdir()
    result = run("report", str(out / "report.pdf"), "--no-plan", "--db", sample_db)
    if kept:
        assert result.exit_code == 0, result.output
        assert (out / "report.pdf").read_bytes().startswith(b"%PDF-1.4")
    else:
        assert result.exit_code == 1 and "printed another page" in result.stderr
        assert not (out / "report.pdf").exists()
    # The page it read was written beside the PDF (a sandboxed browser reads no one else's /tmp),
    # and is gone.
    page = (tools / "page-read").read_text(encoding="utf-8").strip()
    assert page.startswith(out.as_uri() + "/.report-") and page.endswith(".html")
    assert sorted(p.name for p in out.iterdir()) == (["report.pdf"] if kept else [])
