"""Pockets, the parts of a network between its cores, and re-analysis of a change over the pockets it touches.

The redundancy analysis asks of every site how it reaches the core, joining every core to one
virtual root (psninv.analysis.connectivity). A path from a site leaves its pocket (the sites it
reaches without passing a core) only through a core, which reaches the root already, so the gaps
of a pocket's sites depend on its own sites and circuits and on a few facts of the whole network:
the cores, which of them the rest of the network reaches (a core is a cut site only where its
loss splits the network), how many providers it has, and which SRLG and provider events it
reports (an event is reported when it cuts off any site with two paths). A change to some
circuits therefore changes the gaps of the pockets at their ends and no others: analysing those
pockets with every core, a stub site for the rest at each core it reaches, and told the rest,
gives for their sites what analysing the whole network gives. A proof that re-runs the analysis
after a change then costs the change's pockets, not the network; tests/test_pockets.py holds
the two to each other on the sample, generated and real networks.

Findings are the one difference: one reaching past the pockets (an SRLG or provider event, a
core's loss) is re-analysed in them alone. Where the change left its sites in them as they were,
the base's finding is the whole network's and is taken; otherwise its title and severity count
the sites in those pockets only. Such findings are marked (Scoped.partial), and a caller about
to show one, as the reason a site lacks a second path, re-analyses the whole network instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from psninv.analysis.finding import Finding, Kind
from psninv.graph import is_active, is_live
from psninv.inventory import Inventory, Row
from psninv.model import CORE_ROLES

MOST = 0.5
"""Where a change's pockets hold more than this share of the sites, the whole network is re-analysed."""

SHORT_KINDS = (Kind.BRIDGE, Kind.CUT_SITE)
"""Kinds whose capped lists of cut-off sites say which sites are short of policy (verified.short_sites)."""
WIDE_KINDS = (Kind.BRIDGE, Kind.CUT_SITE, Kind.SHARED_RISK)
"""Kinds whose finding may reach past a pocket (a core's loss, an event)."""

STUB = "~pockets-rest-"
"""Code of the site (and ID of its circuit) standing for the rest of the network at a core."""


@dataclass(frozen=True, slots=True)
class Whole:
    """What the analysis of some pockets must be told of the whole network they are part of."""

    providers: int
    """How many providers carry active circuits in the whole network."""
    events: frozenset[str] = frozenset()
    """Events ("srlg:TAG", "provider:NAME") the whole network reports for sites outside the pockets."""


class ScopedAnalyse(Protocol):
    """The redundancy analysis (findings only), told of the whole network where it analyses part of it."""

    def __call__(self, inventory: Inventory, *, whole: Whole | None = None) -> list[Finding]: ...


def _carries(row: Row, sites: dict[str, Row]) -> bool:
    """Whether a circuit is in the analysed network: active, between two different live sites."""
    a, b = row["a_site"], row["b_site"]
    if a == b or not is_active(row):
        return False
    a_row, b_row = sites.get(a), sites.get(b)
    return a_row is not None and b_row is not None and is_live(a_row) and is_live(b_row)


def _provider(row: Row) -> str:
    return (row.get("provider") or "").strip()


class _Union:
    """Disjoint sets by code."""

    def __init__(self, codes: Iterable[str]):
        self.parent = {code: code for code in codes}

    def root(self, code: str) -> str:
        parent = self.parent
        while parent[code] != code:
            parent[code] = parent[parent[code]]
            code = parent[code]
        return code

    def join(self, a: str, b: str) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[ra] = rb


