"""Forgiving header matching: case, spacing, punctuation, currency and units, from columns.py's synonyms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from psninv.records import COLUMNS, ENTITY_ALIASES, ENTITY_KEYS, SINGULAR, Column

_NOT_WORD = re.compile(r"[\W_]+")

# Unit words a header may end in, with the factor to Mbit/s; tried only when nothing else matched.
_RATE_UNITS: dict[str, float] = {
    "bps": 1e-6,
    "bit s": 1e-6,
    "kbps": 1e-3,
    "kbit s": 1e-3,
    "kb s": 1e-3,
    "kbits": 1e-3,
    "mbps": 1.0,
    "mbit s": 1.0,
    "mb s": 1.0,
    "mbits": 1.0,
    "mbit": 1.0,
    "gbps": 1e3,
    "gbit s": 1e3,
    "gb s": 1e3,
    "gbits": 1e3,
    "gbit": 1e3,
}
_MONEY_UNITS = ("gbp", "pounds", "per annum", "pa", "p a")


def normalise(text: str) -> str:
    """A header or sheet name reduced to lower-case words: 'Annual Rental (£)' -> 'annual rental'."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def entity_for_name(name: str) -> str | None:
    """The entity a sheet or file name stands for ('Sites', 'ip_prefixes', 'netbox-circuits'), if one."""
    words = normalise(name)
    if words in _ENTITY_NAMES:
        return _ENTITY_NAMES[words]
    padded = f" {words} "
    found = {entity for alias, entity in _ENTITY_NAMES.items() if f" {alias} " in padded}
    return found.pop() if len(found) == 1 else None


_ENTITY_NAMES = {normalise(alias): entity for alias, entity in ENTITY_ALIASES.items()}


@dataclass(frozen=True, slots=True)
class Target:
    """A column a header can mean, with the factor its values are multiplied by (None: as they are)."""

    column: Column
    scale: float | None = None


@dataclass(frozen=True, slots=True)
class Matched:
    """A header of the file matched to a column."""

    index: int
    header: str
    column: Column
    scale: float | None


@dataclass(slots=True)
class HeaderMap:
    """How a table's headers map onto an entity's columns, and what could not be mapped."""

    matched: dict[str, Matched] = field(default_factory=dict)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[str | None, str]] = field(default_factory=list)
    """(header, message) pairs that stop the import: duplicates, ambiguities, missing keys."""


@cache
def _index(entity: str) -> tuple[dict[str, list[Target]], dict[str, list[Target]]]:
    # Canonical names win over synonyms, so "tenant" in a sites sheet is the tenant column
    # even though another entity lists it as a synonym of its code.
    exact: dict[str, list[Target]] = {}
    loose: dict[str, list[Target]] = {}
    for column in COLUMNS[entity]:
        _add(exact, normalise(column.name), Target(column))
        for synonym in column.synonyms:
            _add(loose, normalise(synonym), Target(column))
        for synonym, factor in column.scaled_synonyms.items():
            _add(loose, normalise(synonym), Target(column, factor))
    return exact, loose


def _add(index: dict[str, list[Target]], key: str, target: Target) -> None:
    targets = index.setdefault(key, [])
    if all(t.column.name != target.column.name for t in targets):
        targets.append(target)


def candidates(entity: str, header: str) -> list[Target]:
    """The columns a header could mean in an entity's sheet: none, one, or (ambiguous) several."""
    exact, loose = _index(entity)
    key = normalise(header)
    if not key:
        return []
    for index in (exact, loose):
        if key in index:
            return index[key]
    return _by_unit(entity, key)


def _by_unit(entity: str, key: str) -> list[Target]:
    # "Bandwidth (Gbps)", "Port speed kbit/s", "Annual rental GBP": a known header plus a unit.
    exact, loose = _index(entity)
    for unit, factor in _RATE_UNITS.items():
        if key.endswith(" " + unit):
            base = key[: -len(unit) - 1]
            found = [
                Target(t.column, None if factor == 1.0 else factor)
                for t in exact.get(base, []) + loose.get(base, [])
                if t.column.name.endswith("_mbps") and t.scale is None
            ]
            if found:
                return found[:1]
    for unit in _MONEY_UNITS:
        if key.endswith(" " + unit):
            base = key[: -len(unit) - 1]
            found = [t for t in exact.get(base, []) + loose.get(base, []) if t.column.name.endswith("_gbp")]
            if found:
                return found[:1]
    return []


def key_columns(entity: str) -> tuple[str, ...]:
    """The columns every table of an entity must have: its natural key, less parts with a default."""
    # A prefix's vrf is part of its key, but a blank or missing vrf means the global table.
    required = {c.name for c in COLUMNS[entity] if c.required}
    return tuple(name for name in ENTITY_KEYS[entity] if name in required)


def quoted(header: str, width: int = 60) -> str:
    """A header quoted for a message, cut short when a hostile file makes it huge."""
    return repr(header if len(header) <= width else header[: width - 1] + "…")


def match_headers(entity: str, headers: list[str], *, where: str) -> HeaderMap:
    """Map a table's header cells onto the entity's columns; `where` names the table in messages."""
    result = HeaderMap()
    claimed: dict[str, list[Matched]] = {}
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        targets = candidates(entity, header)
        if not targets:
            result.unknown.append((index, header))
        elif len(targets) > 1:
            names = " or ".join(t.column.name for t in targets)
            message = f"header {quoted(header)} could mean {names}: rename it to one of them"
            result.problems.append((header, message))
        else:
            target = targets[0]
            claimed.setdefault(target.column.name, []).append(
                Matched(index, header, target.column, target.scale)
            )
    for name, matches in claimed.items():
        if len(matches) > 1:
            shown = " and ".join(quoted(m.header) for m in matches)
            if len({normalise(m.header) for m in matches}) == 1:
                message = f"column {quoted(matches[0].header)} appears {len(matches)} times: keep one"
            else:
                message = f"columns {shown} all mean {name}: keep one of them"
            result.problems.append((matches[1].header, message))
        else:
            result.matched[name] = matches[0]
    for name in key_columns(entity):
        if name not in result.matched and name not in claimed:
            shown = ", ".join(quoted(h, 30) for h in headers[:20] if h.strip()) or "none"
            message = f"{where} has no {name} column, which every {SINGULAR[entity]} needs (headers: {shown})"
            result.problems.append((None, message))
    return result
