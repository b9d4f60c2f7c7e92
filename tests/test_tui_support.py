"""Synthetic inventories for the TUI tests: a county network of any size, with known weak points.

Two data centres; district hubs dual-homed to both, except the first hub, which hangs off one
data centre only (a cut-site whose loss darkens its district); access sites single-homed to their
hub, every fifth one also to the next hub.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

TENANTS = [
    ("SCC", "Staffordshire County Council", "local-government"),
    ("NHS-MPFT", "Midlands Partnership NHS Foundation Trust", "health"),
    ("STAFFS-POL", "Staffordshire Police", "police"),
    ("SFRS", "Staffordshire Fire and Rescue", "fire"),
    ("SMDC", "Staffordshire Moorlands District Council", "local-government"),
    ("LIBS", "Staffordshire Libraries", "education"),
]
DISTRICTS = ["Leek", "Stafford", "Lichfield", "Tamworth", "Cannock", "Burton", "Newcastle", "Codsall"]
PROVIDERS = ["Kcom", "BT", "Virgin Media Business", "Cable & Wireless"]


def synthetic_rows(sites: int, *, seed: int = 7, located: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Rows for write_rows: `sites` sites in all, with hubs, links, occupants and prefixes."""
    rng = random.Random(seed)
    tenants = [{"code": c, "name": n, "sector": s} for c, n, s in TENANTS]
    hubs = max(2, min(len(DISTRICTS) * 50, sites // 40))
    site_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    prefixes: list[dict[str, Any]] = []

    def place(lat: float, lon: float) -> dict[str, float | None]:
        return {"latitude": round(lat, 5), "longitude": round(lon, 5)} if located else {}

    def link(a: str, b: str, payer: str, bandwidth: float, cost: float) -> None:
        link_rows.append({
            "circuit_id": f"CIR-{len(link_rows) + 1:06d}",
            "a_site": a,
            "b_site": b,
            "provider": PROVIDERS[len(link_rows) % len(PROVIDERS)],
            "medium": "fibre",
            "bandwidth_mbps": bandwidth,
            "annual_cost_gbp": cost,
            "contract_end": dt.date(2026 + len(link_rows) % 4, 3, 31),
            "tenant": payer,
        })

    site_rows.append({"code": "DC-STAFFORD", "name": "Stafford data centre", "tenant": "SCC",
                      "role": "datacentre", "district": "Stafford", "criticality": "critical",
                      "demand_mbps": 0.0, **place(52.806, -2.117)})
    site_rows.append({"code": "DC-BURTON", "name": "Burton data centre", "tenant": "SCC",
                      "role": "datacentre", "district": "Burton", "criticality": "critical",
                      "demand_mbps": 0.0, **place(52.802, -1.636)})
    link("DC-STAFFORD", "DC-BURTON", "SCC", 10000, 42000)
    link("DC-STAFFORD", "DC-BURTON", "SCC", 10000, 39000)
    hub_codes = []
    for h in range(hubs):
        district = DISTRICTS[h % len(DISTRICTS)]
        code = f"HUB-{district.upper()}" + (f"-{h // len(DISTRICTS)}" if h >= len(DISTRICTS) else "")
        hub_codes.append((code, district))
        lat, lon = 52.45 + rng.random() * 0.7, -2.45 + rng.random() * 0.8
        site_rows.append({"code": code, "name": f"{district} hub {h}", "tenant": "SCC", "role": "hub",
                          "district": district, "criticality": "high", "demand_mbps": 50.0,
                          **place(lat, lon)})
        link(code, "DC-STAFFORD", "SCC", 1000, 12000)
        if h != 0:
            link(code, "DC-BURTON", "SCC", 1000, 12500)
    access = sites - 2 - hubs
    for i in range(access):
        hub, district = hub_codes[i % hubs]
        tenant = TENANTS[i % len(TENANTS)][0]
        code = f"S{i + 1:06d}"
        lat, lon = 52.45 + rng.random() * 0.7, -2.45 + rng.random() * 0.8
        row = {"code": code, "name": f"{district} site {i + 1}", "tenant": tenant, "role": "access",
               "district": district, "criticality": ("critical", "high", "standard", "standard")[i % 4],
               "demand_mbps": float(10 + i % 90), "postcode": f"ST{i % 20} {i % 9}AB", **place(lat, lon)}
        if i % 7 == 3:
            row["occupants"] = [TENANTS[(i + 1) % len(TENANTS)][0]]
        site_rows.append(row)
        link(code, hub, tenant, 100, 2400 + (i % 13) * 100)
        if i % 5 == 0:
            link(code, hub_codes[(i + 1) % hubs][0], tenant, 100, 2600)
        if i < 50:
            prefixes.append({"prefix": f"10.{i // 250}.{i % 250}.0/24", "site": code, "tenant": tenant,
                             "description": "LAN"})
    return {"tenants": tenants, "sites": site_rows, "links": link_rows, "prefixes": prefixes}


async def settle(pilot: Any, *, timeout: float = 30.0) -> None:
    """Wait until the app has loaded, analysed and simulated everything it started, and has redrawn."""
    import asyncio
    import time

    app = pilot.app
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.snapshot is not None and not app.busy and not any(
            w.is_running for w in app.workers
        ):
            await pilot.pause()
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the app did not settle")


def run_app(app: Any, scenario: Any, *, size: tuple[int, int] = (80, 24)) -> None:
    """Run a Pilot scenario against the real app, after it has settled."""
    import asyncio

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def screen_text(app: Any) -> str:
    """Everything on the current screen as plain text, one line per terminal row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def staffordshire_rows() -> dict[str, list[dict[str, Any]]]:
    """The Staffordshire sample's rows, from the generator that writes inventory/staffordshire.xlsx."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "generate_inventory.py"
    module = sys.modules.get("generate_inventory")
    if module is None:
        spec = importlib.util.spec_from_file_location("generate_inventory", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        # Dataclasses look their module up in sys.modules while it is being executed.
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    inventory = module.generate()
    return {entity: list(rows.values()) for entity, rows in inventory.entities()}
