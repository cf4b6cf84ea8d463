"""An organisation's whole record in the portal, as one archive to download."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .organisations import Organisation


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def export_upload_to(instance: OrganisationExport, filename: str) -> str:
    # A name nobody can guess: the archive holds everything the organisation has.
    return f"exports/{instance.organisation_id}/{uuid.uuid4().hex}.zip"


class OrganisationExport(models.Model):
    """One request for "All our data": built by the worker, downloadable until it expires.

    Not kept in django-simple-history: an export is a copy of records whose own
    history is kept, it lives a few days, and who downloaded it is in the access log.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    file = models.FileField(upload_to=export_upload_to, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="After this the archive can no longer be downloaded."
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.READY)
                | (~Q(file="") & ~Q(sha256="") & Q(expires_at__isnull=False)),
                name="export_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.requested_at)
        return f"All of {self.organisation}'s data, {when:%-d %B %Y %H:%M}"

    @property
    def is_in_progress(self) -> bool:
        return self.status in {ExportStatus.QUEUED, ExportStatus.BUILDING}

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    @property
    def filename(self) -> str:
        """The name the download is saved under."""
        name = self.organisation.name.replace("/", "-")
        return f"CSAP portal - {name} - all data - {timezone.localdate(self.requested_at)}.zip"
