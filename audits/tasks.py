from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from .models import Invitation
from .reminders import reminders_send_due
from .services import invitation_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.filter(
        pk=invitation_id, accepted_at=None, revoked_at=None
    ).first()
    if invitation is not None:
        invitation_send(invitation=invitation)


@shared_task
def send_reminders() -> dict[str, int]:
    """Beat runs this every morning. No retry: the next run sends whatever is still due."""
    return asdict(reminders_send_due())
