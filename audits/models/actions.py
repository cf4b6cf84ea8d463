"""Action plans that outlive a cycle, and the reminders the portal sends."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .frameworks import Criterion
from .organisations import Organisation
from .returns import Return


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class ActionItem(models.Model):
    """An improvement an organisation commits to; it outlives the cycle."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="actions")
    source_return = models.ForeignKey(
        Return, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField("what will be done")
    owner = models.CharField(max_length=150, help_text="The person or post responsible.")
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="action_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.status != ActionStatus.COMPLETED and self.due_date < today


class ActionUpdate(models.Model):
    """A progress note on an action, kept in order and never edited."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    note = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.note[:80]


class ReminderKind(models.TextChoices):
    RETURN_DUE = "return_due", "Return due"
    RETURN_OVERDUE = "return_overdue", "Return overdue"
    ACTION_OVERDUE = "action_overdue", "Action overdue"


class Reminder(models.Model):
    """One reminder sent, for a return or an action, at one step of the schedule.

    The unique step per target is what stops the same reminder going out twice.
    """

    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    step = models.CharField(max_length=40, help_text="For example 'due-14' or 'overdue-week-2'.")
    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    action = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    recipients = models.TextField(help_text="The addresses it went to, one per line.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(return_obj__isnull=False, action__isnull=True)
                | Q(return_obj__isnull=True, action__isnull=False),
                name="reminder_targets_return_or_action",
            ),
            models.UniqueConstraint(
                fields=["return_obj", "step"],
                condition=Q(return_obj__isnull=False),
                name="reminder_once_per_return_step",
            ),
            models.UniqueConstraint(
                fields=["action", "step"],
                condition=Q(action__isnull=False),
                name="reminder_once_per_action_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.step})"
