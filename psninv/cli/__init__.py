"""The psninv command line: a thin layer over the library."""

from psninv.cli.app import main

__all__ = ["main"]
