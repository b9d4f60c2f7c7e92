"""The network as a networkx MultiGraph: sites are nodes, active circuits are keyed edges."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from psninv.inventory import Inventory
from psninv.model import CORE_ROLES, LinkStatus, srlg_tags

_ACTIVE = LinkStatus.ACTIVE.value  # looked up once: an enum's .value is a descriptor call per link


def is_active(link: dict) -> bool:
    """A link carries traffic unless it is planned or ceased (a blank status counts as active)."""
    return (link.get("status") or _ACTIVE) == _ACTIVE


LIVE_STATUSES = frozenset({None, "", "active"})
"""Site statuses of the live network: blank means active; planned, decommissioning, closed are not."""


def is_live(site: dict) -> bool:
    """A site is in the live network unless it is planned, decommissioning or closed."""
    return site.get("status") in LIVE_STATUSES


def build_graph(inventory: Inventory, *, failed: Iterable[str] = ()) -> nx.MultiGraph:
    """Build the network graph of active links, leaving out any failed sites and circuits.

    Node = site code with the site's columns as attributes; edge key = circuit ID with the
    link's columns as attributes, except `srlg`, which becomes a tuple of tags.
    """
    failed = set(failed)
    graph = nx.MultiGraph()
    graph.add_nodes_from(
        (code, site) for code, site in inventory.sites.items() if code not in failed and is_live(site)
    )
    graph.add_edges_from(
        (link["a_site"], link["b_site"], cid, {**link, "srlg": tuple(srlg_tags(link.get("srlg")))})
        for cid, link in inventory.links.items()
        if is_active(link)
        and cid not in failed
        and link["a_site"] not in failed
        and link["b_site"] not in failed
        and link["a_site"] != link["b_site"]
    )
    return graph


def core_sites(graph: nx.Graph) -> list[str]:
    """The sites whose role is core or datacentre, sorted."""
    return sorted(node for node, role in graph.nodes(data="role") if role in CORE_ROLES)
