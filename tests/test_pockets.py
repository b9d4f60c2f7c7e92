"""A change re-analysed over the pockets it touches finds, for their sites, what the whole network's finds."""

from __future__ import annotations

import random

import pytest
from builders import link, site
from conftest import TOPOLOGY_ZOO
from test_shared_risk_providers import generated

from psninv.analysis import policy_check
from psninv.analysis.analyser import KnownGaps
from psninv.analysis.connectivity import SITE_LIST_CAP
from psninv.analysis.finding import Finding
from psninv.analysis.network_change import IdMaker, NetworkChange, apply_change, new_circuit
from psninv.analysis.pockets import Local, Pockets
from psninv.analysis.policy import Policy
from psninv.analysis.policy_check import PolicyChecker, problems_of, without_second_path
from psninv.analysis.redundancy import Gaps
from psninv.analysis.sharing import SEARCHES
from psninv.analysis.sharing.context import Context
from psninv.analysis.sharing.verdicts import check_opportunities
from psninv.analysis.tariff import Tariff
from psninv.graph import is_active
from psninv.inventory import Inventory
from psninv.io.importer import import_files
from psninv.store import Store

GAPS = Gaps(Policy(), Tariff())


def whole(inventory: Inventory) -> list[Finding]:
    """The whole network's analysis, as a plain function: what a proof ran before pockets (never scoped)."""
    return GAPS(inventory)


def circuit(cid: str, a: str, b: str, mbps: float = 100.0) -> dict:
    """A new circuit a change adds."""
    return new_circuit(cid, a, b, bandwidth_mbps=mbps, annual_cost_gbp=None, tenant=None)


def random_changes(inventory: Inventory, count: int, seed: int) -> list[NetworkChange]:
    """Ceases, re-homes, upgrades and new links (some with a provider, some to a core), one to three each."""
    rng = random.Random(seed)
    active = sorted(cid for cid, row in inventory.links.items() if is_active(row))
    codes = sorted(inventory.sites)
    ids = IdMaker(inventory.links)
    out = []
    for _ in range(count):
        change = NetworkChange(source="test")
        for _ in range(rng.randint(1, 3)):
            what = rng.random()
            if what < 0.35:
                change.cease.append(rng.choice(active))
            elif what < 0.55:
                change.alter[rng.choice(active)] = {"b_site": rng.choice(codes)}
            elif what < 0.65:
                change.alter[rng.choice(active)] = {"bandwidth_mbps": 1.0}
            else:
                cid = ids()
                row = circuit(cid, *rng.sample(codes, 2), mbps=rng.choice([1.0, 100.0, 10000.0]))
                row["provider"] = rng.choice([None, "Openreach", "Brand New Fibre"])
                change.add[cid] = row
        out.append(change)
    return out


def assert_same_answers(inventory: Inventory, changes: list[NetworkChange]) -> int:
    """Each change re-analysed by pockets gives the whole re-analysis's new problems and lacks in its scope.

    Returns how many of the changes were re-analysed by pockets (the rest ran whole).
    """
    base = whole(inventory)
    local = Local(inventory, GAPS, base)
    before = problems_of(base, inventory)
    scoped = 0
    for change in changes:
        after = apply_change(inventory, change, in_service=True)
        full = whole(after)
        run = local.run(after)
        scope = run.scope
        expected = problems_of(full, after).within(scope) - before.within(scope)
        got = problems_of(run.findings, after).within(scope) - before.within(scope)
        assert (got.short, got.cut_off, got.overloads) == (
            expected.short,
            expected.cut_off,
            expected.overloads,
        )
        reasons, why = without_second_path(full), without_second_path(run.findings)
        lacking, found = set(reasons), set(why)
        if scope is not None:
            lacking, found = lacking & scope, found & scope
            scoped += 1
        # An event's list capped in the whole network is listed whole in the scope.
        capped = any(f.sites_cut_off > len(f.cut_off_sites) for f in full)
        assert found >= lacking if capped else found == lacking, change
        # The reason each site lacks a second path is the whole network's, but where a partial finding
        # (an event or a core's loss reaching past the scope) cuts it off.
        settled = lacking - run.reached_by_partial()
        assert {c: why[c] for c in settled} == {c: reasons[c] for c in settled}, change
    return scoped


def test_the_sample_re_analysed_by_pockets_answers_as_the_whole(sample: Inventory) -> None:
    assert assert_same_answers(sample, random_changes(sample, 60, seed=1)) >= 40


def test_a_generated_county_re_analysed_by_pockets_answers_as_the_whole() -> None:
    inventory = generated(1500)
    assert assert_same_answers(inventory, random_changes(inventory, 40, seed=2)) >= 30


@pytest.mark.parametrize(
    ("name", "scoped"), [("Janetbackbone", 0), ("KentmanJan2011", 1), ("Geant2012", 0), ("HiberniaUk", 1)]
)
def test_a_real_network_with_cores_named_answers_as_the_whole(store: Store, name: str, scoped: int) -> None:
    assert import_files(store, [TOPOLOGY_ZOO / f"{name}.graphml"]).ok
    inventory = store.load()
    # The zoo has no roles: the best-connected sites become cores, as in an engineer's inventory.
    degree: dict[str, int] = {}
    for row in inventory.links.values():
        for end in (row["a_site"], row["b_site"]):
            degree[end] = degree.get(end, 0) + 1
    for code in sorted(degree, key=lambda c: (-degree[c], c))[:3]:
        inventory.sites[code] = {**inventory.sites[code], "role": "core"}
    for code in list(inventory.sites)[::4]:
        inventory.sites[code] = {**inventory.sites[code], "criticality": "high"}
    # Backbones hang mostly off three cores in one pocket: there the whole network is re-analysed.
    assert (assert_same_answers(inventory, random_changes(inventory, 30, seed=3)) > 0) == bool(scoped)


