"""The redundancy analyser: every single point of failure, who it cuts off, and the cheapest fix.

Kinds (their names are part of the interface): isolated-site, single-homed, bridge, cut-site,
shared-risk, capacity, below-policy. The metrics, the severity rule and the routing rule are
documented in docs/ANALYSIS.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from psninv._gc import collector_paused
from psninv.analysis.capacity import Overload, Routing, find_overloads
from psninv.analysis.connectivity import (
    Cut,
    Structure,
    analyse_structure,
    build_network,
    worst_criticality,
)
from psninv.analysis.diversity import GroupCut, SharedRisk, disjoint_paths, provider_groups, srlg_groups
from psninv.analysis.finding import Category, Finding, ProposedLink, Severity
from psninv.analysis.policy import Policy, Requirement
from psninv.analysis.remedies import RemedyPlan, plan_remedies
from psninv.analysis.severity import BASE, grade, shift
from psninv.analysis.tariff import Tariff
from psninv.inventory import Inventory
from psninv.model import Criticality

KINDS = ("isolated-site", "single-homed", "bridge", "cut-site", "shared-risk", "capacity", "below-policy")
NEEDS_SECOND_PATH = {Criticality.CRITICAL.value, Criticality.HIGH.value}
_RANK = {severity: rank for rank, severity in enumerate(Severity)}


def find_redundancy(
    inventory: Inventory,
    *,
    policy: Policy | None = None,
    tariff: Tariff | None = None,
    failed: Iterable[str] = (),
) -> tuple[list[Finding], dict[str, Any]]:
    """Find every redundancy gap of the active network (less any failed sites and circuits).

    Returns the findings, worst first, and the redundancy part of the summary.
    """
    with collector_paused():
        return _find(inventory, policy or Policy(), tariff or Tariff(), failed)


def _find(
    inventory: Inventory, policy: Policy, tariff: Tariff, failed: Iterable[str]
) -> tuple[list[Finding], dict[str, Any]]:
    net = build_network(inventory, failed=failed)
    s = analyse_structure(net)
    ctx = _Context(s, policy, tariff)
    plan = plan_remedies(s, ctx.needs_second_path, tariff)
    ctx.plan = plan

    ctx.isolated_and_single_homed()
    ctx.bridges()
    ctx.cut_sites()
    risks = ctx.shared_risks()
    routing = ctx.capacity() if s.has_core else None
    ctx.below_policy(risks)

    findings = sorted(ctx.findings, key=lambda f: (_RANK[f.severity], f.kind, f.id))
    return findings, ctx.summary(findings, plan, routing)


@dataclass(slots=True)
class Risks:
    """Sites one SRLG event or one provider's outage cuts off, with the group that does it."""

    srlg: dict[int, GroupCut] = field(default_factory=dict)
    provider: dict[int, GroupCut] = field(default_factory=dict)
    providers: int = 0


