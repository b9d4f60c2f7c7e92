"""The plan as a workbook: its circuits as an import sheet, and the summary and changes a manager reads."""

from __future__ import annotations

from pathlib import Path

from psninv.analysis.plan_result import Plan
from psninv.display import clean
from psninv.io.xlsx import Styles, column_widths, open_workbook, row_values, start_sheet, write_cell
from psninv.records import COLUMNS

SUMMARY_SHEET = "plan summary"
CHANGES_SHEET = "plan changes"
"""Sheets the importer reads past as notes (psninv.io.readers.HELP_SHEETS)."""
_GBP = '"£"#,##0;[Red]-"£"#,##0'


def write_plan_workbook(plan: Plan, path: str | Path) -> None:
    """Write the plan: a `links` sheet that `psninv import` applies, then its summary and its changes.

    Every circuit the plan adds, ceases, re-homes or upgrades is one whole row of the links sheet
    as it will be (new circuits planned, retired ones ceased), so importing it makes the plan real
    and `analyse --scenario` of it shows the after-state.
    """
    circuits = list(dict.fromkeys(change.circuit for change in plan.changes))
    columns = COLUMNS["links"]
    rows = [row_values(columns, plan.after.links[cid]) for cid in circuits]
    workbook = open_workbook(path)
    try:
        styles = Styles.of(workbook)
        money = workbook.add_format({"num_format": _GBP})
        bold = workbook.add_format({"bold": True})
        header = workbook.add_format({"bold": True, "bottom": 1})
        title = workbook.add_format({"bold": True, "font_size": 14})

        summary = workbook.add_worksheet(SUMMARY_SHEET)
        summary.set_column(0, 0, 34)
        summary.set_column(1, 3, 16)
        who = f" for {clean(plan.tenant)}" if plan.tenant else ""
        summary.write_string(0, 0, f"psninv plan{who}", title)
        totals = plan.totals
        figures = [
            ("Annual circuit cost before", totals.annual_before_gbp),
            ("Annual circuit cost after", totals.annual_after_gbp),
            ("New circuits and upgrades a year", totals.spend_gbp),
            ("  of which to reach the policy", totals.remedy_spend_gbp),
            ("Circuits ceased a year", totals.savings_gbp),
            ("Already planned in the inventory a year", totals.committed_gbp),
            ("Net saving a year", totals.net_gbp),
        ]
        for index, (label, value) in enumerate(figures, start=2):
            summary.write_string(index, 0, label, bold if label.startswith("Net") else None)
            if value is None:
                summary.write_string(index, 1, "unknown")
            else:
                summary.write_number(index, 1, value, money)
        row = len(figures) + 2
        summary.write_string(row, 0, "Net saving, % of the cost before")
        if totals.net_pct is not None:
            summary.write_number(row, 1, totals.net_pct)
        row += 2
        summary.write_string(row, 0, "Findings by severity", header)
        summary.write_string(row, 1, "before", header)
        summary.write_string(row, 2, "after", header)
        before, after = plan.severity_counts("before"), plan.severity_counts("after")
        for severity in before:
            row += 1
            summary.write_string(row, 0, severity)
            summary.write_number(row, 1, before[severity])
            summary.write_number(row, 2, after[severity])
        row += 2
        for col, text in enumerate(("Tenant", "before £/yr", "after £/yr", "change £/yr")):
            summary.write_string(row, col, text, header)
        for code, figures_of in sorted(plan.by_tenant.items()):
            row += 1
            summary.write_string(row, 0, clean(code))
            summary.write_number(row, 1, figures_of.before_gbp, money)
            summary.write_number(row, 2, figures_of.after_gbp, money)
            summary.write_number(row, 3, figures_of.change_gbp, money)
        row += 2
        summary.write_string(row, 0, f"Method: {plan.method}")

        links = workbook.add_worksheet("links")
        start_sheet(links, columns, styles, column_widths(columns, rows))
        for row_index, cells in enumerate(rows, start=1):
            for col, (column, value) in enumerate(zip(columns, cells, strict=True)):
                write_cell(links, row_index, col, column, value, styles)

        changes = workbook.add_worksheet(CHANGES_SHEET)
        names = (
            "action",
            "circuit",
            "a_site",
            "b_site",
            "£ a year",
            "tenant",
            "why",
            "from finding",
            "clears",
        )
        widths = (10, 16, 12, 12, 12, 12, 60, 30, 40)
        for col, (name, width) in enumerate(zip(names, widths, strict=True)):
            changes.set_column(col, col, width)
            changes.write_string(0, col, name, header)
        for index, change in enumerate(plan.changes, start=1):
            texts = (change.action, change.circuit, change.a_site, change.b_site)
            for col, text in enumerate(texts):
                changes.write_string(index, col, clean(text))
            if change.annual_gbp is not None:
                changes.write_number(index, 4, change.annual_gbp, money)
            changes.write_string(index, 5, clean(change.tenant))
            changes.write_string(index, 6, clean(change.reason))
            changes.write_string(index, 7, clean(change.source))
            changes.write_string(index, 8, clean(", ".join(change.clears)))
        changes.freeze_panes(1, 0)
    finally:
        workbook.close()
