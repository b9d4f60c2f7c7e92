"""Failure names: a site, a circuit, `srlg:TAG` (every circuit carrying the tag) or `provider:NAME`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from psninv.inventory import Inventory
from psninv.model import canonical_tag, srlg_tags

SRLG = "srlg"
PROVIDER = "provider"


@dataclass(slots=True)
class Failures:
    """What --fail names mean: the sites and circuits to fail, the events named, the names unknown."""

    sites: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    """The `srlg:TAG` and `provider:NAME` names, as given."""
    unknown: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """The sites and circuits to fail, each once."""
        return list(dict.fromkeys(self.sites + self.links))


def event_name(name: str) -> tuple[str, str] | None:
    """("srlg", canonical tag) or ("provider", name) for an event name, None for a site or circuit."""
    kind, colon, rest = name.partition(":")
    kind = kind.strip().lower()
    if colon and kind in (SRLG, PROVIDER) and rest.strip():
        return (SRLG, canonical_tag(rest)) if kind == SRLG else (PROVIDER, rest.strip())
    return None


def expand_failures(inventory: Inventory, names: Iterable[str]) -> Failures:
    """Resolve --fail names: a site, a circuit, `srlg:TAG` (every circuit carrying it) or `provider:NAME`.

    A site or circuit named exactly wins over an event reading; tags match in canonical form and
    providers without regard to case. A name that matches nothing is listed as unknown.
    """
    out = Failures()
    wanted = list(dict.fromkeys(str(name).strip() for name in names if str(name).strip()))
    events: dict[tuple[str, str], str] = {}
    for name in wanted:
        event = None if name in inventory.sites or name in inventory.links else event_name(name)
        if event is not None:
            events[(event[0], event[1].casefold() if event[0] == PROVIDER else event[1])] = name
        elif name in inventory.sites:
            out.sites.append(name)
        elif name in inventory.links:
            out.links.append(name)
        else:
            out.unknown.append(name)
    if events:
        matched: set[tuple[str, str]] = set()
        for cid in sorted(inventory.links):
            link = inventory.links[cid]
            keys = [(SRLG, tag) for tag in srlg_tags(link.get("srlg"))]
            provider = (link.get("provider") or "").strip()
            if provider:
                keys.append((PROVIDER, provider.casefold()))
            hits = [key for key in keys if key in events]
            if hits:
                matched.update(hits)
                if cid not in out.links:
                    out.links.append(cid)
        for key, name in events.items():
            (out.events if key in matched else out.unknown).append(name)
    return out
