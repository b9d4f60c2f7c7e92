"""What the screens read: the loaded inventory with its look-up indices, the analysis, the what-if.

Everything here is built in worker threads and then only read by the UI thread, so the screens
never wait on the database or the analysers.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from psninv.analysis import Analysis
from psninv.analysis.costs import tenant_annual_cost, tenant_annual_costs
from psninv.analysis.finding import Category, Finding, Severity
from psninv.analysis.sharing import TenantSavings
from psninv.inventory import Inventory, Row
from psninv.model import ENTITY_TABLES, Change, SiteOccupant
from psninv.store import Store
from psninv.style import money

# Inventories with more sites and links than this are analysed in a child process.
PROCESS_ROWS = 20_000

__all__ = [
    "AnalysisCancelled",
    "AnalysisRunner",
    "Results",
    "Snapshot",
    "WhatIfView",
    "fingerprint",
    "load_snapshot",
    "criticality_text",
    "mbps",
    "money",
    "role_text",
    "run_analysis",
    "run_whatif",
    "text",
]


def fingerprint(store: Store) -> tuple[Any, ...]:
    """A cheap summary of the database that changes whenever any row is written or deleted."""
    change = Change.__table__
    occupant = SiteOccupant.__table__
    parts: list[Any] = [select(func.max(change.c.id)).scalar_subquery()]
    parts.append(select(func.count()).select_from(occupant).scalar_subquery())
    for table in ENTITY_TABLES.values():
        parts.append(select(func.count()).select_from(table).scalar_subquery())
        # Every upsert bumps a row's version, so the sum moves on updates that keep the row count.
        parts.append(select(func.coalesce(func.sum(table.c.version), 0)).scalar_subquery())
    with store.read() as conn:
        return tuple(conn.execute(select(*parts)).one())


@dataclass(slots=True)
class Snapshot:
    """The inventory as loaded, with the indices the screens look things up by."""

    inventory: Inventory
    fingerprint: tuple[Any, ...] = ()
    links_by_site: dict[str, list[str]] = field(default_factory=dict)
    sites_by_tenant: dict[str, list[str]] = field(default_factory=dict)
    links_by_tenant: dict[str, list[str]] = field(default_factory=dict)
    prefixes_by_site: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    prefixes_by_tenant: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    site_text: dict[str, str] = field(default_factory=dict)
    link_text: dict[str, str] = field(default_factory=dict)
    located: int = 0
    tenant_costs: dict[str, Decimal] = field(default_factory=dict)
    """Each paying tenant's exact annual circuit cost (psninv.analysis.costs), the analysis's figure."""

    def tenant_cost(self, code: str) -> int:
        """A tenant's annual circuit cost in whole pounds, the same before and after the analysis."""
        return tenant_annual_cost(self.tenant_costs, code)

    @property
    def sites(self) -> dict[str, Row]:
        """Sites by code."""
        return self.inventory.sites

    @property
    def links(self) -> dict[str, Row]:
        """Links by circuit ID."""
        return self.inventory.links

    @property
    def tenants(self) -> dict[str, Row]:
        """Tenants by code."""
        return self.inventory.tenants

    def far_end(self, circuit: str, site: str) -> str:
        """The other end of a circuit seen from one of its sites."""
        link = self.links[circuit]
        return link["b_site"] if link["a_site"] == site else link["a_site"]

    def site_label(self, code: str) -> str:
        """A site's code and name, for one-line mentions."""
        name = (self.sites.get(code) or {}).get("name")
        return f"{code} {name}" if name else code


