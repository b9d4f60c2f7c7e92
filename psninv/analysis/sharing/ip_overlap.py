"""ip-overlap: prefixes of different tenants overlapping in one routing table; cidr_merge tidy-ups."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import netaddr

from psninv.analysis.finding import Kind, Severity
from psninv.analysis.sharing.context import Context

KIND = Kind.IP_OVERLAP
TIDY_KIND = Kind.CIDR_MERGE


@dataclass(slots=True)
class _Block:
    """One stored prefix as an address interval, with who uses it where."""

    text: str
    vrf: str
    version: int
    prefixlen: int
    first: int
    last: int
    tenant: str | None
    site: str | None

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def network(self) -> netaddr.IPNetwork:
        return netaddr.IPNetwork(f"{netaddr.IPAddress(self.first, self.version)}/{self.prefixlen}")


def _parse(text: str) -> tuple[int, int, int, int]:
    """A prefix as (version, prefix length, first address, last address); host bits are ignored."""
    address, slash, length = text.strip().partition("/")
    parts = address.split(".")
    # Plain dotted quads are read directly, being nearly all of them; netaddr reads everything else.
    if (
        len(parts) == 4
        and all(part.isdigit() and len(part) <= 3 and (part == "0" or part[0] != "0") for part in parts)
        and (not slash or (length.isdigit() and int(length) <= 32))
    ):
        value = 0
        for part in parts:
            number = int(part)
            if number > 255:
                break
            value = value << 8 | number
        else:
            bits = int(length) if slash else 32
            host = (1 << (32 - bits)) - 1
            return 4, bits, value & ~host, (value & ~host) | host
    network = netaddr.IPNetwork(text).cidr
    return network.version, network.prefixlen, network.first, network.last


def find(ctx: Context) -> None:
    """Report overlapping prefixes of different tenants, each with a free block to move to, and tidy-ups."""
    blocks = _blocks(ctx)
    tables: dict[tuple[str, int], list[_Block]] = {}
    for block in blocks:
        tables.setdefault((block.vrf, block.version), []).append(block)
    blockers = _Blockers(ctx)
    pool = [netaddr.IPNetwork(text) for text in ctx.tariff.renumber_pool]
    for (_vrf, version), table in sorted(tables.items()):
        table.sort(key=lambda b: (b.first, -b.size, b.text))
        finder = _FreeSpace(table, [p for p in pool if p.version == version])
        stack: list[_Block] = []
        for block in table:
            while stack and stack[-1].last < block.first:
                stack.pop()
            # CIDR blocks either nest or are apart, so the stack holds exactly the blocks containing this one.
            for outer in stack:
                if outer.tenant and block.tenant and outer.tenant != block.tenant:
                    _report_overlap(ctx, outer, block, finder, blockers)
            stack.append(block)
    _tidy_ups(ctx, blocks)


def _blocks(ctx: Context) -> list[_Block]:
    out = []
    for (text, vrf), row in ctx.inventory.prefixes.items():
        try:
            version, prefixlen, first, last = _parse(text)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            ctx.warnings.append(f"prefix {text!r} (VRF {vrf or 'global'}) is not a CIDR block: skipped")
            continue
        site = row.get("site")
        tenant = row.get("tenant") or (ctx.tenant(site) if site in ctx.sites else None)
        out.append(_Block(text, vrf or "", version, prefixlen, first, last, tenant, site))
    return out


class _Blockers:
    """Pairs of tenants a shown, costed opportunity would bring onto shared kit, gathered on first use."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.pairs: set[frozenset[str]] | None = None

    def __contains__(self, pair: object) -> bool:
        if self.pairs is None:
            self.pairs = set()
            for opportunity in self.ctx.opportunities:
                if opportunity.hidden or opportunity.finding.savings_gbp is None:
                    continue
                tenants = opportunity.finding.tenants
                for i, a in enumerate(tenants):
                    for b in tenants[i + 1 :]:
                        self.pairs.add(frozenset((a, b)))
        return pair in self.pairs


