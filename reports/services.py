"""Requesting, rendering, signing off and publishing summary reports.

The web request never renders: it records a queued version and hands its id to
the worker once the transaction commits.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audits.models import AuditCycle, FrameworkKind, Role, StatutoryPartner, User
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

# A version still "rendering" this long after it started has lost its worker.
RENDER_STUCK_AFTER = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def _enqueue(version: ReportVersion) -> None:
    from .tasks import render_report_version

    transaction.on_commit(lambda: render_report_version.delay(version.pk))


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
    latest = report.versions.order_by("-number").first()
    if latest is not None and latest.is_in_progress:
        return latest
    version = ReportVersion(
        report=report,
        number=(latest.number + 1) if latest else 1,
        title=report.title,
        themes=report.themes,
        recommendations=report.recommendations,
        requested_by=actor,
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


def report_version_render(*, version_id: int) -> ReportVersion | None:
    """Render one version and keep the file with its SHA-256. Called by the worker.

    Idempotent: a version that is already ready is left alone, and a second
    render of the same version replaces its file rather than adding one.
    """
    with transaction.atomic():
        version = (
            ReportVersion.objects.select_for_update()
            .select_related("report__cycle__framework")
            .filter(pk=version_id)
            .first()
        )
        if version is None or version.render_status == RenderStatus.READY:
            return version
        version.render_status = RenderStatus.RENDERING
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
        if version.render_status == RenderStatus.READY:
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

        transaction.on_commit(lambda: notify_report_ready.delay(version_id))
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


def reports_sweep_stuck(*, now: datetime.datetime | None = None) -> int:
    """Mark failed every version left "rendering" past the time limit, so that no
    page spins for ever. Returns how many were marked."""
    cutoff = (now or timezone.now()) - RENDER_STUCK_AFTER
    stuck = list(
        ReportVersion.objects.filter(
            render_status=RenderStatus.RENDERING, started_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for version_id in stuck:
        minutes = int(RENDER_STUCK_AFTER.total_seconds() // 60)
        _fail(version_id, f"Rendering did not finish within {minutes} minutes. Try again.")
    return len(stuck)


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

    transaction.on_commit(lambda: notify_signoff_awaiting.delay(version.pk))
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
