"""psninv's one exception tree: a PsninvError is a problem the user can fix, told in one line.

Our exception hierarchy:

* PsninvError
  x InputError             (also a ValueError: a value, file or option the user gave)
    + CellError            a spreadsheet cell that cannot be read as its column's kind
    + ValidationError      a record that breaks the import's rules, field by field
    + LimitError           an import file too big, too deep or not what its name says
    + TariffError          a tariff TOML file that cannot be used
    + PolicyError          a redundancy policy TOML file that cannot be used
  x ReportError            a report that cannot be written as asked (a PDF with no browser)
  x EditError              an edit refused, nothing written
    + ConflictError        an edit based on a version someone else has since changed
    + RevertError          a revert that later changes depend on
  x StoreError             the inventory database cannot do what was asked
    + ReadOnlyError        a write to an inventory opened read-only
    + MissingDriverError   a database URL whose driver is not installed
    + BackupError          a backup or restore that cannot be done
    + LockTimeoutError     another writer held the inventory too long
    + NoInventoryError     no inventory at the path or URL given (also a FileNotFoundError)
    + DatabaseAccessError  the database is unreachable, refuses us or is not a database
    + SchemaOutdatedError  a reader met an inventory that `psninv init` must upgrade first

Anything else that escapes is a bug: the CLI shows it as an internal error (exit 70) and the
TUI logs it, so a user is never blamed for psninv's own mistakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "BackupError",
    "CellError",
    "ConflictError",
    "DatabaseAccessError",
    "EditError",
    "InputError",
    "LimitError",
    "LockTimeoutError",
    "MissingDriverError",
    "NoInventoryError",
    "PolicyError",
    "PsninvError",
    "ReadOnlyError",
    "ReportError",
    "RevertError",
    "SchemaOutdatedError",
    "StoreError",
    "TariffError",
    "ValidationError",
    "file_error",
]


class PsninvError(Exception):
    """A problem the user can fix; its message is the one line they see."""


# --- input --------------------------------------------------------------------------------------


class InputError(PsninvError, ValueError):
    """A value, file or option the user gave that psninv cannot use."""


class CellError(InputError):
    """A cell that cannot be read as its column's Kind; the message says what was expected."""


class ValidationError(InputError):
    """A record that breaks the import's rules; `errors` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its fields, so that it crosses a process pool intact.
        return type(self), (self.errors,)


class LimitError(InputError):
    """A file breaks a limit or is not what its name says; the message is fit for the user."""


class TariffError(InputError):
    """A tariff file that cannot be used, with the reason."""


class PolicyError(InputError):
    """A policy file that cannot be used, with the reason in one line."""


def file_error(path: str | Path, error: OSError, doing: str = "read it") -> InputError:
    """An InputError naming a file the user gave, for an OSError met reading or writing it."""
    if isinstance(error, FileNotFoundError):
        reason = "no such file or folder"
    elif isinstance(error, PermissionError):
        reason = "permission denied"
    elif isinstance(error, IsADirectoryError):
        reason = "it is a folder"
    elif isinstance(error, NotADirectoryError | FileExistsError):
        # mkdir of a folder where a file stands, or a path through a file
        reason = "part of its folder path is a file"
    else:
        reason = error.strerror or str(error) or type(error).__name__
    return InputError(f"{path}: cannot {doing} ({reason[:1].lower()}{reason[1:]})")


class ReportError(PsninvError):
    """A report that could not be written as asked (a PDF with no browser able to print it)."""


# --- edits --------------------------------------------------------------------------------------


class EditError(PsninvError):
    """An edit that was refused; the message says why in one line, and nothing was written."""


class ConflictError(EditError):
    """An edit based on a stale version; `newer` holds the fields someone else changed, as they are now."""

    def __init__(self, message: str, newer: Mapping[str, Any], current: Mapping[str, Any] | None) -> None:
        super().__init__(message)
        self.newer = dict(newer)
        self.current = dict(current) if current is not None else None

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (str(self), self.newer, self.current)


class RevertError(EditError):
    """A revert that was refused because later changes depend on the change; nothing was written."""


# --- store --------------------------------------------------------------------------------------


class StoreError(PsninvError):
    """The inventory database cannot do what was asked; nothing was changed."""


class ReadOnlyError(StoreError):
    """A write attempted on a store opened read-only."""


class MissingDriverError(StoreError):
    """A database URL that needs a driver which is not installed."""


class BackupError(StoreError):
    """A backup or restore that cannot be done, with a one-line reason."""


class LockTimeoutError(StoreError):
    """A writer gave up waiting for another writer's lock on the inventory."""


class NoInventoryError(StoreError, FileNotFoundError):
    """No inventory at the path or URL given (a FileNotFoundError too, as it was before the tree)."""


class SchemaOutdatedError(StoreError):
    """An inventory older than this psninv, opened by a reader, which never upgrades it."""


class DatabaseAccessError(StoreError):
    """The database cannot be reached or used (refused, full, not a database); `detail` says how."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"database error: {detail}")
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.detail,)
