"""Requesting, rendering, signing off and publishing summary reports.

The web request never renders: it records a queued version and hands its id to
the worker once the transaction commits.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits.models import AuditCycle, FrameworkKind, Role, StatutoryPartner, User
from audits.queueing import queue_on_commit
from audits.services._common import save

from .models import (
    Decision,
    RenderStatus,
    Report,
    ReportKind,
    ReportVersion,
    SignOff,
    SignOffStatus,
    report_upload_to,
)

logger = logging.getLogger(__name__)

# A version still "rendering" this long after it started has lost its worker:
# the task's hard time limit would have stopped a live one before now.
RENDER_STUCK_AFTER = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
# A version still "queued" this long after it was handed over was never taken
# up: the broker was down when it was asked for, or lost the message. A second
# copy of a message still waiting does no harm (rendering is idempotent).
QUEUED_STUCK_AFTER = datetime.timedelta(minutes=2)
# How many times the sweep hands a lost version over again before it gives up.
MAX_REQUEUES = 3


def _enqueue(version: ReportVersion) -> None:
    """Hand the version to the report service once the transaction commits."""
    from .tasks import render_report_version

    queue_on_commit(render_report_version, version.pk)


@transaction.atomic
def report_request(
    *, cycle: AuditCycle, kind: str = ReportKind.SECTION11_SUMMARY, actor: User
) -> ReportVersion:
    """Queue a new version of the cycle's report. A version already on its way is
    returned as it is, so that two clicks never render twice."""
    if kind == ReportKind.SECTION11_SUMMARY and cycle.framework.kind != FrameworkKind.SECTION_11:
        raise ValidationError("The Section 11 summary is for Section 11 cycles.")
    report = Report.objects.select_for_update().filter(kind=kind, cycle=cycle).first()
    if report is None:
        report = Report(kind=kind, cycle=cycle, title=f"Section 11 summary report: {cycle.name}")
        save(report, actor=actor)
        report = Report.objects.select_for_update().get(pk=report.pk)
    latest = report.versions.select_for_update().order_by("-number").first()
    if latest is not None and latest.is_in_progress:
        if latest.render_status == RenderStatus.QUEUED:
            # Asking again while it waits hands it over again, in case the report
            # service was away the first time; a second copy renders nothing twice.
            _enqueue(latest)
        return latest
    version = ReportVersion(
        report=report,
        number=(latest.number + 1) if latest else 1,
        title=report.title,
        themes=report.themes,
        recommendations=report.recommendations,
        requested_by=actor,
        queued_at=timezone.now(),
    )
    save(version, actor=actor)
    _enqueue(version)
    return version


@transaction.atomic
def report_update_text(
    *, report: Report, title: str, themes: str, recommendations: str, actor: User
) -> Report:
    """The Business Unit's words for the next version; versions already made keep theirs."""
    report.title = title
    report.themes = themes
    report.recommendations = recommendations
    save(report, actor=actor)
    return report


@transaction.atomic
def report_version_retry(*, version: ReportVersion, actor: User) -> ReportVersion:
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    if version.render_status != RenderStatus.FAILED:
        raise ValidationError("Only a report that failed can be tried again.")
    version.render_status = RenderStatus.QUEUED
    version.failure_reason = ""
    version.queued_at = timezone.now()
    version.requeues = 0
    save(version, actor=actor)
    _enqueue(version)
    return version


def _render(version: ReportVersion) -> bytes:
    from .rendering import render_section11_summary

    if version.report.kind != ReportKind.SECTION11_SUMMARY:
        raise ValueError(f"There is no renderer for {version.report.get_kind_display()}.")
    cycle = version.report.cycle
    if cycle.framework.kind != FrameworkKind.SECTION_11:
        raise ValueError("The Section 11 summary needs a Section 11 cycle.")
    return render_section11_summary(
        cycle=cycle,
        title=version.title,
        version_number=version.number,
        themes=version.themes,
        recommendations=version.recommendations,
        generated_on=timezone.localdate(),
    )


