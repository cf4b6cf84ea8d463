from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from audits.models import AuditCycle
from audits.selectors import organisation_leads


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_cycle_opened(cycle_id: int) -> int:
    """Email every lead of every agency in a newly opened cycle. Returns emails sent."""
    cycle = AuditCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    returns = {r.organisation_id: r for r in cycle.returns.select_related("organisation")}
    messages = []
    for organisation_id, leads in organisation_leads(returns).items():
        return_obj = returns[organisation_id]
        context = {
            "cycle": cycle,
            "organisation": return_obj.organisation,
            "link": settings.SITE_URL + reverse("section11:return_overview", args=[return_obj.pk]),
        }
        for lead in leads:
            context["lead"] = lead
            messages.append(
                EmailMessage(
                    subject=render_to_string("emails/cycle_opened_subject.txt", context).strip(),
                    body=render_to_string("emails/cycle_opened_body.txt", context),
                    to=[lead.email],
                )
            )
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
