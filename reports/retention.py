"""Report versions the Executive never agreed, in the retention schedule."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from audits.retention import REPORT_DRAFT_YEARS, RetentionRule, records_purge, years_before

from .models import RenderStatus, ReportVersion, SignOff, SignOffStatus


def _drafts_expired(cutoff: datetime.datetime) -> list[QuerySet[Any]]:
    return [
        ReportVersion.objects.exclude(signoff_status=SignOffStatus.AGREED)
        .exclude(render_status__in=[RenderStatus.QUEUED, RenderStatus.RENDERING])
        .filter(requested_at__lt=cutoff)
    ]


def _purge_drafts(versions: QuerySet[ReportVersion]) -> None:
    # The partners' decisions on a draft protect it; they go first, with their history.
    records_purge(SignOff.objects.filter(version__in=versions))
    records_purge(versions)


REPORT_DRAFTS = RetentionRule(
    key="report_drafts",
    records="Report versions the Executive never agreed, with their files, decisions and history",
    kept=f"{REPORT_DRAFT_YEARS} years after they were requested (agreed versions are kept)",
    why="A draft was a step towards the agreed version, which is the partnership's record.",
    position=30,
    cutoff=lambda now: years_before(now, REPORT_DRAFT_YEARS),
    expired=_drafts_expired,
    purge=_purge_drafts,
)
