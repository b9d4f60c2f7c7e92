"""What an import found wrong (Issue) and what it did (ImportReport), each printable on one line."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from psninv.store.writes import ChangeRecord

ERROR = "error"
WARNING = "warning"

_VALUE_SHOWN = 80
# Control characters would break the one-line promise of Issue.__str__.
_ONE_LINE = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\x0b": " ", "\x0c": " "})


@dataclass(frozen=True)
class Issue:
    """One problem found in an import, located as precisely as the file allows.

    `row` is the row number the user sees in the spreadsheet (header = row 1) or, in a graph
    file, the position of the node or edge; `column` is the header as written in the file.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str
    level: str = ERROR

    def __str__(self) -> str:
        """One line: where, the offending value, and what is wrong with it."""
        where = [self.file] if self.file else []
        if self.sheet is not None:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        text = ", ".join(where)
        if self.value is not None:
            text += f": {shown_value(self.value)}"
        message = self.message.translate(_ONE_LINE)
        return f"{text} — {message}" if text else message

    def to_dict(self) -> dict[str, Any]:
        """The issue as a JSON-ready dict."""
        return asdict(self)


def shown_value(value: str) -> str:
    """A cell value quoted for a message, on one line and cut short when long."""
    if len(value) > _VALUE_SHOWN:
        value = value[: _VALUE_SHOWN - 1] + "…"
    return repr(value)


def cell_display(value: Any) -> str | None:
    """The text of a raw cell as the user would recognise it: 7.0 shows as 7, dates as ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


@dataclass
class ImportReport:
    """The outcome of one import: its files, every issue, and per entity what was created or updated."""

    files: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    dry_run: bool = False
    batch: str | None = None
    changes: list[ChangeRecord] = field(default_factory=list, repr=False)
    """Each created or updated row with its before and after: the diff a reviewer confirms."""

    @property
    def errors(self) -> list[Issue]:
        """The issues that stop the import."""
        return [issue for issue in self.issues if issue.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        """The issues that do not stop the import."""
        return [issue for issue in self.issues if issue.level != ERROR]

    @property
    def ok(self) -> bool:
        """Whether the import had no error (and so was, or in a dry run would be, written)."""
        return not any(issue.level == ERROR for issue in self.issues)

    @property
    def changed(self) -> bool:
        """Whether any row was (or, in a dry run, would be) created or updated."""
        return any(c.get("created", 0) or c.get("updated", 0) for c in self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            "files": list(self.files),
            "ok": self.ok,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "batch": self.batch,
            "counts": {entity: dict(counts) for entity, counts in self.counts.items()},
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [issue.to_dict() for issue in self.issues],
        }

    def __str__(self) -> str:
        """A short summary: counts per entity and how many errors and warnings."""
        parts = [
            f"{entity}: {c.get('created', 0)} created, {c.get('updated', 0)} updated, "
            f"{c.get('unchanged', 0)} unchanged"
            for entity, c in self.counts.items()
        ]
        parts.append(f"{len(self.errors)} errors, {len(self.warnings)} warnings")
        head = "; ".join(parts)
        lines = [head] + [f"{issue.level}: {issue}" for issue in self.issues[:20]]
        if len(self.issues) > 20:
            lines.append(f"... and {len(self.issues) - 20} more issues")
        return "\n".join(lines)
