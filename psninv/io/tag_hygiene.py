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
        for a, b in _alike_pairs(tags):
            table, index = first[b]
            issues.append(table.issue(index, "srlg", f"`{a}` and `{b}`: the same shared risk?", WARNING))
    return issues


def _alike_pairs(tags: list[str]) -> list[tuple[str, str]]:
    """Pairs of tags (in the order given) whose names are equal but for case, or one is the other's
    first words (`burton` and `burton-stapenhill`).

    Found through a lookup of each name's leading words, not by comparing every pair: an import of
    100k sites carries tens of thousands of distinct tags.
    """
    position = {tag: i for i, tag in enumerate(tags)}
    by_name: dict[str, list[str]] = {}
    for tag in tags:
        by_name.setdefault(tag.rpartition(":")[2].casefold(), []).append(tag)
    pairs: set[tuple[str, str]] = set()
    for tag in tags:
        name = tag.rpartition(":")[2].casefold()
        others = [other for other in by_name[name] if other != tag]
        cut = name.find("-")
        while cut >= 0:
            others.extend(by_name.get(name[:cut], ()))
            cut = name.find("-", cut + 1)
        for other in others:
            first, second = sorted((tag, other), key=position.__getitem__)
            pairs.add((first, second))
    return sorted(pairs, key=lambda pair: (position[pair[0]], position[pair[1]]))
