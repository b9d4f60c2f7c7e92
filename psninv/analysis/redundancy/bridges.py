"""bridge: a circuit whose loss splits the network (parallel circuits are never bridges)."""

from __future__ import annotations

from psninv.analysis.finding import Kind, Severity
from psninv.analysis.redundancy.context import Context


def find(ctx: Context) -> None:
    """Record every bridge with the sites on its far side from the core."""
    s, net = ctx.s, ctx.net
    for e in s.bridges:
        a, b = net.edge_a[e], net.edge_b[e]
        below = b if s.pedge[b] == e else a
        cut, _ = s.bridge_cut(below)
        subject = net.edge_ids[e]
        sites = [net.codes[a], net.codes[b]]
        if not cut.count:
            ctx.add(
                Kind.BRIDGE,
                subject,
                Severity.LOW,
                f"Circuit {ctx.link_label(e)} splits the network in two; each side keeps a core",
                sites=sites,
                links=[subject],
                impact=ctx.impact(cut, splits_network=True),
                remedy="Add a second link between the two sides so each core stays reachable from both.",
            )
            continue
        proposed = ctx.proposals_for(below) if s.in_core_component(below) else []
        side = "" if s.in_core_component(below) else " (the smaller side; there is no core)"
        ctx.add(
            Kind.BRIDGE,
            subject,
            ctx.grade(cut),
            f"Circuit {ctx.link_label(e)} is the only path for {ctx.cut_words(cut)}{side}",
            sites=sites,
            links=[subject],
            impact=ctx.impact(cut),
            remedy=ctx.remedy_text(
                proposed, "Add a link from the cut-off side to another site, avoiding this circuit."
            ),
            proposed=proposed,
        )
