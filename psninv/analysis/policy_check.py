"""Whether a change keeps the redundancy policy: it is applied, the network re-analysed, the gaps compared.

A change keeps the policy when the network with it applied has no gap the network without it did
not have: no high or critical site newly short of policy, no site newly cut off from the core, no
circuit newly overloaded by a single failure. Where it would leave sites short, the verified
remedies are asked for the links that bring them back; the change keeps the policy *with* those
links only if a re-analysis with them applied proves it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from psninv.analysis.analyser import KnownGaps
from psninv.analysis.finding import Finding, Kind, ProposedLink
from psninv.analysis.network_change import (
    IdMaker,
    NetworkChange,
    apply_change,
    combine,
    distance_km,
    plain_ids,
    proposed_circuit,
)
from psninv.analysis.pockets import Local
from psninv.analysis.redundancy import Gaps
from psninv.analysis.tariff import Tariff
from psninv.analysis.verified import short_sites, verify_remedies
from psninv.graph import is_active
from psninv.inventory import Inventory, Row

Analyse = Callable[[Inventory], list[Finding]]
"""The redundancy analysis (findings only) a check re-runs."""

SECOND_PATH_KINDS = (Kind.SINGLE_HOMED, Kind.BRIDGE, Kind.CUT_SITE, Kind.SHARED_RISK)
EXACT_WORK = 300_000
"""Check every change alone while the changes times the network's size (its sites and circuits)
is at most this (about 5 s of analyses, at some 17 µs a site or circuit); else together.