class _FreeSpace:
    """Finds unused, aligned blocks in a tenant's own ranges or the configured pool, one table at a time."""

    def __init__(self, table: list[_Block], pool: list[netaddr.IPNetwork]):
        self.table = table
        self.firsts = [b.first for b in table]
        self.reserved: list[tuple[int, int]] = []
        self.inside: dict[tuple[str, int, int], list[tuple[int, int]]] = {}
        self.by_tenant: dict[str | None, list[_Block]] = {}
        # A range inside (or equal to) another tenant's block is not the tenant's to hand out.
        contested: set[int] = set()
        stack: list[_Block] = []
        for block in table:
            while stack and stack[-1].last < block.first:
                stack.pop()
            for outer in stack:
                if outer.tenant != block.tenant:
                    contested.add(id(block))
                    if (outer.first, outer.last) == (block.first, block.last):
                        contested.add(id(outer))
            stack.append(block)
        for block in table:
            if id(block) not in contested:
                self.by_tenant.setdefault(block.tenant, []).append(block)
        self.pool = [
            network
            for network in pool
            if not any(b.first <= network.first and b.last >= network.last for b in table)
        ]

    def _used_inside(self, first: int, last: int, skip: _Block | None) -> list[tuple[int, int]]:
        """Intervals in use inside [first, last]: the table's blocks there plus blocks already suggested."""
        key = ("block", id(skip), 0) if skip is not None else ("pool", first, last)
        if key not in self.inside:
            start = bisect.bisect_left(self.firsts, first)
            used = []
            for block in self.table[start:]:
                if block.first > last:
                    break
                if block is not skip:
                    used.append((block.first, block.last))
            self.inside[key] = used
        extra = [(a, b) for a, b in self.reserved if a <= last and b >= first]
        return sorted(self.inside[key] + extra) if extra else self.inside[key]

    def suggest(self, moving: _Block) -> tuple[str, str] | None:
        """A free block the size of `moving`, and where it came from, reserved so no one else gets it."""
        size = moving.size
        sources = [
            (b.first, b.last, b, f"{b.tenant}'s range {b.text}")
            for b in self.by_tenant.get(moving.tenant, ())
            if b.size > size
        ]
        sources += [(n.first, n.last, None, f"the pool {n}") for n in self.pool if n.size >= size]
        for first, last, container, source in sources:
            start = _first_free(first, last, size, self._used_inside(first, last, container))
            if start is not None:
                self.reserved.append((start, start + size - 1))
                address = netaddr.IPAddress(start, moving.version)
                return f"{address}/{moving.prefixlen}", source
        return None


