"""Getting data in and out: validated import, export, the blank template and finding reports."""

from psninv.io.export import export_inventory
from psninv.io.importer import import_files
from psninv.io.issues import ImportReport, Issue
from psninv.io.report import write_report
from psninv.io.template import write_template

__all__ = [
    "ImportReport",
    "Issue",
    "export_inventory",
    "import_files",
    "write_report",
    "write_template",
]
