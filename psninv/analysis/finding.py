"""The one Finding type that flows from the analysers to the CLI, the TUI and every export."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
        return list(Severity).index(self)

    def at_least(self, threshold: Severity | str) -> bool:
        """True if this severity is at or above the threshold."""
        return self.rank <= Severity(threshold).rank


class Category(StrEnum):
    """Which question a finding answers."""

    REDUNDANCY = "redundancy"
    SHARING = "sharing"


@dataclass(slots=True)
class ProposedLink:
    """A new circuit a remedy proposes, with its great-circle length and estimated annual cost."""

    a_site: str
    b_site: str
    length_km: float | None
    annual_cost_gbp: float | None


@dataclass(slots=True)
class Finding:
    """One gap or opportunity: what, where, how bad, what it costs and how to fix it."""

    id: str  # kind plus subject, stable across runs: "bridge:CIR-0042"
    category: Category
    kind: str
    severity: Severity
    title: str
    sites: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)
    impact: dict[str, Any] = field(default_factory=dict)
    remedy: str = ""
    proposed_links: list[ProposedLink] = field(default_factory=list)
    savings_gbp: float | None = None
    savings_pct: float | None = None
    assumptions: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        data = asdict(self)
        data["category"] = self.category.value
        data["severity"] = self.severity.value
        return data

    def sort_key(self) -> tuple[int, str, str]:
        """Worst first, then by kind and id, so that listings are stable."""
        return (self.severity.rank, self.kind, self.id)


@dataclass(slots=True)
class Analysis:
    """What an analysis returns: a summary and the findings, worst first."""

    summary: dict[str, Any]
    findings: list[Finding]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: {"summary": {...}, "findings": [...]}."""
        return {"summary": self.summary, "findings": [f.to_dict() for f in self.findings]}
