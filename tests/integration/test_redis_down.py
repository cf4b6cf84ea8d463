"""With Redis down, asking for a report says it is queued, and the portal keeps working.

The test runs a Redis server of its own, stops it, and asks for a report as
the Business Unit would: the answer comes quickly, says the report will be made
when the report service is back, and leaves the version queued. Once Redis and
a worker are back, the sweep hands the version over and the report is made.
"""

from __future__ import annotations

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services as core
from audits.models import Invitation, Role
from reports import services
from reports.models import RenderStatus, ReportVersion
from tests.factories import AgencyFactory, framework_with_criteria, open_cycle
from tests.worker import start_worker, wait_for, web_publishes_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

QUEUED_WORDS = "is queued and will be made as soon as the report service is available"


def test_asking_for_a_report_with_redis_down_queues_it_and_the_sweep_makes_it_later(
    client, business_unit, private_redis, tmp_path
):
    agency = AgencyFactory()
    cycle = open_cycle(agency, framework=framework_with_criteria())
    client.force_login(business_unit)
    with web_publishes_to(private_redis.url):
        private_redis.stop()

        started = time.monotonic()
        page = client.post(reverse("reports:report_request", args=[cycle.pk]), follow=True)
        took = time.monotonic() - started

        assert page.status_code == 200
        assert took < 5, f"The request waited {took:.1f}s on a broker that is down."
        assert QUEUED_WORDS in page.content.decode()
        version = ReportVersion.objects.get()
        assert version.render_status == RenderStatus.QUEUED
        assert "Queued." in page.content.decode()

        # Everything else works as usual, including other things that queue work.
        for url in (
            reverse("audits:home"),
            reverse("reports:report_list"),
            reverse("reports:report_detail", args=[version.report_id]),
            reverse("section11:cycle_tracker", args=[cycle.pk]),
            reverse("audits:invitation_list"),
        ):
            assert client.get(url).status_code == 200, url
        invited = client.post(
            reverse("audits:invitation_create"),
            {
                "email": "sky.newlead@test.csap.example",
                "full_name": "Sky Newlead",
                "role": Role.AGENCY_LEAD.value,
                "organisation": agency.pk,
            },
            follow=True,
        )
        assert "will be emailed as soon as the email service is available" in (
            invited.content.decode()
        )
        assert Invitation.objects.get().sent_at is None

        private_redis.start()
        worker = start_worker(tmp_path, redis_url=private_redis.url)
        try:
            # Beat's next sweep, a few minutes on, hands the version to the service.
            sweep = services.reports_sweep_stuck(
                now=timezone.now() + services.QUEUED_STUCK_AFTER + datetime.timedelta(seconds=1)
            )
            assert sweep == services.Sweep(requeued=1)

            def made() -> bool:
                version.refresh_from_db()
                return version.render_status in {RenderStatus.READY, RenderStatus.FAILED}

            assert wait_for(made, timeout=90), worker.log.read_text()
            # And the invitation made while Redis was down goes out.
            later = timezone.now() + core.INVITATION_UNSENT_AFTER + datetime.timedelta(seconds=1)
            assert core.invitations_queue_unsent(now=later) == 1
            invitation = Invitation.objects.get()
            assert wait_for(lambda: Invitation.objects.get().sent_at is not None), (
                worker.log.read_text()
            )
        finally:
            worker.stop()
    assert version.render_status == RenderStatus.READY, version.failure_reason
    detail = client.get(reverse("reports:version_detail", args=[version.pk]))
    assert "Ready." in detail.content.decode()
    assert [p.name for p in (tmp_path / "mail").iterdir()], "No email was written."
    assert invitation.email in "".join(p.read_text() for p in (tmp_path / "mail").iterdir())
