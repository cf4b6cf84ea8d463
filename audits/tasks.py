from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from .models import Invitation
from .reminders import reminders_send_due
from .services import invitation_send, invitations_queue_unsent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id, accepted_at=None).first()
    # Sent already means a second copy of the message: one email is enough.
    if invitation is not None and invitation.sent_at is None:
        invitation_send(invitation=invitation)


@shared_task
def send_unsent_invitations() -> int:
    """Beat runs this: invitations made while the broker was down go out now."""
    return invitations_queue_unsent()


@shared_task
def send_reminders() -> dict[str, int]:
    """Beat runs this every morning. No retry: the next run sends whatever is still due."""
    return asdict(reminders_send_due())
