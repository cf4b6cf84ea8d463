"""The Django admin is for technical staff. Frozen frameworks are read-only here too."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin as _SimpleHistoryAdmin

from .models import (
    AccessRecord,
    ActionItem,
    AuditCycle,
    Criterion,
    District,
    Framework,
    Invitation,
    LocalAuthority,
    Locality,
    Membership,
    Organisation,
    Return,
    Standard,
    User,
)


class SimpleHistoryAdmin(_SimpleHistoryAdmin):
    """History in the admin can be read, never used to put an old version back:
    changes go through the portal's services, which check the rules."""

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied("History cannot be reverted from the admin.")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ["groups"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People leave by being made inactive. Deleting one would rewrite every
        # historical row that names them (and the database refuses that).
        return False


admin.site.register([LocalAuthority, Locality])


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "locality", "local_authority"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "sector", "district", "urn", "statutory_section"]
    list_filter = ["kind", "sector", "statutory_section", "local_authority", "phase"]
    search_fields = ["name", "urn", "dfe_number"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["email", "role", "organisation", "created_at", "accepted_at"]
    readonly_fields = ["sent_at", "accepted_at", "accepted_user"]


class FrozenAwareAdmin(SimpleHistoryAdmin):
    """Refuses changes to anything belonging to a frozen framework."""

    framework_path = ""  # dotted path from the object to its framework; "" is the object

    def framework_of(self, obj: Any) -> Framework:
        return attrgetter(self.framework_path)(obj) if self.framework_path else obj

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.framework_of(obj).is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.framework_of(obj).is_frozen:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Framework)
class FrameworkAdmin(FrozenAwareAdmin):
    list_display = ["name", "kind", "version", "frozen_at"]
    readonly_fields = ["frozen_at"]


@admin.register(Standard)
class StandardAdmin(FrozenAwareAdmin):
    list_display = ["title", "code", "framework", "position"]
    list_filter = ["framework"]
    framework_path = "framework"


@admin.register(Criterion)
class CriterionAdmin(FrozenAwareAdmin):
    list_display = ["code", "text", "standard"]
    list_filter = ["standard__framework"]
    framework_path = "standard.framework"


@admin.register(AuditCycle)
class AuditCycleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "framework", "opens_on", "closes_on"]


@admin.register(Return)
class ReturnAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin):
    list_display = ["organisation", "cycle", "status", "extended_deadline"]
    list_filter = ["cycle", "status"]
    search_fields = ["organisation__name"]
    readonly_fields = ["status", "submitted_at", "submitted_by"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ["description", "organisation", "owner", "due_date", "status"]
    list_filter = ["status"]


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """The access log can be read here and nothing more: it is only ever added to by
    the views that serve records, and only the retention schedule removes entries."""

    list_display = ["at", "user", "kind", "description", "organisation", "client_address"]
    list_filter = ["kind", "content_type"]
    search_fields = ["user__email", "user__full_name", "description"]
    date_hierarchy = "at"
    list_select_related = ["user", "organisation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