class _Context:
    """Everything the finders share: the structure, the policy and tariff, and the findings so far."""

    def __init__(self, s: Structure, policy: Policy, tariff: Tariff):
        self.s = s
        self.net = s.net
        self.policy = policy
        self.tariff = tariff
        self.findings: list[Finding] = []
        self.plan = RemedyPlan()
        # One requirement per criticality level, looked up per site below instead of asked 100k times.
        levels = {level: policy.requirement(level) for level in set(self.net.crit)}
        self.need = [levels[level] for level in self.net.crit]
        self.degree = [len({self.net.other(e, v) for e in self.net.adj[v]}) for v in range(self.net.n)]

    # ----------------------------------------------------------------------------------------------
    # helpers

    def needs_second_path(self, v: int) -> bool:
        """True for sites that remedies must give two link-disjoint paths to the core."""
        return self.net.crit[v] in NEEDS_SECOND_PATH or self.need[v].paths >= 2

    def label(self, v: int) -> str:
        """A site as a manager reads it: code and, where short enough, name."""
        site = self.net.sites[v]
        name = (site.get("name") or "").strip()
        code = self.net.codes[v]
        if not name:
            return code
        if len(name) > 24:
            name = name[:23].rstrip() + "…"
        return f"{code} ({name})"

    def link_label(self, e: int) -> str:
        """A circuit with its two ends."""
        net = self.net
        return f"{net.edge_ids[e]} ({net.codes[net.edge_a[e]]}–{net.codes[net.edge_b[e]]})"

    def impact(self, cut: Cut, **extra: Any) -> dict[str, Any]:
        """The impact fields every redundancy finding carries."""
        return {
            "sites_cut_off": cut.count,
            "cut_off_sites": self.s.codes(cut),
            "tenants_affected": self.net.tenant_codes(cut.tmask),
            "demand_mbps_lost": round(cut.demand, 3),
            **extra,
        }

    def grade(self, cut: Cut) -> Severity:
        """The severity rule applied to a cut."""
        return grade(
            worst_criticality(cut.cmask),
            sites=cut.count,
            tenants=cut.tmask.bit_count(),
            demand_mbps=cut.demand,
            policy=self.policy,
        )

    def add(
        self,
        kind: str,
        subject: str,
        severity: Severity,
        title: str,
        *,
        sites: list[str],
        links: list[str] = (),  # type: ignore[assignment]
        impact: dict[str, Any],
        remedy: str,
        proposed: list[ProposedLink] = (),  # type: ignore[assignment]
        assumptions: dict[str, Any] | None = None,
    ) -> None:
        """Record one finding."""
        self.findings.append(
            Finding(
                id=f"{kind}:{subject}",
                category=Category.REDUNDANCY,
                kind=kind,
                severity=severity,
                title=title,
                sites=list(sites),
                links=list(links),
                tenants=list(impact.get("tenants_affected", [])),
                impact=impact,
                remedy=remedy,
                proposed_links=list(proposed),
                assumptions=assumptions or {},
            )
        )

    def proposals_for(self, head: int) -> list[ProposedLink]:
        """The proposed links covering the bridge-tree edge above a vertex."""
        return [self.plan.links[i] for i in self.plan.covers.get(head, [])]

    def remedy_text(self, proposed: list[ProposedLink], fallback: str) -> str:
        """A remedy line naming the proposed links, or the fallback advice."""
        if not proposed:
            return fallback
        parts = []
        for link in proposed[:3]:
            if link.length_km is None:
                parts.append(f"{link.a_site}–{link.b_site} (length unknown: no coordinates)")
            else:
                parts.append(
                    f"{link.a_site}–{link.b_site} ({link.length_km:.1f} km, £{link.annual_cost_gbp:,.0f}/yr)"
                )
        more = f" and {len(proposed) - 3} more" if len(proposed) > 3 else ""
        return "Add a new link " + "; ".join(parts) + more + " to give a second path."

    def cut_words(self, cut: Cut) -> str:
        """'3 sites of 2 tenants' for titles (the demand is in the impact)."""
        tenants = cut.tmask.bit_count()
        words = f"{cut.count} site{'s' if cut.count != 1 else ''}"
        if tenants > 1:
            words += f" of {tenants} tenants"
        return words

    # ----------------------------------------------------------------------------------------------
    # isolated-site and single-homed

    def isolated_and_single_homed(self) -> None:
        """A site with no active link; a site whose active links all go to one neighbour."""
        s, net = self.s, self.net
        for v in range(net.n):
            if self.degree[v] == 0:
                cut = s.single(v)
                self.add(
                    "isolated-site",
                    net.codes[v],
                    self.grade(cut),
                    f"{self.label(v)} has no active link",
                    sites=[net.codes[v]],
                    impact=self.impact(cut),
                    remedy="Connect it: order a circuit to its nearest hub, or mark it ceased if it closed.",
                )
            elif self.degree[v] == 1:
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
                proposed = self.proposals_for(v)
                self.add(
                    "single-homed",
                    net.codes[v],
                    self.grade(cut) if cut.count else Severity.LOW,
                    f"{core_note}{self.label(v)} hangs off {net.codes[neighbour]} alone ({how})",
                    sites=[net.codes[v], net.codes[neighbour]],
                    links=circuits,
                    impact=self.impact(cut, neighbour=net.codes[neighbour]),
                    remedy=self.remedy_text(
                        proposed,
                        f"Add a link from {net.codes[v]} to a second neighbour, away from "
                        f"{net.codes[neighbour]}.",
                    ),
                    proposed=proposed,
                )

    # ----------------------------------------------------------------------------------------------
    # bridge and cut-site

    def bridges(self) -> None:
        """Every link whose loss splits the network; parallel circuits are never bridges."""
        s, net = self.s, self.net
        for e in s.bridges:
            a, b = net.edge_a[e], net.edge_b[e]
            below = b if s.pedge[b] == e else a
            cut, _ = s.bridge_cut(below)
            subject = net.edge_ids[e]
            sites = [net.codes[a], net.codes[b]]
            if not cut.count:
                self.add(
                    "bridge",
                    subject,
                    Severity.LOW,
                    f"Circuit {self.link_label(e)} splits the network in two; each side keeps a core",
                    sites=sites,
                    links=[subject],
                    impact=self.impact(cut, splits_network=True),
                    remedy="Add a second link between the two sides so each core stays reachable from both.",
                )
                continue
            proposed = self.proposals_for(below) if s.in_core_component(below) else []
            side = "" if s.in_core_component(below) else " (the smaller side; there is no core)"
            self.add(
                "bridge",
                subject,
                self.grade(cut),
                f"Circuit {self.link_label(e)} is the only path for {self.cut_words(cut)}{side}",
                sites=sites,
                links=[subject],
                impact=self.impact(cut),
                remedy=self.remedy_text(
                    proposed, "Add a link from the cut-off side to another site, avoiding this circuit."
                ),
                proposed=proposed,
            )

    def cut_sites(self) -> None:
        """Every site whose loss disconnects others (an articulation point)."""
        s, net = self.s, self.net
        for v in s.cut_sites:
            cut, parts = s.site_cut(v)
            code = net.codes[v]
            if not cut.count:
                self.add(
                    "cut-site",
                    code,
                    Severity.LOW,
                    f"Losing {self.label(v)} splits the network into {parts} parts; each keeps a core",
                    sites=[code],
                    impact=self.impact(cut, parts=parts),
                    remedy=f"Link the parts around {code} directly so each core stays reachable.",
                )
                continue
            side = "" if s.in_core_component(v) else " (all but the largest part; there is no core)"
            self.add(
                "cut-site",
                code,
                self.grade(cut),
                f"Losing {self.label(v)} cuts off {self.cut_words(cut)}{side}",
                sites=[code],
                impact=self.impact(cut, parts=parts),
                remedy=f"Give the sites behind {code} a second path that avoids it "
                "(see the bridge and single-homed findings for proposed links).",
            )

    # ----------------------------------------------------------------------------------------------
    # shared-risk

    def shared_risks(self) -> Risks:
        """Sites with link-disjoint paths to the core that one SRLG event, or one provider, cuts off."""
        s, net = self.s, self.net
        risks = Risks()
        if not s.has_core:
            return risks
        candidates = [v for v in range(net.n) if s.paths_to_core(v) >= 2 and not net.core[v]]
        if not candidates:
            return risks
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
            self.add(
                "shared-risk",
                code,
                self.grade(group.cut),
                f"One {group.name} fault cuts off {self.label(v)}"
                + (f" and {group.cut.count - 1} more sites" if group.cut.count > 1 else ""),
                sites=[code],
                links=links,
                impact=self.impact(group.cut, srlg=group.name, shared_by=[g.name for g in groups]),
                remedy=f"Re-route one of {', '.join(links[:4])} away from {group.name}{also} "
                "(another duct, route or exchange).",
            )

        providers = provider_groups(s)
        risks.providers = len(providers)
        # One provider carrying every path is looked for only where policy wants diverse paths.
        wanting = [False] * net.n
        for v in candidates:
            need = self.need[v]
            wanting[v] = need.paths >= 2 or need.provider_diverse
        if len(providers) < 2 or not any(wanting):
            return risks
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
            self.add(
                "shared-risk",
                code,
                shift(self.grade(own), -2),
                f"{self.label(v)}: every path rides {group.name}, one provider outage cuts it off",
                sites=[code],
                links=sorted(net.edge_ids[e] for e in net.adj[v]),
                impact=self.impact(own, provider=group.name, provider_outage_sites_cut_off=group.cut.count),
                remedy=f"Move one of {code}'s paths to another provider.",
            )
        return risks

    # ----------------------------------------------------------------------------------------------
    # capacity

    def capacity(self) -> Routing:
        """Bundles that a single circuit failure (or nothing at all) pushes past their bandwidth."""
        routing = find_overloads(self.s)
        for bundle, over in sorted(routing.overloads.items()):
            self._capacity_finding(routing, bundle, over)
        return routing

    def _capacity_finding(self, routing: Routing, bundle: int, over: Overload) -> None:
        net = self.net
        members = sorted(net.edge_ids[e] for e in routing.edges[bundle])
        a, b = routing.ends[bundle]
        count, demand, tmask, cmask = over.rerouted
        excess = over.load_mbps - over.bandwidth_mbps
        moved = Cut([], count, demand, tmask, cmask)
        severity = grade(
            worst_criticality(cmask),
            sites=count,
            tenants=tmask.bit_count(),
            demand_mbps=excess,
            policy=self.policy,
        )
        severity = shift(severity, -1) if severity.rank < Severity.INFO.rank else Severity.LOW
        circuit = "+".join(members)
        where = f"{circuit} ({net.codes[a]}–{net.codes[b]})"
        if over.failure is None:
            when = "with nothing failed"
        elif over.failure in routing.edges[bundle]:
            when = f"if its own {net.edge_ids[over.failure]} fails"
        else:
            when = f"if {net.edge_ids[over.failure]} fails"
        failures = sorted(net.edge_ids[e] for e in over.failures)
        needed = over.load_mbps
        self.add(
            "capacity",
            circuit,
            severity,
            f"{where} would carry {over.load_mbps:,.0f} of {over.bandwidth_mbps:,.0f} Mbit/s {when}",
            sites=[net.codes[a], net.codes[b]],
            links=sorted(set(members) | set(failures)),
            impact={
                "sites_cut_off": 0,
                "cut_off_sites": [],
                "tenants_affected": net.tenant_codes(moved.tmask),
                "demand_mbps_lost": round(excess, 3),
                "load_mbps": round(over.load_mbps, 3),
                "bandwidth_mbps": round(over.bandwidth_mbps, 3),
                "failure": None if over.failure is None else net.edge_ids[over.failure],
                "failures": failures,
                "sites_rerouted": count,
            },
            remedy=f"Upgrade {circuit} to at least {needed:,.0f} Mbit/s, or add capacity on another path.",
            assumptions={"routing": "hop-count shortest path to the nearest core, lowest site code on ties"},
        )

    # ----------------------------------------------------------------------------------------------
    # below-policy

    def below_policy(self, risks: Risks) -> None:
        """Sites whose criticality requires more than they have (core sites are the destination: skipped)."""
        s, net = self.s, self.net
        for v in range(net.n):
            if net.core[v]:
                continue
            level = net.crit[v]
            need = self.need[v]
            if not need.demands_anything:
                continue
            have = self._measure(v, need, risks)
            short = self._shortfalls(need, have)
            if not short:
                continue
            code = net.codes[v]
            cut = s.single(v)
            severity = BASE.get(level, Severity.LOW)
            if have["paths"] >= 2:
                severity = shift(severity, -1)
            proposed = self.proposals_for(self._head(v)) if have["paths"] < 2 else []
            self.add(
                "below-policy",
                code,
                severity,
                f"{self.label(v)}, {level}: {'; '.join(_short_words(need, have))}",
                sites=[code],
                impact=self.impact(
                    cut if have["paths"] < 2 else Cut(),
                    criticality=level,
                    required=_requirement_dict(need),
                    measured=have,
                    shortfalls=short,
                ),
                remedy=self.remedy_text(proposed, "Meet the policy: " + "; ".join(short) + "."),
                proposed=proposed,
            )

    def _head(self, v: int) -> int:
        # The vertex below the first collapsed bridge on v's way to the core, for remedy lookups.
        s = self.s
        x = v
        while s.parent[x] >= 0:
            p = s.parent[x]
            if s.low_col[x] > s.disc[p]:
                return x
            x = p
        return v

    def _measure(self, v: int, need: Requirement, risks: Risks) -> dict[str, Any]:
        s = self.s
        paths = s.paths_to_core(v)
        core_count = s.comp_cores[s.comp[v]] if s.in_core_component(v) else 0
        cores = min(core_count, 2 if paths >= 2 and s.reach2[v] else paths)
        if paths >= 2 and need.paths > 2:
            paths = disjoint_paths(s, v, limit=need.paths, distinct_cores=False)
        if cores >= 2 and need.cores > 2:
            cores = disjoint_paths(s, v, limit=need.cores, distinct_cores=True)
        srlg = risks.srlg.get(v)
        provider = risks.provider.get(v)
        # With fewer than two providers every path rides the same one (or one unknown).
        provider_diverse = paths >= 2 and risks.providers >= 2 and provider is None
        return {
            "paths": paths,
            "cores": cores,
            "srlg_diverse": paths >= 2 and srlg is None,
            "provider_diverse": provider_diverse,
            "shared_srlg": srlg.name if srlg else None,
            "shared_provider": provider.name if provider else None,
        }

    @staticmethod
    def _shortfalls(need: Requirement, have: dict[str, Any]) -> list[str]:
        short = []
        if have["paths"] < need.paths:
            short.append(f"needs {need.paths} link-disjoint paths to the core, has {have['paths']}")
        if need.cores > 1 and have["cores"] < need.cores:
            short.append(f"needs paths to {need.cores} different cores, reaches {have['cores']}")
        # A single path is never diverse; say so only when the path count itself is not already short.
        single = have["paths"] < 2 and need.paths < 2
        if need.srlg_diverse and not have["srlg_diverse"]:
            if have["paths"] >= 2:
                short.append(f"needs SRLG-diverse paths; all share {have['shared_srlg']}")
            elif single:
                short.append("needs SRLG-diverse paths, has a single path")
        if need.provider_diverse and not have["provider_diverse"]:
            if have["paths"] >= 2:
                rides = have["shared_provider"] or "one provider"
                short.append(f"needs provider-diverse paths; all ride {rides}")
            elif single:
                short.append("needs provider-diverse paths, has a single path")
        return short

    # ----------------------------------------------------------------------------------------------
    # summary

    def summary(self, findings: list[Finding], plan: RemedyPlan, routing: Routing | None) -> dict[str, Any]:
        """The redundancy part of the analysis summary."""
        s, net = self.s, self.net
        by_severity = Counter(f.severity.value for f in findings)
        by_kind = Counter(f.kind for f in findings)
        cores = sorted(net.codes[v] for v in range(net.n) if net.core[v])
        without_core = sum(1 for v in range(net.n) if not s.in_core_component(v)) if cores else 0
        return {
            "sites": net.n,
            "links": len(net.edge_ids),
            "cores": cores,
            "mode": "core" if cores else "whole-network",
            "components": len(s.comp_root),
            "sites_without_core": without_core,
            "findings": len(findings),
            "by_severity": {sev.value: by_severity.get(sev.value, 0) for sev in Severity},
            "by_kind": {kind: by_kind.get(kind, 0) for kind in KINDS},
            "remedy": plan.summary(),
            "capacity": {
                "routed": routing is not None,
                "bundles": len(routing.ends) if routing else 0,
                "bundles_checked": sum(1 for bw in routing.bandwidth if bw is not None) if routing else 0,
                "overloaded": len(routing.overloads) if routing else 0,
            },
            "policy": self.policy.to_dict(),
        }


def _short_words(need: Requirement, have: dict[str, Any]) -> list[str]:
    """The shortfalls in a few words each, for a title."""
    words = []
    if have["paths"] < need.paths:
        words.append(f"{have['paths']} of {need.paths} link-disjoint paths")
    if need.cores > 1 and have["cores"] < need.cores:
        words.append(f"reaches {have['cores']} of {need.cores} cores")
    if need.srlg_diverse and not have["srlg_diverse"] and have["paths"] >= 2:
        words.append(f"paths share {have['shared_srlg']}")
    if need.provider_diverse and not have["provider_diverse"] and have["paths"] >= 2:
        words.append(f"paths all ride {have['shared_provider'] or 'one provider'}")
    return words or ["not SRLG- or provider-diverse"]


def _requirement_dict(need: Requirement) -> dict[str, Any]:
    return {
        "paths": need.paths,
        "cores": need.cores,
        "srlg_diverse": need.srlg_diverse,
        "provider_diverse": need.provider_diverse,
    }
