"""The "All our data" archive: an organisation's returns, actions, comments and
documents as one zip file that makes sense without the portal.

CSV files are for spreadsheets, so every cell goes through ``safe_cell``; the
JSON file is for reading and for other systems, and keeps the words as written.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify

from .models import ActionItem, AuditCycle, Evidence, Organisation, Rating, Return, User
from .selectors import OrganisationRecords, organisation_records
from .spreadsheets import Cell, safe_cell

DOCUMENTS = "documents"

RETURN_HEADERS = (
    "Cycle",
    "Framework",
    "Return status",
    "Submitted",
    "Submitted by",
    "Area code",
    "Area",
    "Question code",
    "Question",
    "Rating",
    "Commentary",
    "Reason for N/A",
    "Last saved",
    "Last saved by",
)
ACTION_HEADERS = (
    "Action id",
    "Cycle",
    "Question code",
    "What will be done",
    "Owner",
    "Due date",
    "Status",
    "Completed",
    "Created",
)
UPDATE_HEADERS = ("Action id", "What will be done", "When", "Who", "Progress note")
COMMENT_HEADERS = ("Cycle", "Question code", "When", "Who", "Comment")
DOCUMENT_HEADERS = (
    "File in this archive",
    "Original name",
    "Cycle",
    "Question code",
    "Action id",
    "Type",
    "Size (bytes)",
    "SHA-256",
    "Uploaded",
    "Uploaded by",
)


def organisation_archive_write(
    *, organisation: Organisation, target: IO[bytes], requested_by: User, valid_until: str
) -> int:
    """Write the organisation's archive into ``target``; return how many documents it holds."""
    records = organisation_records(organisation)
    folders = _cycle_folders(r.cycle for r in records.returns)
    placed = _place_documents(records, folders)
    exported_at = timezone.localtime()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        withheld = {n: e for n, e in placed.items() if not e.is_downloadable}
        for name in withheld:
            placed.pop(name)
        missing = _copy_documents(archive, placed)
        for name in missing:
            placed.pop(name)
        archive.writestr(
            "README.txt",
            render_to_string(
                "audits/export/README.txt",
                {
                    "organisation": organisation,
                    "records": records,
                    "exported_at": exported_at,
                    "requested_by": requested_by,
                    "valid_until": valid_until,
                    "documents": len(placed),
                    "missing": missing,
                    "withheld": withheld,
                },
            ),
        )
        archive.writestr("returns.csv", _csv(RETURN_HEADERS, _answer_rows(records.returns)))
        archive.writestr(
            "returns.json",
            json.dumps(_returns_json(records, placed, exported_at), indent=2, ensure_ascii=False)
            + "\n",
        )
        archive.writestr("actions.csv", _csv(ACTION_HEADERS, _action_rows(records.actions)))
        archive.writestr("action_updates.csv", _csv(UPDATE_HEADERS, _update_rows(records.actions)))
        archive.writestr(
            "review_comments.csv", _csv(COMMENT_HEADERS, _comment_rows(records.returns))
        )
        archive.writestr("documents.csv", _csv(DOCUMENT_HEADERS, _document_rows(placed)))
    return len(placed)


def _copy_documents(archive: zipfile.ZipFile, placed: dict[str, Evidence]) -> dict[str, Evidence]:
    """Copy each document in, a megabyte at a time; return those whose file is gone
    from storage, so that the archive says so rather than the whole export failing."""
    missing: dict[str, Evidence] = {}
    for name, evidence in placed.items():
        try:
            source = evidence.file.open("rb")
        except FileNotFoundError:
            missing[name] = evidence
            continue
        with source, archive.open(name, "w") as copy:
            shutil.copyfileobj(source, copy, 1024 * 1024)
    return missing


# --- Where each document goes ------------------------------------------------------


def _cycle_folders(cycles: Iterable[AuditCycle]) -> dict[int, str]:
    """One folder per cycle, named after it; two cycles of one name are told apart."""
    folders: dict[int, str] = {}
    for cycle in cycles:
        name = slugify(cycle.name) or "cycle"
        if name in folders.values():
            name = f"{name}-{cycle.pk}"
        folders.setdefault(cycle.pk, name)
    return folders


def _file_name(evidence: Evidence) -> str:
    # The id keeps two documents of the same name apart; the rest is the uploader's
    # name made safe for every operating system's file system.
    try:
        safe = get_valid_filename(evidence.original_name)
    except SuspiciousFileOperation:
        safe = "document"
    return f"{evidence.pk}-{safe}"


def _place_documents(records: OrganisationRecords, folders: dict[int, str]) -> dict[str, Evidence]:
    """Every document under the folder of its cycle: a return's at the top, an
    action's under ``actions``; an action from no return under ``other-actions``."""
    placed: dict[str, Evidence] = {}
    for return_obj in records.returns:
        folder = f"{DOCUMENTS}/{folders[return_obj.cycle_id]}"
        for evidence in return_obj.evidence.all():
            placed[f"{folder}/{_file_name(evidence)}"] = evidence
    for action in records.actions:
        if action.source_return is not None:
            folder = f"{DOCUMENTS}/{folders[action.source_return.cycle_id]}/actions"
        else:
            folder = f"{DOCUMENTS}/other-actions"
        for evidence in action.evidence.all():
            placed[f"{folder}/{_file_name(evidence)}"] = evidence
    return placed


