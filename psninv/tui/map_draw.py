"""Drawing the map: projecting sites, clipping lines and rendering braille strips, with no widgets."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from psninv.display import clean
from psninv.model import CORE_ROLES
from psninv.session import Snapshot
from psninv.tui import colours

# Braille dot bits by (row within the cell, column within the cell).
BRAILLE = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
ROLE_RANK = {"core": 0, "datacentre": 0, "hub": 1}
# Maps with more sites and links than this are drawn in a worker thread.
DRAW_IN_THREAD = 20_000
# Above this many sites in view, access sites are braille dots rather than glyphs.
GLYPH_LIMIT = 400
ZOOM_STEP = 1.5
MAX_DISTRICTS = 60  # the largest districts are named; past that a map is a wall of text

LINE = Style.parse("#5f87af")
LINE_CUT = Style.parse("magenta")
LINE_FAILED = Style.parse("bold red")
ACCESS = Style()  # the widget's own foreground: readable on any theme
FAILED_MARK = Style.parse("bold red")
LABEL = Style.parse("dim")
DISTRICT = Style.parse("bold italic #d7af5f")


@dataclass(slots=True)
class MapData:
    """The located sites projected to a flat plane, and the links between them."""

    coords: dict[str, tuple[float, float]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    order: list[str] = field(default_factory=list)
    unlocated: int = 0
    districts: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Each district's name where its sites are (the median of their positions), largest first."""


def build_map_data(snapshot: Snapshot) -> MapData:
    """Project every located site (equirectangular about the mean latitude) and list drawable links."""
    data = MapData()
    located = [
        (code, site["latitude"], site["longitude"])
        for code, site in snapshot.sites.items()
        if site.get("latitude") is not None and site.get("longitude") is not None
    ]
    data.unlocated = len(snapshot.sites) - len(located)
    if not located:
        return data
    mean_lat = sum(lat for _c, lat, _l in located) / len(located)
    # Shrinking longitude by cos(latitude) keeps distances true at the network's latitude.
    squeeze = math.cos(math.radians(mean_lat))
    for code, lat, lon in located:
        data.coords[code] = (lon * squeeze, lat)
        site = snapshot.sites[code]
        data.roles[code] = site.get("role") or ""
        data.names[code] = clean(site.get("name"))
    xs = [x for x, _y in data.coords.values()]
    ys = [y for _x, y in data.coords.values()]
    data.bounds = (min(xs), min(ys), max(xs), max(ys))
    for cid, link in snapshot.links.items():
        if (link.get("status") or "active") != "active":
            continue
        if link["a_site"] in data.coords and link["b_site"] in data.coords:
            data.links.append((cid, link["a_site"], link["b_site"]))
    data.order = sorted(data.coords, key=lambda c: (ROLE_RANK.get(data.roles[c], 2), c))
    members: dict[str, list[tuple[float, float]]] = {}
    for code, point in data.coords.items():
        district = snapshot.sites[code].get("district")
        if district:
            members.setdefault(clean(district), []).append(point)
    for district, points in sorted(members.items(), key=lambda item: -len(item[1]))[:MAX_DISTRICTS]:
        data.districts[district] = (median(x for x, _y in points), median(y for _x, y in points))
    return data


@dataclass(frozen=True, slots=True)
class View:
    """Where the map looks: the centre in projected units and the dots per unit."""

    cx: float
    cy: float
    scale: float


def fit_view(data: MapData, width: int, height: int) -> View:
    """The view that shows every located site with a margin."""
    minx, miny, maxx, maxy = data.bounds
    span_x = max(maxx - minx, 1e-6)
    span_y = max(maxy - miny, 1e-6)
    scale = 0.92 * min((2 * width - 2) / span_x, (4 * height - 4) / span_y)
    return View((minx + maxx) / 2, (miny + maxy) / 2, max(scale, 1e-6))


@dataclass(frozen=True, slots=True)
class Marks:
    """What the map highlights: failed sites and links, cut-off sites, the selected site."""

    failed: frozenset[str] = frozenset()
    cut_off: frozenset[str] = frozenset()
    selected: str | None = None


