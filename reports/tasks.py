"""Report work for the Celery worker. Each task takes an id and calls a service."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import OperationalError
from django.template.loader import render_to_string
from django.urls import reverse

from audits.models import Role, User

from . import services
from .models import ReportVersion


class RenderTask(Task):
    """Marks the version failed, with a reason, once the worker has given up on it."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        version_id = args[0] if args else kwargs.get("version_id")
        services.report_version_fail(
            version_id=version_id,
            reason="The report could not be produced after several attempts. Try again later.",
        )


@shared_task(
    base=RenderTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # A database or file-system hiccup is worth another go; a bad template is not.
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    max_retries=3,
)
def render_report_version(self: Task, version_id: int) -> str | None:
    version = services.report_version_render(version_id=version_id, delivery=self.request.id or "")
    return version.render_status if version else None


@shared_task
def sweep_stuck_reports() -> dict[str, int]:
    return asdict(services.reports_sweep_stuck())


def _send(messages: list[EmailMessage]) -> int:
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_report_ready(version_id: int) -> int:
    """Tell whoever asked for the report that its file is ready."""
    version = ReportVersion.objects.select_related("requested_by").filter(pk=version_id).first()
    if version is None:
        return 0
    context = {
        "version": version,
        "link": settings.SITE_URL + reverse("reports:version_detail", args=[version.pk]),
    }
    return _send(
        [
            EmailMessage(
                subject=render_to_string("emails/report_ready_subject.txt", context).strip(),
                body=render_to_string("emails/report_ready_body.txt", context),
                to=[version.requested_by.email],
            )
        ]
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_signoff_awaiting(version_id: int) -> int:
    """Tell every Executive member that a report awaits their decision."""
    version = ReportVersion.objects.filter(pk=version_id).first()
    if version is None:
        return 0
    context = {
        "version": version,
        "link": settings.SITE_URL + reverse("reports:version_detail", args=[version.pk]),
    }
    executives = User.objects.filter(is_active=True, groups__name=Role.EXECUTIVE.value)
    return _send(
        [
            EmailMessage(
                subject=render_to_string("emails/report_awaiting_subject.txt", context).strip(),
                body=render_to_string("emails/report_awaiting_body.txt", {**context, "user": u}),
                to=[u.email],
            )
            for u in executives
        ]
    )