A count, never a clock: the same inventory is checked the same way, with the same verdicts, on
any machine and under any load (a time budget once judged a £15,391 opportunity differently on
a busy machine)."""

ALONE_WORK = 2 * EXACT_WORK
"""Changes blamed for a problem in a check together are re-checked (and repaired) alone, in the
order given, while their count times the network's size is at most this (two at 100k sites, a
hundred at most, MAX_ALONE); the rest are judged on what they were blamed for."""

MAX_ALONE = 100


@dataclass(frozen=True, slots=True)
class Problems:
    """What is wrong with a network: sites short of policy, sites cut off, circuits overloaded."""

    short: frozenset[str] = frozenset()
    """High and critical sites with a gap."""
    cut_off: frozenset[str] = frozenset()
    """Sites with no path to the core at all."""
    overloads: frozenset[str] = frozenset()
    """IDs of capacity findings: a circuit one failure (or none) pushes past its bandwidth."""
    titles: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """A finding title per site or capacity finding ID, to say what went wrong."""
    ends: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    """The two ends of each overloaded circuit, by capacity finding ID."""

    def within(self, scope: frozenset[str] | None) -> Problems:
        """The problems of the sites in a scope, and of circuits with an end in it (all for None)."""
        if scope is None:
            return self
        overloads = frozenset(key for key in self.overloads if scope.intersection(self.ends.get(key, ())))
        return Problems(self.short & scope, self.cut_off & scope, overloads, self.titles, self.ends)

    def __sub__(self, other: Problems) -> Problems:
        return Problems(
            self.short - other.short,
            self.cut_off - other.cut_off,
            self.overloads - other.overloads,
            self.titles,
            self.ends,
        )

    def __bool__(self) -> bool:
        return bool(self.short or self.cut_off or self.overloads)

    def describe(self) -> str:
        """One line saying what the problems are, worst first, naming a few."""
        parts = []
        if self.cut_off:
            parts.append(_named("cuts off", self.cut_off, self.titles))
        if self.short:
            parts.append(_named("leaves short of policy", self.short, self.titles))
        if self.overloads:
            parts.append("overloads " + "; ".join(self.titles.get(i, i) for i in sorted(self.overloads)[:2]))
        return "; ".join(parts)


def _named(verb: str, codes: frozenset[str], titles: dict[str, str]) -> str:
    shown = sorted(codes)[:3]
    more = f" and {len(codes) - 3} more" if len(codes) > 3 else ""
    first = titles.get(shown[0])
    return f"{verb} {', '.join(shown)}{more}" + (f" ({first})" if first else "")


def problems_of(findings: list[Finding], inventory: Inventory) -> Problems:
    """The problems a redundancy analysis found."""
    titles: dict[str, str] = {}
    short = short_sites(findings, inventory)
    cut_off: set[str] = set()
    overloads: set[str] = set()
    ends: dict[str, tuple[str, ...]] = {}
    for finding in findings:
        if finding.kind in (Kind.ISOLATED_SITE, Kind.NO_CORE_PATH):
            cut_off.update(finding.sites)
            for code in finding.sites:
                titles.setdefault(code, finding.title)
        elif finding.kind is Kind.CAPACITY:
            overloads.add(finding.id)
            titles[finding.id] = finding.title
            ends[finding.id] = tuple(finding.sites)
        elif finding.kind is Kind.BELOW_POLICY and finding.sites:
            titles.setdefault(finding.sites[0], finding.title)
    return Problems(frozenset(short), frozenset(cut_off), frozenset(overloads), titles, ends)


def without_second_path(findings: list[Finding]) -> dict[str, str]:
    """Sites one failure (a circuit, a site, an SRLG tag) cuts off, each with the finding that says so."""
    out: dict[str, str] = {}
    for finding in findings:
        if finding.kind not in SECOND_PATH_KINDS:
            continue
        codes = finding.sites[:1] if finding.kind is Kind.SINGLE_HOMED else finding.cut_off_sites
        for code in codes:
            out.setdefault(code, finding.title)
    return out


@dataclass(slots=True)
class Verdict:
    """Whether a change keeps the policy, why not, and the links it needs to keep it."""

    keeps: bool
    reason: str = ""
    extra: dict[str, Row] = field(default_factory=dict)
    """New circuits (rows of status planned) that keep the policy with the change applied."""
    method: str = "alone"
    """How it was checked: "alone" (applied by itself) or "batch" (with others, no new gap)."""

    links: list[ProposedLink] = field(default_factory=list)
    """The extra circuits as proposed links (with their lengths), in the order of `extra`."""

    @property
    def extra_gbp(self) -> float:
        """The annual rental of the extra circuits."""
        return float(sum(row.get("annual_cost_gbp") or 0.0 for row in self.extra.values()))


class PolicyChecker:
    """Checks changes against one network: its problems are measured once, each change's by re-analysis."""

    def __init__(
        self,
        inventory: Inventory,
        analyse: Analyse,
        tariff: Tariff,
        ids: IdMaker | None = None,
        known: KnownGaps | None = None,
    ):
        self.base = inventory
        self.analyse = analyse
        self.tariff = tariff
        self.ids = ids or IdMaker(inventory.links)
        self.runs = 0
        if known is None:
            started = time.perf_counter()
            known = KnownGaps(tuple(analyse(inventory)), time.perf_counter() - started)
            self.runs = 1
        self.size = len(inventory.sites) + len(inventory.links)
        """The network's sites and circuits: what one analysis of it costs, as a count."""
        self.before = problems_of(list(known.findings), inventory)
        # Pockets are found in the network as it is: never under simulated failures.
        scoped = isinstance(analyse, Gaps) and not analyse.failed
        self.local = Local(inventory, analyse, known.findings) if scoped else None
        """Re-analyses a change over the pockets it touches (with psninv's own analysis only)."""
        self._lacking: dict[str, str] | None = None

    def problems(
        self, change: NetworkChange, promised: Iterable[str] = ()
    ) -> tuple[Problems, dict[str, str]]:
        """The new problems of the network with the change built, and who lacks a second path then.

        The reasons given for `promised` sites that lack one are exact (the rest may count only
        the sites near the change: psninv.analysis.pockets).
        """
        _after, new, lacking = self._analyse(change, promised)
        return new, lacking

    def _analyse(
        self, change: NetworkChange, promised: Iterable[str] = ()
    ) -> tuple[Inventory, Problems, dict[str, str]]:
        """The network with the change built, its new problems, and who lacks a second path in it."""
        after = apply_change(self.base, change, in_service=True)
        self.runs += 1
        run = self.local.run(after) if self.local is not None else None
        wanted = set(promised)
        if run is not None and run.partial and wanted and wanted & run.reached_by_partial():
            run = None  # a reason to be shown may count the scope's sites only: the whole network says it
        if run is None:
            findings = self.analyse(after)
            return after, problems_of(findings, after) - self.before, without_second_path(findings)
        scope = run.scope
        new = problems_of(run.findings, after).within(scope) - self.before.within(scope)
        lacking = without_second_path(run.findings)
        if scope is not None:
            if self._lacking is None:
                self._lacking = without_second_path(self.local.findings)
            lacking = {code: why for code, why in lacking.items() if code in scope}
            lacking.update((code, why) for code, why in self._lacking.items() if code not in scope)
        return after, new, lacking

    def check(self, change: NetworkChange, promised: Sequence[str] = (), *, repair: bool = True) -> Verdict:
        """Apply one change alone and re-analyse; `promised` are sites it claims to give a second path.

        With `repair`, sites it would leave short of policy or cut off get verified remedies, and
        the change keeps the policy with them if a re-analysis proves it.
        """
        verdict = self._check(change, promised, repair)
        verdict.reason = plain_ids(verdict.reason, change)
        return verdict

    def _check(self, change: NetworkChange, promised: Sequence[str], repair: bool) -> Verdict:
        new, lacking = self.problems(change, promised)
        broken = [code for code in promised if code in lacking]
        if broken:
            return Verdict(False, f"{', '.join(broken)} still has no second path: {lacking[broken[0]]}")
        if not new:
            return Verdict(True)
        if new.overloads or not repair:
            return Verdict(False, new.describe())
        return self._repair(change, new)

    def _repair(self, change: NetworkChange, new: Problems) -> Verdict:
        after = apply_change(self.base, change, in_service=True)
        wanted = set(new.short | new.cut_off)

        def targets(findings: list[Finding], inventory: Inventory) -> set[str]:
            found = problems_of(findings, inventory)
            return set(found.short | found.cut_off) & wanted

        plan = verify_remedies(after, self.analyse, self.tariff, targets=targets, local=self.local)
        self.runs += plan.rounds * 2 + 1
        if plan.unfixable or not plan.links:
            return Verdict(False, new.describe() + ", and no new link within reach proved to fix it")
        extra = {}
        for link in plan.links:
            cid = self.ids()
            extra[cid] = proposed_circuit(cid, link, self.base)
        again, _ = self.problems(change.merged(NetworkChange(add=extra)))
        if again:
            return Verdict(False, again.describe())
        return Verdict(True, extra=extra, links=list(plan.links))

    def alone(self, changes: int) -> bool:
        """Whether this many changes are checked one by one on this network (else together)."""
        return changes * self.size <= EXACT_WORK

    def check_all(
        self,
        changes: Sequence[NetworkChange],
        promised: Sequence[Sequence[str]],
        *,
        exact: bool | None = None,
        repair: bool = True,
    ) -> list[Verdict]:
        """A verdict for every change: each applied alone, or, on a network too large for that, together.

        Together, all the changes are applied at once and the network analysed once; each new
        problem is blamed on the change nearest to it (fewest hops in the network after, then
        distance), and only the changes blamed for something are checked alone, the first of them
        as many as ALONE_WORK allows (give the changes most valuable first); the rest are judged
        on what they were blamed for. `exact` forces one way or the other; by default changes go
        alone while their count times the network's size is at most EXACT_WORK. Without `repair`,
        a change that brings a new problem fails (no links are sought to keep it). The way chosen
        depends on the network and the changes, never on time.
        """
        if exact is None:
            exact = self.alone(len(changes))
        if exact:
            pairs = zip(changes, promised, strict=True)
            return [self.check(change, wanted, repair=repair) for change, wanted in pairs]
        return self._together(changes, promised, repair)

    def _together(
        self, changes: Sequence[NetworkChange], promised: Sequence[Sequence[str]], repair: bool
    ) -> list[Verdict]:
        whole = combine(changes)
        after, new, lacking = self._analyse(whole, {code for wanted in promised for code in wanted})
        blame = _Blame(after, [change.sites(self.base) for change in changes])
        blamed: dict[int, set[str]] = {}
        for code in new.short | new.cut_off:
            for index in blame.nearest(code):
                blamed.setdefault(index, set()).add(code)
        for key in new.overloads:
            for index in {i for end in new.ends.get(key, ()) for i in blame.nearest(end)}:
                blamed.setdefault(index, set()).add(key)
        verdicts = []
        alone = min(MAX_ALONE, max(1, ALONE_WORK // max(self.size, 1)))
        for index, (change, wanted) in enumerate(zip(changes, promised, strict=True)):
            broken = [code for code in wanted if code in lacking]
            if broken:
                reason = f"{', '.join(broken)} still has no second path: {lacking[broken[0]]}"
                verdicts.append(Verdict(False, plain_ids(reason, whole), method="together"))
            elif index not in blamed:
                verdicts.append(Verdict(True, method="together"))
            elif repair and alone > 0:
                # Blamed together: the change alone settles it (and repairs it where it can be).
                alone -= 1
                verdicts.append(self.check(change, wanted))
            else:
                keys = blamed[index]
                mine = Problems(
                    new.short & keys, new.cut_off & keys, new.overloads & keys, new.titles
                )
                verdicts.append(Verdict(False, plain_ids(mine.describe(), whole), method="together"))
        return verdicts


class _Blame:
    """Which change a problem site is nearest to: fewest hops over active circuits, else great-circle km."""

    MAX_HOPS = 8

    def __init__(self, inventory: Inventory, touched: list[set[str]]):
        self.inventory = inventory
        self.owners: dict[str, list[int]] = {}
        for index, sites in enumerate(touched):
            for code in sites:
                self.owners.setdefault(code, []).append(index)
        self.adjacency: dict[str, list[str]] = {}
        for row in inventory.links.values():
            if is_active(row):
                a, b = row["a_site"], row["b_site"]
                self.adjacency.setdefault(a, []).append(b)
                self.adjacency.setdefault(b, []).append(a)

    def nearest(self, code: str) -> list[int]:
        """The changes whose sites are fewest hops from this one (by distance when none is within reach)."""
        seen = {code}
        frontier = [code]
        for _ in range(self.MAX_HOPS + 1):
            found = sorted({index for site in frontier for index in self.owners.get(site, ())})
            if found:
                return found
            following = []
            for site in frontier:
                for other in self.adjacency.get(site, ()):
                    if other not in seen:
                        seen.add(other)
                        following.append(other)
            if not following:
                break
            frontier = following
        return self._closest(code)

    def _closest(self, code: str) -> list[int]:
        here = self.inventory.sites.get(code) or {}
        if here.get("latitude") is None or here.get("longitude") is None:
            return sorted({index for indexes in self.owners.values() for index in indexes})
        best: tuple[float, list[int]] | None = None
        for site, indexes in self.owners.items():
            km = distance_km(self.inventory, code, site)
            if km is not None and (best is None or km < best[0]):
                best = (km, indexes)
        return best[1] if best else sorted({index for indexes in self.owners.values() for index in indexes})