def _clip(x0: float, y0: float, x1: float, y1: float, w: float, h: float) -> tuple[float, ...] | None:
    # Liang-Barsky: long links crossing a zoomed-in view are only stepped through where visible.
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0), (dx, w - x0), (-dy, y0), (dy, h - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            if t > t1:
                return None
            t0 = max(t0, t)
        else:
            if t < t0:
                return None
            t1 = min(t1, t)
    return x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy


def _near(row: int, height: int) -> list[int]:
    return [r for r in (row, row - 1, row + 1, row - 2, row + 2) if 0 <= r < height]


def draw_map(data: MapData, view: View, width: int, height: int, marks: Marks) -> list[Strip]:
    """Draw the map into strips: braille lines, glyphs for sites, labels for cores, hubs and selection."""
    if width <= 0 or height <= 0:
        return []
    dots_w, dots_h = 2 * width, 4 * height
    cells = width * height
    bits = bytearray(cells)
    line_kind = bytearray(cells)  # 0 none, 1 normal, 2 to a cut-off site, 3 failed
    glyphs: dict[int, tuple[str, Style, int]] = {}

    def project(x: float, y: float) -> tuple[float, float]:
        return (x - view.cx) * view.scale + dots_w / 2, (view.cy - y) * view.scale + dots_h / 2

    def to_dots(code: str) -> tuple[float, float]:
        return project(*data.coords[code])

    for cid, a, b in data.links:
        ax, ay = to_dots(a)
        bx, by = to_dots(b)
        clipped = _clip(ax, ay, bx, by, dots_w - 1, dots_h - 1)
        if clipped is None:
            continue
        x0, y0, x1, y1 = clipped
        if cid in marks.failed or a in marks.failed or b in marks.failed:
            kind = 3
        elif a in marks.cut_off or b in marks.cut_off:
            kind = 2
        else:
            kind = 1
        steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        for i in range(steps + 1):
            t = i / steps
            px = int(x0 + (x1 - x0) * t)
            py = int(y0 + (y1 - y0) * t)
            cell = (py >> 2) * width + (px >> 1)
            bits[cell] |= BRAILLE[py & 3][px & 1]
            if kind > line_kind[cell]:
                line_kind[cell] = kind

    visible: list[tuple[str, int, int, int]] = []
    for code in data.coords:
        fx, fy = to_dots(code)
        if 0 <= fx < dots_w and 0 <= fy < dots_h:
            px, py = int(fx), int(fy)
            visible.append((code, px, py, (py >> 2) * width + (px >> 1)))
    few = len(visible) <= GLYPH_LIMIT
    for code, px, py, cell in visible:
        role = data.roles.get(code, "")
        if code in marks.failed:
            mark = ("✖", FAILED_MARK, 6)
        elif code in marks.cut_off:
            mark = ("●", colours.CUT_OFF, 5)
        elif role in CORE_ROLES:
            mark = ("◉", colours.CORE, 4)
        elif role == "hub":
            mark = ("◆", colours.HUB, 3)
        elif few:
            mark = ("•", ACCESS, 2)
        else:
            bits[cell] |= BRAILLE[py & 3][px & 1]
            line_kind[cell] = max(line_kind[cell], 1)
            continue
        if code == marks.selected:
            mark = (mark[0], colours.SELECTED, 9)
        current = glyphs.get(cell)
        if current is None or mark[2] > current[2]:
            glyphs[cell] = mark

    # District names first (they say where the viewer is), centred on their sites, never over one.
    taken: set[int] = set()

    def free(cell: int) -> bool:
        # An access site's dot may go under a district's name; a hub, a core or a mark may not.
        return cell not in taken and (cell not in glyphs or glyphs[cell][2] <= 2)

    for district, (x, y) in data.districts.items():
        fx, fy = project(x, y)
        row, col = int(fy) >> 2, (int(fx) >> 1) - len(district) // 2
        if not (0 <= row < height) or len(district) > width:
            continue
        col = min(max(col, 0), width - len(district))
        spans = (range(r * width + col, r * width + col + len(district)) for r in _near(row, height))
        span = next((sp for sp in spans if all(free(i) for i in sp)), None)
        if span is None:
            continue
        for i, ch in zip(span, district, strict=True):
            glyphs[i] = (ch, DISTRICT, 1)
            taken.add(i)

    # Site labels go where they do not cover a site or a district; the selected site's first.
    labelled = sorted(
        (v for v in visible if v[0] == marks.selected or data.roles.get(v[0]) in (*CORE_ROLES, "hub")),
        key=lambda v: (v[0] != marks.selected, ROLE_RANK.get(data.roles.get(v[0], ""), 2), v[0]),
    )
    for code, _px, _py, cell in labelled:
        row, col = divmod(cell, width)
        name = data.names.get(code) or code
        label = f" {code}" if code == marks.selected else f" {name}"
        if code == marks.selected and name and name != code:
            label = f" {code} {name}"
        start, end = col + 1, min(col + 1 + len(label), width)
        span = range(row * width + start, row * width + end)
        crowded = end - start < 3 or any(i in glyphs or i in taken for i in span)
        if crowded and code != marks.selected:
            continue
        style = Style.parse("bold") if code == marks.selected else LABEL
        for i, ch in zip(span, label, strict=False):
            if i not in glyphs:
                glyphs[i] = (ch, style, 1)
                taken.add(i)

    line_styles = (Style(), LINE, LINE_CUT, LINE_FAILED)
    strips: list[Strip] = []
    for row in range(height):
        segments: list[Segment] = []
        run: list[str] = []
        run_style: Style | None = None
        for col in range(width):
            cell = row * width + col
            glyph = glyphs.get(cell)
            if glyph is not None:
                ch, style = glyph[0], glyph[1]
            elif bits[cell]:
                ch, style = chr(0x2800 + bits[cell]), line_styles[line_kind[cell]]
            else:
                ch, style = " ", line_styles[0]
            if style != run_style and run:
                segments.append(Segment("".join(run), run_style))
                run = []
            run_style = style
            run.append(ch)
        if run:
            segments.append(Segment("".join(run), run_style))
        strips.append(Strip(segments, width))
    return strips


