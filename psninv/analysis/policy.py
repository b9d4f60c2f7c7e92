"""The redundancy policy: what each criticality level requires, and the severity thresholds, from TOML."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from psninv.analysis.toml_file import read_toml
from psninv.errors import PolicyError
from psninv.model import Criticality

DISJOINT = ("link", "site", "srlg")
"""What two paths may not share, weakest first."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """What one criticality level needs between a site and the core."""

    paths: int = 0
    """Link-disjoint paths from the site to the core (any core)."""
    cores: int = 1
    """Different cores those paths must reach, each by its own link-disjoint path."""
    srlg_diverse: bool = False
    """No single SRLG tag (duct, route, exchange) may cut the site off from the core."""
    provider_diverse: bool = False
    """No single provider's outage may cut the site off from the core."""
    disjoint: str = "link"
    """What two of the paths may not share: "link" (a circuit), "site" (a site or a circuit: no hub is
    a single point of failure) or "srlg" (a site, a circuit or an SRLG tag)."""

    def describe(self) -> str:
        """The requirement as a short phrase for titles and remedies."""
        if self.paths <= 0 and self.cores <= 1 and not (self.srlg_diverse or self.provider_diverse):
            return "nothing"
        parts = [f"{self.paths} link-disjoint path{'s' if self.paths != 1 else ''}"]
        parts.append(f"to {self.cores} different cores" if self.cores > 1 else "to the core")
        if self.srlg_diverse:
            parts.append("SRLG-diverse")
        if self.provider_diverse:
            parts.append("provider-diverse")
        if self.disjoint != "link" and self.paths >= 2:
            parts.append("sharing no site" if self.disjoint == "site" else "sharing no site or SRLG tag")
        return ", ".join([" ".join(parts[:2]), *parts[2:]])

    @property
    def demands_anything(self) -> bool:
        """True if a site at this level has to meet any check at all."""
        return self.paths > 0 or self.cores > 1 or self.srlg_diverse or self.provider_diverse


@dataclass(frozen=True, slots=True)
class Policy:
    """Per-criticality requirements plus the impact thresholds that raise a finding's severity."""

    critical: Requirement = field(
        default_factory=lambda: Requirement(paths=2, cores=2, srlg_diverse=True, disjoint="srlg")
    )
    high: Requirement = field(default_factory=lambda: Requirement(paths=2, disjoint="site"))
    standard: Requirement = field(default_factory=Requirement)
    many_sites: int = 10
    """A gap cutting off at least this many sites is raised one severity level."""
    many_tenants: int = 3
    """A gap affecting at least this many tenants is raised one severity level."""
    much_demand_mbps: float = 1000.0
    """A gap losing at least this much demand (Mbit/s) is raised one severity level."""

    def requirement(self, criticality: str | None) -> Requirement:
        """The requirement for a site's criticality (a blank or unknown one counts as standard)."""
        if criticality == Criticality.CRITICAL.value:
            return self.critical
        if criticality == Criticality.HIGH.value:
            return self.high
        return self.standard

    def to_dict(self) -> dict[str, Any]:
        """The policy as JSON-ready data, in the TOML file's shape."""
        return asdict(self)

    @classmethod
    def load(cls, path: str | Path | None) -> Policy:
        """The default policy, overridden by a TOML file where one is given."""
        if path is None:
            return cls()
        return cls.from_dict(read_toml(path, "policy", PolicyError), source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "policy") -> Policy:
        """A policy from parsed TOML: levels as tables, thresholds under [severity] or at the top."""
        data = data.get("policy", data)
        if not isinstance(data, dict):
            raise PolicyError(f"{source}: [policy] must be a table")
        policy = cls()
        levels = {level.value for level in Criticality}
        thresholds = {"many_sites": int, "many_tenants": int, "much_demand_mbps": float}
        changes: dict[str, Any] = {}
        for name, value in data.items():
            if name in levels:
                changes[name] = _requirement(getattr(policy, name), value, f"{source}: [{name}]")
            elif name == "severity":
                if not isinstance(value, dict):
                    raise PolicyError(f"{source}: [severity] must be a table")
                for key, figure in value.items():
                    changes[key] = _threshold(key, figure, thresholds, f"{source}: [severity]")
            elif name in thresholds:
                changes[name] = _threshold(name, value, thresholds, source)
            else:
                known = ", ".join(sorted(levels | {"severity"}))
                raise PolicyError(f"{source}: unknown policy section '{name}' (known: {known})")
        return replace(policy, **changes)


def _requirement(base: Requirement, value: Any, where: str) -> Requirement:
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must be a table of requirements")
    known = {f.name: f for f in fields(Requirement)}
    changes: dict[str, Any] = {}
    for key, figure in value.items():
        if key not in known:
            raise PolicyError(f"{where}: unknown requirement '{key}' (known: {', '.join(known)})")
        if key == "disjoint":
            if figure not in DISJOINT:
                choices = ", ".join(map(repr, DISJOINT))
                raise PolicyError(f"{where}: 'disjoint' must be one of {choices}, not {figure!r}")
        elif known[key].type == "bool":
            if not isinstance(figure, bool):
                raise PolicyError(f"{where}: '{key}' must be true or false, not {figure!r}")
        elif isinstance(figure, bool) or not isinstance(figure, int) or not 0 <= figure <= 16:
            raise PolicyError(f"{where}: '{key}' must be a whole number from 0 to 16, not {figure!r}")
        changes[key] = figure
    requirement = replace(base, **changes)
    if requirement.cores < 1:
        raise PolicyError(f"{where}: 'cores' must be at least 1")
    if requirement.cores > max(requirement.paths, 1):
        raise PolicyError(
            f"{where}: 'cores' ({requirement.cores}) cannot exceed 'paths' ({requirement.paths})"
        )
    return requirement


def _threshold(name: str, value: Any, known: dict[str, type], where: str) -> int | float:
    if name not in known:
        raise PolicyError(f"{where}: unknown severity threshold '{name}' (known: {', '.join(known)})")
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PolicyError(f"{where}: '{name}' must be a number of at least 0, not {value!r}")
    if known[name] is int and value != int(value):
        raise PolicyError(f"{where}: '{name}' must be a whole number, not {value!r}")
    return known[name](value)
