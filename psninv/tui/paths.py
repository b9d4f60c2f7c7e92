"""Picking files in the TUI: path completion for an Input, and a tree that shows only importable files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import DirectoryTree

IMPORTABLE = (".xlsx", ".csv", ".graphml", ".gml")
"""The file types the importer reads."""

IMPORT_DIR_ENV = "PSNINV_IMPORT_DIR"
"""Where a TUI served to browsers may import from (`psninv serve --import-dir`); unset, it imports nothing."""


def inside(path: Path, folder: Path) -> Path | None:
    """The path, resolved, if it lies within folder (after links and '..'), else None."""
    resolved = path.resolve()
    return resolved if resolved.is_relative_to(folder.resolve()) else None

# A directory this big is not worth listing on every key press.
_MAX_ENTRIES = 5_000


def complete_path(value: str, suffixes: tuple[str, ...] = ()) -> str | None:
    """The first existing path that extends what was typed (folders end in '/'), or None.

    With `suffixes`, only folders and files with those endings are offered.
    """
    if not value:
        return None
    expanded = os.path.expanduser(value)
    folder, prefix = os.path.split(expanded)
    try:
        with os.scandir(folder or ".") as entries:
            names = []
            for count, entry in enumerate(entries):
                if count >= _MAX_ENTRIES:
                    break
                if not entry.name.startswith(prefix) or entry.name == prefix:
                    continue
                if entry.name.startswith(".") and not prefix.startswith("."):
                    continue
                is_dir = entry.is_dir()
                if not is_dir and suffixes and not entry.name.lower().endswith(suffixes):
                    continue
                names.append(entry.name + ("/" if is_dir else ""))
    except OSError:
        return None
    if not names:
        return None
    # What the user typed stays as typed (a leading ~ is kept); only the completion is added.
    return value + sorted(names)[0][len(prefix) :]


class PathSuggester(Suggester):
    """Suggests the rest of a file or folder name as a path is typed (Tab or → accepts)."""

    def __init__(self, suffixes: tuple[str, ...] = ()) -> None:
        # No cache: files come and go while the screen is open.
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = suffixes

    async def get_suggestion(self, value: str) -> str | None:
        """The completed path, if any file or folder extends the value."""
        return complete_path(value, self.suffixes)


class ImportableTree(DirectoryTree):
    """A directory tree of folders and the files psninv can import, hidden entries left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Keep visible folders and files with an importable ending."""
        kept = []
        for path in paths:
            if path.name.startswith("."):
                continue
            if path.suffix.lower() in IMPORTABLE or self._safe_is_dir(path):
                kept.append(path)
        return kept