def _first_free(first: int, last: int, size: int, used: list[tuple[int, int]]) -> int | None:
    """The lowest start of an aligned block of `size` addresses in [first, last] clear of `used`."""
    candidate = -(-first // size) * size
    for used_first, used_last in used:
        if used_last < candidate:
            continue
        if used_first > candidate + size - 1:
            break
        candidate = -(-(used_last + 1) // size) * size
    return candidate if candidate + size - 1 <= last else None


def _where(ctx: Context, block: _Block) -> str:
    site = f" at {block.site}" if block.site else ""
    return f"{block.text} ({block.tenant}{site})"


def _report_overlap(
    ctx: Context, outer: _Block, inner: _Block, finder: _FreeSpace, blockers: _Blockers
) -> None:
    table = f"VRF {outer.vrf}" if outer.vrf else "the global table"
    suggestion = finder.suggest(inner)
    if suggestion is None:
        advice = (
            f"no free /{inner.prefixlen} found in {inner.tenant}'s ranges or the pool: "
            "add one to renumber_pool in the tariff"
        )
        remedy = f"Renumber {inner.text} ({inner.tenant}) or translate it (NAT); {advice}."
    else:
        advice = f"renumber {inner.text} to {suggestion[0]} from {suggestion[1]}"
        remedy = f"Renumber {inner.text} ({inner.tenant}) to {suggestion[0]}, taken from {suggestion[1]}."
    blocking = frozenset((outer.tenant, inner.tenant)) in blockers
    title = f"{_where(ctx, inner)} overlaps {_where(ctx, outer)} in {table}: {advice}"
    sites = [s for s in (inner.site, outer.site) if s]
    subject = f"{outer.text}~{inner.text}" + (f"@{outer.vrf}" if outer.vrf else "")
    ctx.add(
        kind=KIND,
        subject=subject,
        title=title,
        sites=list(dict.fromkeys(sites)),
        links=[],
        tenants=sorted({outer.tenant, inner.tenant}),
        savings=None,
        involved=None,
        weights={},
        impact={
            "vrf": outer.vrf,
            "prefixes": [outer.text, inner.text],
            "sides": [
                {"prefix": side.text, "tenant": side.tenant, "site": side.site} for side in (outer, inner)
            ],
            "equal": outer.first == inner.first and outer.last == inner.last,
            "renumber": inner.text,
            "replacement": suggestion[0] if suggestion else None,
            "replacement_from": suggestion[1] if suggestion else None,
            "blocks_found_opportunity": blocking,
        },
        remedy=remedy,
        assumptions={"renumber_pool": list(ctx.tariff.renumber_pool)},
        # A clash between tenants that another finding would put on shared kit blocks real money.
        severity=Severity.HIGH if blocking else Severity.MEDIUM,
    )


def _tidy_ups(ctx: Context, blocks: list[_Block]) -> None:
    """Per site, the prefixes of one tenant in one table that cidr_merge summarises into fewer."""
    groups: dict[str, dict[tuple[str, str], list[_Block]]] = {}
    for block in blocks:
        if block.site:
            groups.setdefault(block.site, {}).setdefault((block.vrf, block.tenant or ""), []).append(block)
    for site in sorted(groups):
        merges = []
        for (vrf, tenant), members in sorted(groups[site].items()):
            if len(members) < 2 or not _mergeable(members):
                continue
            merged = netaddr.cidr_merge([b.network for b in members])
            if len(merged) < len(members):
                merges.append(
                    {
                        "vrf": vrf,
                        "tenant": tenant or None,
                        "from": sorted((b.text for b in members), key=lambda t: netaddr.IPNetwork(t)),
                        "to": [str(n) for n in merged],
                    }
                )
        if not merges:
            continue
        count_from = sum(len(m["from"]) for m in merges)
        count_to = sum(len(m["to"]) for m in merges)
        where = ctx.name(site) if site in ctx.sites else site
        summary = "; ".join(f"{', '.join(m['from'])} -> {', '.join(m['to'])}" for m in merges)
        ctx.add(
            kind=TIDY_KIND,
            subject=site,
            title=f"{count_from} prefixes at {where} summarise to {count_to}: {summary}",
            sites=[site],
            links=[],
            tenants=sorted({m["tenant"] for m in merges if m["tenant"]}),
            savings=None,
            involved=None,
            weights={},
            impact={"merges": merges},
            remedy="Replace the listed prefixes with their summary in the inventory and in routing.",
            assumptions={},
            severity=Severity.INFO,
        )


def _mergeable(blocks: list[_Block]) -> bool:
    """Whether cidr_merge would shorten the list: some block nests in another, or two are halves of one."""
    ordered = sorted(blocks, key=lambda b: (b.version, b.first, -b.size))
    for previous, block in zip(ordered, ordered[1:], strict=False):
        if block.version != previous.version:
            continue
        if block.first <= previous.last:
            return True
        if (
            block.size == previous.size
            and block.first == previous.last + 1
            and previous.first % (2 * block.size) == 0
        ):
            return True
    return False
