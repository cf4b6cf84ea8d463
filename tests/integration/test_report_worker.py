"""A report requested in the portal is rendered by a real worker over Redis."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits import services as core
from audits.models import Criterion, Role
from reports import services
from reports.models import RenderStatus, ReportVersion
from tests.factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle
from tests.worker import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_request_becomes_ready_through_the_worker_and_downloads(
    celery_worker, client, business_unit
):
    agency = AgencyFactory()
    cycle = open_cycle(agency, framework=framework_with_criteria())
    lead = UserFactory(roles=[Role.AGENCY_LEAD], organisation=agency)
    for criterion in Criterion.objects.filter(standard__framework=cycle.framework):
        core.response_save(
            return_obj=cycle.returns.get(),
            criterion=criterion,
            rating="green",
            narrative="In place",
            revision=0,
            actor=lead,
        )
    core.return_submit(return_obj=cycle.returns.get(), actor=lead)

    client.force_login(business_unit)
    client.post(reverse("reports:report_request", args=[cycle.pk]))
    version = ReportVersion.objects.get()

    def ready() -> bool:
        version.refresh_from_db()
        return version.render_status in {RenderStatus.READY, RenderStatus.FAILED}

    assert wait_for(ready, timeout=90), "The worker never rendered the report."
    assert version.render_status == RenderStatus.READY, version.failure_reason
    download = client.get(reverse("reports:version_download", args=[version.pk]))
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF")
    assert download["Content-Disposition"].startswith("attachment")
    # Asking again after it is ready makes version 2; the worker renders that too.
    second = services.report_request(cycle=cycle, actor=business_unit)
    assert second.number == 2
