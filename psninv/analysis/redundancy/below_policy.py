"""below-policy: sites whose criticality requires more paths, cores or diversity than they have."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from psninv.analysis.connectivity import Cut
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
    )


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
    return words or ["not SRLG- or provider-diverse"]


def _requirement_dict(need: Requirement) -> dict[str, int | bool]:
    return {
        "paths": need.paths,
        "cores": need.cores,
        "srlg_diverse": need.srlg_diverse,
        "provider_diverse": need.provider_diverse,
    }
