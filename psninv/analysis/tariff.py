"""The cost and distance assumptions behind every £ in a finding, with defaults and a TOML override."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import netaddr

from psninv.analysis.toml_file import read_toml
from psninv.errors import TariffError


@dataclass(frozen=True, slots=True)
class Tariff:
    """Figures the analysers cost their proposals with. All money is £ per year."""

    crosslink_fixed_gbp: float = 1500.0
    """Annual rental of a new short cross-link, before distance (install amortised over the term)."""
    crosslink_per_km_gbp: float = 650.0
    """Annual rental added per great-circle km of a new cross-link."""
    uplift_per_mbps_gbp: float = 2.5
    """Annual cost of each extra Mbit/s when a shared circuit is upgraded to carry another tenant."""
    co_location_m: float = 100.0
    """Sites this close (metres) count as one building."""
    parallel_end_m: float = 500.0
    """Circuits whose ends are each this close (metres) run between the same places."""
    neighbour_km: float = 2.0
    """Sites this close count as neighbours for renewals and mutual backup."""
    hub_reach_km: float = 5.0
    """A tenant's hub this close to a shared hub can be consolidated into it."""
    renewal_window_months: int = 12
    """Contracts ending this close together can be procured together."""
    threshold_pct: float = 10.0
    """Opportunities saving less than this share of the costs involved are hidden unless --all."""
    max_remedy_km: float = 25.0
    """Longest new link a redundancy remedy will propose."""
    renewal_discount_pct: float = 0.0
    """Price cut assumed from procuring neighbours' renewals together; 0 leaves renewals uncosted."""
    high_savings_gbp: float = 50000.0
    """A sharing opportunity saving at least this much a year is of high severity."""
    medium_savings_gbp: float = 10000.0
    """A sharing opportunity saving at least this much a year (and less than high) is of medium severity."""
    renumber_pool: tuple[str, ...] = ()
    """Free CIDR blocks a renumbering may draw from when the tenant's own ranges have no room."""

    def crosslink_cost(self, length_km: float) -> float:
        """The estimated annual cost of a new cross-link of this length, rounded to the pound."""
        return round(self.crosslink_fixed_gbp + self.crosslink_per_km_gbp * length_km, 0)

    def to_dict(self) -> dict[str, Any]:
        """The figures, by name, for a finding's assumptions."""
        return asdict(self)

    @classmethod
    def load(cls, path: str | Path | None) -> Tariff:
        """The default tariff, overridden by the figures in a TOML file where one is given."""
        if path is None:
            return cls()
        data = read_toml(path, "tariff", TariffError)
        data = data.get("tariff", data)
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known:
                raise TariffError(f"{path}: unknown tariff figure '{name}'")
            if name == "renumber_pool":
                values[name] = _pool(path, value)
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise TariffError(f"{path}: '{name}' must be a number of at least 0, not {value!r}")
            values[name] = int(value) if known[name].type == "int" else float(value)
        return cls(**values)


def _pool(path: str | Path, value: Any) -> tuple[str, ...]:
    """A renumbering pool as canonical CIDR strings, or a TariffError naming the bad entry."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TariffError(f"{path}: 'renumber_pool' must be a list of CIDR blocks, not {value!r}")
    blocks = []
    for item in value:
        try:
            blocks.append(str(netaddr.IPNetwork(item.strip()).cidr))
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise TariffError(f"{path}: 'renumber_pool' entry {item!r} is not a CIDR block") from None
    return tuple(blocks)
