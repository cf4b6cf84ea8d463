"""Who opened or downloaded a restricted record, and when."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .organisations import Organisation


class AccessKind(models.TextChoices):
    VIEWED = "viewed", "Opened"
    DOWNLOADED = "downloaded", "Downloaded"


class AccessRecord(models.Model):
    """One person opening or downloading one restricted thing.

    Written only by ``services.access_record_add``, from the view that served the
    thing, and never changed: the admin shows it read-only and the only deletion
    is the retention schedule's. The thing is named by content type and id rather
    than by a foreign key per kind, so that a new kind of restricted record (a
    multi-agency case audit) is logged with one call and no migration, and so
    that the log outlives what it records.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # What the thing was called at the time, so the log still reads once it is gone.
    description = models.CharField(max_length=255)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose record it is; empty for partnership-wide records such as reports.",
    )
    path = models.CharField(max_length=255, help_text="The page or download it was served by.")
    client_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="access_target_idx"),
            models.Index(fields=["organisation", "-at"], name="access_organisation_idx"),
            models.Index(fields=["at"], name="access_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display().lower()} {self.description}"
