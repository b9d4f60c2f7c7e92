"""Checking one record, as a form holds it, with the import's cell and row rules (no table needed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from psninv.io.coerce import compile_column
from psninv.io.validate import required_message, self_link_message, unknown_message
from psninv.records import BLANK_MEANS, RECORDS, Kind


@dataclass(frozen=True, slots=True)
class RecordCheck:
    """A record read with the import's rules: its typed fields and the first problem of each field."""

    record: dict[str, Any]
    errors: dict[str, str]


def references(entity: str, record: Mapping[str, Any]) -> dict[str, set[str]]:
    """The codes each referenced entity must hold for the record's references to be good."""
    wanted: dict[str, set[str]] = {}
    for column in RECORDS[entity].columns:
        if column.kind not in (Kind.REF, Kind.REFS) or column.ref is None:
            continue
        value = record.get(column.name)
        codes = value if column.kind is Kind.REFS else [value]
        wanted.setdefault(column.ref, set()).update(str(code) for code in codes or () if code is not None)
    return wanted


def read_record(entity: str, values: Mapping[str, Any]) -> RecordCheck:
    """Read every column of a record with the import's cell rules; absent fields read as blank.

    Values may be text as typed in a form or typed values (a list for a REFS column).
    """
    record: dict[str, Any] = {}
    errors: dict[str, str] = {}
    bad: set[str] = set()
    for column in RECORDS[entity].columns:
        value = values.get(column.name)
        if isinstance(value, list | tuple | set | frozenset):
            value = ";".join(str(part) for part in value)
        reader = compile_column(column, blank=BLANK_MEANS.get((entity, column.name)))
        coerced, problems = reader([value])
        record[column.name] = coerced[0]
        for _index, message in problems:
            errors.setdefault(column.name, message)
            bad.add(column.name)
    for column in RECORDS[entity].columns:
        if column.required and record[column.name] is None and column.name not in bad:
            errors.setdefault(column.name, required_message(column.name))
    if entity == "links" and record["a_site"] is not None and record["a_site"] == record["b_site"]:
        errors.setdefault("b_site", self_link_message(record["a_site"]))
    return RecordCheck(record, errors)


def check_references(check: RecordCheck, entity: str, known: Mapping[str, set[Any]]) -> None:
    """Add to `check` a problem for each reference naming none of the `known` codes of its entity.

    `known` need hold only the stored codes that match the references case-insensitively, so a
    hint can suggest the code meant.
    """
    for column in RECORDS[entity].columns:
        if column.kind not in (Kind.REF, Kind.REFS) or column.ref is None:
            continue
        value = check.record[column.name]
        codes = value if column.kind is Kind.REFS else [value]
        target = known.get(column.ref, set())
        lower = {str(code).casefold(): code for code in target}
        for code in codes or ():
            if code is not None and code not in target:
                message = unknown_message(column.ref, code, lower.get(code.casefold()), import_too=False)
                check.errors.setdefault(column.name, message)
