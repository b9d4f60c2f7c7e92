"""Tenant bit masks read back as tenant codes, for masks of one tenant and of thousands."""

from __future__ import annotations

import random

import pytest

from psninv.analysis.connectivity import Network

TENANTS = [f"T{i:05d}" for i in range(20000)]


def network() -> Network:
    """A network with no sites, only a long sorted tenant list."""
    return Network(
        codes=[],
        index={},
        sites=[],
        edge_ids=[],
        edge_rows=[],
        edge_a=[],
        edge_b=[],
        adj=[],
        core=[],
        demand=[],
        tmask=[],
        cmask=[],
        tenants=TENANTS,
    )


def expected(mask: int) -> list[str]:
    return [TENANTS[i] for i in range(mask.bit_length()) if mask >> i & 1]


@pytest.mark.parametrize(
    "mask",
    [0, 1, 2, 3, 1 << 19999, (1 << 19999) | 5, (1 << 12345) | (1 << 6789), (1 << 64) - 1],
    # The ids name the masks by width: pytest would print them in decimal, which Python caps.
    ids=lambda mask: f"{mask.bit_count()}-of-{mask.bit_length()}-bits",
)
def test_a_mask_reads_back_as_its_tenants_in_order(mask: int) -> None:
    assert network().tenant_codes(mask) == expected(mask)


def test_random_masks_of_every_width() -> None:
    rnd = random.Random(7)
    net = network()
    for width in (5, 70, 700, 7000, 20000):
        for _ in range(20):
            mask = rnd.getrandbits(width)
            assert net.tenant_codes(mask) == expected(mask)