def tiny() -> Inventory:
    """Cores C1, C2; pocket A (A1, A2) between them; pocket B (B1) off C1 alone; P1 planned."""
    sites = [
        site("C1", role="core"),
        site("C2", role="core"),
        site("A1", crit="high"),
        site("A2", crit="high"),
        site("B1", crit="high"),
        site("P1", status="planned"),
    ]
    links = [
        link("L1", "A1", "C1", provider="Openreach"),
        link("L2", "A1", "A2", provider="Openreach"),
        link("L3", "A2", "C2", provider="Virgin Media"),
        link("L4", "B1", "C1", provider="Openreach"),
        link("L5", "C1", "C2"),
        link("L6", "B1", "P1"),
    ]
    return Inventory(sites={r["code"]: r for r in sites}, links={r["circuit_id"]: r for r in links})


def test_pockets_are_the_sites_reached_without_passing_a_core() -> None:
    pockets = Pockets(tiny())
    assert pockets.cores == ["C1", "C2"]
    assert pockets.around(["A2"]) == {"A1", "A2"}
    assert pockets.around(["B1", "nowhere", "P1"]) == {"B1"}  # unknown and planned sites: none
    assert pockets.around(["C2"]) == {"A1", "A2"}  # a core: the pockets touching it
    assert pockets.live == 3
    assert pockets.providers == {"Openreach": 3, "Virgin Media": 1}


def test_changes_at_a_core_and_between_cores_answer_as_the_whole() -> None:
    inventory = tiny()
    changes = [
        NetworkChange(cease=["L5"]),  # the cores are no longer joined but through pocket A
        NetworkChange(cease=["L3"]),  # Virgin Media's only circuit: one provider is left
        NetworkChange(alter={"L4": {"provider": "Virgin Media"}}),
        NetworkChange(add={"N1": circuit("N1", "B1", "C2")}),
        NetworkChange(cease=["L1", "L5"]),
    ]
    assert assert_same_answers(inventory, changes) == 0  # half the sites or more: the whole is run
    county = generated(400)
    local = Local(county, GAPS, whole(county))
    cores = local.pockets.cores
    between = NetworkChange(add={"X": circuit("X", cores[0], cores[1])})
    assert local.run(apply_change(county, between, in_service=True)).scope
    assert assert_same_answers(county, [between, NetworkChange(cease=[next(iter(local.pockets.core_links))])])


def test_a_change_is_scoped_to_the_pockets_of_its_circuits() -> None:
    inventory = generated(1500)
    local = Local(inventory, GAPS, whole(inventory))
    pockets = local.pockets
    member = next(code for code, top in pockets.pocket.items() if 2 < len(pockets.members[top]) < 50)
    cid = next(c for c in pockets.incident[member] if is_active(inventory.links[c]))
    run = local.run(apply_change(inventory, NetworkChange(cease=[cid])))
    row = inventory.links[cid]
    assert run.scope == pockets.around([row["a_site"], row["b_site"]])
    assert 0 < len(run.scope) < pockets.live / 2


def test_a_capped_list_of_short_sites_keeps_the_whole_network_analysed() -> None:
    sites = [site("CORE", role="core"), site("HUB")] + [
        site(f"S{i:04d}", crit="high") for i in range(SITE_LIST_CAP + 5)
    ]
    links = [link("UP", "HUB", "CORE")] + [
        link(f"L{i:04d}", f"S{i:04d}", "HUB") for i in range(len(sites) - 2)
    ]
    inventory = Inventory(sites={r["code"]: r for r in sites}, links={r["circuit_id"]: r for r in links})
    local = Local(inventory, GAPS, whole(inventory))
    assert not local.exact
    assert local.run(apply_change(inventory, NetworkChange(cease=["L0001"]))).scope is None


def test_sharing_checked_by_pockets_gives_the_whole_networks_verdicts_and_reasons(
    sample: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy_check, "EXACT_WORK", 0)  # checked together, as on a big network

    def verdicts(analyse) -> dict[str, tuple]:
        ctx = Context(sample, Tariff())
        for search in SEARCHES:
            search(ctx)
        known = KnownGaps(tuple(whole(sample)), 0.01)
        assert check_opportunities(ctx, analyse, known) is not None
        return {
            o.finding.id: (o.finding.breaks_policy, o.finding.impact.get("policy_links"), o.finding.title)
            for o in ctx.opportunities
        }

    scoped, full = verdicts(GAPS), verdicts(whole)
    assert scoped == full
    assert sum(broken is not None for broken, _, _ in full.values()) > 0


def test_a_checker_uses_pockets_only_for_psninvs_own_analysis(sample: Inventory) -> None:
    assert PolicyChecker(sample, GAPS, Tariff()).local is not None
    assert PolicyChecker(sample, whole, Tariff()).local is None
    failing = Gaps(Policy(), Tariff(), (next(iter(sample.links)),))
    assert PolicyChecker(sample, failing, Tariff()).local is None
