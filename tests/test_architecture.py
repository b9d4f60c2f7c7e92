"""The core is a plain library: no module outside cli/ and tui/ imports textual or click."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import psninv

PACKAGE = Path(psninv.__file__).resolve().parent
UI_FRAMEWORKS = {"textual", "click", "typer", "rich", "textual_serve"}
UI_PACKAGES = {"cli", "tui"}


def _core_modules() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in UI_PACKAGES and path.name != "__main__.py"
    ]


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_modules_import_no_ui_framework() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & UI_FRAMEWORKS)
        for path in _core_modules()
        if _imported_roots(path) & UI_FRAMEWORKS
    }
    assert offenders == {}


def test_core_modules_do_not_reach_into_cli_or_tui() -> None:
    offenders = []
    for path in _core_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                ("psninv.cli", "psninv.tui")
            ):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_importing_the_library_loads_no_ui_framework() -> None:
    code = (
        "import sys, psninv, psninv.store, psninv.graph, psninv.analysis, psninv.records;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {UI_FRAMEWORKS!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