def report_version_render(*, version_id: int, delivery: str = "") -> ReportVersion | None:
    """Render one version and keep the file with its SHA-256. Called by the worker.

    ``delivery`` is the id of the task message being worked on. It is idempotent,
    however many copies of the message arrive: a version that is ready is left
    alone; one that another delivery started rendering within the time limit is
    left to it; and a second render of the same version replaces its one file,
    never adds another. A message redelivered after its worker died carries the
    same id as before, so it takes the render up again.
    """
    with transaction.atomic():
        version = (
            ReportVersion.objects.select_for_update(of=("self",))
            .select_related("report__cycle__framework")
            .filter(pk=version_id)
            .first()
        )
        if version is None or version.render_status in {RenderStatus.READY, RenderStatus.FAILED}:
            return version
        if (
            version.render_status == RenderStatus.RENDERING
            and version.render_task_id != delivery
            and version.started_at is not None
            and version.started_at > timezone.now() - RENDER_STUCK_AFTER
        ):
            logger.info(
                "Report version %s is being rendered by delivery %s; %s leaves it.",
                version_id,
                version.render_task_id,
                delivery,
            )
            return version
        version.render_status = RenderStatus.RENDERING
        version.render_task_id = delivery
        version.started_at = timezone.now()
        version.attempts += 1
        save(version, actor=None)
    # Rendering runs outside any transaction: it can take a while and only reads.
    try:
        pdf = _render(version)
    except (ValueError, LookupError) as error:
        # A fault in the data or the template: trying again would fail the same way.
        logger.exception("Report version %s could not be rendered", version_id)
        return _fail(version_id, f"The report could not be produced: {error}")
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version_id)
        if version.render_status in {RenderStatus.READY, RenderStatus.FAILED}:
            # Another delivery finished first (or the sweep gave up): its file stands.
            return version
        # Clear the version's one name first, in case an earlier attempt wrote the
        # file and then lost its worker: otherwise storage would invent a second name.
        version.file.storage.delete(report_upload_to(version, ""))
        version.file.save("report.pdf", ContentFile(pdf), save=False)
        version.sha256 = hashlib.sha256(pdf).hexdigest()
        version.size = len(pdf)
        version.render_status = RenderStatus.READY
        version.rendered_at = timezone.now()
        version.failure_reason = ""
        save(version, actor=None)
        from .tasks import notify_report_ready

        queue_on_commit(notify_report_ready, version_id)
    return version


def _fail(version_id: int, reason: str) -> ReportVersion:
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version_id)
        version.render_status = RenderStatus.FAILED
        version.failure_reason = reason
        save(version, actor=None)
    return version


def report_version_fail(*, version_id: int, reason: str) -> ReportVersion:
    """Record that rendering gave up (the worker ran out of retries)."""
    return _fail(version_id, reason)


@dataclass(frozen=True)
class Sweep:
    """What one sweep did with the versions the report service had lost."""

    requeued: int = 0
    failed: int = 0


@transaction.atomic
def reports_sweep_stuck(*, now: datetime.datetime | None = None) -> Sweep:
    """Hand lost versions to the report service again; give up after a few tries.

    Lost means "rendering" past the time limit (its worker died and the broker
    did not redeliver it) or "queued" for a while with no worker taking it (the
    broker was down when it was asked for). Each is queued again up to
    MAX_REQUEUES times and then marked failed with a reason the Business Unit
    can act on, so that no page spins for ever. Beat runs this every five minutes.
    """
    now = now or timezone.now()
    lost = list(
        ReportVersion.objects.select_for_update(skip_locked=True)
        .filter(
            Q(render_status=RenderStatus.RENDERING, started_at__lt=now - RENDER_STUCK_AFTER)
            | Q(render_status=RenderStatus.QUEUED, queued_at__lt=now - QUEUED_STUCK_AFTER)
            # Versions queued before queued_at was recorded.
            | Q(render_status=RenderStatus.QUEUED, queued_at=None)
        )
        .order_by("pk")
    )
    requeued = failed = 0
    for version in lost:
        if version.requeues >= MAX_REQUEUES:
            version.render_status = RenderStatus.FAILED
            version.failure_reason = _gave_up_reason(version)
            failed += 1
        else:
            if version.render_status == RenderStatus.RENDERING:
                logger.warning(
                    "Report version %s lost its worker while rendering; queuing it again.",
                    version.pk,
                )
            version.render_status = RenderStatus.QUEUED
            version.requeues += 1
            version.queued_at = now
            _enqueue(version)
            requeued += 1
        save(version, actor=None)
    return Sweep(requeued=requeued, failed=failed)


