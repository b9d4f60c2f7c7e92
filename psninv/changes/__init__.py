"""Changes to the inventory one record at a time: edits, deletes, the change log, and reverting it.

The public API of the package; `cli` and `tui` use these names only (tests/test_architecture.py).
"""

from psninv.changes.edits import (
    Dependants,
    EditResult,
    check_record,
    create,
    delete,
    delete_preview,
    entity_name,
    get_record,
    record_key,
    update,
)
from psninv.changes.history import ChangeEntry, actors, count_changes, history, revert, revert_batch
from psninv.errors import ConflictError, EditError, RevertError, ValidationError

__all__ = [
    "ChangeEntry",
    "ConflictError",
    "Dependants",
    "EditError",
    "EditResult",
    "RevertError",
    "ValidationError",
    "actors",
    "check_record",
    "count_changes",
    "create",
    "delete",
    "delete_preview",
    "entity_name",
    "get_record",
    "history",
    "record_key",
    "revert",
    "revert_batch",
    "update",
]
