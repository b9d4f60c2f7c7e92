"""Where the bundled Staffordshire sample inventory lives, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

SAMPLE_NAME = "staffordshire.xlsx"


def sample_path() -> Path:
    """The bundled sample workbook: package data when installed, inventory/ in a checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "data" / SAMPLE_NAME, package.parent / "inventory" / SAMPLE_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"the sample inventory {SAMPLE_NAME} is missing from this install")
