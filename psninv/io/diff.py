"""An import's changes field by field (entity, key, field, before → after), as reviews show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from psninv.store import ChangeRecord


def shown(value: Any) -> str:
    """A stored value as a reviewer reads it: dates ISO, whole numbers without .0, lists ';'-joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(part) for part in value) or "—"
    return str(value)



def change_rows(changes: Sequence[ChangeRecord]) -> list[tuple[str, str, str, str, str, str]]:
    """Rows (change, entity, key, field, before, after): one per new row, one per changed field."""
    rows = []
    for change in changes:
        if change.action == "create":
            after = change.after or {}
            filled = [(name, value) for name, value in after.items() if value not in (None, "")]
            fields = ", ".join(f"{name}={shown(value)}" for name, value in filled)
            rows.append(("create", change.entity, change.key, "", "", fields))
            continue
        before, after = change.before or {}, change.after or {}
        for name in after:
            if name in before and before[name] == after[name]:
                continue  # a key column, carried to name the row
            old, new = shown(before.get(name)), shown(after[name])
            rows.append((change.action, change.entity, change.key, name, old, new))
    return rows
