"""shared-risk: sites with link-disjoint paths that one SRLG event, or one provider's outage, cuts off."""

from __future__ import annotations

from psninv.analysis.diversity import GroupCut, SharedRisk, provider_groups, srlg_groups
from psninv.analysis.finding import Kind
from psninv.analysis.redundancy.context import Context
from psninv.analysis.severity import shift


def find(ctx: Context) -> None:
    """Record the sites one SRLG or one provider cuts off, and keep the groups in ctx.risks."""
    s, net = ctx.s, ctx.net
    risks = ctx.risks
    if not s.has_core:
        return
    candidates = [v for v in range(net.n) if s.paths_to_core(v) >= 2 and not net.core[v]]
    if not candidates:
        return
    wanted = [False] * net.n
    for v in candidates:
        wanted[v] = True
    tags = srlg_groups(s)
    labels = SharedRisk(s, tags.values())
    by_site: dict[int, list[GroupCut]] = {}
    for tag, edges in tags.items():
        group = labels.group_cut(tag, edges, wanted.__getitem__)
        if group is None:
            continue
        for v in group.links:
            if wanted[v]:
                by_site.setdefault(v, []).append(group)
    for v, groups in by_site.items():
        groups.sort(key=lambda g: (-g.cut.count, g.name))
        group = groups[0]
        risks.srlg[v] = group
        code = net.codes[v]
        links = sorted(net.edge_ids[e] for e in group.links[v])
        others = [g.name for g in groups[1:]]
        also = f" (also {', '.join(others[:3])})" if others else ""
        ctx.add(
            Kind.SHARED_RISK,
            code,
            ctx.grade(group.cut),
            f"One {group.name} fault cuts off {ctx.label(v)}"
            + (f" and {group.cut.count - 1} more sites" if group.cut.count > 1 else ""),
            sites=[code],
            links=links,
            impact=ctx.impact(group.cut, srlg=group.name, shared_by=[g.name for g in groups]),
            remedy=f"Re-route one of {', '.join(links[:4])} away from {group.name}{also} "
            "(another duct, route or exchange).",
        )

    providers = provider_groups(s)
    risks.providers = len(providers)
    # One provider carrying every path is looked for only where policy wants diverse paths.
    wanting = [False] * net.n
    for v in candidates:
        need = ctx.need[v]
        wanting[v] = need.paths >= 2 or need.provider_diverse
    if len(providers) < 2 or not any(wanting):
        return
    for name, edges in providers.items():
        group = labels.group_cut(name, edges, wanting.__getitem__)
        if group is None:
            continue
        for v in group.links:
            if wanting[v] and v not in risks.provider:
                risks.provider[v] = group
    for v, group in sorted(risks.provider.items()):
        if v in risks.srlg:
            continue
        code = net.codes[v]
        # The finding is about this site; the outage's full reach is a count (it may be most sites).
        own = s.single(v)
        ctx.add(
            Kind.SHARED_RISK,
            code,
            shift(ctx.grade(own), -2),
            f"{ctx.label(v)}: every path rides {group.name}, one provider outage cuts it off",
            sites=[code],
            links=sorted(net.edge_ids[e] for e in net.adj[v]),
            impact=ctx.impact(own, provider=group.name, provider_outage_sites_cut_off=group.cut.count),
            remedy=f"Move one of {code}'s paths to another provider.",
        )