def _gave_up_reason(version: ReportVersion) -> str:
    if version.render_status == RenderStatus.RENDERING or version.attempts:
        return (
            f"The report service stopped while making this report {version.attempts} "
            "times. Try again; if it fails again, tell the portal's technical team."
        )
    return (
        "The report service did not take this report up, though it was asked "
        f"{version.requeues + 1} times. Try again later; if it fails again, tell the "
        "portal's technical team."
    )


# --- Sign-off ---------------------------------------------------------------


@transaction.atomic
def report_send_for_signoff(*, version: ReportVersion, actor: User) -> ReportVersion:
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    if version.render_status != RenderStatus.READY:
        raise ValidationError("The report must be ready before the Executive can see it.")
    if version.signoff_status != SignOffStatus.DRAFT:
        raise ValidationError("This version has already gone to the Executive.")
    version.signoff_status = SignOffStatus.AWAITING
    version.sent_for_signoff_at = timezone.now()
    save(version, actor=actor)
    from .tasks import notify_signoff_awaiting

    queue_on_commit(notify_signoff_awaiting, version.pk)
    return version


@transaction.atomic
def report_signoff_record(
    *, version: ReportVersion, decision: str, comment: str, actor: User
) -> SignOff:
    """One statutory partner's decision. When all three have agreed, the version is
    frozen; one request for changes sends it back to the Business Unit."""
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    if not actor.has_role(Role.EXECUTIVE) or not actor.statutory_partner:
        raise ValidationError("Only an Executive member representing a partner can sign off.")
    if version.signoff_status != SignOffStatus.AWAITING:
        raise ValidationError("This version is not awaiting the Executive's decision.")
    if decision == Decision.CHANGES_REQUESTED and not comment.strip():
        raise ValidationError({"comment": "Say what needs to change."})
    signoff = SignOff.objects.filter(version=version, partner=actor.statutory_partner).first()
    if signoff is None:
        signoff = SignOff(version=version, partner=actor.statutory_partner)
    signoff.decided_by = actor
    signoff.decision = decision
    signoff.comment = comment
    save(signoff, actor=actor)
    if decision == Decision.CHANGES_REQUESTED:
        version.signoff_status = SignOffStatus.CHANGES_REQUESTED
        save(version, actor=actor)
    else:
        agreed = set(
            version.signoffs.filter(decision=Decision.AGREED).values_list("partner", flat=True)
        )
        if agreed == {p.value for p in StatutoryPartner}:
            version.signoff_status = SignOffStatus.AGREED
            version.agreed_at = timezone.now()
            save(version, actor=actor)
    return signoff


@transaction.atomic
def report_publish(*, version: ReportVersion, actor: User) -> ReportVersion:
    """Publish an agreed version on the public page, in place of any earlier one."""
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    if version.signoff_status != SignOffStatus.AGREED:
        raise ValidationError("Only a version the Executive has agreed can be published.")
    for earlier in version.report.versions.exclude(pk=version.pk).exclude(published_at=None):
        earlier.published_at = None
        save(earlier, actor=actor)
    version.published_at = timezone.now()
    save(version, actor=actor)
    return version
