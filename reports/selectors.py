"""Reads for the report pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from audits.models import AuditCycle, StatutoryPartner
from section11.access import section11_cycles

from .models import Report, ReportVersion, SignOff


@dataclass(frozen=True)
class CycleReports:
    cycle: AuditCycle
    report: Report | None
    latest: ReportVersion | None


def report_overview() -> list[CycleReports]:
    """Every Section 11 cycle with its summary report and latest version: three queries."""
    cycles = list(section11_cycles().select_related("framework").order_by("-opens_on"))
    reports = {
        r.cycle_id: r
        for r in Report.objects.filter(cycle__in=cycles).prefetch_related(
            Prefetch("versions", queryset=ReportVersion.objects.order_by("-number"))
        )
    }
    rows = []
    for cycle in cycles:
        report = reports.get(cycle.pk)
        latest = next(iter(report.versions.all()), None) if report else None
        rows.append(CycleReports(cycle, report, latest))
    return rows


@dataclass(frozen=True)
class PartnerDecision:
    partner: str
    label: str
    signoff: SignOff | None


def version_page(version: ReportVersion) -> dict[str, object]:
    signoffs = {s.partner: s for s in version.signoffs.select_related("decided_by")}
    return {
        "version": version,
        "report": version.report,
        "cycle": version.report.cycle,
        "decisions": [
            PartnerDecision(p.value, str(p.label), signoffs.get(p.value)) for p in StatutoryPartner
        ],
        "versions": version.report.versions.order_by("-number"),
    }


def published_versions() -> QuerySet[ReportVersion]:
    return (
        ReportVersion.objects.exclude(published_at=None)
        .select_related("report__cycle")
        .order_by("-published_at")
    )
