"""Audit cycles, the returns organisations make in them, answers, evidence and review."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .frameworks import Criterion, Framework, Rating
from .organisations import Organisation


class AuditCycle(models.Model):
    """A framework run for a set of organisations between two dates."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="cycles")
    name = models.CharField(max_length=200)
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="cycle_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str | None:
        from ..pages import cycle_page_url

        return cycle_page_url(self)

    def is_open(self, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class ReturnStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    ACCEPTED = "accepted", "Accepted"


# The organisation may edit its return only in these states.
EDITABLE_STATUSES = frozenset(
    {ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS, ReturnStatus.RETURNED}
)


class Return(models.Model):
    """One organisation's return for one cycle."""

    cycle = models.ForeignKey(AuditCycle, on_delete=models.PROTECT, related_name="returns")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.NOT_STARTED
    )
    extended_deadline = models.DateField(
        null=True, blank=True, help_text="A later deadline the Business Unit allowed."
    )
    status_reason = models.TextField(
        blank=True, help_text="Why the return was last returned for changes or reopened."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        permissions = [("review_return", "Can review and moderate a return")]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation"], name="return_one_per_organisation_per_cycle"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED])
                | Q(submitted_at__isnull=False),
                name="return_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} - {self.cycle}"

    def get_absolute_url(self) -> str:
        from ..pages import return_page_url

        return return_page_url(self)

    @property
    def deadline(self) -> datetime.date:
        return self.extended_deadline or self.cycle.closes_on

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Response(models.Model):
    """The organisation's answer to one criterion, and any moderated rating."""

    return_obj = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="responses")
    rating = models.CharField(max_length=25, choices=Rating.choices, blank=True)
    not_applicable_reason = models.TextField(blank=True)
    narrative = models.TextField(blank=True)
    moderated_rating = models.CharField(max_length=25, choices=Rating.choices, blank=True)
    moderation_note = models.TextField(blank=True)
    # Bumped on every save so that a stale form cannot silently overwrite.
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__standard__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_obj", "criterion"], name="response_one_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.get_rating_display() or 'unrated'}"


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", "Not scanned (virus scanning is off)"
    PENDING = "pending", "Being checked for viruses"
    CLEAN = "clean", "Checked: no virus found"
    INFECTED = "infected", "Removed: virus found"


# A file still being checked might carry a virus, so only these are ever served.
DOWNLOADABLE_SCAN_STATUSES = frozenset({ScanStatus.NOT_SCANNED, ScanStatus.CLEAN})


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # Server-generated names: the uploader's filename never reaches the disk.
    return f"evidence/{instance.organisation_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A document an organisation supplies: for a return (optionally one criterion)
    or as proof that an action is complete."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="evidence"
    )
    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        "ActionItem", on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # An infected file is moved to the quarantine folder under the same name, so
    # ``file`` then names the quarantined copy, no longer anything in the store.
    scan_status = models.CharField(
        max_length=12, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED
    )
    scanned_at = models.DateTimeField(null=True, blank=True)
    virus_name = models.CharField(
        max_length=255, blank=True, help_text="The signature the virus scanner reported."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(return_obj__isnull=False) | Q(action__isnull=False),
                name="evidence_belongs_to_return_or_action",
            ),
            models.CheckConstraint(
                condition=~Q(scan_status__in=[ScanStatus.CLEAN, ScanStatus.INFECTED])
                | Q(scanned_at__isnull=False),
                name="evidence_scanned_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(scan_status=ScanStatus.INFECTED) | ~Q(virus_name=""),
                name="evidence_infected_names_the_virus",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_downloadable(self) -> bool:
        return self.scan_status in DOWNLOADABLE_SCAN_STATUSES


class ReviewComment(models.Model):
    """A reviewer's comment on a return, or on one criterion of it. Never edited."""

    return_obj = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="comments")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:80]
