"""Near-duplicate SRLG tags in an import: spellings canonical_tag does not merge that may mean one risk."""

from __future__ import annotations

from collections.abc import Iterable

from psninv.io.issues import WARNING, Issue
from psninv.io.validate import Table
from psninv.model import srlg_tags


def near_duplicate_tags(tables: Iterable[Table]) -> list[Issue]:
    """A warning per pair of tags of one kind that differ only in case, or where one name extends the other.

    `exchange:Burton` and `exchange:Burton-Stapenhill` may be one exchange or two; psninv cannot
    tell, so it asks, at the first row carrying the second spelling.
    """
    first: dict[str, tuple[Table, int]] = {}
    for table in tables:
        if table.entity != "links" or "srlg" not in table.values:
            continue
        for index, value in enumerate(table.values["srlg"]):
            for tag in srlg_tags(value if isinstance(value, str) else None):
                first.setdefault(tag, (table, index))
    by_kind: dict[str, list[str]] = {}
    for tag in sorted(first):
        kind, _, name = tag.rpartition(":")
        by_kind.setdefault(kind.casefold(), []).append(tag)
    issues: list[Issue] = []
    for tags in by_kind.values():
        names = {tag: tag.rpartition(":")[2].casefold() for tag in tags}
        for i, a in enumerate(tags):
            for b in tags[i + 1:]:
                if _alike(names[a], names[b]):
                    table, index = first[b]
                    issues.append(
                        table.issue(index, "srlg", f"`{a}` and `{b}`: the same shared risk?", WARNING)
                    )
    return issues


def _alike(a: str, b: str) -> bool:
    """Equal but for case, or one name is the other's first words (`burton` and `burton-stapenhill`)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return long.startswith(short + "-")
