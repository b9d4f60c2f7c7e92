"""The Ctrl+P palette: jump to any site, circuit, tenant or section by name, or add a record."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from psninv.display import clean
from psninv.tui.base import SECTIONS

if TYPE_CHECKING:
    from psninv.tui.app import PsninvApp

MAX_HITS = 40
# Above this many entries, only entries containing the typed text are fuzzy-scored.
FUZZY_ALL = 5_000

_index_cache: dict[Any, list[tuple[str, str, str, str]]] = {}


def jump_index(app: PsninvApp) -> list[tuple[str, str, str, str]]:
    """(kind, key, display, lower-case search text) for every site, circuit and tenant."""
    snap = app.snapshot
    if snap is None:
        return []
    cached = _index_cache.get(snap.fingerprint)
    if cached is not None:
        return cached
    entries: list[tuple[str, str, str, str]] = []
    for code, site in snap.sites.items():
        display = f"site {code}" + (f"  {site['name']}" if site.get("name") else "")
        entries.append(("site", code, display, display.lower()))
    for cid, link in snap.links.items():
        display = f"circuit {cid}  {link['a_site']} ⟷ {link['b_site']}"
        if link.get("provider"):
            display += f"  {link['provider']}"
        entries.append(("link", cid, display, display.lower()))
    for code, tenant in snap.tenants.items():
        display = f"tenant {code}" + (f"  {tenant['name']}" if tenant.get("name") else "")
        entries.append(("tenant", code, display, display.lower()))
    _index_cache.clear()
    _index_cache[snap.fingerprint] = entries
    return entries


class JumpProvider(Provider):
    """Sites, circuits and tenants by code or name, and the sections."""

    @property
    def psn(self) -> PsninvApp:
        """The app, typed."""
        return cast("PsninvApp", self.app)

    def _opener(self, kind: str, key: str) -> Any:
        app = self.psn
        return {"site": app.open_site, "link": app.open_link, "tenant": app.open_tenant}[kind], key

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        entries = jump_index(self.psn)
        needle = query.lower().strip()
        words = needle.split()
        if len(entries) > FUZZY_ALL:
            candidates = [e for e in entries if all(w in e[3] for w in words)][: MAX_HITS * 5]
        else:
            candidates = entries
        scored = []
        for kind, key, display, lower in candidates:
            score = matcher.match(display)
            if key.lower() == needle:
                score = max(score, 1.0)
            elif needle and needle in lower:
                score = max(score, 0.5 + 0.4 * len(needle) / len(lower))
            if score > 0:
                scored.append((score, kind, key, display))
        scored.sort(key=lambda item: -item[0])
        for score, kind, key, display in scored[:MAX_HITS]:
            opener, arg = self._opener(kind, key)
            shown = clean(display)
            yield Hit(score, matcher.highlight(shown), partial(opener, arg), text=shown)
        for title, action, key in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), action, text=title, help=f"key {key}")
        for key, mode, label, _short in SECTIONS:
            title = f"Go to {label}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.psn.switch_mode, mode),
                    text=title,
                    help=f"key {key}",
                )
        for title, action in self._add_commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), action, text=title, help="a form")

    def _add_commands(self) -> list[tuple[str, Any]]:
        from psninv.tui.forms import open_form

        nouns = (("tenants", "tenant"), ("sites", "site"), ("links", "circuit"), ("prefixes", "prefix"))
        return [(f"Add a {noun}", partial(open_form, self.psn, entity)) for entity, noun in nouns]

    async def discover(self) -> Hits:
        for key, mode, label, _short in SECTIONS:
            yield DiscoveryHit(f"Go to {label}", partial(self.psn.switch_mode, mode), help=f"key {key}")
        yield DiscoveryHit("Reset the what-if", self.psn.action_reset, help="key r")
        for title, action in self._add_commands():
            yield DiscoveryHit(title, action, help="a form")
        for title, action, key in self._commands():
            yield DiscoveryHit(title, action, help=f"key {key}")

    def _commands(self) -> list[tuple[str, Any, str]]:
        return [
            ("Import a file (with review)", self.psn.action_import, "i"),
            ("Export the inventory", self.psn.action_export, "x"),
            ("Plan: remedies and sharing, checked", self.psn.action_plan, "p"),
        ]
