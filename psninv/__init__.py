"""psninv: inventory and analysis of shared public services networks.

The library core (model, store, io, graph, analysis) imports neither the TUI nor the CLI.
"""

from psninv.analysis import Analysis, Finding, Severity, analyse
from psninv.errors import PsninvError
from psninv.graph import build_graph, core_sites
from psninv.inventory import Inventory
from psninv.sample import sample_path
from psninv.store import ReadOnlyError, Store, open_store

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "Finding",
    "Inventory",
    "PsninvError",
    "ReadOnlyError",
    "Store",
    "Severity",
    "__version__",
    "analyse",
    "build_graph",
    "core_sites",
    "open_store",
    "sample_path",
]