class Pockets:
    """An inventory's pockets: each live site's pocket, the cores each pocket touches, the circuits."""

    def __init__(self, inventory: Inventory):
        sites = inventory.sites
        self.cores = sorted(
            code for code, row in sites.items() if is_live(row) and row.get("role") in CORE_ROLES
        )
        core = set(self.cores)
        self.live = sum(1 for row in sites.values() if is_live(row)) - len(core)
        """How many live sites are in a pocket (every live site but the cores)."""
        self.incident: dict[str, list[str]] = {}
        """Every circuit (any status) at each site, by ID."""
        self.providers: Counter[str] = Counter()
        """Active circuits of the analysed network by provider."""
        self.core_links: dict[str, tuple[str, str]] = {}
        """The ends of every active circuit between two cores, by ID."""
        union = _Union(code for code, row in sites.items() if is_live(row) and code not in core)
        touching: list[tuple[str, str]] = []
        for cid, row in inventory.links.items():
            a, b = row["a_site"], row["b_site"]
            self.incident.setdefault(a, []).append(cid)
            if b != a:
                self.incident.setdefault(b, []).append(cid)
            if not _carries(row, sites):
                continue
            if provider := _provider(row):
                self.providers[provider] += 1
            if a in core and b in core:
                self.core_links[cid] = (a, b)
            elif a in core or b in core:
                touching.append((b, a) if a in core else (a, b))
            else:
                union.join(a, b)
        self.pocket: dict[str, str] = {code: union.root(code) for code in union.parent}
        self.members: dict[str, list[str]] = {}
        for code, top in self.pocket.items():
            self.members.setdefault(top, []).append(code)
        self.touches: dict[str, set[str]] = {}
        """The cores each pocket has a circuit to."""
        self.at_core: dict[str, set[str]] = {}
        """The pockets with a circuit to each core."""
        for code, core_code in touching:
            self.touches.setdefault(self.pocket[code], set()).add(core_code)
            self.at_core.setdefault(core_code, set()).add(self.pocket[code])

    def around(self, codes: Iterable[str]) -> frozenset[str]:
        """The sites of every pocket holding one of these sites or touching one of these cores."""
        tops: set[str] = set()
        for code in codes:
            if code in self.pocket:
                tops.add(self.pocket[code])
            tops.update(self.at_core.get(code, ()))
        return frozenset(code for top in tops for code in self.members[top])

    def reached(self, scope: frozenset[str], changed: Iterable[str]) -> set[str]:
        """The cores with a circuit outside the scope (to a pocket outside, or unchanged to another core)."""
        gone = set(changed)
        out = {end for cid, ends in self.core_links.items() if cid not in gone for end in ends}
        inside = {self.pocket[code] for code in scope}
        for top, cores in self.touches.items():
            if top not in inside:
                out.update(cores)
        return out


@dataclass(frozen=True, slots=True)
class Scoped:
    """A re-analysis: its findings and the sites they speak for (None: the whole network)."""

    findings: list[Finding]
    scope: frozenset[str] | None
    partial: frozenset[str] = frozenset()
    """IDs of findings reaching past the scope, whose title and severity count the sites in it only."""

    def reached_by_partial(self) -> set[str]:
        """The sites a partial finding cuts off: their reason for lacking a second path may differ."""
        return {code for f in self.findings if f.id in self.partial for code in f.cut_off_sites}


