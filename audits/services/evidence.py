"""Evidence documents."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ..evidence import EvidenceRefused, check_evidence_file
from ..models import (
    ActionItem,
    Criterion,
    Evidence,
    Organisation,
    Return,
    User,
)

if TYPE_CHECKING:
    pass


from ._common import save as _save


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
    """Check an uploaded file by its content and keep it, under a name of our own."""
    if return_obj is not None and not return_obj.is_editable:
        raise ValidationError("This return has been submitted and can no longer be changed.")
    try:
        checked = check_evidence_file(upload, upload.name or "", upload.size or 0)
    except EvidenceRefused as refused:
        raise ValidationError({"file": str(refused)}) from refused
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
    )
    evidence.file.save("upload", File(upload), save=False)
    _save(evidence, actor=actor)
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, actor: User) -> None:
    """Withdraw a document from a draft return; the history keeps that it existed."""
    if evidence.return_obj is not None and not evidence.return_obj.is_editable:
        raise ValidationError("This return has been submitted and can no longer be changed.")
    evidence._history_user = actor  # type: ignore[attr-defined]
    stored = evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: Evidence.file.field.storage.delete(stored))