def index_inventory(inventory: Inventory, stamp: tuple[Any, ...] = ()) -> Snapshot:
    """Build the look-up indices for an inventory in one pass over each entity."""
    snap = Snapshot(inventory=inventory, fingerprint=stamp)
    links_by_site: dict[str, list[str]] = defaultdict(list)
    sites_by_tenant: dict[str, list[str]] = defaultdict(list)
    links_by_tenant: dict[str, list[str]] = defaultdict(list)
    prefixes_by_site: dict[str, list[tuple[str, str]]] = defaultdict(list)
    prefixes_by_tenant: dict[str, list[tuple[str, str]]] = defaultdict(list)
    located = 0
    # What `/` matches, built here in the worker so the first filter of a big table is instant.
    site_keys = ("name", "tenant", "district", "role", "criticality", "postcode", "address")
    snap.site_text = {
        code: " ".join(
            [code, *(str(site.get(k) or "") for k in site_keys), *site.get("occupants", ())]
        ).lower()
        for code, site in inventory.sites.items()
    }
    link_keys = ("a_site", "b_site", "provider", "medium", "tenant", "srlg", "status")
    snap.link_text = {
        cid: " ".join([cid, *(str(link.get(k) or "") for k in link_keys)]).lower()
        for cid, link in inventory.links.items()
    }
    for code, site in inventory.sites.items():
        if site.get("tenant"):
            sites_by_tenant[site["tenant"]].append(code)
        for occupant in site.get("occupants", ()):
            if occupant != site.get("tenant"):
                sites_by_tenant[occupant].append(code)
        if site.get("latitude") is not None and site.get("longitude") is not None:
            located += 1
    for cid, link in inventory.links.items():
        links_by_site[link["a_site"]].append(cid)
        if link["b_site"] != link["a_site"]:
            links_by_site[link["b_site"]].append(cid)
        if link.get("tenant"):
            links_by_tenant[link["tenant"]].append(cid)
    for key, prefix in inventory.prefixes.items():
        if prefix.get("site"):
            prefixes_by_site[prefix["site"]].append(key)
        if prefix.get("tenant"):
            prefixes_by_tenant[prefix["tenant"]].append(key)
    snap.links_by_site = dict(links_by_site)
    snap.sites_by_tenant = dict(sites_by_tenant)
    snap.links_by_tenant = dict(links_by_tenant)
    snap.prefixes_by_site = dict(prefixes_by_site)
    snap.prefixes_by_tenant = dict(prefixes_by_tenant)
    snap.located = located
    snap.tenant_costs = tenant_annual_costs(inventory)
    return snap


def load_snapshot(store: Store) -> Snapshot:
    """Read the whole inventory and index it (run this in a worker thread)."""
    stamp = fingerprint(store)
    return index_inventory(store.load(), stamp)


