"""below-policy: sites whose criticality requires more paths, cores or diversity than they have."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from psninv.analysis.connectivity import Cut
from psninv.analysis.disjoint import srlg_disjoint_pair
from psninv.analysis.diversity import disjoint_paths
from psninv.analysis.finding import Kind, Severity
from psninv.analysis.policy import Requirement
from psninv.analysis.redundancy.context import Context
from psninv.analysis.severity import BASE, shift


@dataclass(slots=True)
class Measured:
    """What a site has, in the terms of its requirement."""

    paths: int
    cores: int
    srlg_diverse: bool
    provider_diverse: bool
    shared_srlg: str | None
    shared_provider: str | None
    site_disjoint: bool = True
    """Two of the paths share no site (to two different cores where the policy wants two)."""
    hangs_on: str | None = None
    """The site every path to the core passes through, if one does."""
    srlg_disjoint: bool = True
    """Two of the paths share no site and no SRLG tag (searched: see psninv.analysis.disjoint)."""


def find(ctx: Context) -> None:
    """Record every non-core site short of its policy (core sites are the destination: skipped)."""
    s, net = ctx.s, ctx.net
    for v in range(net.n):
        if net.core[v]:
            continue
        level = net.crit[v]
        need = ctx.need[v]
        if not need.demands_anything:
            continue
        have = _measure(ctx, v, need)
        short = _shortfalls(need, have)
        if not short:
            continue
        code = net.codes[v]
        cut = s.single(v)
        severity = BASE.get(level, Severity.LOW)
        if have.paths >= 2:
            severity = shift(severity, -1)
        proposed = ctx.proposals_for(_head(ctx, v)) if have.paths < 2 else []
        ctx.add(
            Kind.BELOW_POLICY,
            code,
            severity,
            f"{ctx.label(v)}, {level}: {'; '.join(_short_words(need, have))}",
            sites=[code],
            impact=ctx.impact(
                cut if have.paths < 2 else Cut(),
                criticality=level,
                required=_requirement_dict(need),
                measured=asdict(have),
                shortfalls=short,
            ),
            remedy=ctx.remedy_text(proposed, "Meet the policy: " + "; ".join(short) + "."),
            proposed=proposed,
        )


def _head(ctx: Context, v: int) -> int:
    # The vertex below the first collapsed bridge on v's way to the core, for remedy lookups.
    s = ctx.s
    x = v
    while s.parent[x] >= 0:
        p = s.parent[x]
        if s.low_col[x] > s.disc[p]:
            return x
        x = p
    return v


def _measure(ctx: Context, v: int, need: Requirement) -> Measured:
    s = ctx.s
    paths = s.paths_to_core(v)
    core_count = s.comp_cores[s.comp[v]] if s.in_core_component(v) else 0
    cores = min(core_count, 2 if paths >= 2 and s.reach2[v] else paths)
    if paths >= 2 and need.paths > 2:
        paths = disjoint_paths(s, v, limit=need.paths, distinct_cores=False)
    if cores >= 2 and need.cores > 2:
        cores = disjoint_paths(s, v, limit=need.cores, distinct_cores=True)
    site_disjoint, hangs_on, srlg_disjoint = _disjointness(ctx, v, need, paths)
    srlg = ctx.risks.srlg.get(v)
    provider = ctx.risks.provider.get(v)
    # With fewer than two providers every path rides the same one (or one unknown).
    provider_diverse = paths >= 2 and ctx.risks.providers >= 2 and provider is None
    return Measured(
        paths=paths,
        cores=cores,
        srlg_diverse=paths >= 2 and srlg is None,
        provider_diverse=provider_diverse,
        shared_srlg=srlg.name if srlg else None,
        shared_provider=provider.name if provider else None,
        site_disjoint=site_disjoint,
        hangs_on=hangs_on,
        srlg_disjoint=srlg_disjoint,
    )


def _disjointness(ctx: Context, v: int, need: Requirement, paths: int) -> tuple[bool, str | None, bool]:
    """(site-disjoint, the site it hangs on, SRLG-disjoint) as far as the requirement asks."""
    if need.disjoint == "link" or need.paths < 2 or paths < 2:
        return paths >= 2 or need.disjoint == "link", None, paths >= 2 or need.disjoint != "srlg"
    sep = ctx.hanging[v]
    hangs_on = ctx.net.codes[sep] if sep >= 0 else None
    if need.cores < 2 and need.disjoint == "site":
        return sep < 0, hangs_on, True
    pair = ctx.split.pair(v)
    if pair is None:
        return False, hangs_on, False
    if need.disjoint == "site":
        return True, None, True
    return True, None, srlg_disjoint_pair(ctx.split, v) is not None


def _shortfalls(need: Requirement, have: Measured) -> list[str]:
    short = []
    if have.paths < need.paths:
        short.append(f"needs {need.paths} link-disjoint paths to the core, has {have.paths}")
    if need.cores > 1 and have.cores < need.cores:
        short.append(f"needs paths to {need.cores} different cores, reaches {have.cores}")
    # A single path is never diverse; say so only when the path count itself is not already short.
    single = have.paths < 2 and need.paths < 2
    if need.srlg_diverse and not have.srlg_diverse:
        if have.paths >= 2:
            short.append(f"needs SRLG-diverse paths; all share {have.shared_srlg}")
        elif single:
            short.append("needs SRLG-diverse paths, has a single path")
    if need.provider_diverse and not have.provider_diverse:
        if have.paths >= 2:
            rides = have.shared_provider or "one provider"
            short.append(f"needs provider-diverse paths; all ride {rides}")
        elif single:
            short.append("needs provider-diverse paths, has a single path")
    if have.paths >= 2 and not have.site_disjoint:
        where = "the core" if need.cores < 2 else f"{need.cores} different cores"
        through = f"; every path passes through {have.hangs_on}" if have.hangs_on else ""
        short.append(f"needs two paths to {where} sharing no site{through}")
    elif have.paths >= 2 and not have.srlg_disjoint and have.srlg_diverse:
        short.append("needs two paths sharing no site or SRLG tag; none found")
    return short


def _short_words(need: Requirement, have: Measured) -> list[str]:
    """The shortfalls in a few words each, for a title."""
    words = []
    if have.paths < need.paths:
        words.append(f"{have.paths} of {need.paths} link-disjoint paths")
    if need.cores > 1 and have.cores < need.cores:
        words.append(f"reaches {have.cores} of {need.cores} cores")
    if need.srlg_diverse and not have.srlg_diverse and have.paths >= 2:
        words.append(f"paths share {have.shared_srlg}")
    if need.provider_diverse and not have.provider_diverse and have.paths >= 2:
        words.append(f"paths all ride {have.shared_provider or 'one provider'}")
    if have.paths >= 2 and not have.site_disjoint:
        words.append(f"hangs on {have.hangs_on}" if have.hangs_on else "no site-disjoint paths to two cores")
    elif have.paths >= 2 and not have.srlg_disjoint and have.srlg_diverse:
        words.append("no two paths sharing no SRLG tag found")
    return words or ["not SRLG- or provider-diverse"]


def _requirement_dict(need: Requirement) -> dict[str, int | bool]:
    return {
        "paths": need.paths,
        "cores": need.cores,
        "srlg_diverse": need.srlg_diverse,
        "provider_diverse": need.provider_diverse,
        "disjoint": need.disjoint,
    }
