from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Evidence, Invitation, ScanStatus
from .pages import evidence_page_url
from .reminders import reminders_send_due
from .scanning import ScannerUnavailable
from .services import evidence_rescan_lost, evidence_scan, invitation_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id, accepted_at=None).first()
    if invitation is not None:
        invitation_send(invitation=invitation)


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
