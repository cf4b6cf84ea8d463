"""Who may see and act on reports. The public sees only published versions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from audits.models import Role, User

from .models import Report, ReportVersion


def reports_visible_to(user: User) -> QuerySet[Report]:
    """The Business Unit, the Executive and the Scrutineer read every report."""
    if user.is_authenticated and user.is_active and user.is_oversight:
        return Report.objects.all()
    return Report.objects.none()


def can_request_reports(user: User) -> bool:
    return user.has_role(Role.BUSINESS_UNIT, Role.EXECUTIVE)


def can_manage_reports(user: User) -> bool:
    return user.has_role(Role.BUSINESS_UNIT)


def can_sign_off(user: User) -> bool:
    return user.has_role(Role.EXECUTIVE) and bool(user.statutory_partner)


def get_report_for_user(user: User, pk: int, *, manage: bool = False) -> Report:
    report = reports_visible_to(user).select_related("cycle__framework").filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    if manage and not can_manage_reports(user):
        raise PermissionDenied("Only the Business Unit can change a report.")
    return report


def get_version_for_user(user: User, pk: int) -> ReportVersion:
    version = (
        ReportVersion.objects.filter(report__in=reports_visible_to(user), pk=pk)
        .select_related("report__cycle__framework", "requested_by")
        .first()
    )
    if version is None:
        raise Http404("No such report.")
    return version


def require(allowed: bool, message: str) -> None:
    """For a reader of reports who may not take this step: 403 with the reason."""
    if not allowed:
        raise PermissionDenied(message)


def get_published_version(pk: int) -> ReportVersion:
    version = (
        ReportVersion.objects.exclude(published_at=None)
        .select_related("report")
        .filter(pk=pk)
        .first()
    )
    if version is None:
        raise Http404("No such published report.")
    return version
