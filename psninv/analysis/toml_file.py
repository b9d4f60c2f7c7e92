"""Reading the TOML files that tune the analysis (policy, tariff), with one line naming file and line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from psninv.errors import InputError, file_error

# tomllib puts the place at the end of its message: "... (at line 3, column 7)".
_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def read_toml(path: str | Path, what: str, error: type[InputError] = InputError) -> dict[str, Any]:
    """The parsed TOML file at path, or `error` naming the file (and the line) and what is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(str(file_error(path, exc, f"read the {what} file"))) from None
    except UnicodeDecodeError:
        raise error(f"{path}: not valid TOML: the {what} file is not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        place = _PLACE.search(message)
        if place is None:
            raise error(f"{path}: not valid TOML: {message}") from None
        line, column = place.groups()
        reason = message[: place.start()]
        raise error(f"{path}, line {line}, column {column}: not valid TOML: {reason}") from None
