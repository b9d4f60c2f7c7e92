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


# The package graph, bottom up: a unit may import units of lower layers only (domain units may
# import each other). __init__ (the library's front door) and __main__ sit above everything.
LAYERS: dict[str, int] = {
    **dict.fromkeys(
        ("errors", "records", "model", "inventory", "_gc", "atomic", "display", "style", "graph", "sample"), 0
    ),
    "migrations": 0,
    **dict.fromkeys(("store", "analysis", "diagram"), 1),
    **dict.fromkeys(("io", "session", "report"), 2),
    "changes": 3,
    "tui": 4,
    "cli": 5,  # the command line starts the TUI (psninv tui, demo, serve); the TUI never calls the CLI
}
FRONT_DOORS = {"__init__", "__main__"}


def _unit(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _package_imports() -> list[tuple[str, str, str, list[str]]]:
    """Every import of one psninv unit by another: (importer file, importer unit, imported unit, names)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        unit = _unit(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            module = node.module or "" if isinstance(node, ast.ImportFrom) else ""
            if isinstance(node, ast.ImportFrom) and node.level == 0 and module.startswith("psninv."):
                target, names = module.split(".")[1], [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names if a.name.startswith("psninv.")]
                if not modules:
                    continue
                target, names = modules[0].split(".")[1], []
            else:
                continue
            if target != unit:
                found.append((str(path.relative_to(PACKAGE)), unit, target, names))
    return found


def test_every_unit_has_a_layer() -> None:
    units = {_unit(path) for path in PACKAGE.rglob("*.py")} - FRONT_DOORS
    assert units <= set(LAYERS), sorted(units - set(LAYERS))


def test_units_import_only_lower_layers() -> None:
    offenders = [
        f"{where} ({unit}, layer {LAYERS[unit]}) imports psninv.{target} (layer {LAYERS[target]})"
        for where, unit, target, _names in _package_imports()
        if unit not in FRONT_DOORS and (LAYERS[target] > LAYERS[unit] or (LAYERS[target] == LAYERS[unit] > 0))
    ]
    assert offenders == []


def test_the_package_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for _where, unit, target, _names in _package_imports():
        graph.setdefault(unit, set()).add(target)
    state: dict[str, int] = {}

    def visit(unit: str, trail: list[str]) -> None:
        state[unit] = 1
        for target in sorted(graph.get(unit, ())):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, unit, target]))
            if target not in state:
                visit(target, [*trail, unit])
        state[unit] = 2

    for unit in sorted(graph):
        if unit not in state:
            visit(unit, [])


def test_no_unit_imports_another_units_private_names() -> None:
    offenders = [
        f"{where} imports {name} from psninv.{target}"
        for where, _unit_name, target, names in _package_imports()
        for name in names
        if name.startswith("_")
    ]
    assert offenders == []


def _runtime_imports(tree: ast.AST) -> list[str]:
    """Modules a tree imports when it runs: not those under `if TYPE_CHECKING:`, which are for hints."""
    found: list[str] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            hints = isinstance(child, ast.If) and isinstance(child.test, ast.Name)
            if hints and child.test.id == "TYPE_CHECKING":
                for other in child.orelse:
                    walk(other)
                continue
            if isinstance(child, ast.ImportFrom) and child.module:
                found.append(child.module)
            elif isinstance(child, ast.Import):
                found.extend(alias.name for alias in child.names)
            walk(child)

    walk(tree)
    return found


def test_screens_reach_the_app_through_its_messages_not_its_module() -> None:
    # The app imports every screen; a screen importing the app back is a cycle, hidden at run time
    # by an import inside a function. Screens post psninv.tui.messages, and name the app in hints.
    tui = PACKAGE / "tui"
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in sorted(tui.rglob("*.py"))
        if path.name not in ("app.py", "__init__.py")
        and "psninv.tui.app" in _runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []
