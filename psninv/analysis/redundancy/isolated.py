"""isolated-site: a site with no active link."""

from __future__ import annotations

from psninv.analysis.finding import Kind
from psninv.analysis.redundancy.context import Context


def find(ctx: Context) -> None:
    """Record every site with no active link."""
    s, net = ctx.s, ctx.net
    for v in range(net.n):
        if ctx.degree[v] == 0:
            cut = s.single(v)
            ctx.add(
                Kind.ISOLATED_SITE,
                net.codes[v],
                ctx.grade(cut),
                f"{ctx.label(v)} has no active link",
                sites=[net.codes[v]],
                impact=ctx.impact(cut),
                remedy="Connect it: order a circuit to its nearest hub, or mark it ceased if it closed.",
            )
