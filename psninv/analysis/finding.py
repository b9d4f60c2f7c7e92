"""The one Finding type that flows from the analysers to the CLI, the TUI and every export."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How urgent a finding is, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical up to 4 for info: sort by this to put the worst first."""
        return _RANK[self]

    def at_least(self, threshold: Severity | str) -> bool:
        """True if this severity is at or above the threshold."""
        return self.rank <= Severity(threshold).rank


# Looked up, not searched: sorting 100k findings calls rank for each.
_RANK = {severity: index for index, severity in enumerate(Severity)}


class Category(StrEnum):
    """Which question a finding answers."""

    REDUNDANCY = "redundancy"
    SHARING = "sharing"


class Kind(StrEnum):
    """What a finding is about; the values are part of the interface (JSON, CSV, docs/ANALYSIS.md)."""

    # redundancy
    ISOLATED_SITE = "isolated-site"
    NO_CORE_PATH = "no-core-path"
    SINGLE_HOMED = "single-homed"
    BRIDGE = "bridge"
    CUT_SITE = "cut-site"
    SHARED_RISK = "shared-risk"
    CAPACITY = "capacity"
    BELOW_POLICY = "below-policy"
    # sharing
    CO_LOCATION = "co-location"
    PARALLEL_CIRCUITS = "parallel-circuits"
    RENEWAL_WINDOW = "renewal-window"
    HUB_CONSOLIDATION = "hub-consolidation"
    MUTUAL_BACKUP = "mutual-backup"
    IP_OVERLAP = "ip-overlap"
    CIDR_MERGE = "cidr-merge"


@dataclass(slots=True)
class ProposedLink:
    """A new circuit a remedy proposes, with its great-circle length and estimated annual cost."""

    a_site: str
    b_site: str
    length_km: float | None
    annual_cost_gbp: float | None
    bandwidth_mbps: float | None = None
    """The bandwidth a verified remedy sizes it to (None where the plan does not size it)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return ProposedLink, tuple(getattr(self, name) for name in _LINK_FIELDS)


@dataclass(slots=True)
class Finding:
    """One gap or opportunity: what, where, how bad, what it costs and how to fix it."""

    id: str  # kind plus subject, stable across runs: "bridge:CIR-0042"
    category: Category
    kind: Kind
    severity: Severity
    title: str
    sites: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)
    impact: dict[str, Any] = field(default_factory=dict)
    """Per-kind JSON payload (keys in docs/ANALYSIS.md); screens read it through the typed properties."""
    remedy: str = ""
    proposed_links: list[ProposedLink] = field(default_factory=list)
    savings_gbp: float | None = None
    savings_pct: float | None = None
    assumptions: dict[str, Any] = field(default_factory=dict)
    """The tariff and policy figures a sharing finding's £ rests on, as JSON data shown as written."""
    breaks_policy: str | None = None
    """Why taking this sharing opportunity would break the redundancy policy (None: it keeps it, or
    it changes no circuit); such a finding is left out of every savings total."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its fields in order: a kept analysis (100k+ findings) is written and read
        # back about a fifth faster than through the slots' default state.
        return Finding, tuple(getattr(self, name) for name in _FINDING_FIELDS)

    @property
    def cut_off_sites(self) -> list[str]:
        """The sites this gap cuts off from the core (redundancy findings; empty for sharing)."""
        return self.impact.get("cut_off_sites") or []

    @property
    def sites_cut_off(self) -> int:
        """How many sites this gap cuts off from the core (0 for sharing findings)."""
        return int(self.impact.get("sites_cut_off") or 0)

    @property
    def demand_mbps_lost(self) -> float:
        """The demand (Mbit/s) of the sites this gap cuts off, or a capacity finding's overload."""
        return float(self.impact.get("demand_mbps_lost") or 0.0)

    @property
    def calculation(self) -> str | None:
        """How a sharing finding's £ was worked out, in one line (None where it has none)."""
        return self.impact.get("calculation")

    def to_dict(self, *, copy: bool = True) -> dict[str, Any]:
        """The finding as JSON-ready data; copy=False shares its lists and dicts, for writing out at once."""
        # Built field by field: dataclasses.asdict deep-copies recursively, 8 s for 100k findings.
        data = {name: getattr(self, name) for name in _FINDING_FIELDS}
        data["category"] = self.category.value
        data["kind"] = self.kind.value
        data["severity"] = self.severity.value
        # Plain values only, so a flat dict is the same as asdict's deep copy and much cheaper.
        data["proposed_links"] = [
            {name: getattr(link, name) for name in _LINK_FIELDS} for link in self.proposed_links
        ]
        if copy:
            data["sites"] = list(self.sites)
            data["links"] = list(self.links)
            data["tenants"] = list(self.tenants)
            data["impact"] = deepcopy(self.impact) if _nested(self.impact) else dict(self.impact)
            data["assumptions"] = deepcopy(self.assumptions)
        return data

    def sort_key(self) -> tuple[int, str, str]:
        """Worst first, then by kind and id, so that listings are stable."""
        return (self.severity.rank, self.kind, self.id)


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))
_LINK_FIELDS = tuple(f.name for f in fields(ProposedLink))


def _nested(data: dict[str, Any]) -> bool:
    # Lists of plain values are copied shallowly; anything deeper gets the full copy asdict made.
    for value in data.values():
        if isinstance(value, dict):
            return True
        if isinstance(value, list | tuple) and value and not isinstance(value[0], str | int | float):
            return True
    return False
