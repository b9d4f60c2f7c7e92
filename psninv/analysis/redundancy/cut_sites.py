"""cut-site: a site whose loss disconnects others (an articulation point)."""

from __future__ import annotations

from psninv.analysis.finding import Kind, Severity
from psninv.analysis.redundancy.context import Context


def find(ctx: Context) -> None:
    """Record every cut site with the sites its loss cuts off."""
    s, net = ctx.s, ctx.net
    for v in s.cut_sites:
        cut, parts = s.site_cut(v)
        code = net.codes[v]
        if not cut.count:
            ctx.add(
                Kind.CUT_SITE,
                code,
                Severity.LOW,
                f"Losing {ctx.label(v)} splits the network into {parts} parts; each keeps a core",
                sites=[code],
                impact=ctx.impact(cut, parts=parts),
                remedy=f"Link the parts around {code} directly so each core stays reachable.",
            )
            continue
        side = "" if s.in_core_component(v) else " (all but the largest part; there is no core)"
        ctx.add(
            Kind.CUT_SITE,
            code,
            ctx.grade(cut),
            f"Losing {ctx.label(v)} cuts off {ctx.cut_words(cut)}{side}",
            sites=[code],
            impact=ctx.impact(cut, parts=parts),
            remedy=f"Give the sites behind {code} a second path that avoids it "
            "(see the bridge and single-homed findings for proposed links).",
        )
