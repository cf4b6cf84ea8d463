from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError
from django.template.loader import render_to_string

from .models import Evidence, Invitation, ScanStatus
from .pages import evidence_page_url
from .reminders import reminders_send_due
from .retention import retention_apply
from .scanning import ScannerUnavailable
from .services import (
    evidence_rescan_lost,
    evidence_scan,
    invitation_send,
    invitations_queue_unsent,
)
from .services.exports import (
    organisation_export_build,
    organisation_export_fail,
    organisation_exports_requeue_lost,
)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.filter(
        pk=invitation_id, accepted_at=None, revoked_at=None
    ).first()
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


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # clamd down or busy: try again after 1, 2, 4... seconds (about four minutes in
    # all); the file stays pending, and the sweep below queues it again later.
    autoretry_for=(ScannerUnavailable, OSError),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=8,
)
def scan_evidence(evidence_id: int) -> str | None:
    evidence = evidence_scan(evidence_id=evidence_id)
    return evidence.scan_status if evidence else None


@shared_task
def rescan_pending_evidence() -> int:
    """Beat runs this every quarter of an hour for scans that were lost."""
    return evidence_rescan_lost()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_evidence_infected(evidence_id: int) -> int:
    """Tell the uploader that their file carried a virus and was removed."""
    evidence = (
        Evidence.objects.select_related(
            "uploaded_by", "organisation", "return_obj__cycle__framework", "action"
        )
        .filter(pk=evidence_id, scan_status=ScanStatus.INFECTED)
        .first()
    )
    if evidence is None:
        return 0
    context = {"evidence": evidence, "link": settings.SITE_URL + evidence_page_url(evidence)}
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/evidence_infected_subject.txt", context).strip(),
        body=render_to_string("emails/evidence_infected_body.txt", context),
        to=[evidence.uploaded_by.email],
    )
    message.attach_alternative(
        render_to_string("emails/evidence_infected_body.html", context), "text/html"
    )
    return message.send()


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
def requeue_lost_exports() -> int:
    """Beat runs this: archives the worker never took, or lost, are handed over again."""
    return organisation_exports_requeue_lost()


@shared_task
def apply_retention() -> dict[str, int]:
    """Beat runs this weekly; operators can run `manage.py apply_retention` at any time."""
    return {outcome.rule.key: outcome.count for outcome in retention_apply()}
