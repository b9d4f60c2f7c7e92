"""The logical topology as a diagram: cores on top, hubs below, access sites grouped by district.

One layout (`layout`) feeds four writers, for design documents and the PSN connection
compliance submission: SVG (`to_svg`), PNG (`to_png`, drawn by matplotlib), draw.io
(`to_drawio`, which diagrams.net opens and lets an engineer rearrange) and Graphviz (`to_dot`,
one cluster per district).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from psninv.atomic import replacing
from psninv.display import clean
from psninv.errors import InputError
from psninv.graph import is_active
from psninv.inventory import Inventory
from psninv.model import CORE_ROLES

FORMATS = {".svg": "svg", ".png": "png", ".drawio": "drawio", ".dot": "dot", ".gv": "dot"}
"""What each file ending writes."""

NODE_W, NODE_H = 112, 34
GAP_X, GAP_Y = 16, 22
PER_ROW = 6  # access sites in a row inside a district's box
MARGIN = 40
ROW_WIDTH = 2000  # district boxes wrap to a new row past this width
NO_DISTRICT = "(no district)"

TIER_STYLE = {
    "core": ("#1f4e79", "#ffffff"),
    "hub": ("#2e7d32", "#ffffff"),
    "access": ("#eef3f8", "#1b1b1b"),
}


@dataclass(slots=True)
class Node:
    """A site where the diagram draws it."""

    code: str
    name: str
    tier: str  # core, hub or access
    district: str
    x: float
    y: float


@dataclass(slots=True)
class Group:
    """A district's box around its hubs and access sites."""

    district: str
    x: float
    y: float
    width: float
    height: float


@dataclass(slots=True)
class Diagram:
    """Where every site, district box and active circuit goes."""

    nodes: dict[str, Node] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # circuit, a site, b site
    width: float = 0.0
    height: float = 0.0


def _tier(role: str | None) -> str:
    if role in CORE_ROLES:
        return "core"
    return "hub" if role == "hub" else "access"


def layout(inventory: Inventory) -> Diagram:
    """Place the sites: cores in a row on top, then one box per district with its hubs over its sites."""
    diagram = Diagram()
    by_district: dict[str, list[tuple[str, str]]] = {}
    cores: list[str] = []
    for code, site in sorted(inventory.sites.items()):
        tier = _tier(site.get("role"))
        if tier == "core":
            cores.append(code)
        else:
            by_district.setdefault(clean(site.get("district")) or NO_DISTRICT, []).append((code, tier))

    # District boxes flow left to right, in rows no wider than ROW_WIDTH, like words in a paragraph.
    x, row_top, row_bottom = MARGIN, MARGIN + NODE_H + 3 * GAP_Y, 0.0
    for district in sorted(by_district, key=lambda name: (name == NO_DISTRICT, name)):
        members = by_district[district]
        hubs = [code for code, tier in members if tier == "hub"]
        access = [code for code, tier in members if tier == "access"]
        columns = max(1, min(PER_ROW, max(len(access), len(hubs))))
        width = columns * (NODE_W + GAP_X) + GAP_X
        if x > MARGIN and x + width > ROW_WIDTH:
            x, row_top = MARGIN, row_bottom + 2 * GAP_Y
        y = row_top + 2 * GAP_Y  # room for the district's name
        for row in (hubs[i : i + columns] for i in range(0, len(hubs), columns)):
            _place_row(diagram, inventory, row, "hub", district, x + GAP_X, y)
            y += NODE_H + GAP_Y
        for row in (access[i : i + columns] for i in range(0, len(access), columns)):
            _place_row(diagram, inventory, row, "access", district, x + GAP_X, y)
            y += NODE_H + GAP_Y
        diagram.groups.append(Group(district, x, row_top, width, y - row_top))
        row_bottom = max(row_bottom, y)
        diagram.height = max(diagram.height, y + MARGIN)
        diagram.width = max(diagram.width, x + width + MARGIN)
        x += width + 2 * GAP_X
    diagram.width = max(diagram.width, len(cores) * (NODE_W + GAP_X) + 2 * MARGIN, 400)
    core_left = (diagram.width - len(cores) * (NODE_W + GAP_X) + GAP_X) / 2
    _place_row(diagram, inventory, cores, "core", "", core_left, MARGIN)
    diagram.height = max(diagram.height, MARGIN * 2 + NODE_H)

    for circuit, link in sorted(inventory.links.items()):
        a, b = link.get("a_site"), link.get("b_site")
        if is_active(link) and a in diagram.nodes and b in diagram.nodes and a != b:
            diagram.edges.append((circuit, a, b))
    return diagram


def _place_row(
    diagram: Diagram,
    inventory: Inventory,
    codes: list[str],
    tier: str,
    district: str,
    left: float,
    top: float,
) -> None:
    for index, code in enumerate(codes):
        name = clean(inventory.sites[code].get("name")) or code
        diagram.nodes[code] = Node(code, name, tier, district, left + index * (NODE_W + GAP_X), top)


