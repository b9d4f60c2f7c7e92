"""renewal-window: neighbouring circuits of different tenants whose contracts end close together."""

from __future__ import annotations

import datetime as dt
import functools
from array import array
from decimal import Decimal

import numpy as np

from psninv.analysis.finding import Kind
from psninv.analysis.sharing.context import Context, gbp, num

KIND = Kind.RENEWAL_WINDOW
EPOCH = dt.date(1970, 1, 1)


def find(ctx: Context) -> None:
    """Sweep circuits by contract end; each earliest one gathers the nearby ones ending within the window."""
    tariff = ctx.tariff
    circuits = len(ctx.cids)
    sites = len(ctx.codes)
    # Day numbers from Python's ordinals (0001-01-01 is 1; 1970-01-01 is 719163), NaT where none.
    ordinals = np.array([_ordinal(value) for value in ctx.contract_ends], dtype=np.int64).reshape(circuits)
    ends = np.where(ordinals > 0, ordinals - EPOCH.toordinal(), np.iinfo(np.int64).min).astype(
        "datetime64[D]"
    )
    limits = _add_months(ends, tariff.renewal_window_months)
    # Where a circuit is, for neighbourliness: its access end, else its A end, if located.
    preferred = np.where(~ctx.upstream[ctx.b] & ctx.upstream[ctx.a], ctx.b, ctx.a)
    alternative = np.where(preferred == ctx.a, ctx.b, ctx.a)
    place = np.where(ctx.located[preferred], preferred, np.where(ctx.located[alternative], alternative, -1))
    eligible = np.flatnonzero(~ctx.retired & ~np.isnat(ends) & (place >= 0))
    if eligible.size == 0:
        return
    days = ends.astype(np.int64)
    # Circuits are handled by slot: their place in a table sorted by place, then end, then ID, so a
    # place's circuits sit side by side in end order and scanning them reads memory in sequence.
    slots = eligible[np.lexsort((eligible, days[eligible], place[eligible]))]
    slot_of = np.full(circuits, -1, dtype=np.int64)
    slot_of[slots] = np.arange(slots.size)
    anchors = array("q", slot_of[eligible[np.lexsort((eligible, days[eligible]))]].tolist())
    slot_place = array("q", place[slots].tolist())
    slot_end = array("q", days[slots].tolist())
    slot_limit = array("q", limits.astype(np.int64)[slots].tolist())
    slot_payer = array("q", ctx.payer_id[slots].tolist())
    place_start = array("q", np.searchsorted(place[slots], np.arange(sites + 1)).tolist())
    i, j, _km = ctx.pairs(tariff.neighbour_km)
    near, far = np.concatenate([i, j]), np.concatenate([j, i])
    by_near = np.argsort(near, kind="stable")
    near_items = array("q", far[by_near].tolist())
    near_start = array("q", np.searchsorted(near[by_near], np.arange(sites + 1)).tolist())

    lonely = array("b", (~_may_pair(slots, place, days, limits, ctx.payer_id, near, far)).tolist())
    slot_circuit = slots.tolist()
    place_list, day_list = place.tolist(), days.tolist()
    cursor = array("q", place_start)
    done = bytearray(slots.size)
    for anchor in anchors:
        if done[anchor]:
            continue
        if lonely[anchor]:
            # No other payer's circuit nearby ends in its window: it can only stand alone.
            done[anchor] = 1
            continue
        limit = slot_limit[anchor]
        here = slot_place[anchor]
        members = []
        for spot in (here, *near_items[near_start[here] : near_start[here + 1]]):
            k, stop = cursor[spot], place_start[spot + 1]
            # Everything before a place's cursor is spoken for already.
            while k < stop and done[k]:
                k += 1
            cursor[spot] = k
            # Every circuit ending before the anchor has been an anchor already, so these end after it.
            while k < stop and slot_end[k] <= limit:
                if not done[k]:
                    members.append(k)
                k += 1
        done[anchor] = 1
        if len({slot_payer[k] for k in members}) < 2:
            continue
        for k in members:
            done[k] = 1
        _report(ctx, slot_circuit[anchor], sorted(slot_circuit[k] for k in members), place_list, day_list)


