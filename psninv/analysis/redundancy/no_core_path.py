"""no-core-path: a part of the network that reaches no core while other parts do."""

from __future__ import annotations

from psninv.analysis.finding import Kind
from psninv.analysis.redundancy.context import Context


def find(ctx: Context) -> None:
    """Record each connected part without a core (a lone site with no link is an isolated-site instead)."""
    s, net = ctx.s, ctx.net
    if not s.has_core:
        return
    for k, root in enumerate(s.comp_root):
        if s.comp_cores[k] or (s.size[root] == 1 and ctx.degree[root] == 0):
            continue
        part = s.order[s.disc[root] : s.disc[root] + s.size[root]]
        first = min(part, key=net.codes.__getitem__)
        others = len(part) - 1
        title = f"{ctx.label(first)} reaches no core"
        if others:
            title = f"{ctx.label(first)} and {others} more site{'s' if others != 1 else ''} reach no core"
        cut = s.subtree(root)
        ctx.add(
            Kind.NO_CORE_PATH,
            net.codes[first],
            ctx.grade(cut),
            title,
            sites=sorted(net.codes[v] for v in part),
            impact=ctx.impact(cut),
            remedy="Connect this part to a core, or to a site that reaches one: it is cut off from the core.",
        )
