"""The report's pictures, drawn with matplotlib: the network on a map (PNG) and the charts (SVG)."""

from __future__ import annotations

import io
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import median

import matplotlib as mpl
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import ScaledTranslation

from psninv.display import clean
from psninv.graph import is_active, is_live
from psninv.inventory import Inventory
from psninv.model import CORE_ROLES
from psninv.style import SEVERITY_COLOURS

INK = "#263238"
QUIET = "#b0bec5"
ROLE_MARKERS = {  # role: (marker, size in points², colour, label)
    "core": ("s", 60, "#1b5e20", "core / data centre"),
    "hub": ("o", 34, "#006064", "hub"),
    "access": ("o", 6, "#546e7a", "access and other"),
}
LINK_WIDTHS = {"critical": 2.8, "high": 2.3, "medium": 1.7, "low": 0.9, "info": 0.7}
"""Line widths by the worst finding a link carries: the worst stand out."""
MAP_SHARE = 0.8  # of the picture's width; the legend takes the rest
_RC = {
    "text.parse_math": False,  # a district called "$x$" is text, not a formula
    "svg.fonttype": "none",  # text stays text in the SVG: smaller, and the page's font draws it
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.edgecolor": QUIET,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}


@contextmanager
def _style() -> Iterator[None]:
    with mpl.rc_context(_RC), warnings.catch_warnings():
        # A cleaned name shows ESC as ␛, which the bundled font draws as a box: that is the point.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        yield


@dataclass(frozen=True, slots=True)
class MapPicture:
    """The map as PNG bytes, with what it left out."""

    png: bytes
    drawn_sites: int
    unplaced_sites: int


def _role(site: Mapping[str, object]) -> str:
    role = site.get("role")
    if role in CORE_ROLES:
        return "core"
    return "hub" if role == "hub" else "access"


def network_map(
    inventory: Inventory, link_severity: Mapping[str, str], *, width_px: int = 1100
) -> MapPicture:
    """The live sites by role and the active links coloured by the worst finding they carry, districts named.

    `link_severity` maps circuit ids to the severity of the worst finding naming them; other
    links are drawn quiet. Sites without a position are counted, not drawn.
    """
    where: dict[str, tuple[float, float]] = {}
    for code, site in inventory.sites.items():
        lat, lon = site.get("latitude"), site.get("longitude")
        if is_live(site) and lat is not None and lon is not None:
            where[code] = (float(lon), float(lat))
    live = sum(1 for site in inventory.sites.values() if is_live(site))
    with _style():
        # The picture takes the shape of the ground it shows, so the map fills it.
        figure = Figure(figsize=(width_px / 100, width_px * _height_ratio(where.values()) / 100), dpi=100)
        axes = figure.add_axes((0.01, 0.02, MAP_SHARE - 0.01, 0.96))
        axes.set_axis_off()
        if where:
            handles = _draw_network(axes, inventory, where, link_severity)
            figure.legend(handles=handles, loc="upper right", frameon=False, fontsize=9)
        else:
            axes.text(0.5, 0.5, "No site has a position to draw", ha="center", va="center", color=INK)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return MapPicture(buffer.getvalue(), len(where), live - len(where))


def _height_ratio(points: Iterable[tuple[float, float]]) -> float:
    xs, ys = zip(*points, strict=True) if points else ((0.0,), (0.0,))
    squeeze = max(math.cos(math.radians(median(ys))), 0.1)
    wide, tall = (max(xs) - min(xs)) * squeeze, max(ys) - min(ys)
    ratio = tall / wide * MAP_SHARE if wide > 0 else 0.8
    return min(max(ratio * 1.1, 0.45), 0.9)


def _draw_network(
    axes: object,
    inventory: Inventory,
    where: dict[str, tuple[float, float]],
    link_severity: Mapping[str, str],
) -> list[Line2D]:
    by_colour: dict[str, list[tuple[tuple[float, float], tuple[float, float]]]] = defaultdict(list)
    for cid, link in inventory.links.items():
        a, b = where.get(link["a_site"]), where.get(link["b_site"])
        if a is None or b is None or not is_active(link):
            continue
        by_colour[link_severity.get(cid, "")].append((a, b))
    order = ["", *reversed(list(SEVERITY_COLOURS))]  # quiet first, the worst drawn last, on top
    for severity in order:
        segments = by_colour.get(severity)
        if not segments:
            continue
        colour = SEVERITY_COLOURS.get(severity, QUIET)
        width = LINK_WIDTHS.get(severity, 0.6)
        # Rasterised: a 100k-link map stays a picture, not 100k vector paths.
        axes.add_collection(
            LineCollection(segments, colors=colour, linewidths=width, zorder=1, rasterized=True)
        )
    by_role: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for code, point in where.items():
        by_role[_role(inventory.sites[code])].append(point)
    for role in ("access", "hub", "core"):
        points = by_role.get(role)
        if points:
            marker, size, colour, _label = ROLE_MARKERS[role]
            xs, ys = zip(*points, strict=True)
            axes.scatter(
                xs,
                ys,
                s=size,
                marker=marker,
                c=colour,
                edgecolors="white",
                linewidths=0.4,
                zorder=2 if role == "access" else 3,
                rasterized=True,
            )
    _label_districts(axes, inventory, where)
    latitude = median(y for _x, y in where.values())
    axes.set_aspect(1 / max(math.cos(math.radians(latitude)), 0.1))
    axes.autoscale_view()
    axes.margins(0.05)
    handles = [
        Line2D([], [], marker=marker, linestyle="", markersize=math.sqrt(size) + 1, color=colour, label=label)
        for marker, size, colour, label in ROLE_MARKERS.values()
    ]
    handles += [
        Line2D([], [], color=colour, linewidth=2, label=f"link: worst finding {severity}")
        for severity, colour in SEVERITY_COLOURS.items()
        if by_colour.get(severity)
    ]
    handles.append(Line2D([], [], color=QUIET, linewidth=1, label="link: no finding"))
    return handles


def _label_districts(axes: object, inventory: Inventory, where: dict[str, tuple[float, float]]) -> None:
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for code, point in where.items():
        district = inventory.sites[code].get("district")
        if district:
            points[district].append(point)
    # The largest districts first: past 40 labels a map is a wall of text.
    for district, members in sorted(points.items(), key=lambda item: -len(item[1]))[:40]:
        x, y = median(p[0] for p in members), median(p[1] for p in members)
        axes.text(
            x,
            y,
            clean(district)[:40],
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold",
            color=INK,
            alpha=0.85,
            zorder=4,
            path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
        )


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # the XML declaration and doctype have no place inside HTML


def severity_chart(counts: Mapping[str, int]) -> str:
    """Findings by severity as vertical bars, in the severity colours (SVG)."""
    names = list(SEVERITY_COLOURS)
    values = [counts.get(name, 0) for name in names]
    with _style():
        figure = Figure(figsize=(4.2, 2.6))
        axes = figure.add_subplot()
        bars = axes.bar(names, values, color=[SEVERITY_COLOURS[name] for name in names])
        axes.bar_label(bars, labels=[f"{value:,}" for value in values], padding=2, color=INK)
        axes.set_ylabel("findings")
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_ylim(0, max(values + [1]) * 1.18)
        return _svg(figure)


def kind_chart(by_kind: Mapping[str, Mapping[str, int]]) -> str:
    """Findings by kind as horizontal bars split by severity (SVG); kinds with the most at the top."""
    with _style():
        return _svg(kind_figure(by_kind))


def kind_figure(by_kind: Mapping[str, Mapping[str, int]]) -> Figure:
    """The figure of kind_chart, its legend a fixed distance under the axis title."""
    kinds = sorted(by_kind, key=lambda kind: sum(by_kind[kind].values()))
    with _style():
        figure = Figure(figsize=(6.2, 0.32 * max(len(kinds), 2) + 0.8))
        axes = figure.add_subplot()
        left = [0] * len(kinds)
        for severity, colour in SEVERITY_COLOURS.items():
            values = [by_kind[kind].get(severity, 0) for kind in kinds]
            if any(values):
                axes.barh(kinds, values, left=left, color=colour, label=severity, height=0.7)
                left = [a + b for a, b in zip(left, values, strict=True)]
        for y, total in enumerate(left):
            axes.text(total, y, f" {total:,}", va="center", color=INK, fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlim(0, max(left + [1]) * 1.15)
        axes.set_xlabel("findings")
        if kinds:
            # A fixed distance under the axis title, however few kinds (and so however short the axes).
            below = axes.transAxes + ScaledTranslation(0, -0.42, figure.dpi_scale_trans)
            axes.legend(
                loc="upper center",
                bbox_to_anchor=(0.5, 0),
                bbox_transform=below,
                ncol=5,
                fontsize=8,
                frameon=False,
            )
        return figure


def before_after_chart(before: Mapping[str, int], after: Mapping[str, int], severities: Sequence[str]) -> str:
    """Findings of each severity before and after the plan, side by side (SVG)."""
    with _style():
        figure = Figure(figsize=(4.6, 2.6))
        axes = figure.add_subplot()
        xs = range(len(severities))
        width = 0.38
        first = axes.bar(
            [x - width / 2 for x in xs],
            [before.get(s, 0) for s in severities],
            width,
            color=[SEVERITY_COLOURS[s] for s in severities],
            label="now",
        )
        second = axes.bar(
            [x + width / 2 for x in xs],
            [after.get(s, 0) for s in severities],
            width,
            color="white",
            edgecolor=[SEVERITY_COLOURS[s] for s in severities],
            hatch="///",
            label="after the plan",
        )
        for bars in (first, second):
            axes.bar_label(bars, labels=[f"{bar.get_height():,.0f}" for bar in bars], padding=2, fontsize=8)
        axes.set_xticks(list(xs), list(severities))
        axes.set_ylabel("findings")
        axes.spines[["top", "right"]].set_visible(False)
        top = max([before.get(s, 0) for s in severities] + [after.get(s, 0) for s in severities] + [1])
        axes.set_ylim(0, top * 1.2)
        axes.legend(fontsize=8, frameon=False)
        return _svg(figure)
