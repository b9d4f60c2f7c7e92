"""What an analysis returns: the findings, worst first, and each analyser's typed summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from psninv.analysis.finding import Finding, Severity
from psninv.analysis.redundancy.summary import RedundancySummary
from psninv.analysis.sharing.summary import SharingSummary
from psninv.analysis.whatif import WhatIf


@dataclass(slots=True)
class ScenarioInfo:
    """What an analysis of a scenario was run on: the files applied in memory, and what they changed."""

    files: list[str]
    created: int = 0
    updated: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "files": list(self.files),
            "created": self.created,
            "updated": self.updated,
            "warnings": list(self.warnings),
            "planned_in_service": True,
            "written": False,
        }


@dataclass(slots=True)
class Analysis:
    """The findings of the analysers that ran, worst first, and their summaries (None: did not run)."""

    findings: list[Finding] = field(default_factory=list)
    redundancy: RedundancySummary | None = None
    sharing: SharingSummary | None = None
    what_if: WhatIf | None = None
    """The what-if of the failures the analysis was given, if any."""
    scenario: ScenarioInfo | None = None
    """The files the inventory was analysed as if imported (analyse --scenario), if any."""

    @property
    def by_severity(self) -> dict[Severity, int]:
        """How many findings of each severity, every severity listed, worst first."""
        counts = Counter(f.severity for f in self.findings)
        return {severity: counts.get(severity, 0) for severity in Severity}

    def summary_to_dict(self) -> dict[str, Any]:
        """The "summary" part of the JSON document."""
        summary: dict[str, Any] = {}
        if self.scenario is not None:
            summary["scenario"] = self.scenario.to_dict()
        if self.what_if is not None:
            summary["what_if"] = self.what_if.to_dict()
        if self.redundancy is not None:
            summary["redundancy"] = self.redundancy.to_dict()
        if self.sharing is not None:
            summary["sharing"] = self.sharing.to_dict()
        summary["findings"] = len(self.findings)
        summary["findings_by_severity"] = {severity.value: n for severity, n in self.by_severity.items()}
        return summary

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: {"summary": {...}, "findings": [...]}."""
        return {"summary": self.summary_to_dict(), "findings": [f.to_dict() for f in self.findings]}
