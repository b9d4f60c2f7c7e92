"""single-homed: a site whose active links all go to one neighbour."""

from __future__ import annotations

from psninv.analysis.connectivity import Cut
from psninv.analysis.finding import Kind, Severity
from psninv.analysis.redundancy.context import Context


def find(ctx: Context) -> None:
    """Record every site hanging off a single neighbour, by one circuit or several."""
    s, net = ctx.s, ctx.net
    for v in range(net.n):
        if ctx.degree[v] != 1:
            continue
        neighbour = net.other(net.adj[v][0], v)
        circuits = sorted(net.edge_ids[e] for e in net.adj[v])
        cut = s.single(v)
        core_note = ""
        if net.core[v]:
            # A core hanging off one neighbour cuts off everyone else only if it is the only core.
            cut = Cut() if s.comp_cores[s.comp[v]] > 1 else s.outside(v, s.children[v])
            core_note = "core "
        count = len(circuits)
        how = "one circuit" if count == 1 else f"{count} circuits"
        proposed = ctx.proposals_for(v)
        ctx.add(
            Kind.SINGLE_HOMED,
            net.codes[v],
            ctx.grade(cut) if cut.count else Severity.LOW,
            f"{core_note}{ctx.label(v)} hangs off {net.codes[neighbour]} alone ({how})",
            sites=[net.codes[v], net.codes[neighbour]],
            links=circuits,
            impact=ctx.impact(cut, neighbour=net.codes[neighbour]),
            remedy=ctx.remedy_text(
                proposed,
                f"Add a link from {net.codes[v]} to a second neighbour, away from {net.codes[neighbour]}.",
            ),
            proposed=proposed,
        )
