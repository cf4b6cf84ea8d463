"""A report the report service loses is handed to it again, then given up on with a reason.

The worker can die mid-render, or the broker can be down when a report is asked
for. The sweep (beat, every five minutes) finds such versions and queues them
again a few times; rendering stays idempotent however many copies arrive.
"""

from __future__ import annotations

import datetime
import hashlib
import os

import pytest
from django.utils import timezone

from reports import services
from reports.models import RenderStatus, ReportVersion

pytestmark = pytest.mark.django_db

LATER = services.RENDER_STUCK_AFTER + datetime.timedelta(seconds=5)


def lost_mid_render(cycle, actor, *, started: datetime.datetime) -> ReportVersion:
    """A version whose worker began rendering at ``started`` and then vanished."""
    version = services.report_request(cycle=cycle, actor=actor)
    ReportVersion.objects.filter(pk=version.pk).update(
        render_status=RenderStatus.RENDERING,
        started_at=started,
        attempts=1,
        render_task_id="delivery-that-died",
    )
    return version


def files_of(version: ReportVersion) -> list[str]:
    folder = os.path.dirname(version.file.storage.path(version.file.name))
    return sorted(os.listdir(folder))


def test_a_render_whose_worker_died_is_queued_again_and_made(
    cycle, business_unit, django_capture_on_commit_callbacks
):
    now = timezone.now()
    version = lost_mid_render(cycle, business_unit, started=now)
    # Within the time limit the render may still be running: the sweep leaves it.
    assert services.reports_sweep_stuck(now=now) == services.Sweep()

    with django_capture_on_commit_callbacks(execute=True):
        sweep = services.reports_sweep_stuck(now=now + LATER)
    assert sweep == services.Sweep(requeued=1)
    version.refresh_from_db()
    # The test settings run the queued task in-process, as a worker would.
    assert version.render_status == RenderStatus.READY
    assert version.attempts == 2
    assert version.requeues == 1
    assert files_of(version) == [f"version-{version.number}.pdf"]
    assert version.sha256 == hashlib.sha256(version.file.read()).hexdigest()
    history = list(version.history.order_by("history_date").values_list("render_status", flat=True))
    assert history[-3:] == [RenderStatus.QUEUED, RenderStatus.RENDERING, RenderStatus.READY]


def test_after_three_lost_renders_the_version_fails_with_a_reason_the_unit_can_act_on(
    cycle, business_unit
):
    version = lost_mid_render(cycle, business_unit, started=timezone.now())
    ReportVersion.objects.filter(pk=version.pk).update(
        requeues=services.MAX_REQUEUES, attempts=services.MAX_REQUEUES + 1
    )
    sweep = services.reports_sweep_stuck(now=timezone.now() + LATER)
    assert sweep == services.Sweep(failed=1)
    version.refresh_from_db()
    assert version.render_status == RenderStatus.FAILED
    assert "stopped while making this report 4 times" in version.failure_reason
    assert "Try again" in version.failure_reason


def test_a_version_queued_while_the_broker_was_down_is_handed_over_by_the_sweep(
    cycle, business_unit, django_capture_on_commit_callbacks
):
    # Not captured: the request's hand-over never happens, as with Redis down.
    version = services.report_request(cycle=cycle, actor=business_unit)
    asked = version.queued_at
    assert services.reports_sweep_stuck(now=asked + datetime.timedelta(seconds=30)) == (
        services.Sweep()
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep = services.reports_sweep_stuck(
            now=asked + services.QUEUED_STUCK_AFTER + datetime.timedelta(seconds=1)
        )
    assert sweep == services.Sweep(requeued=1)
    version.refresh_from_db()
    assert version.render_status == RenderStatus.READY
    assert version.attempts == 1


def test_a_version_no_worker_ever_takes_fails_after_the_last_hand_over(cycle, business_unit):
    version = services.report_request(cycle=cycle, actor=business_unit)
    when = version.queued_at
    for _ in range(services.MAX_REQUEUES):
        when += services.QUEUED_STUCK_AFTER + datetime.timedelta(seconds=1)
        assert services.reports_sweep_stuck(now=when) == services.Sweep(requeued=1)
    when += services.QUEUED_STUCK_AFTER + datetime.timedelta(seconds=1)
    assert services.reports_sweep_stuck(now=when) == services.Sweep(failed=1)
    version.refresh_from_db()
    assert version.render_status == RenderStatus.FAILED
    assert "did not take this report up" in version.failure_reason


def test_a_second_copy_of_the_message_leaves_a_render_in_progress_alone(cycle, business_unit):
    version = lost_mid_render(cycle, business_unit, started=timezone.now())
    ReportVersion.objects.filter(pk=version.pk).update(render_task_id="delivery-rendering-now")
    services.report_version_render(version_id=version.pk, delivery="a-second-copy")
    version.refresh_from_db()
    assert version.render_status == RenderStatus.RENDERING
    assert version.attempts == 1
    assert not version.file
    # The same delivery, handed back by the broker after its worker died, takes it up.
    services.report_version_render(version_id=version.pk, delivery="delivery-rendering-now")
    version.refresh_from_db()
    assert version.render_status == RenderStatus.READY
    assert version.attempts == 2
    # A copy arriving after it is ready changes nothing.
    services.report_version_render(version_id=version.pk, delivery="a-third-copy")
    assert ReportVersion.objects.get(pk=version.pk).sha256 == version.sha256
    assert files_of(version) == [f"version-{version.number}.pdf"]


def test_a_copy_arriving_after_a_failure_does_not_bring_it_back(cycle, business_unit):
    version = services.report_request(cycle=cycle, actor=business_unit)
    services.report_version_fail(version_id=version.pk, reason="Gave up.")
    services.report_version_render(version_id=version.pk, delivery="late-copy")
    version.refresh_from_db()
    assert version.render_status == RenderStatus.FAILED
    assert version.failure_reason == "Gave up."