# --- Tables --------------------------------------------------------------------------


def _csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([safe_cell(_text(value)) for value in row] for row in rows)
    # The byte-order mark tells Excel the file is UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def _text(value: object) -> Cell:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int):
        return value
    return str(value)


def _rating(value: str) -> str:
    return str(Rating(value).label) if value else ""


def _name(user: User | None) -> str:
    return user.full_name if user else ""


def _answer_rows(returns: list[Return]) -> Iterable[tuple[Any, ...]]:
    for return_obj in returns:
        head = (
            return_obj.cycle.name,
            str(return_obj.cycle.framework),
            return_obj.get_status_display(),
            return_obj.submitted_at,
            _name(return_obj.submitted_by),
        )
        answers = list(return_obj.responses.all())
        if not answers:
            yield (*head, *("",) * 9)
        for answer in answers:
            yield (
                *head,
                answer.criterion.standard.code,
                answer.criterion.standard.title,
                answer.criterion.code,
                answer.criterion.text,
                _rating(answer.rating),
                answer.narrative,
                answer.not_applicable_reason,
                answer.updated_at,
                _name(answer.updated_by),
            )


def _action_cycle(action: ActionItem) -> str:
    return action.source_return.cycle.name if action.source_return else ""


def _action_rows(actions: list[ActionItem]) -> Iterable[tuple[Any, ...]]:
    for action in actions:
        yield (
            action.pk,
            _action_cycle(action),
            action.criterion.code if action.criterion else "",
            action.description,
            action.owner,
            action.due_date,
            action.get_status_display(),
            action.completed_at,
            action.created_at,
        )


def _update_rows(actions: list[ActionItem]) -> Iterable[tuple[Any, ...]]:
    for action in actions:
        for update in action.updates.all():
            yield (
                action.pk,
                action.description,
                update.created_at,
                _name(update.author),
                update.note,
            )


def _comment_rows(returns: list[Return]) -> Iterable[tuple[Any, ...]]:
    for return_obj in returns:
        for comment in return_obj.comments.all():
            code = comment.criterion.code if comment.criterion else "The whole return"
            yield (
                return_obj.cycle.name,
                code,
                comment.created_at,
                _name(comment.author),
                comment.text,
            )


def _document_rows(placed: dict[str, Evidence]) -> Iterable[tuple[Any, ...]]:
    for name, evidence in placed.items():
        yield (
            name,
            evidence.original_name,
            evidence.return_obj.cycle.name if evidence.return_obj else "",
            evidence.criterion.code if evidence.criterion else "",
            evidence.action_id or "",
            evidence.content_type,
            evidence.size,
            evidence.sha256,
            evidence.uploaded_at,
            _name(evidence.uploaded_by),
        )


# --- The readable JSON ------------------------------------------------------------


def _returns_json(
    records: OrganisationRecords, placed: dict[str, Evidence], exported_at: datetime.datetime
) -> dict[str, Any]:
    where = {evidence.pk: name for name, evidence in placed.items()}

    def document(evidence: Evidence) -> dict[str, Any]:
        return {
            "file": where.get(evidence.pk),
            "original_name": evidence.original_name,
            "question": evidence.criterion.code if evidence.criterion else None,
            "sha256": evidence.sha256,
            "uploaded": _iso(evidence.uploaded_at),
            "uploaded_by": _name(evidence.uploaded_by),
        }

    return {
        "organisation": records.organisation.name,
        "exported": _iso(exported_at),
        "returns": [
            {
                "cycle": r.cycle.name,
                "framework": str(r.cycle.framework),
                "opens": r.cycle.opens_on.isoformat(),
                "closes": r.cycle.closes_on.isoformat(),
                "deadline": r.deadline.isoformat(),
                "status": r.get_status_display(),
                "submitted": _iso(r.submitted_at),
                "submitted_by": _name(r.submitted_by) or None,
                "note_from_the_business_unit": r.status_reason or None,
                "answers": [
                    {
                        "area": f"{a.criterion.standard.code} {a.criterion.standard.title}",
                        "question": f"{a.criterion.code} {a.criterion.text}",
                        "rating": _rating(a.rating) or None,
                        "commentary": a.narrative,
                        "reason_for_na": a.not_applicable_reason or None,
                        "last_saved": _iso(a.updated_at),
                        "last_saved_by": _name(a.updated_by) or None,
                    }
                    for a in r.responses.all()
                ],
                "review_comments": [
                    {
                        "question": c.criterion.code if c.criterion else None,
                        "when": _iso(c.created_at),
                        "who": _name(c.author),
                        "comment": c.text,
                    }
                    for c in r.comments.all()
                ],
                "documents": [document(e) for e in r.evidence.all()],
            }
            for r in records.returns
        ],
        "actions": [
            {
                "id": a.pk,
                "cycle": _action_cycle(a) or None,
                "question": a.criterion.code if a.criterion else None,
                "what_will_be_done": a.description,
                "owner": a.owner,
                "due": a.due_date.isoformat(),
                "status": a.get_status_display(),
                "completed": _iso(a.completed_at),
                "progress": [
                    {"when": _iso(u.created_at), "who": _name(u.author), "note": u.note}
                    for u in a.updates.all()
                ],
                "documents": [document(e) for e in a.evidence.all()],
            }
            for a in records.actions
        ],
    }


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None