@dataclass(slots=True)
class Results:
    """An analysis with its findings indexed by what they name."""

    analysis: Analysis
    fingerprint: tuple[Any, ...] = ()
    by_id: dict[str, Finding] = field(default_factory=dict)
    by_site: dict[str, list[Finding]] = field(default_factory=dict)
    by_link: dict[str, list[Finding]] = field(default_factory=dict)
    by_tenant: dict[str, list[Finding]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def findings(self) -> list[Finding]:
        """All findings, worst first."""
        return self.analysis.findings

    def worst(self, findings: Iterable[Finding]) -> Severity | None:
        """The most severe of some findings, or None if there are none."""
        return min((f.severity for f in findings), key=lambda s: s.rank, default=None)

    def by_severity(self, category: Category | str | None = None) -> dict[str, int]:
        """How many findings of each severity, optionally of one category."""
        counts = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            if category is None or finding.category == category:
                counts[finding.severity.value] += 1
        return counts

    def savings(self) -> tuple[float | None, float | None]:
        """The sharing savings identified overall: (£ a year, % of the network's annual cost)."""
        sharing = self.analysis.sharing
        if sharing is None:
            return float(sum(f.savings_gbp or 0 for f in self.findings)), None
        return sharing.savings_gbp, sharing.savings_pct

    def avoided(self) -> float:
        """Spending the sharing opportunities avoid without saving cash (second circuits not bought)."""
        sharing = self.analysis.sharing
        return float(sharing.avoided_gbp) if sharing else 0.0

    def total_cost(self) -> float | None:
        """The total annual cost of the network's circuits, as the sharing analysis counts it."""
        sharing = self.analysis.sharing
        return sharing.total_annual_cost_gbp if sharing else None

    def tenant_savings(self, tenant: str) -> TenantSavings | None:
        """One tenant's annual cost, savings and cost avoided from the sharing summary, where it ran."""
        sharing = self.analysis.sharing
        return sharing.by_tenant.get(tenant) if sharing else None


def index_analysis(analysis: Analysis, stamp: tuple[Any, ...] = (), seconds: float = 0.0) -> Results:
    """Index an analysis's findings by id and by the sites, links and tenants they name."""
    by_site: dict[str, list[Finding]] = defaultdict(list)
    by_link: dict[str, list[Finding]] = defaultdict(list)
    by_tenant: dict[str, list[Finding]] = defaultdict(list)
    for finding in analysis.findings:
        for code in dict.fromkeys(finding.sites):
            by_site[code].append(finding)
        for cid in dict.fromkeys(finding.links):
            by_link[cid].append(finding)
        for code in dict.fromkeys(finding.tenants):
            by_tenant[code].append(finding)
    return Results(
        analysis=analysis,
        fingerprint=stamp,
        by_id={f.id: f for f in analysis.findings},
        by_site=dict(by_site),
        by_link=dict(by_link),
        by_tenant=dict(by_tenant),
        seconds=seconds,
    )


def run_analysis(snapshot: Snapshot) -> Results:
    """Run both analysers on a snapshot, in this thread."""
    from psninv.analysis import analyse

    started = time.perf_counter()
    analysis = analyse(snapshot.inventory)
    return index_analysis(analysis, snapshot.fingerprint, time.perf_counter() - started)


def analyse_database(url: str) -> tuple[tuple[Any, ...], Analysis]:
    """Read an inventory afresh and analyse it; the entry point of the analysis child process."""
    from psninv.analysis import analyse
    from psninv.store import open_store

    store = open_store(url, read_only=True)
    try:
        stamp = fingerprint(store)
        inventory = store.load()
    finally:
        store.close()
    return stamp, analyse(inventory)


class AnalysisCancelled(Exception):
    """The analysis was stopped before it finished (the app is closing or the data changed)."""


class AnalysisRunner:
    """Runs the analysers: small inventories in the calling thread, big ones in a child process.

    The analysers are pure Python, so in a thread they would take the GIL the UI needs to draw
    for as long as they run; a child process leaves the UI thread free, and can be stopped.
    """

    def __init__(self, store: Store, *, process_rows: int = PROCESS_ROWS) -> None:
        self.store = store
        self.process_rows = process_rows
        self._lock = threading.Lock()
        self._pools: set[Any] = set()
        self._stopped = False

    @property
    def running(self) -> int:
        """How many analysis child processes are running."""
        with self._lock:
            return len(self._pools)

    def uses_process(self, snapshot: Snapshot) -> bool:
        """Whether this snapshot is big enough to analyse in a child process (and can be)."""
        url = self.store.engine.url
        shareable = url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")
        size = len(snapshot.sites) + len(snapshot.links)
        return shareable and size > self.process_rows

    def run(self, snapshot: Snapshot, cancelled: Callable[[], bool] = lambda: False) -> Results:
        """Analyse a snapshot; raise AnalysisCancelled if stopped or `cancelled()` turns true."""
        if not self.uses_process(snapshot):
            return run_analysis(snapshot)
        import multiprocessing

        started = time.perf_counter()
        url = self.store.engine.url.render_as_string(hide_password=False)
        with self._lock:
            if self._stopped:
                raise AnalysisCancelled()
            _start_resource_tracker()
            # spawn, not fork: the app has threads running, and a forked child could inherit a held lock.
            pool = multiprocessing.get_context("spawn").Pool(1, initializer=_child_init)
            self._pools.add(pool)
        try:
            pending = pool.apply_async(analyse_database, (url,))
            while True:
                try:
                    stamp, analysis = pending.get(timeout=0.25)
                    break
                except multiprocessing.TimeoutError:
                    if self._stopped or cancelled():
                        raise AnalysisCancelled() from None
        finally:
            with self._lock:
                self._pools.discard(pool)
            pool.terminate()
            pool.join()
        return index_analysis(analysis, stamp, time.perf_counter() - started)

    def stop(self) -> None:
        """Stop every analysis child process, now and for good (the app is closing)."""
        with self._lock:
            self._stopped = True
            pools = list(self._pools)
        for pool in pools:
            pool.terminate()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr to hand it.

    While an app runs, Textual replaces sys.stderr with a capture whose fileno() is -1, and the
    tracker, which passes stderr's descriptor on, would fail to start.
    """
    import sys
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable or sys.__stderr__ is None:
        resource_tracker.ensure_running()
        return
    captured, sys.stderr = sys.stderr, sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


def _child_init() -> None:
    """Prepare the analysis child: quiet (its output would land on the TUI) and at a lower priority."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    if hasattr(os, "nice"):
        # On a small machine the UI still gets the CPU first.
        os.nice(10)


@dataclass(slots=True)
class WhatIfView:
    """A what-if result as the screens show it: the library's answer plus look-ups."""

    failed: tuple[str, ...]
    result: Any  # psninv.analysis.whatif.WhatIf
    cut_off_sites: frozenset[str] = frozenset()
    failed_sites: frozenset[str] = frozenset()
    failed_links: frozenset[str] = frozenset()
    unknown: tuple[str, ...] = ()
    # Cut-off site codes by tenant, copied once here: table rows look it up on every redraw.
    cut_off: dict[str, list[str]] = field(default_factory=dict)

    @property
    def demand_lost_mbps(self) -> float:
        """The demand that can no longer reach the core, in Mbit/s."""
        return float(getattr(self.result, "demand_lost_mbps", 0.0) or 0.0)


def run_whatif(snapshot: Snapshot, failed: Iterable[str]) -> WhatIfView:
    """Simulate failing sites and circuits together (run this in a worker thread)."""
    from psninv.analysis.whatif import simulate_failures

    failed = tuple(dict.fromkeys(failed))
    result = simulate_failures(snapshot.inventory, failed)
    return WhatIfView(
        failed=failed,
        result=result,
        cut_off_sites=frozenset(getattr(result, "cut_off_sites", ()) or ()),
        failed_sites=frozenset(getattr(result, "failed_sites", ()) or ()),
        failed_links=frozenset(getattr(result, "failed_links", ()) or ()),
        unknown=tuple(getattr(result, "unknown", ()) or ()),
        cut_off=dict(getattr(result, "cut_off", {}) or {}),
    )


def text(value: Any) -> str:
    """A cell value as text: blank for None, dates as ISO, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


ROLE_SHORT = {"datacentre": "dc"}
CRITICALITY_SHORT = {"critical": "crit", "standard": "std"}


def role_text(role: str | None) -> str:
    """A site role short enough for a narrow column: datacentre becomes dc."""
    return ROLE_SHORT.get(role or "", role or "")


def criticality_text(value: str | None) -> str:
    """A criticality short enough for a narrow column: crit, high, std."""
    return CRITICALITY_SHORT.get(value or "", value or "")


def mbps(value: float | None) -> str:
    """A bandwidth as an engineer reads it: 100M, 1G, 10G."""
    if value is None:
        return ""
    if value >= 1000 and value % 1000 == 0:
        return f"{value / 1000:.0f}G"
    if value >= 1000:
        return f"{value / 1000:.1f}G"
    return f"{value:.0f}M" if float(value).is_integer() else f"{value:.1f}M"
