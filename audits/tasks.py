from __future__ import annotations

from celery import shared_task

from .models import Invitation
from .services import invitation_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id, accepted_at=None).first()
    if invitation is not None:
        invitation_send(invitation=invitation)
