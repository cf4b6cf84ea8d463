"""An organisation's "All our data" archive, requested in the portal, built by the worker."""

from __future__ import annotations

import datetime
import hashlib
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone

from ..models import ExportStatus, Organisation, OrganisationExport, User
from ..queueing import publish, queue_on_commit
from ._common import save as _save

logger = logging.getLogger(__name__)

# An archive still queued this long after it was asked for never reached the worker
# (the broker was down); one "being prepared" past the task time limit lost its worker.
EXPORT_QUEUED_LOST_AFTER = datetime.timedelta(minutes=2)
EXPORT_BUILDING_LOST_AFTER = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
# Handed over again for this long after it was asked for; then it has failed.
EXPORT_GIVE_UP_AFTER = datetime.timedelta(hours=1)


def _enqueue(export: OrganisationExport) -> None:
    from ..tasks import build_organisation_export

    queue_on_commit(build_organisation_export, export.pk)


@transaction.atomic
def organisation_export_request(*, organisation: Organisation, actor: User) -> OrganisationExport:
    """Queue an archive of everything the organisation has. One already on its way
    is returned as it is, so that two clicks never build twice."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    pending = (
        OrganisationExport.objects.filter(
            organisation=organisation,
            status__in=[ExportStatus.QUEUED, ExportStatus.BUILDING],
        )
        .order_by("-requested_at")
        .first()
    )
    if pending is not None:
        if pending.status == ExportStatus.QUEUED:
            # Perhaps never handed over (the broker was down): hand it over again.
            # Building is idempotent, so a second copy of the task changes nothing.
            _enqueue(pending)
        return pending
    export = OrganisationExport(organisation=organisation, requested_by=actor)
    _save(export, actor=actor)
    _enqueue(export)
    return export


def organisation_export_build(*, export_id: int) -> OrganisationExport | None:
    """Build the archive into private storage with its SHA-256. Called by the worker.

    The archive is written to a temporary file outside any transaction (it reads
    every document the organisation has), then kept under a name nobody can guess.
    """
    from ..archive import organisation_archive_write

    with transaction.atomic():
        export = (
            OrganisationExport.objects.select_for_update()
            .select_related("organisation", "requested_by")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status in {ExportStatus.READY, ExportStatus.FAILED}:
            return export
        if (
            export.status == ExportStatus.BUILDING
            and export.started_at is not None
            and export.started_at > timezone.now() - EXPORT_BUILDING_LOST_AFTER
        ):
            return export  # another copy of the task is building it now
        export.status = ExportStatus.BUILDING
        export.started_at = timezone.now()
        _save(export, actor=None)
    valid_for = datetime.timedelta(days=settings.EXPORT_VALID_DAYS)
    with tempfile.TemporaryFile() as archive:
        # The expiry the README states is fixed before writing, from the start time:
        # the archive is never valid longer than the portal says.
        expires_at = export.started_at + valid_for
        organisation_archive_write(
            organisation=export.organisation,
            target=archive,
            requested_by=export.requested_by,
            valid_until=formats.date_format(timezone.localtime(expires_at), "l j F Y, H:i"),
        )
        archive.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: archive.read(1024 * 1024), b""):
            digest.update(chunk)
        size = archive.tell()
        archive.seek(0)
        with transaction.atomic():
            export = OrganisationExport.objects.select_for_update().get(pk=export_id)
            if export.status == ExportStatus.READY:
                return export
            export.file.save("export.zip", File(archive), save=False)
            export.sha256 = digest.hexdigest()
            export.size = size
            export.status = ExportStatus.READY
            export.finished_at = timezone.now()
            export.expires_at = expires_at
            export.failure_reason = ""
            _save(export, actor=None)
    return export


def organisation_export_fail(*, export_id: int, reason: str) -> OrganisationExport | None:
    """Record that building gave up, so that the page says so instead of spinning."""
    with transaction.atomic():
        export = OrganisationExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status == ExportStatus.READY:
            return export
        export.status = ExportStatus.FAILED
        export.failure_reason = reason
        export.finished_at = timezone.now()
        _save(export, actor=None)
    logger.warning("Organisation export %s failed: %s", export_id, reason)
    return export


def organisation_exports_requeue_lost(*, now: datetime.datetime | None = None) -> int:
    """Hand the worker again every archive it never took (the broker was down) or
    lost (its worker died while building); one asked for more than
    EXPORT_GIVE_UP_AFTER ago is marked failed instead, so that an archive that
    kills its worker is not tried for ever. Beat runs this; returns how many were
    handed over."""
    from ..tasks import build_organisation_export

    now = now or timezone.now()
    lost = OrganisationExport.objects.filter(
        Q(status=ExportStatus.QUEUED, requested_at__lt=now - EXPORT_QUEUED_LOST_AFTER)
        | Q(status=ExportStatus.BUILDING, started_at__lt=now - EXPORT_BUILDING_LOST_AFTER)
    ).values_list("pk", "requested_at")
    handed_over = 0
    for export_id, requested_at in lost:
        if requested_at < now - EXPORT_GIVE_UP_AFTER:
            organisation_export_fail(
                export_id=export_id,
                reason="The archive could not be prepared in time. Ask for it again; if it "
                "fails again, tell the Business Unit.",
            )
        else:
            handed_over += publish(build_organisation_export, export_id)
    return handed_over
