"""Evidence documents: kept under our own names, scanned for viruses when clamd is
configured, and quarantined when a virus is found."""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ..evidence import EvidenceRefused, check_evidence_file
from ..models import (
    ActionItem,
    Criterion,
    Evidence,
    Organisation,
    Return,
    ScanStatus,
    User,
)
from ..queueing import publish, queue_on_commit
from ..scanning import ScannerUnavailable, scan_stream, scanning_enabled
from ._common import save as _save

logger = logging.getLogger(__name__)

# A scan still pending this long after the upload has lost its task (clamd was down
# past every retry, or the broker restarted): the sweep queues it again.
SCAN_LOST_AFTER = datetime.timedelta(minutes=30)


@transaction.atomic
def evidence_attach(
    *,
    organisation: Organisation,
    upload: UploadedFile,
    actor: User,
    return_obj: Return | None = None,
    criterion: Criterion | None = None,
    action: ActionItem | None = None,
) -> Evidence:
    """Check an uploaded file by its content and keep it, under a name of our own.

    With virus scanning on, the file is held as pending and the worker scans it
    once the upload is committed; nobody can download it until it is found clean.
    """
    if return_obj is not None and not return_obj.is_editable:
        raise ValidationError("This return has been submitted and can no longer be changed.")
    try:
        checked = check_evidence_file(upload, upload.name or "", upload.size or 0)
    except EvidenceRefused as refused:
        raise ValidationError({"file": str(refused)}) from refused
    scanning = scanning_enabled()
    evidence = Evidence(
        organisation=organisation,
        return_obj=return_obj,
        criterion=criterion,
        action=action,
        original_name=PurePath(upload.name or "evidence").name[-255:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        scan_status=ScanStatus.PENDING if scanning else ScanStatus.NOT_SCANNED,
    )
    evidence.file.save("upload", File(upload), save=False)
    _save(evidence, actor=actor)
    if scanning:
        _queue_scan(evidence.pk)
    return evidence


def _queue_scan(evidence_id: int) -> None:
    from ..tasks import scan_evidence

    queue_on_commit(scan_evidence, evidence_id)


@transaction.atomic
def evidence_remove(*, evidence: Evidence, actor: User) -> None:
    """Withdraw a document from a draft return; the history keeps that it existed.

    A quarantined copy stays in quarantine: it is the record of what was found.
    """
    if evidence.return_obj is not None and not evidence.return_obj.is_editable:
        raise ValidationError("This return has been submitted and can no longer be changed.")
    evidence._history_user = actor  # type: ignore[attr-defined]
    stored = evidence.file.name
    quarantined = evidence.scan_status == ScanStatus.INFECTED
    evidence.delete()
    if not quarantined:
        transaction.on_commit(lambda: Evidence.file.field.storage.delete(stored))


def evidence_scan(*, evidence_id: int) -> Evidence | None:
    """Stream a pending document to clamd and record the verdict. Called by the worker.

    Raises ``ScannerUnavailable`` when clamd gives no verdict, for the task to try
    again; the document stays pending meanwhile. Idempotent: a document already
    decided, or removed in the meantime, is left alone. The scan itself runs
    outside any transaction, so a slow clamd holds no lock.
    """
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None or evidence.scan_status != ScanStatus.PENDING:
        return evidence
    if not scanning_enabled():
        # Turning scanning off never releases a file that clamd has not seen.
        raise ScannerUnavailable(
            "Virus scanning is not configured: set CLAMD_SOCKET or CLAMD_HOST."
        )
    with evidence.file.open("rb") as stream:
        verdict = scan_stream(stream)
    if verdict.infected:
        # Copy first: if the worker dies now, the file is still pending and in the
        # store, and the next attempt copies it again over the same name.
        _copy_to_quarantine(evidence)
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().filter(pk=evidence_id).first()
        if evidence is None or evidence.scan_status != ScanStatus.PENDING:
            return evidence
        evidence.scanned_at = timezone.now()
        if not verdict.infected:
            evidence.scan_status = ScanStatus.CLEAN
            _save(evidence, actor=None)
            return evidence
        evidence.scan_status = ScanStatus.INFECTED
        evidence.virus_name = verdict.signature[:255]
        _save(evidence, actor=None)
        stored = evidence.file.name
        logger.warning(
            "Evidence %s (%s, uploaded by user %s) carried %s; quarantined as %s",
            evidence.pk,
            evidence.sha256,
            evidence.uploaded_by_id,
            evidence.virus_name,
            stored,
        )
        from ..tasks import notify_evidence_infected

        transaction.on_commit(lambda: Evidence.file.field.storage.delete(stored))
        queue_on_commit(notify_evidence_infected, evidence_id)
    return evidence


def quarantine_path(evidence: Evidence) -> Path:
    """Where an infected document's bytes are kept: its stored name, under quarantine."""
    root = Path(settings.QUARANTINE_ROOT)
    path = (root / evidence.file.name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"Stored name {evidence.file.name!r} leaves the quarantine folder.")
    return path


def _copy_to_quarantine(evidence: Evidence) -> None:
    target = quarantine_path(evidence)
    # Only the portal's own account may read what is in quarantine.
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as copy, evidence.file.open("rb") as source:
        for chunk in iter(lambda: source.read(1024 * 1024), b""):
            copy.write(chunk)


def evidence_rescan_lost() -> int:
    """Queue a scan again for every document pending for longer than a scan takes."""
    from ..tasks import scan_evidence

    if not scanning_enabled():
        return 0
    lost = Evidence.objects.filter(
        scan_status=ScanStatus.PENDING, uploaded_at__lt=timezone.now() - SCAN_LOST_AFTER
    ).values_list("pk", flat=True)
    return sum(publish(scan_evidence, evidence_id) for evidence_id in lost)
