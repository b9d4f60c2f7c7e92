"""The redundancy policy: defaults, TOML overrides, one-line errors, and below-policy findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import link, site

from psninv.analysis.policy import Policy, PolicyError, Requirement
from psninv.analysis.redundancy import find_redundancy

TENANTS = [{"code": "T1"}]


def test_the_default_policy_is_the_documented_one() -> None:
    policy = Policy()

    assert policy.critical == Requirement(paths=2, cores=2, srlg_diverse=True, disjoint="srlg")
    # Issue 13: the default counts sites, not just circuits (a hub is a single point of failure).
    assert policy.high == Requirement(paths=2, disjoint="site")
    assert policy.standard == Requirement()
    assert not policy.standard.demands_anything
    assert policy.requirement(None) is policy.standard
    assert Policy.load(None) == policy


def test_a_toml_file_overrides_levels_and_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        "[standard]\npaths = 1\n\n[high]\npaths = 3\nprovider_diverse = true\n\n[severity]\nmany_sites = 5\n",
        encoding="utf-8",
    )
    policy = Policy.load(path)

    assert policy.standard == Requirement(paths=1)
    assert policy.high == Requirement(paths=3, provider_diverse=True, disjoint="site")
    assert policy.critical == Policy().critical
    assert policy.many_sites == 5
    assert Policy.load(path) == policy


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[high\npaths = 2", "not valid TOML"),
        ("[urgent]\npaths = 2", "unknown policy section 'urgent'"),
        ("[high]\nhops = 2", "unknown requirement 'hops'"),
        ("[high]\npaths = 'two'", "'paths' must be a whole number"),
        ("[high]\nsrlg_diverse = 1", "'srlg_diverse' must be true or false"),
        ("[high]\npaths = 1\ncores = 2", "'cores' (2) cannot exceed 'paths' (1)"),
        ("[high]\ndisjoint = 'node'", "'disjoint' must be one of 'link', 'site', 'srlg'"),
        ("[severity]\nmany_sites = -1", "'many_sites' must be a number of at least 0"),
    ],
)
def test_a_bad_policy_file_gives_one_line_naming_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(PolicyError) as caught:
        Policy.load(path)

    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_missing_policy_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        Policy.load(tmp_path / "absent.toml")


def _network(build):
    # TWO has two links to different cores; ONE has one; TRI has three disjoint paths.
    return build(
        tenants=TENANTS,
        sites=[
            site("DC1", "T1", role="core"),
            site("DC2", "T1", role="core"),
            site("ONE", "T1", crit="high"),
            site("TWO", "T1", crit="high"),
            site("TRI", "T1", crit="high"),
            site("LIB", "T1"),
        ],
        links=[
            link("c1", "DC1", "DC2"),
            link("c2", "DC1", "DC2"),
            link("o", "ONE", "DC1"),
            link("t1", "TWO", "DC1"),
            link("t2", "TWO", "DC2"),
            link("r1", "TRI", "DC1"),
            link("r2", "TRI", "DC2"),
            link("r3", "TRI", "LIB"),
            link("r4", "LIB", "DC1"),
        ],
    )


def test_below_policy_with_the_default_policy(build) -> None:
    findings, _ = find_redundancy(_network(build))
    below = {f.sites[0]: f for f in findings if f.kind == "below-policy"}

    assert set(below) == {"ONE"}
    assert below["ONE"].impact["measured"]["paths"] == 1
    assert below["ONE"].impact["shortfalls"] == ["needs 2 link-disjoint paths to the core, has 1"]
    assert below["ONE"].id == "below-policy:ONE"


def test_a_stricter_policy_counts_paths_by_max_flow(build) -> None:
    policy = Policy.from_dict({"high": {"paths": 3}, "standard": {"paths": 1}})
    findings, summary = find_redundancy(_network(build), policy=policy)
    below = {f.sites[0]: f for f in findings if f.kind == "below-policy"}

    assert set(below) == {"ONE", "TWO"}
    assert below["TWO"].impact["measured"]["paths"] == 2
    assert summary.policy.high.paths == 3


def test_severity_thresholds_come_from_the_policy(build) -> None:
    inventory = build(
        tenants=TENANTS,
        sites=[site("DC", "T1", role="core"), site("HUB", "T1", role="hub")]
        + [site(f"A{i}", "T1") for i in range(4)],
        links=[link("UP", "DC", "HUB")] + [link(f"C{i}", "HUB", f"A{i}") for i in range(4)],
    )
    default = {f.id: f.severity for f in find_redundancy(inventory)[0]}
    strict = {f.id: f.severity for f in find_redundancy(inventory, policy=Policy(many_sites=3))[0]}

    assert default["bridge:UP"] == "low"
    assert strict["bridge:UP"] == "medium"
