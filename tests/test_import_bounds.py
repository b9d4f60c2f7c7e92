"""Hostile files made here, imported by the real command under a memory cap: one line, exit 1, no write.

Each file once made the import abort (calamine asked for 550 GB), or grow without bound, or
expand XML entities. The command runs in a child process whose address space is capped, so a
regression shows as a crash or a MemoryError here, not as a machine that swaps.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import digest

from psninv.io.limits import DEFAULT_LIMITS
from psninv.store import Store

MEMORY_LIMIT = 3 * 1024**3
"""The child's address space: the import's own bound is 1.5 GB of memory actually used."""

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/{sheet}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>'
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="sites" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="{target}"/></Relationships>'
)


def workbook(path: Path, far_cell: str, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """A 2 KB workbook: a header, one site, and one more cell written as `far_cell`."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is>'
        f"<t>S1</t></is></c>{far_cell}</row></sheetData></worksheet>"
    )
    target = member[3:] if member.startswith("xl/") else f"/{member}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheet=member))
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(target=target))
        archive.writestr(member, sheet)
    assert path.stat().st_size < 4096
    return path


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def import_capped(path: Path, db: str) -> subprocess.CompletedProcess[str]:
    """`psninv import FILE` in a child whose address space is capped."""
    return subprocess.run(
        [sys.executable, "-m", "psninv", "import", str(path), "--db", db],
        capture_output=True,
        text=True,
        preexec_fn=_capped,  # noqa: PLW1509 - the child runs nothing but the import
        timeout=300,
        check=False,
    )


def assert_refused(path: Path, store: Store, *words: str) -> str:
    """The import of `path` ends with exit 1 and one error line naming the file, and writes nothing."""
    before = digest(store)
    result = import_capped(path, store.url)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr and "memory allocation" not in result.stderr
    said = " ".join(result.stderr.split())
    assert path.name in said
    for word in words:
        assert word in said, said
    assert digest(store) == before
    return said


FAR_CELLS = {
    "single-quoted": "<c r='XFD1048576' t=\"inlineStr\"><is><t>x</t></is></c>",
    "spaced": '<c r = "XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
    "on a new line": '<c\nr="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
}


@pytest.mark.parametrize("how", list(FAR_CELLS))
def test_a_far_cell_however_quoted_is_refused_before_calamine(store: Store, tmp_path: Path, how: str) -> None:
    path = workbook(tmp_path / how.replace(" ", "-") / "sites.xlsx", FAR_CELLS[how])
    assert_refused(path, store, "16,384 columns")


@pytest.mark.parametrize("member", ["xl/sheet1.xml", "custom/data.xml"])
def test_a_far_cell_in_a_sheet_stored_anywhere_is_refused(store: Store, tmp_path: Path, member: str) -> None:
    path = workbook(tmp_path / member.replace("/", "-") / "sites.xlsx", FAR_CELLS["single-quoted"], member)
    assert_refused(path, store, "16,384 columns")


def test_a_cell_reference_written_with_character_references_is_refused(store: Store, tmp_path: Path) -> None:
    path = workbook(tmp_path / "sites.xlsx", '<c r="X&#70;D1048576" t="inlineStr"><is><t>x</t></is></c>')
    assert_refused(path, store, "character references")


def test_an_ordinary_workbook_of_the_same_shape_imports(store: Store, tmp_path: Path) -> None:
    path = workbook(tmp_path / "sites.xlsx", "<c r='B2' t=\"inlineStr\"><is><t>Leek</t></is></c>")
    result = import_capped(path, store.url)
    assert result.returncode == 0, result.stderr
    assert store.load().sites["S1"]["name"] == "Leek"


_LAUGHS = (
    '<!DOCTYPE g [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)
_GRAPH = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">'
    '<node id="&d;"/><node id="b"/><edge source="&d;" target="b"/></graph></graphml>'
)


def test_an_entity_bomb_behind_a_long_comment_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "laughs.graphml"
    path.write_text(f'<?xml version="1.0"?><!--{"x" * 1_100_000}-->{_LAUGHS}{_GRAPH}')
    assert_refused(path, store, "DTD or XML entities")


def test_an_entity_bomb_in_utf16_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "laughs16.graphml"
    path.write_bytes(f'<?xml version="1.0" encoding="UTF-16"?>{_LAUGHS}{_GRAPH}'.encode("utf-16"))
    assert_refused(path, store, "DTD or XML entities")


def test_a_csv_past_the_cell_limit_is_refused_while_it_is_read(store: Store, tmp_path: Path) -> None:
    # Two-character cells, 100 to a row: the shape that once took 4.3 GB for 64 MB of text.
    rows = DEFAULT_LIMITS.max_cells // 100 + 10
    line = ",".join(["ab"] * 100) + "\n"
    path = tmp_path / "sites.csv"
    with path.open("w") as handle:
        handle.write(",".join(["code", "name"] + [f"c{i}" for i in range(98)]) + "\n")
        handle.writelines(line for _ in range(rows))
    assert_refused(path, store, f"more than {DEFAULT_LIMITS.max_cells:,} cells")


def test_a_csv_past_the_row_limit_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    with path.open("w") as handle:
        handle.write("code\n")
        handle.writelines(f"S{i}\n" for i in range(DEFAULT_LIMITS.max_rows + 1))
    assert_refused(path, store, f"more than {DEFAULT_LIMITS.max_rows:,} rows")
