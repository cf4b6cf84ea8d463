"""A worker killed while rendering does not lose the report: the next worker makes it.

The render task is acknowledged only when it has finished, so the message of a
worker that vanished stays "unacknowledged" in Redis; once it is older than the
visibility timeout (shortened here, 30 minutes in production) a worker puts it
back on the queue and renders the version again, into its one file.
"""

from __future__ import annotations

import hashlib
import os

import psycopg
import pytest
import redis
from django.conf import settings
from django.urls import reverse

from audits import services as core
from audits.models import Criterion, Response, Role
from reports.models import RenderStatus, ReportVersion
from tests.factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle
from tests.worker import database_url, start_worker, wait_for, web_publishes_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The killed worker's message comes back after three seconds, checked every second.
QUICK_REDELIVERY = {"BROKER_VISIBILITY_TIMEOUT": "3", "BROKER_UNACKED_RESTORE_INTERVAL": "1"}


def submitted_cycle():
    agency = AgencyFactory()
    cycle = open_cycle(agency, framework=framework_with_criteria())
    lead = UserFactory(roles=[Role.AGENCY_LEAD], organisation=agency)
    return_obj = cycle.returns.get()
    for criterion in Criterion.objects.filter(standard__framework=cycle.framework):
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating="green",
            narrative="In place",
            revision=0,
            actor=lead,
        )
    core.return_submit(return_obj=return_obj, actor=lead)
    return cycle


def test_a_report_whose_worker_is_killed_mid_render_is_made_by_the_next_worker(
    client, business_unit, tmp_path
):
    cycle = submitted_cycle()
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()
    # Keep the render waiting on the answers table, as a slow database would:
    # the worker marks the version "rendering" and then blocks reading answers.
    blocker = psycopg.connect(database_url())
    blocker.execute(f"LOCK TABLE {Response._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    first = start_worker(tmp_path, name="first", pool="prefork", environment=QUICK_REDELIVERY)
    try:
        with web_publishes_to(settings.REDIS_URL):
            client.force_login(business_unit)
            client.post(reverse("reports:report_request", args=[cycle.pk]))
        version = ReportVersion.objects.get()

        def rendering() -> bool:
            version.refresh_from_db()
            return version.render_status == RenderStatus.RENDERING

        assert wait_for(rendering, timeout=60), f"Never started:\n{first.log.read_text()}"
        delivery = version.render_task_id
        first.kill()
    finally:
        first.kill()
        blocker.rollback()
        blocker.close()

    # The message is neither lost nor done: Redis holds it as unacknowledged.
    assert broker.hlen("unacked") == 1
    version.refresh_from_db()
    assert version.render_status == RenderStatus.RENDERING

    second = start_worker(tmp_path, name="second", pool="prefork", environment=QUICK_REDELIVERY)
    try:

        def finished() -> bool:
            version.refresh_from_db()
            return version.render_status in {RenderStatus.READY, RenderStatus.FAILED}

        assert wait_for(finished, timeout=90), f"Not redelivered:\n{second.log.read_text()}"
    finally:
        second.stop()

    assert version.render_status == RenderStatus.READY, version.failure_reason
    # The same message came back and rendered it: a second start, one file.
    assert version.render_task_id == delivery
    assert version.attempts == 2
    folder = os.path.dirname(version.file.path)
    assert os.listdir(folder) == [f"version-{version.number}.pdf"]
    with open(version.file.path, "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF")
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.size == len(content)
    assert broker.hlen("unacked") == 0
    statuses = list(
        version.history.order_by("history_date").values_list("render_status", flat=True)
    )
    assert statuses == [
        RenderStatus.QUEUED,
        RenderStatus.RENDERING,
        RenderStatus.RENDERING,
        RenderStatus.READY,
    ]
    download = client.get(reverse("reports:version_download", args=[version.pk]))
    assert b"".join(download.streaming_content) == content
