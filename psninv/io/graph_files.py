"""Reading topology files, GraphML and GML, into raw tables of sites and links (networkx parses them)."""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx

from psninv.io.graph_dialects import (
    LATITUDE_KEYS,
    LONGITUDE_KEYS,
    NAME_KEYS,
    Arc,
    clashes,
    first_present,
    flatten_nested,
    fold_opposite_arcs,
    geographic,
    reencoded,
)
from psninv.io.issues import cell_display
from psninv.io.limits import Limits
from psninv.io.raw import ZIP_MAGIC, RawTable, ReadResult, first_line

GRAPH_GENERATOR = "psninv"
"""The graph attribute `generator` of psninv's own GraphML export."""

_SITE_ALIASES = {"label": "name", "Latitude": "latitude", "Longitude": "longitude"}
# networkx and graph tools add these; they are not inventory columns.
_DROPPED = frozenset({"id", "key", "version", "LinkSpeedRaw"})
_LINK_ENDS = ("circuit_id", "a_site", "b_site")


def read_graph(
    path: Path, display: str, suffix: str, encoding: str | None, limits: Limits, result: ReadResult
) -> None:
    data = path.read_bytes()
    if data.startswith(ZIP_MAGIC):
        result.error(display, "this is a zip file (an .xlsx workbook?), not a graph: name it .xlsx")
        return
    if suffix == ".graphml" and _declares_a_dtd(data):
        # Entity declarations are how XML bombs expand; graph files never need a DTD.
        result.error(display, "the file declares a DTD or XML entities, which are not accepted")
        return
    kind = "GraphML" if suffix == ".graphml" else "GML"
    groups: tuple[str, ...] = ()
    try:
        if suffix == ".graphml":
            if encoding:
                data = reencoded(data, encoding)
            flat = flatten_nested(data)
            groups = flat.groups
            graph = _parse_graphml(flat.data)
        else:
            graph = _parse_gml(data, encoding)
    except UnicodeDecodeError as error:
        result.error(display, _undecodable(error, encoding))
        return
    except LookupError:
        result.error(display, f"unknown text encoding {encoding!r}: use e.g. utf-8, latin-1 or cp1252")
        return
    except (
        ElementTree.ParseError,
        nx.NetworkXError,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
    ) as error:
        result.error(display, f"not a valid {kind} file ({type(error).__name__}: {first_line(error)})")
        return
    if graph.number_of_nodes() > limits.max_rows or graph.number_of_edges() > limits.max_rows:
        result.error(display, f"the graph has more than {limits.max_rows:,} nodes or edges")
        return
    if graph.number_of_nodes() == len(groups):
        result.error(display, f"the {kind} graph has no nodes: nothing to import from it")
        return
    ours = str(graph.graph.get("generator", "")).strip().casefold() == GRAPH_GENERATOR
    if ours:
        _our_graph(graph, display, suffix, result)
    else:
        _foreign_graph(graph, path.stem, display, groups, result)


def _undecodable(error: UnicodeDecodeError, encoding: str | None) -> str:
    byte = error.object[error.start : error.start + 1].hex()
    read_as = encoding or "UTF-8"
    advice = (
        "check --encoding"
        if encoding
        else "import it again with --encoding latin-1 (or --encoding cp1252 for Windows files)"
    )
    return f"the file is not {read_as} text (byte 0x{byte} at offset {error.start}): {advice}"


