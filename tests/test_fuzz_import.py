"""Fuzzing the importer: random bytes, hostile workbooks and odd CSV dialects never give a traceback.

The property for every input: import_files returns a report (it never raises); the import is
either clean or refused with errors; a refused import writes nothing; the command line exits 0
or 1 and never prints a traceback or an internal error. PSNINV_FUZZ_EXAMPLES sets how many
examples each test tries (small by default so the suite stays fast; raise it for a long hunt).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from contextlib import suppress
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
import xlsxwriter
from click.testing import CliRunner
from digest import contents_digest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from psninv.cli.app import get_cli
from psninv.io.importer import import_files
from psninv.records import COLUMNS
from psninv.store import Store

EXAMPLES = int(os.environ.get("PSNINV_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),  # the same examples on every CI run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
ENTITIES = tuple(COLUMNS)
# Every header a real sheet might use: canonical names and synonyms.
HEADERS = sorted({name for columns in COLUMNS.values() for c in columns for name in (c.name, *c.synonyms)})
CATCH_ALL = "cannot read the file ("  # the reader's last resort: reaching it means a bug was hidden

hostile_text = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.text(st.characters(max_codepoint=0x1F), max_size=10),  # NULs and control characters
    st.sampled_from(["=1/0", "=HYPERLINK(\"http://e.vil\")", "+44 1785", "-1", "@SUM(A1)", "007", "1e308",
                     "1e999", "NaN", "inf", "-0", "TRUE", "2024-02-30", "31/12/1899", "10.0.0.0/33", "::/0",
                     "  ", "\ufeff", "a;b;;c", "core", "ACTIVE", "£1,234.50", "1,5", "\u202e\u0000"]),
    st.builds(lambda n, c: c * n, st.integers(1000, 40_000), st.sampled_from("xé€")),  # huge strings
)
numbers = st.one_of(st.integers(-(2**63), 2**63), st.floats(allow_nan=False, allow_infinity=False))
cell = st.one_of(hostile_text, numbers, st.booleans(), st.none(),
                 st.dates(min_value=dt.date(1900, 3, 1)), st.datetimes(min_value=dt.datetime(1900, 3, 1)))
header = st.one_of(st.sampled_from(HEADERS), st.text(max_size=12), st.just(""))
# Plausible values, so that many examples get past reading into validation and writing.
codes = st.sampled_from(["A1", "S-1", "SCC", "007", "10.1.0.0/16", "52.8", "fibre", "hub", "active", ""])


def _import_is_safe(store: Store, db: str, files: list[Path], **options: object) -> None:
    """The property: a report and never an exception; refused imports write nothing; a clean CLI."""
    before = contents_digest(store)
    report = import_files(store, files, **options)  # type: ignore[arg-type]
    messages = [issue.message for issue in report.issues]
    assert all(isinstance(m, str) and m and CATCH_ALL not in m for m in messages), messages
    event("clean import" if report.ok else "refused")
    if not report.ok:
        assert report.errors
        assert contents_digest(store) == before
    else:
        before = contents_digest(store)
    args = ["import", *map(str, files), "--db", db]
    if options.get("kind"):
        args += ["--kind", str(options["kind"])]
    if options.get("encoding"):
        args += ["--encoding", str(options["encoding"])]
    result = CliRunner().invoke(get_cli(), args, catch_exceptions=False)
    # The same files again through the command line: the same verdict (a clean import is now unchanged).
    assert result.exit_code == (0 if report.ok else 1), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if result.exit_code == 1:
        assert contents_digest(store) == before


# --- random bytes ------------------------------------------------------------------------------

MAGIC = [b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<?xml version=\"1.0\"?><graphml",
         b"graph [", b"code,name\n", b"\xd0\xcf\x11\xe0"]


@FUZZ
@given(
    suffix=st.sampled_from([".xlsx", ".csv", ".graphml", ".gml", ".tsv", ".xlsm"]),
    entity=st.sampled_from(ENTITIES),
    start=st.sampled_from(MAGIC),
    data=st.binary(min_size=1, max_size=3000),
)
@example(suffix=".csv", entity="sites", start=b"\xff\xfe", data=b"\x00")
def test_random_bytes(store: Store, db: str, suffix: str, entity: str, start: bytes, data: bytes) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"{entity}{suffix}"
        path.write_bytes(start + data)
        _import_is_safe(store, db, [path])


# --- hostile workbooks -------------------------------------------------------------------------


@st.composite
def workbooks(draw: st.DrawFn) -> list[dict]:
    """Sheets as plans: a name, header cells and rows of cells, some wide, some empty."""
    sheets = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.one_of(st.sampled_from([*ENTITIES, "Sites", "IP prefixes", "README", "Other"]),
                              st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20)))
        if any(sheet["name"].casefold() == name.casefold() for sheet in sheets):
            continue
        width = draw(st.one_of(st.integers(0, 8), st.just(600), st.just(3000)))  # thousands of columns
        entity = next((e for e in ENTITIES if e == name.casefold()), None)
        own = st.sampled_from([c.name for c in COLUMNS[entity]]) if entity else header
        headers = draw(st.lists(st.one_of(own, own, header), min_size=width, max_size=width)) if (
            width < 50) else [f"c{i}" for i in range(width)]
        rows = draw(st.lists(st.lists(st.one_of(codes, cell), max_size=max(1, min(width, 8))), max_size=6))
        sheets.append({"name": name, "headers": headers, "rows": rows,
                       "formula": draw(st.booleans()), "offset": draw(st.integers(0, 2))})
    return sheets


def write_workbook(path: Path, sheets: list[dict]) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False, "nan_inf_to_errors": True})
    for sheet in sheets:
        page = book.add_worksheet(sheet["name"][:31])
        top = sheet["offset"]
        for col, text in enumerate(sheet["headers"]):
            page.write_string(top, col, text)
        for r, values in enumerate(sheet["rows"], start=top + 1):
            for c, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    page.write_datetime(r, c, value, book.add_format({"num_format": "yyyy-mm-dd"}))
                elif isinstance(value, bool):
                    page.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    page.write_number(r, c, float(value))
                else:
                    page.write_string(r, c, value[:32767])
        if sheet["formula"]:
            page.write_formula(top + 1, 0, "=1/0", None, "#DIV/0!")
            page.write_formula(top + 2, 1, '="S"&ROW()', None, "S3")
            page.write_array_formula(top + 3, 0, top + 3, 0, "{=SUM(B1:B2)}")
    book.close()


@FUZZ
@given(sheets=workbooks())
@example(sheets=[{"name": "sites", "headers": ["code", "code", "name"], "rows": [["A", "B", "x"]],
                  "formula": True, "offset": 1}])
@example(sheets=[{"name": "sites", "headers": [], "rows": [], "formula": False, "offset": 0}])
def test_hostile_workbooks(store: Store, db: str, sheets: list[dict]) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.xlsx"
        write_workbook(path, sheets)
        _import_is_safe(store, db, [path])


# --- CSV dialects ------------------------------------------------------------------------------


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes, str | None]:
    """An entity, the bytes of a CSV file written in a random dialect and encoding, and --encoding."""
    entity = draw(st.sampled_from(ENTITIES))
    names = [c.name for c in COLUMNS[entity]]
    width = draw(st.integers(1, 6))
    headers = draw(st.lists(st.one_of(st.sampled_from(names), header), min_size=width, max_size=width))
    texts = st.one_of(codes, hostile_text)
    rows = draw(st.lists(st.lists(texts, min_size=0, max_size=width + 1), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE, csv.QUOTE_NONNUMERIC]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline,
                        escapechar="\\" if quoting == csv.QUOTE_NONE else None)
    for row in [headers, *rows]:
        # A row this dialect cannot write at all (one empty field, unquoted) is left out.
        with suppress(csv.Error):
            writer.writerow([value[:5000] for value in row])
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    told = draw(st.sampled_from([None, encoding, "latin-1", "no-such-codec"]))
    return entity, data, told


@FUZZ
@given(csv_file=csv_files())
@example(csv_file=("sites", "code;name\r\nA;Caf\xe9\r\n".encode("latin-1"), None))
@example(csv_file=("sites", "\ufeffcode,code\nA,B\n".encode("utf-16"), None))
def test_csv_dialects(store: Store, db: str, csv_file: tuple[str, bytes, str | None]) -> None:
    entity, data, encoding = csv_file
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"{entity}.csv"
        path.write_bytes(data)
        _import_is_safe(store, db, [path], encoding=encoding)


# --- GraphML ------------------------------------------------------------------------------------

XML_CHARS = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
GRAPH_TYPES = ["string", "int", "long", "double", "float", "boolean"]
ATTRIBUTES = ["label", "Latitude", "Longitude", "LinkSpeedRaw", "code", "name", "tenant", "role",
              "latitude", "circuit_id", "a_site", "b_site", "bandwidth_mbps", "status", "srlg", "x"]


def _xml(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


@st.composite
def graphml_files(draw: st.DrawFn) -> str:
    """A well-formed GraphML document with random keys, types, values and edges, ours or foreign."""
    keys = draw(st.lists(st.tuples(st.sampled_from(ATTRIBUTES), st.sampled_from(["node", "edge"]),
                                   st.sampled_from(GRAPH_TYPES)), max_size=6, unique_by=lambda k: k[:2]))
    node = st.one_of(codes, st.text(XML_CHARS, min_size=1, max_size=8))
    nodes = draw(st.lists(node, max_size=6, unique=True))
    value = st.one_of(codes, st.text(XML_CHARS, max_size=12),
                      st.integers(-(2**70), 2**70).map(str), st.floats().map(str))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">']
    for index, (name, where, kind) in enumerate(keys):
        lines.append(f'<key id="d{index}" for="{where}" attr.name="{name}" attr.type="{kind}"/>')
    generator = draw(st.sampled_from(["psninv", "", "yEd"]))
    lines.append(f'<graph edgedefault="{draw(st.sampled_from(["undirected", "directed"]))}">')
    if generator:
        lines.append(f'<data key="g">{generator}</data>')
    for node in nodes:
        data = "".join(f'<data key="d{i}">{_xml(draw(value))}</data>'
                       for i, (_, where, _) in enumerate(keys) if where == "node" and draw(st.booleans()))
        lines.append(f'<node id="{_xml(node)}">{data}</node>')
    if nodes:
        for _ in range(draw(st.integers(0, 6))):
            u, v = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            data = "".join(f'<data key="d{i}">{_xml(draw(value))}</data>'
                           for i, (_, where, _) in enumerate(keys) if where == "edge" and draw(st.booleans()))
            key = f' id="{_xml(draw(codes))}"' if draw(st.booleans()) else ""
            lines.append(f'<edge{key} source="{_xml(u)}" target="{_xml(v)}">{data}</edge>')
    lines.append("</graph></graphml>")
    text = "\n".join(lines)
    if generator:
        text = text.replace('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
                            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
                            '<key id="g" for="graph" attr.name="generator" attr.type="string"/>')
    return text


@FUZZ
@given(text=graphml_files())
def test_graphml_documents(store: Store, db: str, text: str) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "net.graphml"
        path.write_text(text, encoding="utf-8")
        _import_is_safe(store, db, [path])


# --- several files in one import ---------------------------------------------------------------


@FUZZ
@given(sheets=workbooks(), csv_file=csv_files())
def test_a_workbook_and_a_csv_file_in_one_import(
    store: Store, db: str, sheets: list[dict], csv_file: tuple[str, bytes, str | None]
) -> None:
    entity, data, _ = csv_file
    with TemporaryDirectory() as folder:
        book, text = Path(folder) / "book.xlsx", Path(folder) / f"{entity}.csv"
        write_workbook(book, sheets)
        text.write_bytes(data)
        _import_is_safe(store, db, [book, text])


@pytest.mark.sqlite_only
def test_the_real_command_prints_no_traceback_for_hostile_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    garbage = tmp_path / "sites.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    nul = tmp_path / "links.csv"
    nul.write_bytes(b"circuit_id,a_site,b_site\n\x00\x00\n")
    done = subprocess.run([sys.executable, "-m", "psninv", "import", "--db", str(tmp_path / "x.db"),
                           str(garbage), str(nul)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "sites.xlsx" in done.stdout + done.stderr
