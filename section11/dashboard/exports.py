"""The cycle's data as CSV and XLSX, every text cell made safe for spreadsheets."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from audits.models import (
    ActionItem,
    AuditCycle,
    Rating,
    Response,
    Return,
)
from audits.spreadsheets import Cell, safe_cell

from .figures import (
    RAG_RATINGS,
    RATING_WORDS,
    _equivalent,
    _equivalent_name,
    cycle_dashboard,
    year_on_year,
)

# --- Exports ----------------------------------------------------------------


@dataclass(frozen=True)
class ExportTable:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


RESPONSE_HEADERS = (
    "Agency",
    "Sector",
    "Status",
    "Equivalent return",
    "Area code",
    "Area",
    "Criterion code",
    "Criterion",
    "Self-rating",
    "Moderated rating",
    "Narrative",
    "N/A reason",
)
ACTION_HEADERS = (
    "Agency",
    "Area code",
    "Criterion code",
    "Action",
    "Owner",
    "Due date",
    "Status",
    "Overdue",
)


def _word(rating: str) -> str:
    return RATING_WORDS.get(Rating(rating), rating) if rating else ""


def cycle_rows(
    cycle: AuditCycle, *, today: datetime.date | None = None
) -> tuple[ExportTable, ExportTable]:
    """Every answer of every return, and the actions raised from them: three queries.

    A return with no answers yet still gets one row, so that the export lists
    every agency in the cycle.
    """
    today = today or timezone.localdate()
    returns = (
        Return.objects.filter(cycle=cycle)
        .select_related("organisation", "equivalent")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.select_related("criterion__standard").order_by(
                    "criterion__standard__position", "criterion__position", "criterion__code"
                ),
            )
        )
        .order_by("organisation__name")
    )
    response_rows: list[tuple[Cell, ...]] = []
    for return_obj in returns:
        equivalent = _equivalent(return_obj)
        agency: tuple[Cell, ...] = (
            return_obj.organisation.name,
            return_obj.organisation.get_sector_display(),
            return_obj.get_status_display(),
            (
                f"{_equivalent_name(equivalent)}: {equivalent.get_status_display()}"
                if equivalent
                else ""
            ),
        )
        answers = list(return_obj.responses.all())
        if not answers:
            response_rows.append(agency + ("",) * 8)
        for answer in answers:
            criterion = answer.criterion
            response_rows.append(
                (
                    *agency,
                    criterion.standard.code,
                    criterion.standard.title,
                    criterion.code,
                    criterion.text,
                    _word(answer.rating),
                    _word(answer.moderated_rating),
                    answer.narrative,
                    answer.not_applicable_reason,
                )
            )

    actions = (
        ActionItem.objects.filter(source_return__cycle=cycle)
        .select_related("organisation", "criterion__standard")
        .order_by("organisation__name", "due_date", "pk")
    )
    action_rows: list[tuple[Cell, ...]] = [
        (
            action.organisation.name,
            action.criterion.standard.code if action.criterion else "",
            action.criterion.code if action.criterion else "",
            action.description,
            action.owner,
            action.due_date,
            action.get_status_display(),
            "Yes" if action.is_overdue(today) else "No",
        )
        for action in actions
    ]
    return (
        ExportTable("Responses", RESPONSE_HEADERS, response_rows),
        ExportTable("Actions", ACTION_HEADERS, action_rows),
    )


def export_csv(cycle: AuditCycle) -> bytes:
    """The responses table, a blank line, then the actions table under its title."""
    responses, actions = cycle_rows(cycle)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in responses.headers])
    writer.writerows([safe_cell(_csv_value(v)) for v in row] for row in responses.rows)
    writer.writerow([])
    writer.writerow([actions.title])
    writer.writerow([safe_cell(h) for h in actions.headers])
    writer.writerows([safe_cell(_csv_value(v)) for v in row] for row in actions.rows)
    # The byte-order mark tells Excel the file is UTF-8; without it, names with
    # accents or curly apostrophes come out garbled.
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: Cell) -> Cell:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        # openpyxl refuses control characters that text pasted from Word can
        # carry. Strip them before safe_cell, so none can hide a leading "=".
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return safe_cell(value)


def _write_rows(sheet: Worksheet, rows: Iterable[Sequence[Cell]]) -> None:
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])


def _write_table(sheet: Worksheet, table: ExportTable) -> None:
    _write_rows(sheet, [table.headers])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    _write_rows(sheet, table.rows)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _summary_rows(cycle: AuditCycle) -> list[tuple[Cell, ...]]:
    figures = cycle_dashboard(cycle)
    rows: list[tuple[Cell, ...]] = [
        ("Cycle", cycle.name),
        ("Framework", str(cycle.framework)),
        ("Opens", cycle.opens_on),
        ("Closes", cycle.closes_on),
        ("Returns received", f"{figures.received} of {figures.total}"),
        ("Returned S-CAT/SAF equivalents (no ratings)", figures.equivalents),
        ("Equivalents awaiting a decision", figures.equivalents_pending),
        *((f"Status: {s.label}", s.count) for s in figures.by_status),
        ("Open actions", figures.open_actions),
        ("Overdue actions", figures.overdue_actions),
        (),
        (
            "Area code",
            "Area",
            *(f"Self: {RATING_WORDS[r]}" for r in RAG_RATINGS),
            "Self: fully compliant (%)",
            *(f"Moderated: {RATING_WORDS[r]}" for r in RAG_RATINGS),
            "Moderated: fully compliant (%)",
        ),
    ]
    for area in figures.areas:
        rows.append(
            (
                area.code,
                area.title,
                *(area.self_ratings.count(r) for r in RAG_RATINGS),
                area.self_ratings.fully_compliant,
                *(area.moderated.count(r) for r in RAG_RATINGS),
                area.moderated.fully_compliant,
            )
        )
    change = year_on_year(cycle)
    if change is not None:
        rows.append(())
        rows.append(
            (
                "Area code",
                "Area",
                f"{change.previous.name}: fully compliant (%)",
                f"{cycle.name}: fully compliant (%)",
                "Change (percentage points)",
            )
        )
        rows.extend((a.code, a.title, a.then, a.now, a.change) for a in change.areas)
    return rows


def export_xlsx(cycle: AuditCycle) -> bytes:
    """A workbook with the sheets Responses, Actions and Summary (self-rated figures first)."""
    responses, actions = cycle_rows(cycle)
    workbook = Workbook()
    first = workbook.active
    first.title = responses.title
    _write_table(first, responses)
    _write_table(workbook.create_sheet(actions.title), actions)
    summary = workbook.create_sheet("Summary")
    _write_rows(summary, _summary_rows(cycle))
    for sheet in workbook.worksheets:
        for column in ("A", "B"):
            sheet.column_dimensions[column].width = 32
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
