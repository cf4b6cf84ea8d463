from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import Task, shared_task
from django.db import OperationalError

from .models import Invitation
from .reminders import reminders_send_due
from .retention import retention_apply
from .services import invitation_send
from .services.exports import organisation_export_build, organisation_export_fail


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id, accepted_at=None).first()
    if invitation is not None:
        invitation_send(invitation=invitation)


@shared_task
def send_reminders() -> dict[str, int]:
    """Beat runs this every morning. No retry: the next run sends whatever is still due."""
    return asdict(reminders_send_due())


class ExportTask(Task):
    """Marks the export failed, with a reason, once the worker has given up on it."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        export_id = args[0] if args else kwargs.get("export_id")
        organisation_export_fail(
            export_id=export_id,
            reason="The archive could not be prepared. Try again, or ask the Business Unit.",
        )


@shared_task(
    base=ExportTask,
    acks_late=True,
    reject_on_worker_lost=True,
    # A database or file-system hiccup is worth another go.
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    max_retries=3,
)
def build_organisation_export(export_id: int) -> str | None:
    export = organisation_export_build(export_id=export_id)
    return export.status if export else None


@shared_task
def apply_retention() -> dict[str, int]:
    """Beat runs this weekly; operators can run `manage.py apply_retention` at any time."""
    return {outcome.rule.key: outcome.count for outcome in retention_apply()}