class Local:
    """Re-analyses a network differing from a base in circuits only, over the pockets the difference touches.

    It is used only where the base's findings name every site short of policy (no bridge's or cut
    site's list was capped), since a caller compares the re-analysis with them site by site. An
    event cutting off more sites than a list holds is no bar: in the scope the re-analysis lists
    as many of them as the whole network's would, or more.
    """

    def __init__(self, base: Inventory, analyse: ScopedAnalyse, findings: Iterable[Finding]):
        self.base = base
        self.analyse = analyse
        self.findings = list(findings)
        """The base's redundancy findings: the answers outside a scope are read from them."""
        self.exact = all(
            f.sites_cut_off <= len(f.cut_off_sites) for f in self.findings if f.kind in SHORT_KINDS
        )
        """Whether the base's findings name every site short of policy, so scoping is exact."""
        self._events = [f for f in self.findings if f.kind is Kind.SHARED_RISK]
        self._pockets: Pockets | None = None
        self._wide: dict[str, Finding] | None = None

    @property
    def pockets(self) -> Pockets:
        """The base's pockets, found the first time they are needed."""
        if self._pockets is None:
            self._pockets = Pockets(self.base)
        return self._pockets

    def run(self, other: Inventory) -> Scoped:
        """The redundancy findings of `other` (the base with circuits added, ceased or altered), in scope."""
        changed = self._changed(other)
        scope = None if changed is None else self._scope(other, changed)
        if changed is None or scope is None:
            return Scoped(self.analyse(other), None)
        if not scope:
            return Scoped([], scope)
        sub, providers = self._restrict(other, scope, changed)
        whole = Whole(providers, self._elsewhere(scope))
        findings, partial = self._settled(self.analyse(sub, whole=whole), scope)
        return Scoped(findings, scope, partial)

    def _changed(self, other: Inventory) -> list[str] | None:
        """The circuits `other` adds, ceases, alters or drops; None where its sites differ too."""
        if not self.exact or other.sites is not self.base.sites:
            return None
        base = self.base.links
        changed = [cid for cid, row in other.links.items() if base.get(cid) is not row]
        kept = len(other.links) - sum(1 for cid in changed if cid not in base)
        if kept < len(base):
            changed += [cid for cid in base if cid not in other.links]
        return changed

    def _scope(self, other: Inventory, changed: list[str]) -> frozenset[str] | None:
        """The sites whose gaps the change may move (its circuits' pockets); None for the whole network."""
        touched: set[str] = set()
        for cid in changed:
            for row in (self.base.links.get(cid), other.links.get(cid)):
                if row is not None:
                    touched.update((row["a_site"], row["b_site"]))
        scope = self.pockets.around(touched)
        return scope if len(scope) <= MOST * self.pockets.live else None

    def _restrict(self, other: Inventory, scope: frozenset[str], changed: list[str]) -> tuple[Inventory, int]:
        """The scope's sites and circuits with every core and a stub for the rest; and the providers."""
        pockets, base = self.pockets, self.base
        sites = {code: other.sites[code] for code in (*scope, *pockets.cores)}
        links: dict[str, Row] = {}
        for code in scope:
            for cid in pockets.incident.get(code, ()):
                row = other.links.get(cid)
                if row is not None:
                    links[cid] = row
        # The rest of the network, as far as a core's loss is concerned: a stub site at each core near
        # the scope that the rest reaches, so that the core cuts the scope's sites off from it exactly
        # where the whole network's core does (a cut site is one whose loss splits the network).
        near = {core for code in scope for core in pockets.touches.get(pockets.pocket[code], ())}
        for cid in changed:
            if (row := other.links.get(cid)) is not None:
                near.update((row["a_site"], row["b_site"]))
        for code in sorted(pockets.reached(scope, changed) & near):
            stub = f"{STUB}{code}"
            sites[stub] = {"code": stub, "role": "access"}
            links[stub] = {"circuit_id": stub, "a_site": code, "b_site": stub}
        providers = Counter(pockets.providers)
        for cid in changed:
            old, new = base.links.get(cid), other.links.get(cid)
            if old is not None and _carries(old, base.sites) and (name := _provider(old)):
                providers[name] -= 1
            if new is None:
                links.pop(cid, None)
                continue
            if _carries(new, other.sites) and (name := _provider(new)):
                providers[name] += 1
            if new["a_site"] in sites and new["b_site"] in sites:
                links[cid] = new
        sub = Inventory(tenants=other.tenants, sites=sites, links=links, references=other.references)
        return sub, sum(1 for count in providers.values() if count > 0)

    def _elsewhere(self, scope: frozenset[str]) -> frozenset[str]:
        # An event's finding stands while a site it hides is outside the scope, which the change left be.
        return frozenset(
            f.id.split(":", 1)[1]
            for f in self._events
            if not scope.issuperset(f.impact.get("hidden_sites", ()))
        )

    def _settled(
        self, findings: list[Finding], scope: frozenset[str]
    ) -> tuple[list[Finding], frozenset[str]]:
        """Findings reaching past the scope taken from the base where their sites in it are unchanged.

        Returns the findings and the IDs of those still reaching past the scope (Scoped.partial).
        """
        if self._wide is None:
            self._wide = {f.id: f for f in self.findings if f.kind in WIDE_KINDS}
        cores = set(self.pockets.cores)
        out = []
        partial = set()
        for finding in findings:
            if finding.kind not in WIDE_KINDS:
                out.append(finding)
                continue
            mine = sorted(code for code in finding.cut_off_sites if not code.startswith(STUB))
            known = self._wide.get(finding.id)
            # It reaches past the scope where it cuts off a stub (the rest of the network) or did before.
            past = len(mine) < len(finding.cut_off_sites) or (
                known is not None and not scope.issuperset(known.cut_off_sites)
            )
            if past and known is not None and sorted(c for c in known.cut_off_sites if c in scope) == mine:
                finding = known  # its sites here are as they were: the whole network's is the base's
            elif past or (
                known is None and (finding.kind is Kind.SHARED_RISK or finding.id.split(":", 1)[1] in cores)
            ):
                partial.add(finding.id)
            out.append(finding)
        out.sort(key=Finding.sort_key)
        return out, frozenset(partial)


def merged(base: set[str], found: set[str], scope: frozenset[str] | None) -> set[str]:
    """A per-site answer for the whole network: the base's outside the scope, the re-analysis's inside."""
    return found if scope is None else (base - scope) | (found & scope)
