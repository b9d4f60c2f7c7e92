"""Other tools' graph files: nested GraphML flattened, directed arcs folded, names and coordinates found."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

_GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
_GRAPH_TAG = re.compile(rb"<(?:[\w.-]+:)?graph[\s>/]")
_ENCODING_DECLARATION = re.compile(rb"^(<\?xml[^>]*?)\s+encoding\s*=\s*(['\"])[^'\"]*\2", re.ASCII)

NAME_KEYS = ("label", "name", "Label", "Name")
LATITUDE_KEYS = ("Latitude", "latitude", "lat", "Lat")
LONGITUDE_KEYS = ("Longitude", "longitude", "lon", "lng", "long", "Lon")


@dataclass(frozen=True, slots=True)
class Flattened:
    """A GraphML document with its nested graphs lifted to the top, and the group nodes that held them."""

    data: bytes
    groups: tuple[str, ...]


def reencoded(data: bytes, encoding: str) -> bytes:
    """XML bytes in `encoding` as UTF-8, their declaration's encoding dropped (the user's word wins)."""
    text = data.decode(encoding).lstrip("\ufeff").encode("utf-8")
    return _ENCODING_DECLARATION.sub(rb"\1", text, count=1)


def flatten_nested(data: bytes) -> Flattened:
    """Lift the nodes and edges of nested <graph>s into the top graph; their group nodes are listed, not kept.

    networkx reads only the top graph's nodes (and any nested node an edge names), so a yEd or
    Gephi group would otherwise become a site and its members vanish.
    """
    if len(_GRAPH_TAG.findall(data)) < 2:
        return Flattened(data, ())
    root = ElementTree.fromstring(data)
    top = root.find(f"{_GRAPHML_NS}graph")
    if top is None:
        return Flattened(data, ())
    groups: list[str] = []

    def lift(graph: ElementTree.Element, into: ElementTree.Element) -> None:
        for node in graph.findall(f"{_GRAPHML_NS}node"):
            if graph is not into:
                into.append(node)
            for inner in node.findall(f"{_GRAPHML_NS}graph"):
                groups.append(node.get("id", ""))
                node.remove(inner)
                lift(inner, into)
        if graph is not into:
            for edge in graph.findall(f"{_GRAPHML_NS}edge"):
                into.append(edge)

    lift(top, top)
    if not groups:
        return Flattened(data, ())
    return Flattened(ElementTree.tostring(root, encoding="utf-8"), tuple(dict.fromkeys(groups)))


@dataclass(frozen=True, slots=True)
class Arc:
    """One edge as read: its ends, its position in the file and its attributes."""

    u: Any
    v: Any
    position: int
    data: dict[str, Any]


def fold_opposite_arcs(arcs: list[Arc]) -> tuple[list[Arc], int]:
    """One link per pair of opposite arcs (u→v with v→u); arcs left unpaired stay links of their own.

    Returns the links in file order and how many pairs were folded. Two u→v arcs are true
    parallels and stay two links; each v→u arc folds into one of them.
    """
    waiting: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    dropped: set[int] = set()
    folded = 0
    for index, arc in enumerate(arcs):
        partners = waiting.get((arc.v, arc.u))
        if partners:
            dropped.add(index)
            partners.pop(0)
            folded += 1
        else:
            waiting[(arc.u, arc.v)].append(index)
    return [arc for index, arc in enumerate(arcs) if index not in dropped], folded


def first_present(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first of `keys` the attributes hold (blank text counts as absent)."""
    for key in keys:
        value = data.get(key)
        if value is not None and value != "":
            return value
    return None


def geographic(values: list[Any], bound: float) -> bool:
    """True if every given value is a finite number within ±bound (drawing coordinates rarely are all)."""
    numbers = [value for value in values if value is not None and value != ""]
    if not numbers:
        return False
    for value in numbers:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        if not math.isfinite(number) or abs(number) > bound:
            return False
    return True


def clashes(generated: dict[Any, str]) -> dict[str, list[Any]]:
    """Generated codes that two or more sources share, each with those sources (as written in the file)."""
    by_code: dict[str, list[Any]] = defaultdict(list)
    for source, code in generated.items():
        by_code[code].append(source)
    return {code: sources for code, sources in by_code.items() if len(sources) > 1}
