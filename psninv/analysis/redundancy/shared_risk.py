"""shared-risk: one finding per SRLG event or provider outage that cuts off sites with link-disjoint paths."""

from __future__ import annotations

from psninv.analysis.diversity import GroupCut, SharedRisk, provider_groups, srlg_groups
from psninv.analysis.finding import Kind, Severity
from psninv.analysis.redundancy.context import Context
from psninv.analysis.severity import shift


def find(ctx: Context) -> None:
    """Record each event cutting off a site no single failure does; keep per-site groups in ctx.risks.

    The finding names every site the event cuts off (those behind a bridge too) and every circuit
    of the event, so failing the finding's circuits is failing the event.
    """
    s, net = ctx.s, ctx.net
    risks = ctx.risks
    if not s.has_core:
        return
    candidates = [v for v in range(net.n) if s.paths_to_core(v) >= 2 and not net.core[v]]
    # Part of a network (psninv.analysis.pockets) reports the events the whole reports for sites elsewhere.
    elsewhere = ctx.whole.events if ctx.whole is not None else frozenset()
    if not candidates and not elsewhere:
        return
    wanted = [False] * net.n
    for v in candidates:
        wanted[v] = True
    tags = srlg_groups(s)
    providers = provider_groups(s)
    # Labels as wide as the largest group either kind solves: narrower ones make false cuts for providers.
    labels = SharedRisk(s, [*tags.values(), *providers.values()])
    ctx.labels = labels
    by_site: dict[int, list[GroupCut]] = {}
    for tag, edges in tags.items():
        group = _event(labels, "srlg", tag, edges, wanted, elsewhere)
        if group is None:
            continue
        hidden = [v for v in group.links if wanted[v]]
        for v in hidden:
            by_site.setdefault(v, []).append(group)
        _record(ctx, "srlg", group, edges, hidden, ctx.grade(group.cut),
                f"Re-route the circuits of {{sites}} away from {tag} (another duct, route or exchange).")
    for v, groups in by_site.items():
        groups.sort(key=lambda g: (-g.cut.count, g.name))
        risks.srlg[v] = groups[0]

    risks.providers = len(providers) if ctx.whole is None else ctx.whole.providers
    # One provider carrying every path is looked for only where policy wants diverse paths.
    wanting = [False] * net.n
    for v in candidates:
        need = ctx.need[v]
        wanting[v] = need.paths >= 2 or need.provider_diverse
    if risks.providers < 2 or not (any(wanting) or elsewhere):
        return
    for name, edges in providers.items():
        group = _event(labels, "provider", name, edges, wanting, elsewhere)
        if group is None:
            continue
        hidden = [v for v in group.links if wanting[v]]
        for v in hidden:
            risks.provider.setdefault(v, group)
        fresh = [v for v in hidden if v not in risks.srlg]
        if not fresh and f"provider:{name}" not in elsewhere:
            continue
        # An outage of a whole provider is likelier to be repaired than a flooded exchange: two levels down.
        _record(ctx, "provider", group, edges, fresh, shift(ctx.grade(group.cut), -2),
                f"Move one path of {{sites}} to another provider than {name}.")


def _event(
    labels: SharedRisk, kind: str, name: str, edges: list[int], wanted: list[bool], elsewhere: frozenset[str]
) -> GroupCut | None:
    """What an event cuts off, where that is a wanted site or the whole network reports it elsewhere."""
    group = labels.group_cut(name, edges, wanted.__getitem__)
    if group is None and f"{kind}:{name}" in elsewhere:
        group = labels.event_cut(name, edges)
    return group if group is not None and group.cut.count else None


def _record(
    ctx: Context,
    kind: str,
    group: GroupCut,
    edges: list[int],
    hidden: list[int],
    severity: Severity,
    remedy: str,
) -> None:
    """One shared-risk finding for the event: every site it cuts off, every circuit it fails."""
    net = ctx.net
    hidden_codes = sorted(net.codes[v] for v in hidden)
    cut_off = sorted(net.codes[v] for v in group.links)
    # An event reported for sites elsewhere may hide none here, or cut off only sites behind bridges.
    named = hidden or list(group.links) or [ctx.s.order[start] for start, _ in group.cut.spans]
    first = ctx.label(min(named, key=lambda v: net.codes[v]))
    others = group.cut.count - 1
    event = f"One {group.name} outage" if kind == "provider" else f"One {group.name} fault"
    title = f"{event} cuts off {first}"
    if others:
        title += f" and {others} more site{'s' if others != 1 else ''}"
    shown = ", ".join(hidden_codes[:4])
    if len(hidden_codes) > 4:
        shown += f" and {len(hidden_codes) - 4} more"
    ctx.add(
        Kind.SHARED_RISK,
        f"{kind}:{group.name}",
        severity,
        title,
        sites=cut_off,
        links=sorted(net.edge_ids[e] for e in edges),
        impact=ctx.impact(group.cut, **{kind: group.name}, hidden_sites=hidden_codes),
        remedy=remedy.format(sites=shown),
    )
