"""What is particular to Section 11: equivalent returns and challenge events.

Returns, answers, evidence and actions are the shared core's (``audits``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audits.models import Evidence, Rating, Return, Standard


class EquivalentForm(models.TextChoices):
    SCAT = "scat", "S-CAT (Safeguarding Commissioning Assurance Toolkit)"
    SAF = "saf", "SAF (Safeguarding Assurance Framework)"


class EquivalentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting the Business Unit"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Not accepted"


class EquivalentReturn(models.Model):
    """A health partner's S-CAT or SAF document offered in place of ratings."""

    return_obj = models.OneToOneField(Return, on_delete=models.CASCADE, related_name="equivalent")
    form = models.CharField(max_length=10, choices=EquivalentForm.choices)
    document = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=EquivalentStatus.choices, default=EquivalentStatus.PENDING
    )
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status=EquivalentStatus.PENDING) | Q(decided_at__isnull=False),
                name="equivalent_decision_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=EquivalentStatus.REJECTED) | ~Q(decision_reason=""),
                name="equivalent_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} for {self.return_obj}"


class ChallengeEvent(models.Model):
    """A panel visit that tests one agency's return against its evidence."""

    return_obj = models.OneToOneField(Return, on_delete=models.PROTECT, related_name="challenge")
    held_on = models.DateField()
    summary = models.TextField(blank=True, help_text="The panel's overall findings.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on"]

    def __str__(self) -> str:
        return f"Challenge event: {self.return_obj.organisation}"


class PanelRole(models.TextChoices):
    CHAIR = "chair", "Board or Business Unit member"
    PEER = "peer", "Peer from a similar organisation"


class ChallengePanelMember(models.Model):
    """Someone on the panel. A peer may be an outside user granted that one return."""

    event = models.ForeignKey(ChallengeEvent, on_delete=models.CASCADE, related_name="panel")
    role = models.CharField(max_length=10, choices=PanelRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150)
    organisation_name = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class AreaOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "Self-rating confirmed"
    MODERATED = "moderated", "Moderated"


class ChallengeAreaFinding(models.Model):
    """The panel's view of one area: the self-rating confirmed, or a new rating."""

    event = models.ForeignKey(ChallengeEvent, on_delete=models.CASCADE, related_name="findings")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    self_rating = models.CharField(max_length=25, choices=Rating.choices, blank=True)
    outcome = models.CharField(max_length=10, choices=AreaOutcome.choices)
    moderated_rating = models.CharField(max_length=25, choices=Rating.choices, blank=True)
    findings = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["standard__position"]
        constraints = [
            models.UniqueConstraint(fields=["event", "standard"], name="finding_once_per_area"),
            models.CheckConstraint(
                condition=~Q(outcome=AreaOutcome.MODERATED) | ~Q(moderated_rating=""),
                name="finding_moderation_has_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard}: {self.get_outcome_display()}"


class ChallengeRecommendation(models.Model):
    event = models.ForeignKey(
        ChallengeEvent, on_delete=models.CASCADE, related_name="recommendations"
    )
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    owner = models.CharField(max_length=150)
    due_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]