def _centre(node: Node) -> tuple[float, float]:
    return node.x + NODE_W / 2, node.y + NODE_H / 2


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_svg(diagram: Diagram, title: str = "Network diagram") -> str:
    """A standalone SVG image of the diagram (no fonts, scripts or images from elsewhere)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{diagram.width:.0f}" '
        f'height="{diagram.height:.0f}" viewBox="0 0 {diagram.width:.0f} {diagram.height:.0f}" '
        'font-family="DejaVu Sans, Arial, sans-serif">',
        f"<title>{escape(clean(title))}</title>",
        f'<rect width="{diagram.width:.0f}" height="{diagram.height:.0f}" fill="#ffffff"/>',
    ]
    for group in diagram.groups:
        out.append(
            f'<g class="district"><rect x="{group.x:.0f}" y="{group.y:.0f}" width="{group.width:.0f}" '
            f'height="{group.height:.0f}" rx="8" fill="#f7f7f2" stroke="#b8b8a8"/>'
            f'<text x="{group.x + GAP_X:.0f}" y="{group.y + 26:.0f}" font-size="15" font-weight="bold" '
            f'fill="#444">{escape(group.district)}</text></g>'
        )
    for circuit, a, b in diagram.edges:
        (x1, y1), (x2, y2) = _centre(diagram.nodes[a]), _centre(diagram.nodes[b])
        out.append(
            f'<line class="link" x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
            'stroke="#8a97a6" stroke-width="1.2" stroke-opacity="0.7">'
            f"<title>{escape(clean(circuit))}</title></line>"
        )
    for node in diagram.nodes.values():
        fill, ink = TIER_STYLE[node.tier]
        out.append(
            f'<g class="site {node.tier}"><title>{escape(f"{node.code} {node.name}")}</title>'
            f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="5" '
            f'fill="{fill}" stroke="#4a5a6a"/>'
            f'<text x="{node.x + NODE_W / 2:.0f}" y="{node.y + 14:.0f}" font-size="11" font-weight="bold" '
            f'text-anchor="middle" fill="{ink}">{escape(_short(clean(node.code)))}</text>'
            f'<text x="{node.x + NODE_W / 2:.0f}" y="{node.y + 27:.0f}" font-size="9" text-anchor="middle" '
            f'fill="{ink}">{escape(_short(node.name, 20))}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_drawio(diagram: Diagram, title: str = "Network diagram") -> str:
    """The diagram as a draw.io (diagrams.net) file: one shape per site, one connector per circuit."""
    cells = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>']
    for index, group in enumerate(diagram.groups):
        cells.append(
            f'<mxCell id="district-{index}" value={quoteattr(group.district)} '
            'style="rounded=1;whiteSpace=wrap;html=0;fillColor=#f7f7f2;strokeColor=#b8b8a8;verticalAlign=top;'
            'align=left;spacingLeft=8;fontStyle=1;" vertex="1" parent="1">'
            f'<mxGeometry x="{group.x:.0f}" y="{group.y:.0f}" width="{group.width:.0f}" '
            f'height="{group.height:.0f}" as="geometry"/></mxCell>'
        )
    ids = {code: f"site-{index}" for index, code in enumerate(diagram.nodes)}
    for code, node in diagram.nodes.items():
        fill, ink = TIER_STYLE[node.tier]
        cells.append(
            f'<mxCell id="{ids[code]}" value={quoteattr(f"{clean(code)}&#10;{node.name}")} '
            f'style="rounded=1;whiteSpace=wrap;html=0;fillColor={fill};fontColor={ink};strokeColor=#4a5a6a;'
            f'fontSize=10;" vertex="1" parent="1"><mxGeometry x="{node.x:.0f}" y="{node.y:.0f}" '
            f'width="{NODE_W}" height="{NODE_H}" as="geometry"/></mxCell>'
        )
    for index, (circuit, a, b) in enumerate(diagram.edges):
        cells.append(
            f'<mxCell id="link-{index}" value="" tooltip={quoteattr(clean(circuit))} '
            'style="endArrow=none;strokeColor=#8a97a6;" edge="1" parent="1" '
            f'source="{ids[a]}" target="{ids[b]}"><mxGeometry relative="1" as="geometry"/></mxCell>'
        )
    return (
        '<mxfile host="psninv" type="device">'
        f'<diagram id="psninv" name={quoteattr(clean(title))}>'
        f'<mxGraphModel dx="{diagram.width:.0f}" dy="{diagram.height:.0f}" grid="1" gridSize="10" '
        f'pageWidth="{diagram.width:.0f}" pageHeight="{diagram.height:.0f}"><root>'
        + "".join(cells)
        + "</root></mxGraphModel></diagram></mxfile>\n"
    )


def _dot_id(text: str) -> str:
    return '"' + clean(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(diagram: Diagram, title: str = "Network diagram") -> str:
    """The diagram as Graphviz source: cores ranked first, one cluster per district."""
    lines = [
        f"graph {_dot_id(title)} {{",
        "  graph [rankdir=TB, fontname=Helvetica, newrank=true];",
        '  node [shape=box, style="rounded,filled", fontname=Helvetica, fontsize=10];',
        '  edge [color="#8a97a6"];',
    ]
    cores = [node for node in diagram.nodes.values() if node.tier == "core"]
    lines.append("  { rank=min;")
    for node in cores:
        lines.append(
            f"    {_dot_id(node.code)} [label={_dot_id(node.code + chr(10) + node.name)}, "
            f'fillcolor="{TIER_STYLE["core"][0]}", fontcolor=white];'
        )
    lines.append("  }")
    for index, group in enumerate(diagram.groups):
        lines.append(
            f'  subgraph cluster_{index} {{ label={_dot_id(group.district)}; style=rounded; color="#b8b8a8";'
        )
        for node in diagram.nodes.values():
            if node.district == group.district and node.tier != "core":
                fill, ink = TIER_STYLE[node.tier]
                lines.append(
                    f"    {_dot_id(node.code)} [label={_dot_id(node.code + chr(10) + node.name)}, "
                    f'fillcolor="{fill}", fontcolor="{ink}"];'
                )
        lines.append("  }")
    for circuit, a, b in diagram.edges:
        lines.append(f"  {_dot_id(a)} -- {_dot_id(b)} [tooltip={_dot_id(circuit)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


MAX_PNG_PIXELS = 40_000_000
"""Pixels a PNG may have (about 6,000 × 6,000): an SVG or draw.io file suits a larger network."""


def to_png(diagram: Diagram, title: str = "Network diagram") -> bytes:
    """The diagram as a PNG picture, drawn as the SVG is (matplotlib, no fonts from elsewhere)."""
    import io

    import matplotlib as mpl
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    if diagram.width * diagram.height > MAX_PNG_PIXELS:
        raise InputError(
            f"the diagram would be {diagram.width:,.0f} × {diagram.height:,.0f} pixels, too large "
            "for a PNG: write it as .svg or .drawio"
        )
    with mpl.rc_context({"text.parse_math": False, "font.family": "sans-serif"}):
        figure = Figure(figsize=(diagram.width / 100, diagram.height / 100), dpi=100)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(0, diagram.width)
        axes.set_ylim(diagram.height, 0)  # y grows downwards, as in the SVG
        axes.set_axis_off()
        axes.set_title(clean(title))
        for group in diagram.groups:
            box = FancyBboxPatch(
                (group.x, group.y), group.width, group.height, boxstyle="round,pad=0,rounding_size=8",
                facecolor="#f7f7f2", edgecolor="#b8b8a8", linewidth=1,
            )
            axes.add_patch(box)
            axes.text(group.x + GAP_X, group.y + 22, group.district, fontsize=11, fontweight="bold",
                      color="#444")
        nodes = diagram.nodes
        segments = [(_centre(nodes[a]), _centre(nodes[b])) for _circuit, a, b in diagram.edges]
        axes.add_collection(LineCollection(segments, colors="#8a97a6", linewidths=0.9, alpha=0.7))
        for node in diagram.nodes.values():
            fill, ink = TIER_STYLE[node.tier]
            box = FancyBboxPatch(
                (node.x, node.y), NODE_W, NODE_H, boxstyle="round,pad=0,rounding_size=5",
                facecolor=fill, edgecolor="#4a5a6a", linewidth=0.8, zorder=2,
            )
            axes.add_patch(box)
            middle = node.x + NODE_W / 2
            axes.text(middle, node.y + 13, _short(clean(node.code)), ha="center", va="center", fontsize=8,
                      fontweight="bold", color=ink, zorder=3)
            axes.text(middle, node.y + 25, _short(node.name, 20), ha="center", va="center", fontsize=6.5,
                      color=ink, zorder=3)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


WRITERS = {"svg": to_svg, "drawio": to_drawio, "dot": to_dot}


def write_diagram(
    inventory: Inventory, path: str | Path, *, title: str = "Network diagram"
) -> tuple[Path, Diagram]:
    """Write the diagram in the format its file ending names (.svg, .png, .drawio, .dot).

    Returns the path written and the layout drawn.
    """
    target = Path(path).expanduser()
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot tell the diagram format from {target.name!r}: end it in .svg, .png, .drawio or .dot"
        )
    diagram = layout(inventory)
    picture = to_png(diagram, title) if fmt == "png" else None
    with replacing(target) as temporary:
        if picture is not None:
            temporary.write_bytes(picture)
        else:
            temporary.write_text(WRITERS[fmt](diagram, title), encoding="utf-8")
    return target, diagram
