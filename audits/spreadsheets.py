"""Cells that go into a CSV or a workbook someone will open in a spreadsheet program."""

from __future__ import annotations

import datetime

Cell = str | int | datetime.date | None

# Spreadsheet programs run a cell that starts with one of these as a formula
# (OWASP "CSV injection"); a narrative must never become one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Cell) -> Cell:
    """Text that a spreadsheet could read as a formula, made literal with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value
