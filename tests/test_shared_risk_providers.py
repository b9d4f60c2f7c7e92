"""A provider outage cuts off what failing all its circuits really cuts off, however many circuits it has."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from psninv.analysis.redundancy import find_redundancy
from psninv.analysis.whatif import simulate_failures
from psninv.inventory import Inventory


def generated(sites: int) -> Inventory:
    """The generator's inventory of this many sites (Staffordshire, then the rest of England)."""
    module = sys.modules.get("generate_inventory")
    if module is None:
        path = Path(__file__).resolve().parent.parent / "scripts" / "generate_inventory.py"
        spec = importlib.util.spec_from_file_location("generate_inventory", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while it is executed
        spec.loader.exec_module(module)
    return module.generate(sites)


def test_provider_outages_and_events_cut_off_what_failing_every_circuit_cuts_off() -> None:
    # 1,500 sites: each big provider has hundreds of circuits closing loops, more than the SRLGs have.
    # Labels sized for the SRLGs alone made false cuts here ("One BT outage cuts off 1,499 sites").
    inventory = generated(1500)
    findings, summary = find_redundancy(inventory, events=True)
    assert summary.events
    providers = [event for event in summary.events if event.kind == "provider"]
    assert len(providers) >= 4
    for event in summary.events:
        truth = simulate_failures(inventory, [f"{event.kind}:{event.name}"]).cut_off_sites
        assert event.sites_cut_off == len(truth), event.name
    for finding in findings:
        if finding.kind == "shared-risk":
            event = finding.id.split(":", 1)[1]
            truth = simulate_failures(inventory, [event]).cut_off_sites
            assert finding.sites_cut_off == len(truth), finding.id
            assert set(finding.sites) == set(truth), finding.id
