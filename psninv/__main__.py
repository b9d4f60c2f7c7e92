"""Run the command line as `python -m psninv`."""

from psninv.cli import main

main()
