"""Reports in the admin are for reading: versions change only through the portal."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audits.admin import SimpleHistoryAdmin

from .models import Report, ReportVersion, SignOff


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "cycle"]


@admin.register(ReportVersion)
class ReportVersionAdmin(SimpleHistoryAdmin):
    list_display = ["report", "number", "render_status", "signoff_status", "published_at"]
    list_filter = ["render_status", "signoff_status"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SignOff)
class SignOffAdmin(SimpleHistoryAdmin):
    list_display = ["version", "partner", "decision", "decided_by", "decided_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
