"""The Section 11 dashboard, heat map and exports.

For the oversight roles only (Business Unit, Executive, Scrutineer): the access
helper gives everyone else 404. All three pages only read.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audits.models import AuditCycle, User

from . import dashboard
from .access import get_cycle_for_user

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    # Every caller is behind login_required, so this is always a real account.
    return cast(User, request.user)


@login_required
@require_GET
def cycle_dashboard(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(_user(request), cycle_pk)
    # Self-ratings unless asked otherwise: they are what agencies submitted.
    moderated = request.GET.get("view") == "moderated"
    figures = dashboard.cycle_dashboard(cycle)
    return render(
        request,
        "section11/dashboard/cycle_dashboard.html",
        {
            "cycle": cycle,
            "figures": figures,
            "moderated": moderated,
            "area_shares": figures.area_shares(moderated=moderated),
            "heat_map": dashboard.heat_map(cycle, moderated=moderated),
            "year_on_year": dashboard.year_on_year(cycle, moderated=moderated),
        },
    )


# The files hold agencies' own words: keep them out of shared and browser caches.
@login_required
@require_GET
@never_cache
def cycle_export_csv(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(_user(request), cycle_pk)
    return _attachment(dashboard.export_csv(cycle), cycle, "csv", "text/csv; charset=utf-8")


@login_required
@require_GET
@never_cache
def cycle_export_xlsx(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(_user(request), cycle_pk)
    return _attachment(dashboard.export_xlsx(cycle), cycle, "xlsx", XLSX_CONTENT_TYPE)


def _attachment(
    content: bytes, cycle: AuditCycle, extension: str, content_type: str
) -> HttpResponse:
    filename = f"section11-{cycle.pk}-{timezone.localdate().isoformat()}.{extension}"
    return HttpResponse(
        content,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Set here as well as by SecurityMiddleware: a browser must never
            # sniff a spreadsheet of narratives into something it would render.
            "X-Content-Type-Options": "nosniff",
        },
    )


urlpatterns: list[URLPattern] = [
    path("cycles/<int:cycle_pk>/dashboard/", cycle_dashboard, name="cycle_dashboard"),
    path("cycles/<int:cycle_pk>/export.csv", cycle_export_csv, name="cycle_export_csv"),
    path("cycles/<int:cycle_pk>/export.xlsx", cycle_export_xlsx, name="cycle_export_xlsx"),
]
