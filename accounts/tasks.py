from __future__ import annotations

from celery import shared_task

from audits.models import User

from .services import account_notice_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_account_notice(user_id: int, kind: str, to: str) -> None:
    """Tell someone their email address or password changed (``kind``), at ``to``."""
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        account_notice_send(user=user, kind=kind, to=to)