def _may_pair(
    slots: np.ndarray,
    place: np.ndarray,
    days: np.ndarray,
    limits: np.ndarray,
    payer: np.ndarray,
    near: np.ndarray,
    far: np.ndarray,
) -> np.ndarray:
    """Per slot, whether another payer's circuit at its place or a neighbouring one ends in its window."""
    slot_place = place[slots]
    first = np.searchsorted(slot_place, np.arange(int(slot_place.max()) + 2))
    counts = np.diff(first)
    # Every place with itself and with each neighbour, then every circuit there against every one there.
    spots = np.unique(slot_place)
    left = np.concatenate([spots, near])
    right = np.concatenate([spots, far])
    inside = (left < counts.size) & (right < counts.size)
    left, right = left[inside], right[inside]
    sizes = counts[left] * counts[right]
    keep = sizes > 0
    left, right, sizes = left[keep], right[keep], sizes[keep]
    total = int(sizes.sum())
    result = np.zeros(slots.size, dtype=bool)
    if total == 0:
        return result
    block = np.repeat(np.arange(left.size), sizes)
    within = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    x = first[left][block] + within // counts[right][block]
    y = first[right][block] + within % counts[right][block]
    cx, cy = slots[x], slots[y]
    fits = (payer[cx] != payer[cy]) & (days[cy] >= days[cx]) & (days[cy] <= limits.astype(np.int64)[cx])
    result[x[fits]] = True
    return result


@functools.lru_cache(maxsize=4096)
def _iso(day: int) -> str:
    """A day number (days since 1970-01-01) as an ISO date; contracts share few end dates, so cached."""
    return (EPOCH + dt.timedelta(days=day)).isoformat()


def _ordinal(value: object) -> int:
    """A contract end as Python's day ordinal, or 0 when there is none."""
    day = _day(value)
    return 0 if day is None else day.toordinal()


def _day(value: object) -> dt.date | None:
    """A contract end as a date, or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _add_months(days: np.ndarray, months: int) -> np.ndarray:
    """add_months over an array of dates: the same day `months` later, or the month's last day."""
    month = days.astype("datetime64[M]")
    day_of_month = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)


def _report(ctx: Context, anchor: int, members: list[int], place: list[int], days: list[int]) -> None:
    """Record one window: circuit numbers, and every circuit's place and contract end (a day number)."""
    tariff = ctx.tariff
    cids = [ctx.cids[c] for c in members]
    ends = {cid: _iso(days[c]) for cid, c in zip(cids, members, strict=True)}
    combined, known, weights = ctx.money_at(members)
    discount = Decimal(str(tariff.renewal_discount_pct))
    savings = combined * discount / 100 if combined is not None and discount > 0 else None
    tenants = sorted({ctx.payers[c] for c in members})
    sites = list(dict.fromkeys(ctx.codes[place[c]] for c in members))
    first, last = min(ends.values()), max(ends.values())  # ISO dates sort as dates
    value = gbp(combined) if combined is not None else f"at least {gbp(known)}"
    title = (
        f"{len(members)} circuits of {', '.join(tenants)} near {ctx.name(ctx.codes[place[anchor]])} end "
        f"between {first} and {last}: procure together ({value} a year)"
    )
    remedy = f"Align the renewals of {', '.join(cids)} and buy them in one procurement before {first}."
    if savings is None:
        calculation = f"combined annual value {value}; not costed (renewal_discount_pct is 0)"
        if combined is None:
            calculation = f"combined annual value {value}; not costed (some circuits have no cost)"
    else:
        calculation = f"{gbp(combined)} x {discount}% = {gbp(savings)} a year"
    ctx.add(
        kind=KIND,
        subject=ctx.cids[anchor],
        title=title,
        sites=sites,
        links=cids,
        tenants=tenants,
        savings=savings,
        involved=combined,
        weights=weights,
        impact={
            "contract_ends": ends,
            "first_end": first,
            "last_end": last,
            "combined_annual_gbp": num(combined) if combined is not None else None,
            "known_annual_gbp": num(known),
            "calculation": calculation,
        },
        remedy=remedy,
        assumptions={
            "neighbour_km": tariff.neighbour_km,
            "renewal_window_months": tariff.renewal_window_months,
            "renewal_discount_pct": tariff.renewal_discount_pct,
            "rule": "savings = combined annual value x renewal_discount_pct (uncosted while it is 0)",
        },
    )