def _declares_a_dtd(data: bytes) -> bool:
    """True if the XML declares a document type or entities anywhere (behind a long comment too)."""
    if b"\0" in data[:4]:
        # UTF-16 or UTF-32 (the XML spec's other encodings): the markup is only found in the text.
        for encoding in ("utf-32", "utf-16"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return "<!DOCTYPE" in text or "<!ENTITY" in text
        return True  # neither: expat would refuse it anyway, so say so without parsing
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data


def _parse_graphml(data: bytes) -> Any:
    # edge_key_type=str keeps circuit ids such as "007" as written.
    return nx.read_graphml(io.BytesIO(data), edge_key_type=str, force_multigraph=True)


def _parse_gml(data: bytes, encoding: str | None) -> Any:
    text = data.decode(encoding or "utf-8", errors="strict").lstrip("\ufeff")
    try:
        return nx.parse_gml(text.splitlines(), label="id")
    except nx.NetworkXError as error:
        if "duplicated" not in str(error):
            raise
    # A simple-graph GML with parallel edges: read it as the multigraph it really is.
    fixed = re.sub(r"\bgraph\s*\[", "graph [\n  multigraph 1", text, count=1)
    return nx.parse_gml(fixed.splitlines(), label="id")


def _edges(graph: Any) -> list[tuple[Any, Any, Any, dict[str, Any]]]:
    if graph.is_multigraph():
        return list(graph.edges(keys=True, data=True))
    return [(u, v, None, data) for u, v, data in graph.edges(data=True)]


def _foreign_graph(
    graph: Any, stem: str, display: str, groups: tuple[str, ...], result: ReadResult
) -> None:
    # Topology Zoo, topohub, Gephi, yEd: only names, coordinates and link speeds mean something to us.
    group_nodes = set(groups)
    if groups:
        result.warn(
            display,
            f"nested graphs flattened: group node{'s' if len(groups) > 1 else ''} "
            f"{', '.join(map(str, groups))} not imported as sites",
            sheet="nodes",
        )
    nodes = [(node, data) for node, data in graph.nodes(data=True) if node not in group_nodes]
    codes = {node: f"{stem}-{node}" for node, _ in nodes}
    for code, sources in clashes(codes).items():
        result.error(
            display,
            f"nodes {', '.join(repr(str(s)) for s in sources)} would all get the site code {code!r}: "
            "give them distinct ids",
            sheet="nodes",
        )
    site_headers = ["code", "name"]
    site_columns: list[list[Any]] = [
        [codes[node] for node, _ in nodes],
        [first_present(data, NAME_KEYS) for _, data in nodes],
    ]
    latitudes = [first_present(data, LATITUDE_KEYS) for _, data in nodes]
    longitudes = [first_present(data, LONGITUDE_KEYS) for _, data in nodes]
    if not any(v is not None for v in latitudes + longitudes):
        xs = [data.get("x") for _, data in nodes]
        ys = [data.get("y") for _, data in nodes]
        if geographic(xs, 180) and geographic(ys, 90):
            latitudes, longitudes = ys, xs
        elif any(v is not None for v in xs + ys):
            result.warn(
                display,
                "x/y are not longitudes and latitudes (some lie outside ±180/±90): read as drawing "
                "positions and not imported",
                sheet="nodes",
            )
    for header, values in (("latitude", latitudes), ("longitude", longitudes)):
        if any(value is not None for value in values):
            site_headers.append(header)
            site_columns.append(values)
    result.tables.append(
        RawTable(
            display,
            "nodes",
            "sites",
            site_headers,
            list(range(1, len(nodes) + 1)),
            [_blank_none(c) for c in site_columns],
            "graph",
        )
    )
    arcs: list[Arc] = []
    for position, (u, v, _key, data) in enumerate(_edges(graph), start=1):
        if u == v:
            result.warn(display, f"edge from node {u} to itself skipped", sheet="edges", row=position)
        elif u in group_nodes or v in group_nodes:
            group = u if u in group_nodes else v
            message = f"edge to group node {group} skipped (a group is not a site)"
            result.warn(display, message, sheet="edges", row=position)
        else:
            arcs.append(Arc(u, v, position, data))
    if graph.is_directed():
        arcs, folded = fold_opposite_arcs(arcs)
        if folded:
            result.warn(
                display,
                f"directed graph: {folded} pair{'s' if folded != 1 else ''} of opposite arcs "
                f"read as one link each ({len(arcs)} links)",
                sheet="edges",
            )
    seen: Counter[tuple[str, str]] = Counter()
    link_rows: list[list[Any]] = []
    numbers: list[int] = []
    for arc in arcs:
        pair = (str(arc.u), str(arc.v))
        n = seen[pair]
        seen[pair] += 1
        bandwidth = _mbps(arc.data.get("LinkSpeedRaw"))
        link_rows.append([f"{stem}-{arc.u}-{arc.v}-{n}", codes[arc.u], codes[arc.v], bandwidth])
        numbers.append(arc.position)
    circuits = {(row[1], row[2], number): row[0] for row, number in zip(link_rows, numbers, strict=True)}
    for circuit, sources in clashes(circuits).items():
        rows = ", ".join(str(number) for *_, number in sources)
        result.error(
            display,
            f"edges at positions {rows} would all get the circuit id {circuit!r} (node ids joined by '-' "
            "are ambiguous): rename the nodes so that no id contains '-'",
            sheet="edges",
        )
    headers = ["circuit_id", "a_site", "b_site"]
    if any(row[3] is not None for row in link_rows):
        headers.append("bandwidth_mbps")
    else:
        link_rows = [row[:3] for row in link_rows]
    columns = (
        [_blank_none(list(c)) for c in zip(*link_rows, strict=True)] if link_rows else [() for _ in headers]
    )
    result.tables.append(RawTable(display, "edges", "links", headers, numbers, columns, "graph"))


def _mbps(bits_per_second: Any) -> float | None:
    # Topology Zoo's LinkSpeedRaw is bit/s, usually a number, sometimes text.
    if isinstance(bits_per_second, bool):
        return None
    try:
        value = float(bits_per_second)
    except (TypeError, ValueError):
        return None
    return value / 1e6 if math.isfinite(value) and value >= 0 else None


def _blank_none(values: Sequence[Any]) -> list[Any]:
    return ["" if value is None else value for value in values]


def _our_graph(graph: Any, display: str, suffix: str, result: ReadResult) -> None:
    # psninv's own export: node ids are site codes, edge keys circuit ids, attributes our columns.
    nodes = list(graph.nodes(data=True))
    # networkx's GML writer keeps node names in `label` and numbers the ids.
    codes = [str(data.get("label", node)) if suffix == ".gml" else str(node) for node, data in nodes]
    names = _attribute_names(data for _, data in nodes)
    pairs: list[tuple[str, str]] = []
    for name in names:
        alias = _SITE_ALIASES.get(name)
        if name in _DROPPED or name == "code" or (alias and (alias in names or suffix == ".gml")):
            continue
        pairs.append((alias or name, name))
    headers = ["code"] + [header for header, _ in pairs]
    columns: list[Sequence[Any]] = [codes] + [[_attr(data, name) for _, data in nodes] for _, name in pairs]
    result.tables.append(
        RawTable(display, "nodes", "sites", headers, list(range(1, len(nodes) + 1)), columns, "graph")
    )
    code_of = dict(zip((node for node, _ in nodes), codes, strict=True))
    edges = _edges(graph)
    extra = [
        name
        for name in _attribute_names(data for *_, data in edges)
        if name not in _DROPPED and name not in _LINK_ENDS
    ]
    rows: list[list[Any]] = []
    for u, v, key, data in edges:
        circuit = data.get("circuit_id", key)
        row = [cell_display(circuit) or "", data.get("a_site", code_of[u]), data.get("b_site", code_of[v])]
        rows.append(row + [_attr(data, name) for name in extra])
    headers = list(_LINK_ENDS) + extra
    link_columns: list[Sequence[Any]] = (
        [list(c) for c in zip(*rows, strict=True)] if rows else [() for _ in headers]
    )
    result.tables.append(
        RawTable(display, "edges", "links", headers, list(range(1, len(rows) + 1)), link_columns, "graph")
    )


def _attribute_names(rows: Any) -> list[str]:
    names: dict[str, None] = {}
    for data in rows:
        for name in data:
            names.setdefault(str(name), None)
    return list(names)


def _attr(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    return "" if value is None else value
