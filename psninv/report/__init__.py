"""The report for the people who decide: the network on a map, the findings as charts, the plan's £."""

from psninv.report.content import Gap, PlanPart, Report, TenantBill, build_report
from psninv.report.figures import MapPicture
from psninv.report.page import render_report, write_report

__all__ = [
    "Gap",
    "MapPicture",
    "PlanPart",
    "Report",
    "TenantBill",
    "build_report",
    "render_report",
    "write_report",
]
