"""Summary reports: each request renders a numbered version; the Executive's three
statutory partners sign a version off; an agreed version may be published.

A version's text is copied from its report when it is requested, so an agreed
version can never change: a change means a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audits.models import AuditCycle, StatutoryPartner


class ReportKind(models.TextChoices):
    SECTION11_SUMMARY = "section11_summary", "Section 11 summary report"


class Report(models.Model):
    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    cycle = models.ForeignKey(AuditCycle, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField(max_length=200)
    themes = models.TextField(blank=True, help_text="The Business Unit's themes, in paragraphs.")
    recommendations = models.TextField(blank=True, help_text="One recommendation per line.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "cycle"], name="report_one_per_kind_per_cycle")
        ]

    def __str__(self) -> str:
        return self.title


class RenderStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class SignOffStatus(models.TextChoices):
    DRAFT = "draft", "Not yet sent to the Executive"
    AWAITING = "awaiting", "Awaiting the Executive"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    AGREED = "agreed", "Agreed"


def report_upload_to(instance: ReportVersion, filename: str) -> str:
    # One name per version: rendering the same version again replaces, never adds.
    return f"reports/{instance.report_id}/version-{instance.number}.pdf"


class ReportVersion(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    themes = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    render_status = models.CharField(
        max_length=10, choices=RenderStatus.choices, default=RenderStatus.QUEUED
    )
    failure_reason = models.TextField(blank=True)
    # When the version was last handed to the report service, and how many times
    # the sweep has had to hand it over again because the service lost it.
    queued_at = models.DateTimeField(null=True, blank=True)
    requeues = models.PositiveSmallIntegerField(default=0)
    # How many times a worker started rendering it, and which delivery of the
    # task is rendering it now: a second copy of the message leaves it alone.
    attempts = models.PositiveSmallIntegerField(default=0)
    render_task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=report_upload_to, max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)

    signoff_status = models.CharField(
        max_length=20, choices=SignOffStatus.choices, default=SignOffStatus.DRAFT
    )
    sent_for_signoff_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], name="report_version_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(render_status=RenderStatus.READY) | (~Q(sha256="") & ~Q(file="")),
                name="report_version_ready_has_file",
            ),
            models.CheckConstraint(
                condition=Q(signoff_status=SignOffStatus.DRAFT)
                | Q(render_status=RenderStatus.READY),
                name="report_version_signoff_needs_file",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(signoff_status=SignOffStatus.AGREED),
                name="report_version_published_only_when_agreed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, version {self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.signoff_status == SignOffStatus.AGREED

    @property
    def is_in_progress(self) -> bool:
        return self.render_status in {RenderStatus.QUEUED, RenderStatus.RENDERING}


class Decision(models.TextChoices):
    AGREED = "agreed", "Agreed"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class SignOff(models.Model):
    """One statutory partner's decision on one version."""

    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="signoffs")
    partner = models.CharField(max_length=20, choices=StatutoryPartner.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partner"]
        constraints = [
            models.UniqueConstraint(fields=["version", "partner"], name="signoff_once_per_partner"),
            models.CheckConstraint(
                condition=Q(decision=Decision.AGREED) | ~Q(comment=""),
                name="signoff_changes_have_a_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_partner_display()}: {self.get_decision_display()}"
